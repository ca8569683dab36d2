import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';

import { registerCallerId } from '../src/register';
import { RELEASE_EVENTS } from '../src/outboundCall';
import { ACCOUNT, FakeBackend, fakeFlex, fakeManager } from './helpers';

describe('registering the plugin', () => {
  it('adds the From rewrite, the release listeners, the notifications and the dialer content', () => {
    const fake = fakeFlex();
    expect(registerCallerId(fake.flex, fakeManager(), { fetch: new FakeBackend().fetch })).toBe(true);

    expect([...fake.listeners.keys()].sort()).toEqual(['beforeStartOutboundCall', ...RELEASE_EVENTS].sort());
    expect([...fake.notifications.values()].map((n) => n.type)).toEqual(['error', 'error']);
    expect(fake.dialer).toHaveLength(1);
  });

  it('adds nothing without the backend URL in the UI attributes', () => {
    const fake = fakeFlex();
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);

    expect(registerCallerId(fake.flex, fakeManager({ customData: {} }))).toBe(false);

    expect(fake.listeners.size).toBe(0);
    expect(fake.dialer).toHaveLength(0);
    expect(logged.mock.calls[0][0]).toContain('custom_data.callerIdBackendUrl');
    logged.mockRestore();
  });

  it.each([[['agent']], [['agent', 'wfo.full_access']]])('gives agents (%j) no Phone numbers entry', (roles) => {
    const fake = fakeFlex();
    registerCallerId(fake.flex, fakeManager({ roles }), { fetch: new FakeBackend().fetch });
    expect(fake.sideNav).toHaveLength(0);
  });

  it.each([[['supervisor']], [['admin']]])('gives %j a Phone numbers entry that opens the console signed in', (roles) => {
    const fake = fakeFlex();
    const opened: string[] = [];
    registerCallerId(fake.flex, fakeManager({ roles, refreshedToken: 'sup-token' }), {
      fetch: new FakeBackend().fetch,
      openWindow: (url) => opened.push(url),
    });
    expect(fake.sideNav).toHaveLength(1);

    render(fake.sideNav[0]);
    fireEvent.click(screen.getByText('Phone numbers'));

    expect(opened).toEqual([`https://callerid.example.com/console/#token=sup-token&accountSid=${ACCOUNT}`]);
  });
});
