import React from 'react';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';

import { CallerIdApi } from '../src/api';
import { CallerIdSelector } from '../src/components/CallerIdSelector';
import { FakeBackend, error, fakeManager, number } from './helpers';

const NUMBERS = [
  number('+14155550100', 'San Francisco main', { isPrimary: true }),
  number('+12125550100', 'New York (212)'),
];

function backendWith(selection: { callerId: string | null; localPresence: boolean }) {
  return new FakeBackend()
    .on('GET /v1/phone-numbers', { status: 200, body: { phoneNumbers: NUMBERS, meta: { page: 1, perPage: 1000, total: 2 } } })
    .on('GET /v1/workers/me/caller-id', { status: 200, body: { workerSid: 'WK1', ...selection } })
    .on('PUT /v1/workers/me/caller-id', (request) => ({ status: 200, body: { workerSid: 'WK1', ...request.body } }));
}

function renderWith(backend: FakeBackend) {
  const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch);
  render(<CallerIdSelector api={api} />);
}

const select = () => screen.getByLabelText('Call from') as HTMLSelectElement;
const toggle = () => screen.getByRole('switch') as HTMLInputElement;
const options = () => Array.from(select().options).map((o) => [o.value, o.textContent]);

describe('the Call from dropdown', () => {
  it('lists the numbers from GET /v1/phone-numbers and starts at the saved selection', async () => {
    renderWith(backendWith({ callerId: '+12125550100', localPresence: true }));

    await waitFor(() => expect(select().value).toBe('+12125550100'));
    expect(options()).toEqual([
      ['', 'Automatic (best available number)'],
      ['+14155550100', 'San Francisco main · +14155550100 (primary)'],
      ['+12125550100', 'New York (212) · +12125550100'],
    ]);
    expect(toggle().checked).toBe(true);
  });

  it('saves a choice with PUT /v1/workers/me/caller-id, keeping the local-presence preference', async () => {
    const backend = backendWith({ callerId: null, localPresence: true });
    renderWith(backend);
    await waitFor(() => expect(options()).toHaveLength(3));

    fireEvent.change(select(), { target: { value: '+14155550100' } });

    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(''));
    expect(backend.requests('PUT /v1/workers/me/caller-id').map((r) => r.body)).toEqual([
      { callerId: '+14155550100', localPresence: true },
    ]);
    expect(select().value).toBe('+14155550100');
  });

  it('"Automatic" clears the selection (callerId null)', async () => {
    const backend = backendWith({ callerId: '+12125550100', localPresence: false });
    renderWith(backend);
    await waitFor(() => expect(select().value).toBe('+12125550100'));

    fireEvent.change(select(), { target: { value: '' } });

    await waitFor(() => expect(backend.requests('PUT /v1/workers/me/caller-id')).toHaveLength(1));
    expect(backend.requests('PUT /v1/workers/me/caller-id')[0].body).toEqual({ callerId: null, localPresence: false });
  });

  it('shows the API message and goes back to the saved value when the save is refused', async () => {
    const backend = backendWith({ callerId: null, localPresence: false }).on(
      'PUT /v1/workers/me/caller-id',
      error(404, 'not_found', 'That number is not one you may use'),
    );
    renderWith(backend);
    await waitFor(() => expect(options()).toHaveLength(3));

    fireEvent.change(select(), { target: { value: '+12125550100' } });

    await screen.findByText('That number is not one you may use');
    expect(select().value).toBe('');
  });

  it('shows why the numbers could not be loaded', async () => {
    const backend = backendWith({ callerId: null, localPresence: false }).on(
      'GET /v1/phone-numbers',
      error(503, 'store_unavailable', 'The store is unavailable, retry shortly'),
    );
    renderWith(backend);
    await screen.findByText('The store is unavailable, retry shortly');
  });
});

describe('the Prefer local presence toggle', () => {
  it('saves the preference with the current selection', async () => {
    const backend = backendWith({ callerId: '+14155550100', localPresence: false });
    renderWith(backend);
    await waitFor(() => expect(select().value).toBe('+14155550100'));

    fireEvent.click(toggle());

    await waitFor(() => expect(toggle().checked).toBe(true));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe(''));
    expect(backend.requests('PUT /v1/workers/me/caller-id').map((r) => r.body)).toEqual([
      { callerId: '+14155550100', localPresence: true },
    ]);
  });
});
