import { CallerIdApi, PageStore } from '../src/api';
import { ACCOUNT, FakeBackend, fakeManager } from './helpers';

const NUMBER = { sid: 'PN1', phoneNumber: '+12065550100', friendlyName: 'Main' };

function memoryStore(): PageStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

/** A backend whose list answers ETag "v1" and 304 to If-None-Match: "v1". */
function listing(): FakeBackend {
  return new FakeBackend().on('GET /v1/phone-numbers', (request) =>
    request.headers['If-None-Match'] === '"v1"'
      ? { status: 304, headers: { ETag: '"v1"' } }
      : { status: 200, headers: { ETag: '"v1"' }, body: { phoneNumbers: [NUMBER], meta: { total: 1 } } },
  );
}

describe('the list kept between page loads', () => {
  it('revalidates with If-None-Match and serves the kept list on 304', async () => {
    const store = memoryStore();
    const backend = listing();
    const first = await new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch, store).listNumbers();
    const again = await new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch, store).listNumbers();

    expect(first).toEqual([NUMBER]);
    expect(again).toEqual([NUMBER]);
    expect(backend.sent.map((r) => r.headers['If-None-Match'])).toEqual([undefined, '"v1"']);
    expect([...store.items.keys()]).toEqual([`callerid:numbers:${ACCOUNT}:WK${'1'.repeat(32)}`]);
  });

  it('keeps lists apart per account: another account asks without a tag', async () => {
    const store = memoryStore();
    const backend = listing();
    await new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch, store).listNumbers();
    const other = fakeManager({ accountSid: 'AC' + 'b'.repeat(32) });
    await new CallerIdApi(other, 'https://b.example', backend.fetch, store).listNumbers();
    expect(backend.sent.map((r) => r.headers['If-None-Match'])).toEqual([undefined, undefined]);
  });

  it('lists afresh when the kept list is unreadable', async () => {
    const store = memoryStore();
    const backend = listing();
    const api = new CallerIdApi(fakeManager(), 'https://b.example', backend.fetch, store);
    store.setItem(api.listKey(), '{not json');
    expect(await api.listNumbers()).toEqual([NUMBER]);
    expect(backend.sent[0].headers['If-None-Match']).toBeUndefined();
  });
});
