/**
 * The parts of the Flex UI 2.x API this plugin uses, declared here instead of installing `@twilio/flex-ui`
 * (a ~100-package install with a browser SDK, Material UI, Paste, GraphQL, ...) just for types. At run time Flex's
 * plugin loader provides the real module as the global `Twilio.Flex` (scripts/build.mjs maps the import to it).
 * Names and shapes follow Flex UI 2.x; see README "Reference Flex plugin".
 */
declare module '@twilio/flex-ui' {
  import type * as React from 'react';

  export type ActionPayload = Record<string, any>;
  export type AbortFunction = () => void;
  export type ActionListener = (payload: ActionPayload, abortFunction: AbortFunction) => void | Promise<void>;

  export interface ActionsApi {
    addListener(event: string, listener: ActionListener): void;
    removeListener?(event: string, listener: ActionListener): void;
    invokeAction(name: string, payload?: ActionPayload): Promise<unknown>;
  }
  export const Actions: ActionsApi;

  export enum NotificationType {
    error = 'error',
    warning = 'warning',
    info = 'info',
    success = 'success',
  }
  export interface Notification {
    id: string;
    type: NotificationType | string;
    content: string;
    closeButton?: boolean;
    timeout?: number;
  }
  export interface NotificationsApi {
    registerNotification(notification: Notification): void;
    showNotification(id: string, context?: Record<string, unknown>): unknown;
  }
  export const Notifications: NotificationsApi;

  export interface ContentFragmentOptions {
    sortOrder?: number;
    align?: 'start' | 'end';
    if?: (props: any) => boolean;
  }
  export interface ContentFragment {
    add(element: React.ReactElement, options?: ContentFragmentOptions): void;
  }
  export const OutboundDialerPanel: { Content: ContentFragment };
  export const SideNav: { Content: ContentFragment };

  export interface SideLinkProps {
    showLabel?: boolean;
    icon?: string;
    iconActive?: string;
    isActive?: boolean;
    onClick?: () => void;
    children?: React.ReactNode;
  }
  export const SideLink: React.ComponentType<SideLinkProps>;

  export interface FlexState {
    flex: { session: { ssoTokenPayload?: { token?: string } } };
  }
  export interface Manager {
    store: { getState(): FlexState };
    user: { token: string; roles: string[]; identity?: string };
    configuration: { custom_data?: Record<string, any> } & Record<string, any>;
    serviceConfiguration: { account_sid?: string } & Record<string, any>;
    workerClient?: { accountSid?: string; sid?: string; attributes?: Record<string, any> };
  }
  export const Manager: { getInstance(): Manager };
}
