import React, { useEffect, useState } from 'react';

import { ApiError, CallerIdApi, PhoneNumber } from '../api';

export const AUTOMATIC = '';

interface Props {
  api: CallerIdApi;
}

type Status = { kind: 'loading' } | { kind: 'ready' } | { kind: 'saving' } | { kind: 'error'; message: string };

function optionLabel(number: PhoneNumber): string {
  const name = number.label || number.friendlyName;
  const primary = number.isPrimary ? ' (primary)' : '';
  return name && name !== number.phoneNumber
    ? `${name} · ${number.phoneNumber}${primary}`
    : `${number.phoneNumber}${primary}`;
}

function messageOf(error: unknown): string {
  return error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

/**
 * "Call from" and "Prefer local presence" in the outbound dialer. The choice is the agent's saved selection
 * (`PUT /v1/workers/me/caller-id`), which the backend uses for every call the agent starts; "Automatic" clears it.
 */
export function CallerIdSelector({ api }: Props) {
  const [numbers, setNumbers] = useState<PhoneNumber[]>([]);
  const [callerId, setCallerId] = useState<string>(AUTOMATIC);
  const [localPresence, setLocalPresence] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });

  useEffect(() => {
    let live = true;
    Promise.all([api.listNumbers(), api.getSelection()])
      .then(([listed, selection]) => {
        if (!live) return;
        setNumbers(listed);
        setCallerId(selection.callerId ?? AUTOMATIC);
        setLocalPresence(selection.localPresence);
        setStatus({ kind: 'ready' });
      })
      .catch((error) => live && setStatus({ kind: 'error', message: messageOf(error) }));
    return () => {
      live = false;
    };
  }, [api]);

  async function save(nextCallerId: string, nextLocalPresence: boolean) {
    const before = { callerId, localPresence };
    setCallerId(nextCallerId);
    setLocalPresence(nextLocalPresence);
    setStatus({ kind: 'saving' });
    try {
      const saved = await api.saveSelection(nextCallerId === AUTOMATIC ? null : nextCallerId, nextLocalPresence);
      setCallerId(saved.callerId ?? AUTOMATIC);
      setLocalPresence(saved.localPresence);
      setStatus({ kind: 'ready' });
    } catch (error) {
      setCallerId(before.callerId);
      setLocalPresence(before.localPresence);
      setStatus({ kind: 'error', message: messageOf(error) });
    }
  }

  const busy = status.kind === 'loading' || status.kind === 'saving';
  const listed = numbers.some((number) => number.phoneNumber === callerId);
  return (
    <div className="caller-id-selector" style={{ width: '100%', padding: '8px 0', fontSize: 14 }}>
      <label htmlFor="caller-id-select" style={{ display: 'block', fontWeight: 600, marginBottom: 4 }}>
        Call from
      </label>
      <select
        id="caller-id-select"
        aria-label="Call from"
        value={callerId}
        disabled={busy && numbers.length === 0}
        onChange={(event) => save(event.target.value, localPresence)}
        style={{ width: '100%', padding: 6 }}
      >
        <option value={AUTOMATIC}>Automatic (best available number)</option>
        {!listed && callerId !== AUTOMATIC && <option value={callerId}>{callerId}</option>}
        {numbers.map((number) => (
          <option key={number.sid} value={number.phoneNumber}>
            {optionLabel(number)}
          </option>
        ))}
      </select>
      <label style={{ display: 'flex', alignItems: 'center', gap: 6, marginTop: 8 }}>
        <input
          id="caller-id-local-presence"
          type="checkbox"
          role="switch"
          aria-checked={localPresence}
          checked={localPresence}
          disabled={status.kind === 'loading'}
          onChange={(event) => save(callerId, event.target.checked)}
        />
        Prefer local presence
      </label>
      <div role="status" aria-live="polite" style={{ minHeight: 18, marginTop: 4, fontSize: 12 }}>
        {status.kind === 'loading' && 'Loading numbers…'}
        {status.kind === 'saving' && 'Saving…'}
        {status.kind === 'error' && <span style={{ color: '#d61f1f' }}>{status.message}</span>}
      </div>
    </div>
  );
}
