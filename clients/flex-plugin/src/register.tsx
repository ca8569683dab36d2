import React from 'react';
import type * as Flex from '@twilio/flex-ui';

import { CallerIdApi } from './api';
import { CallerIdSelector } from './components/CallerIdSelector';
import { PhoneNumbersSideLink } from './components/PhoneNumbersSideLink';
import { BACKEND_URL_ATTRIBUTE, backendUrl, consoleUrl, isSupervisor } from './config';
import { FAILED_NOTIFICATION, REFUSED_NOTIFICATION, registerCallHooks } from './outboundCall';

/** What the plugin uses of the `Flex` namespace that Flex hands to `init` (tests hand a stand-in). */
export type FlexApi = Pick<
  typeof Flex,
  'Actions' | 'Notifications' | 'NotificationType' | 'OutboundDialerPanel' | 'SideNav' | 'SideLink'
>;

export interface Options {
  fetch?: typeof fetch;
  openWindow?: (url: string) => void;
}

/** Everything the plugin adds to Flex; returns false (and adds nothing) when the backend URL is not configured. */
export function registerCallerId(flex: FlexApi, manager: Flex.Manager, options: Options = {}): boolean {
  const base = backendUrl(manager);
  if (!base) {
    console.error(
      `[CallerIdPlugin] set ui_attributes.custom_data.${BACKEND_URL_ATTRIBUTE} to the caller-ID backend's URL ` +
        '(README "Reference Flex plugin"); the plugin stays off until then.',
    );
    return false;
  }
  const api = new CallerIdApi(manager, base, options.fetch);

  flex.Notifications.registerNotification({
    id: REFUSED_NOTIFICATION,
    type: flex.NotificationType.error,
    content: 'The call was not placed: {{message}}',
    closeButton: true,
    timeout: 8000,
  });
  flex.Notifications.registerNotification({
    id: FAILED_NOTIFICATION,
    type: flex.NotificationType.error,
    content: 'The call was not placed, the caller ID could not be chosen: {{message}}',
    closeButton: true,
    timeout: 8000,
  });

  registerCallHooks(flex.Actions, flex.Notifications, api);

  flex.OutboundDialerPanel.Content.add(<CallerIdSelector key="caller-id-selector" api={api} />, { sortOrder: 1 });

  if (isSupervisor(manager)) {
    const open = options.openWindow ?? ((url: string) => window.open(url, '_blank', 'noopener,noreferrer'));
    const openConsole = () => open(consoleUrl(manager, base));
    flex.SideNav.Content.add(
      <PhoneNumbersSideLink key="caller-id-phone-numbers" SideLink={flex.SideLink} open={openConsole} />,
      { align: 'end' },
    );
  }
  return true;
}
