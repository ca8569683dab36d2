import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { CallerIdApi, Selection } from '../src/api';
import { registerCallerId } from '../src/register';
import { FakeBackend, fakeFlex, fakeManager, number } from './helpers';

const NUMBERS = [number('+14155550100', 'San Francisco main'), number('+12125550100', 'New York (212)')];
const CALL = {
  status: 200,
  body: { from: '+12125550100', reason: 'worker_selection', lock: { phoneNumber: '+12125550100', workerSid: 'WK1', expiresAt: 'x' }, guard: null },
};

/** A backend whose selection answers carry `version` (the loaded one, then one more per save). */
function backendAt(version: number | undefined) {
  let saved = version;
  return new FakeBackend()
    .on('GET /v1/phone-numbers', { status: 200, body: { phoneNumbers: NUMBERS, meta: { page: 1, perPage: 1000, total: 2 } } })
    .on('GET /v1/workers/me/caller-id', {
      status: 200,
      body: { workerSid: 'WK1', callerId: null, localPresence: false, version },
    })
    .on('PUT /v1/workers/me/caller-id', (request) => {
      saved = saved === undefined ? undefined : saved + 1;
      return { status: 200, body: { workerSid: 'WK1', ...request.body, version: saved } };
    })
    .on('POST /v1/outbound-calls', CALL);
}

const sentVersions = (backend: FakeBackend) =>
  backend.requests('POST /v1/outbound-calls').map((r) => r.body.selectionVersion);

describe("the selection's version on the From rewrite", () => {
  it('sends the version of the selection the dropdown loaded, then of the one it saved', async () => {
    const backend = backendAt(4);
    const fake = fakeFlex();
    registerCallerId(fake.flex, fakeManager(), { fetch: backend.fetch });
    render(fake.dialer[0]);
    const select = () => screen.getByLabelText('Call from') as HTMLSelectElement;
    await waitFor(() => expect(select().options).toHaveLength(3));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(''));

    await fake.flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });
    fireEvent.change(select(), { target: { value: '+12125550100' } });
    await waitFor(() => expect(backend.requests('PUT /v1/workers/me/caller-id')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(''));
    await fake.flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });

    expect(sentVersions(backend)).toEqual([4, 5]);
    expect(backend.requests('POST /v1/outbound-calls')[1].body).toEqual({ to: '+12125551234', selectionVersion: 5 });
  });

  it('keeps the highest version when the answers of two saves arrive out of order', async () => {
    const answers: Record<string, Selection> = {
      '+14155550100': { workerSid: 'WK1', callerId: '+14155550100', localPresence: false, version: 8 },
      '+12125550100': { workerSid: 'WK1', callerId: '+12125550100', localPresence: false, version: 7 },
    };
    const backend = new FakeBackend().on('PUT /v1/workers/me/caller-id', (request) => ({
      status: 200,
      body: answers[request.body.callerId],
    }));
    const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch);

    await api.saveSelection('+14155550100', false);
    await api.saveSelection('+12125550100', false);

    expect(api.selectionVersion).toBe(8);
  });

  it('sends none before any selection was loaded, or when the backend answers none', async () => {
    const backend = backendAt(undefined);
    const fake = fakeFlex();
    registerCallerId(fake.flex, fakeManager(), { fetch: backend.fetch });

    await fake.flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });
    render(fake.dialer[0]);
    await waitFor(() => expect(backend.requests('GET /v1/workers/me/caller-id')).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(''));
    await fake.flex.Actions.invokeAction('StartOutboundCall', { destination: '+12125551234' });

    expect(backend.requests('POST /v1/outbound-calls').map((r) => r.body)).toEqual([
      { to: '+12125551234' },
      { to: '+12125551234' },
    ]);
  });
});
