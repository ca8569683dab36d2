import type * as Flex from '@twilio/flex-ui';
import { FlexPlugin } from '@twilio/flex-plugin';

import { registerCallerId } from './register';

const PLUGIN_NAME = 'CallerIdPlugin';

export default class CallerIdPlugin extends FlexPlugin {
  constructor() {
    super(PLUGIN_NAME);
  }

  /**
   * Run by Flex when the plugin loads: adds the "Call from" dropdown, the From rewrite, the lock release and the
   * supervisors' "Phone numbers" link.
   */
  init(flex: typeof Flex, manager: Flex.Manager): void {
    registerCallerId(flex, manager);
  }
}
