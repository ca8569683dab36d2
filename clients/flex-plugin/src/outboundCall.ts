import type { ActionPayload, Actions, Notifications } from '@twilio/flex-ui';

import { ApiError, CallerIdApi, OutboundCallRequest } from './api';

/** What the call hooks use of Flex's Actions and Notifications (tests hand fakes of these). */
export type ActionsPort = Pick<typeof Actions, 'addListener'>;
export type NotificationsPort = Pick<typeof Notifications, 'showNotification'>;

export const REFUSED_NOTIFICATION = 'CallerIdRefused';
export const FAILED_NOTIFICATION = 'CallerIdFailed';

/** The API's refusals that mean "this call cannot be dialled as asked": the agent is told why, the call stops. */
const REFUSALS = new Set([409, 422]);

/** Task-ending actions after which the caller-ID lock is released: the agent hung up, or completed the task
 * (the customer hung up first, Flex moved the task to wrap-up and the agent completes it). */
export const RELEASE_EVENTS = ['afterHangupCall', 'afterWrapupTask', 'afterCompleteTask'];

export function isOutboundCallTask(task: any): boolean {
  const attributes = task?.attributes ?? {};
  return attributes.direction === 'outbound';
}

/**
 * The From rewrite: right before Flex's StartOutboundCall runs, ask the backend which number to dial from and put
 * it in `payload.callerId`. A `callerId` already in the payload is someone's explicit choice for this one call
 * (another plugin, or `Actions.invokeAction('StartOutboundCall', {destination, callerId})`): it is sent as `from`,
 * and a colleague holding that number refuses the call (409) rather than dialling from another number.
 * Without one the backend chooses (local presence, the agent's saved selection, assignment, primary, ...), told the
 * version of the selection this plugin last saw (`selectionVersion`) so that a save a moment ago counts.
 */
export function makeBeforeStartOutboundCall(
  api: CallerIdApi,
  notifications: NotificationsPort,
  onLockTaken: (phoneNumber: string) => void = () => undefined,
) {
  return async function beforeStartOutboundCall(payload: ActionPayload, abort: () => void): Promise<void> {
    const body: OutboundCallRequest = { to: String(payload.destination ?? '') };
    if (typeof payload.callerId === 'string' && payload.callerId) body.from = payload.callerId;
    if (typeof payload.queueSid === 'string' && payload.queueSid) body.queueSid = payload.queueSid;
    if (typeof payload.taskSid === 'string' && payload.taskSid) body.taskSid = payload.taskSid;
    // The selection the dropdown last loaded or saved: the backend then never decides from an older one.
    if (api.selectionVersion !== null) body.selectionVersion = api.selectionVersion;
    try {
      const answer = await api.startOutboundCall(body);
      payload.callerId = answer.from;
      onLockTaken(answer.lock.phoneNumber);
    } catch (error) {
      if (error instanceof ApiError && REFUSALS.has(error.status)) {
        notifications.showNotification(REFUSED_NOTIFICATION, { message: error.message, code: error.code });
        abort();
        return;
      }
      // The backend is down or refused for another reason (401 token, 400 number): dialling anyway would bypass
      // the lock and the number rules, so the call stops and the agent sees why.
      const message = error instanceof Error ? error.message : String(error);
      notifications.showNotification(FAILED_NOTIFICATION, { message });
      abort();
    }
  };
}

/**
 * After a task-ending action, release the agent's caller-ID lock when it was taken for that call: the task is an
 * outbound call and, when this plugin took the lock in this session, the task's `from` is the locked number (so
 * completing an earlier task in wrap-up never frees the lock of the call the agent has just started). Each task
 * releases once, however many of the RELEASE_EVENTS it passes through.
 */
export function makeReleaseLock(api: CallerIdApi, held: () => string | null, onReleased: () => void) {
  const releasedTasks = new Set<string>();
  return async function releaseLock(payload: ActionPayload): Promise<void> {
    const task = payload?.task;
    if (!isOutboundCallTask(task)) return;
    const lockedNumber = held();
    const from = task.attributes?.from;
    if (lockedNumber !== null && typeof from === 'string' && from !== lockedNumber) return;
    const key = String(task.taskSid ?? task.sid ?? '');
    if (key && releasedTasks.has(key)) return;
    if (key) releasedTasks.add(key);
    try {
      await api.releaseLock();
      onReleased();
    } catch (error) {
      // The lock expires by itself (CALLER_ID_LOCK_TTL_SECONDS) and the backend's TaskRouter event webhook also
      // releases it; a failed release must not disturb the agent's wrap-up.
      if (key) releasedTasks.delete(key);
      console.warn('[CallerIdPlugin] releasing the caller-ID lock failed', error);
    }
  };
}

export function registerCallHooks(actions: ActionsPort, notifications: NotificationsPort, api: CallerIdApi): void {
  let held: string | null = null;
  actions.addListener(
    'beforeStartOutboundCall',
    makeBeforeStartOutboundCall(api, notifications, (phoneNumber) => {
      held = phoneNumber;
    }),
  );
  const release = makeReleaseLock(
    api,
    () => held,
    () => {
      held = null;
    },
  );
  for (const event of RELEASE_EVENTS) actions.addListener(event, release);
}
