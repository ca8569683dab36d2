import { CallerIdApi } from '../src/api';
import { accountSid, backendUrl, consoleUrl, flexToken, isSupervisor } from '../src/config';
import { ACCOUNT, FakeBackend, fakeManager } from './helpers';

describe('backend URL from the UI attributes', () => {
  it('reads custom_data.callerIdBackendUrl without its trailing slash', () => {
    const manager = fakeManager({ customData: { callerIdBackendUrl: ' https://api.example.com/prod/ ' } });
    expect(backendUrl(manager)).toBe('https://api.example.com/prod');
  });

  it.each([[{}], [{ callerIdBackendUrl: '' }], [{ callerIdBackendUrl: 'api.example.com' }], [{ callerIdBackendUrl: 42 }]])(
    'is null when missing or not an http(s) URL: %j',
    (customData) => {
      expect(backendUrl(fakeManager({ customData }))).toBeNull();
    },
  );
});

describe('token and account', () => {
  it('prefers the refreshed token in the Flex store over the sign-in token', () => {
    expect(flexToken(fakeManager({ token: 'old', refreshedToken: 'new' }))).toBe('new');
    expect(flexToken(fakeManager({ token: 'old' }))).toBe('old');
  });

  it('takes the account from the service configuration, else from the worker client', () => {
    expect(accountSid(fakeManager())).toBe(ACCOUNT);
    const other = 'AC' + 'b'.repeat(32);
    expect(accountSid(fakeManager({ accountSid: null, workerAccountSid: other }))).toBe(other);
  });

  it('sends Authorization: Bearer and X-Twilio-Account-Sid on every call, a JSON type only with a body', async () => {
    const backend = new FakeBackend()
      .on('GET /v1/workers/me/caller-id', { status: 200, body: { workerSid: 'WK1', callerId: null, localPresence: false } })
      .on('PUT /v1/workers/me/caller-id', { status: 200, body: { workerSid: 'WK1', callerId: null, localPresence: true } });
    const api = new CallerIdApi(fakeManager({ token: 'old', refreshedToken: 'tok-1' }), 'https://b.example', backend.fetch);

    await api.getSelection();
    await api.saveSelection(null, true);

    const [get, put] = backend.sent;
    expect(get.url).toBe('https://b.example/v1/workers/me/caller-id');
    expect(get.headers).toEqual({ Authorization: 'Bearer tok-1', 'X-Twilio-Account-Sid': ACCOUNT });
    expect(put.headers).toEqual({
      Authorization: 'Bearer tok-1',
      'X-Twilio-Account-Sid': ACCOUNT,
      'Content-Type': 'application/json',
    });
    expect(put.body).toEqual({ callerId: null, localPresence: true });
  });

  it('leaves the account header out when Flex names no account', async () => {
    const backend = new FakeBackend().on('DELETE /v1/outbound-calls/lock', { status: 200, body: { released: false, phoneNumber: null } });
    const api = new CallerIdApi(fakeManager({ accountSid: null }), 'https://b.example', backend.fetch);
    await api.releaseLock();
    expect(backend.sent[0].headers).toEqual({ Authorization: 'Bearer token-agent' });
  });
});

describe('errors', () => {
  it("carry the API's status, code and message", async () => {
    const backend = new FakeBackend().on('GET /v1/workers/me/caller-id', {
      status: 401,
      body: { error: { code: 'invalid_token', message: 'The Flex token is not valid' } },
    });
    const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch);
    await expect(api.getSelection()).rejects.toMatchObject({
      status: 401,
      code: 'invalid_token',
      message: 'The Flex token is not valid',
    });
  });

  it('name the status when the answer is not the envelope, and a network failure as status 0', async () => {
    const backend = new FakeBackend()
      .on('GET /v1/workers/me/caller-id', { status: 502, body: 'Bad Gateway' })
      .on('DELETE /v1/outbound-calls/lock', new TypeError('Failed to fetch'));
    const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch);
    await expect(api.getSelection()).rejects.toMatchObject({ status: 502, code: 'http_error' });
    await expect(api.releaseLock()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('pages through the numbers until the total is reached', async () => {
    const pages: Record<string, unknown> = {
      '1': { phoneNumbers: [{ phoneNumber: '+14155550100' }], meta: { page: 1, perPage: 1000, total: 2 } },
      '2': { phoneNumbers: [{ phoneNumber: '+14155550101' }], meta: { page: 2, perPage: 1000, total: 2 } },
    };
    const backend = new FakeBackend().on('GET /v1/phone-numbers', (request) => ({
      status: 200,
      body: pages[new URL(request.url).searchParams.get('page')!],
    }));
    const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch);
    const numbers = await api.listNumbers();
    expect(numbers.map((n) => n.phoneNumber)).toEqual(['+14155550100', '+14155550101']);
    expect(backend.sent).toHaveLength(2);
    expect(new URL(backend.sent[0].url).searchParams.get('status')).toBe('active');
  });
});

describe('the console link', () => {
  it('is for supervisors and admins', () => {
    expect(isSupervisor(fakeManager({ roles: ['agent'] }))).toBe(false);
    expect(isSupervisor(fakeManager({ roles: ['agent', 'supervisor'] }))).toBe(true);
    expect(isSupervisor(fakeManager({ roles: ['admin'] }))).toBe(true);
  });

  it('opens the console with the token and account in the fragment', () => {
    const manager = fakeManager({ refreshedToken: 'a.b+c/d=' });
    expect(consoleUrl(manager, 'https://b.example')).toBe(
      `https://b.example/console/#token=a.b%2Bc%2Fd%3D&accountSid=${ACCOUNT}`,
    );
  });
});
