import type { Config, Manager } from '@twilio/flex-ui';

/** The Flex configuration's UI attribute (`ui_attributes.custom_data.<this>`) that holds the backend's URL. */
export const BACKEND_URL_ATTRIBUTE = 'callerIdBackendUrl';

/** Roles that see the "Phone numbers" side-nav entry (the console needs a supervisor or admin token). */
export const CONSOLE_ROLES = ['supervisor', 'admin'];

/** Flex's configuration as Flex builds it: the configuration's `ui_attributes` merged in, `custom_data` included,
 * which Flex's own `Config` type leaves out (the Flex project template reads it the same way). */
type UiAttributes = Config & { custom_data?: Record<string, unknown> };

/**
 * The backend's base URL, from the Flex configuration's UI attributes (set with the Flex Configuration API, or in
 * `public/appConfig.js` when running locally). Without it the plugin cannot work, so it says so once and stays off.
 */
export function backendUrl(manager: Manager): string | null {
  const value = (manager.configuration as UiAttributes | undefined)?.custom_data?.[BACKEND_URL_ATTRIBUTE];
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/.test(value.trim())) {
    return null;
  }
  return value.trim().replace(/\/+$/, '');
}

/** The agent's current Flex token: the refreshed one in the store when Flex has it, else the one it signed in with. */
export function flexToken(manager: Manager): string {
  const refreshed = manager.store?.getState()?.flex?.session?.ssoTokenPayload?.token;
  return refreshed || manager.user.token;
}

/** The Twilio account the agent signed in to Flex with (the backend validates the token against it). */
export function accountSid(manager: Manager): string | undefined {
  return manager.serviceConfiguration?.account_sid || manager.workerClient?.accountSid || undefined;
}

export function isSupervisor(manager: Manager): boolean {
  const roles = manager.user?.roles ?? [];
  return roles.some((role) => CONSOLE_ROLES.includes(role));
}

/** The admin console, signed in: the token and the account travel in the fragment, which is never sent to a server. */
export function consoleUrl(manager: Manager, base: string): string {
  const account = accountSid(manager) ?? '';
  return `${base}/console/#token=${encodeURIComponent(flexToken(manager))}&accountSid=${encodeURIComponent(account)}`;
}
