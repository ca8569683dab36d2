import * as FlexPlugin from '@twilio/flex-plugin';

import CallerIdPlugin from './CallerIdPlugin';

FlexPlugin.loadPlugin(CallerIdPlugin);
