import { registerCallerId } from '../src/register';
import { FAILED_NOTIFICATION, REFUSED_NOTIFICATION } from '../src/outboundCall';
import { FakeBackend, error, fakeFlex, fakeManager } from './helpers';

const QUEUE = 'WQ' + 'c'.repeat(32);
const TASK = 'WT' + 'd'.repeat(32);

function answer(from: string) {
  return {
    status: 200,
    body: { from, reason: 'worker_selection', lock: { phoneNumber: from, workerSid: 'WK1', expiresAt: 'x' }, guard: null },
  };
}

function setup(backend: FakeBackend) {
  const fake = fakeFlex();
  backend.on('DELETE /v1/outbound-calls/lock', { status: 200, body: { released: true, phoneNumber: '+14155550100' } });
  registerCallerId(fake.flex, fakeManager(), { fetch: backend.fetch });
  return fake;
}

const outboundTask = (from: string, sid = TASK) => ({ sid, taskSid: sid, attributes: { direction: 'outbound', from } });

describe('the From rewrite (beforeStartOutboundCall)', () => {
  it("sets payload.callerId to the backend's answer and lets the call start", async () => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', answer('+12125550100'));
    const { flex, shown } = setup(backend);
    const payload: Record<string, any> = { destination: '+12125551234', queueSid: QUEUE, taskSid: TASK };

    const started = await flex.Actions.invokeAction('StartOutboundCall', payload);

    expect(started).toBe(true);
    expect(payload.callerId).toBe('+12125550100');
    expect(backend.requests('POST /v1/outbound-calls').map((r) => r.body)).toEqual([
      { to: '+12125551234', queueSid: QUEUE, taskSid: TASK },
    ]);
    expect(shown).toEqual([]);
  });

  it('sends an explicit per-call callerId as from, and queueSid/taskSid only when Flex gave them', async () => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', answer('+14155550100'));
    const { flex } = setup(backend);

    await flex.Actions.invokeAction('StartOutboundCall', { destination: '+14155551234', callerId: '+14155550100' });

    expect(backend.requests('POST /v1/outbound-calls')[0].body).toEqual({ to: '+14155551234', from: '+14155550100' });
  });

  it.each([
    [409, 'caller_id_in_use', '+14155550100 is in use by another agent'],
    [422, 'no_caller_id_available', 'No caller ID is free for this call'],
    [422, 'destination_not_allowed', 'No number may call GB'],
  ])('on %i %s aborts the call and shows the API message', async (status, code, message) => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', error(status, code, message));
    const { flex, shown, shownText } = setup(backend);
    const payload: Record<string, any> = { destination: '+442071234567', callerId: '+14155550100' };

    const started = await flex.Actions.invokeAction('StartOutboundCall', payload);

    expect(started).toBe(false);
    expect(shown).toEqual([{ id: REFUSED_NOTIFICATION, context: { message, code } }]);
    expect(shownText()).toEqual([`The call was not placed: ${message}`]);
    expect(payload.callerId).toBe('+14155550100');
  });

  it.each([
    ['a 503', error(503, 'store_unavailable', 'The store is unavailable, retry shortly'), 'The store is unavailable, retry shortly'],
    ['a 401', error(401, 'invalid_token', 'The Flex token is not valid'), 'The Flex token is not valid'],
    ['a network failure', new TypeError('Failed to fetch'), 'could not be reached'],
  ])('on %s aborts too, with the failure notification', async (_name, reply, message) => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', reply);
    const { flex, shown } = setup(backend);

    const started = await flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });

    expect(started).toBe(false);
    expect(shown).toHaveLength(1);
    expect(shown[0].id).toBe(FAILED_NOTIFICATION);
    expect(String(shown[0].context?.message)).toContain(message);
  });
});

describe('the lock release when the call ends', () => {
  it.each(['HangupCall', 'WrapupTask', 'CompleteTask'])('releases after %s of an outbound call', async (action) => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', answer('+12125550100'));
    const { flex } = setup(backend);
    await flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });

    await flex.Actions.invokeAction(action, { task: outboundTask('+12125550100') });

    expect(backend.requests('DELETE /v1/outbound-calls/lock')).toHaveLength(1);
  });

  it('releases once per task, however many ending actions it passes', async () => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', answer('+12125550100'));
    const { flex } = setup(backend);
    await flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });
    const task = outboundTask('+12125550100');

    await flex.Actions.invokeAction('HangupCall', { task });
    await flex.Actions.invokeAction('WrapupTask', { task });
    await flex.Actions.invokeAction('CompleteTask', { task });

    expect(backend.requests('DELETE /v1/outbound-calls/lock')).toHaveLength(1);
  });

  it('leaves inbound tasks alone', async () => {
    const backend = new FakeBackend();
    const { flex } = setup(backend);
    await flex.Actions.invokeAction('CompleteTask', { task: { sid: TASK, attributes: { direction: 'inbound' } } });
    await flex.Actions.invokeAction('HangupCall', { task: { sid: TASK, attributes: {} } });
    expect(backend.requests('DELETE /v1/outbound-calls/lock')).toHaveLength(0);
  });

  it("does not free the lock of the agent's next call when an earlier task is completed", async () => {
    const backend = new FakeBackend().on('POST /v1/outbound-calls', answer('+13125550100'));
    const { flex } = setup(backend);
    await flex.Actions.invokeAction('StartOutboundCall', { destination: '+13125551234' });

    await flex.Actions.invokeAction('CompleteTask', { task: outboundTask('+12125550100', 'WT' + 'e'.repeat(32)) });

    expect(backend.requests('DELETE /v1/outbound-calls/lock')).toHaveLength(0);
  });

  it('releases for an outbound task after a reload (no lock remembered), and retries a failed release', async () => {
    const backend = new FakeBackend().on('DELETE /v1/outbound-calls/lock', error(503, 'store_unavailable', 'down'));
    const fake = fakeFlex();
    registerCallerId(fake.flex, fakeManager(), { fetch: backend.fetch });
    const task = outboundTask('+12125550100');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    await fake.flex.Actions.invokeAction('HangupCall', { task });
    backend.on('DELETE /v1/outbound-calls/lock', { status: 200, body: { released: true, phoneNumber: '+12125550100' } });
    await fake.flex.Actions.invokeAction('CompleteTask', { task });

    expect(backend.requests('DELETE /v1/outbound-calls/lock')).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});
