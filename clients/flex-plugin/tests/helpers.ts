import type { ActionPayload, Manager, Notification } from '@twilio/flex-ui';
import React from 'react';

export interface Sent {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: any;
}

/** A before/after listener of Flex's Actions: the payload, and for before-listeners the function that aborts. */
type ActionListener = (payload: ActionPayload, abort: () => void) => void | Promise<void>;

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | Error;
type Route = (request: Sent) => Reply;

/** An in-memory stand-in of the backend's HTTP API: routes answer by "METHOD /path"; every request is kept. */
export class FakeBackend {
  readonly sent: Sent[] = [];
  readonly routes = new Map<string, Route>();

  on(route: string, reply: Route | Reply): this {
    this.routes.set(route, typeof reply === 'function' ? reply : () => reply);
    return this;
  }

  fetch: typeof fetch = async (input, init) => {
    const url = String(input);
    const parsed = new URL(url);
    const request: Sent = {
      method: init?.method ?? 'GET',
      url,
      path: parsed.pathname,
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    this.sent.push(request);
    const route = this.routes.get(`${request.method} ${request.path}`);
    const reply = route ? route(request) : { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
    if (reply instanceof Error) throw reply;
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
    const headers = new Map(Object.entries(reply.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
    return {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      text: async () => text,
    } as unknown as Response;
  };

  requests(route: string): Sent[] {
    return this.sent.filter((r) => `${r.method} ${r.path}` === route);
  }
}

export function error(status: number, code: string, message: string): Reply {
  return { status, body: { error: { code, message } } };
}

export function number(phoneNumber: string, friendlyName: string, extra: Record<string, unknown> = {}) {
  return {
    sid: `PN${phoneNumber.replace(/\D/g, '').padEnd(32, '0')}`,
    phoneNumber,
    friendlyName,
    label: null,
    source: 'twilio',
    status: 'active',
    isPrimary: false,
    capabilities: { voice: true, sms: true },
    locality: null,
    lockedBy: null,
    ...extra,
  };
}

export const ACCOUNT = 'AC' + 'a'.repeat(32);

export function fakeManager(overrides: {
  roles?: string[];
  token?: string;
  refreshedToken?: string;
  customData?: Record<string, unknown>;
  accountSid?: string | null;
  workerAccountSid?: string;
} = {}): Manager {
  return {
    store: {
      getState: () => ({
        flex: { session: { ssoTokenPayload: overrides.refreshedToken ? { token: overrides.refreshedToken } : {} } },
      }),
    },
    user: { token: overrides.token ?? 'token-agent', roles: overrides.roles ?? ['agent'] },
    configuration: { custom_data: overrides.customData ?? { callerIdBackendUrl: 'https://callerid.example.com/' } },
    serviceConfiguration: overrides.accountSid === null ? {} : { account_sid: overrides.accountSid ?? ACCOUNT },
    workerClient: { accountSid: overrides.workerAccountSid, sid: 'WK' + '1'.repeat(32) },
    // Only the members the plugin reads; Flex's Manager has some twenty more.
  } as unknown as Manager;
}

/** A stand-in of the `Flex` namespace: actions with before/after listeners, notifications, content fragments. */
export function fakeFlex() {
  const listeners = new Map<string, ActionListener[]>();
  const notifications = new Map<string, Notification>();
  const shown: { id: string; context?: Record<string, unknown> }[] = [];
  const dialer: React.ReactElement[] = [];
  const sideNav: React.ReactElement[] = [];
  const SideLink = (props: { onClick?: () => void; children?: React.ReactNode }) =>
    React.createElement('button', { onClick: props.onClick }, props.children);
  const flex = {
    Actions: {
      addListener(event: string, listener: ActionListener) {
        listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      },
      /** As Flex does: before-listeners may abort; the action and its after-listeners run only if none did. */
      async invokeAction(name: string, payload: Record<string, any> = {}) {
        let aborted = false;
        for (const listener of listeners.get(`before${name}`) ?? []) {
          await listener(payload, () => {
            aborted = true;
          });
        }
        if (aborted) return false;
        for (const listener of listeners.get(`after${name}`) ?? []) await listener(payload, () => undefined);
        return true;
      },
    },
    Notifications: {
      registerNotification(notification: Notification) {
        notifications.set(notification.id, notification);
      },
      showNotification(id: string, context?: Record<string, unknown>) {
        if (!notifications.has(id)) throw new Error(`notification ${id} was never registered`);
        shown.push({ id, context });
      },
    },
    NotificationType: { error: 'error', warning: 'warning', info: 'info', success: 'success' },
    OutboundDialerPanel: { Content: { add: (element: React.ReactElement) => dialer.push(element) } },
    SideNav: { Content: { add: (element: React.ReactElement) => sideNav.push(element) } },
    SideLink,
  };
  /** The text a shown notification displays: its registered template filled from its context. */
  const shownText = () =>
    shown.map(({ id, context }) =>
      String(notifications.get(id)!.content).replace(/{{(\w+)}}/g, (_, key: string) => String(context?.[key] ?? '')),
    );
  return { flex: flex as any, listeners, notifications, shown, shownText, dialer, sideNav };
}
