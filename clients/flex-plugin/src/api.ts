import type { Manager } from '@twilio/flex-ui';

import { accountSid, flexToken } from './config';

export interface PhoneNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string | null;
  label: string | null;
  source: 'twilio' | 'byot' | 'verified';
  status: 'active' | 'inactive';
  isPrimary: boolean;
  capabilities: { voice: boolean; sms: boolean };
  locality: string | null;
  lockedBy: string | null;
}

export interface Selection {
  workerSid: string;
  callerId: string | null;
  localPresence: boolean;
  /** Bumped by every save of the worker's selection (a backend before it answers none). */
  version?: number;
}

export interface OutboundCallRequest {
  to: string;
  from?: string;
  queueSid?: string;
  taskSid?: string;
  /** The version of the latest selection this plugin saw: a call placed a moment after a save uses that save. */
  selectionVersion?: number;
}

export interface OutboundCall {
  from: string;
  reason: string;
  lock: { phoneNumber: string; workerSid: string; expiresAt: string };
  guard: 'capped' | 'spacing' | 'cooling' | null;
}

/** A refusal or failure, with the API's `error.code` and `error.message` when it answered with its envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Fetch = typeof fetch;

const MAX_PAGES = 5;

/** Where the list pages are kept between page loads: per agent (worker SID) and per account, under one key. */
export interface PageStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

interface KeptPage {
  etag: string;
  answer: NumberPage;
}

interface NumberPage {
  phoneNumbers: PhoneNumber[];
  meta: { total: number };
}

/** localStorage when the browser has it (kept across page loads), else memory. */
function defaultStore(): PageStore {
  try {
    if (typeof window !== 'undefined' && window.localStorage) return window.localStorage;
  } catch {
    // storage denied (privacy settings): memory instead
  }
  const memory = new Map<string, string>();
  return { getItem: (key) => memory.get(key) ?? null, setItem: (key, value) => void memory.set(key, value) };
}

/** The backend's HTTP API (layers/shared/callerid/openapi.json), called with the agent's Flex token. */
export class CallerIdApi {
  private latestSelection: number | null = null;

  constructor(
    private readonly manager: Manager,
    readonly baseUrl: string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
    private readonly pages: PageStore = defaultStore(),
  ) {}

  /** The key the agent's list is kept under: its account and its worker. */
  listKey(): string {
    return `callerid:numbers:${accountSid(this.manager) ?? ''}:${this.manager.workerClient?.sid ?? ''}`;
  }

  headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Authorization: `Bearer ${flexToken(this.manager)}` };
    const account = accountSid(this.manager);
    if (account) headers['X-Twilio-Account-Sid'] = account;
    if (withBody) headers['Content-Type'] = 'application/json';
    return headers;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.exchange<T>(method, path, body)).answer as T;
  }

  /** One request; ``etag`` is sent as If-None-Match, and a 304 answers ``notModified`` with no body. */
  private async exchange<T>(
    method: string,
    path: string,
    body?: unknown,
    etag?: string,
  ): Promise<{ answer: T | null; etag: string | null; notModified: boolean }> {
    let response: Response;
    const headers = this.headers(body !== undefined);
    if (etag) headers['If-None-Match'] = etag;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'network_error', `The caller-ID service could not be reached (${String(error)})`);
    }
    const tag = response.headers?.get?.('ETag') ?? null;
    if (response.status === 304) return { answer: null, etag: tag ?? etag ?? null, notModified: true };
    const text = await response.text();
    let parsed: any = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = parsed?.error;
      throw new ApiError(
        response.status,
        typeof error?.code === 'string' ? error.code : 'http_error',
        typeof error?.message === 'string' ? error.message : `The caller-ID service answered ${response.status}`,
      );
    }
    return { answer: parsed as T, etag: tag, notModified: false };
  }

  /** The numbers the agent may dial from, active ones only (the API pages; 1000 is its largest page, and a
   * dropdown stops being useful long before MAX_PAGES of them). Each page is kept with its ETag (per agent and
   * account, in localStorage) and revalidated with If-None-Match: an unchanged page answers 304 without a body. */
  async listNumbers(): Promise<PhoneNumber[]> {
    const key = this.listKey();
    const kept = this.keptPages(key);
    const fresh: KeptPage[] = [];
    const numbers: PhoneNumber[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const previous = kept[page - 1];
      const got = await this.exchange<NumberPage>(
        'GET',
        `/v1/phone-numbers?status=active&perPage=1000&page=${page}`,
        undefined,
        previous?.etag,
      );
      const answer = got.notModified && previous ? previous.answer : (got.answer as NumberPage);
      if (got.etag) fresh.push({ etag: got.etag, answer });
      numbers.push(...answer.phoneNumbers);
      if (answer.phoneNumbers.length === 0 || numbers.length >= answer.meta.total) break;
    }
    try {
      this.pages.setItem(key, JSON.stringify(fresh));
    } catch {
      // storage full: the next page load lists again
    }
    return numbers;
  }

  private keptPages(key: string): KeptPage[] {
    try {
      const kept = JSON.parse(this.pages.getItem(key) ?? '[]');
      return Array.isArray(kept) ? kept : [];
    } catch {
      return [];
    }
  }

  /** The version of the latest selection a load or a save answered (null before either, or from a backend that
   * answers none). The backend's read for a call is eventually consistent: told this version, it reads the
   * selection again when its read is older, so a call placed right after a save never gets the selection before. */
  get selectionVersion(): number | null {
    return this.latestSelection;
  }

  async getSelection(): Promise<Selection> {
    return this.remember(await this.request<Selection>('GET', '/v1/workers/me/caller-id'));
  }

  async saveSelection(callerId: string | null, localPresence: boolean): Promise<Selection> {
    return this.remember(await this.request<Selection>('PUT', '/v1/workers/me/caller-id', { callerId, localPresence }));
  }

  /** Keep the highest version seen: answers of two quick saves may arrive in either order. */
  private remember(selection: Selection): Selection {
    const version = selection?.version;
    if (typeof version === 'number' && Number.isSafeInteger(version) && version > (this.latestSelection ?? -1)) {
      this.latestSelection = version;
    }
    return selection;
  }

  startOutboundCall(body: OutboundCallRequest): Promise<OutboundCall> {
    return this.request('POST', '/v1/outbound-calls', body);
  }

  releaseLock(): Promise<{ released: boolean; phoneNumber: string | null }> {
    return this.request('DELETE', '/v1/outbound-calls/lock');
  }
}
