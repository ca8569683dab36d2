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
}

export interface OutboundCallRequest {
  to: string;
  from?: string;
  queueSid?: string;
  taskSid?: string;
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

/** The backend's HTTP API (layers/shared/callerid/openapi.json), called with the agent's Flex token. */
export class CallerIdApi {
  constructor(
    private readonly manager: Manager,
    readonly baseUrl: string,
    private readonly fetchImpl: Fetch = (...args) => fetch(...args),
  ) {}

  headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { Authorization: `Bearer ${flexToken(this.manager)}` };
    const account = accountSid(this.manager);
    if (account) headers['X-Twilio-Account-Sid'] = account;
    if (withBody) headers['Content-Type'] = 'application/json';
    return headers;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, 'network_error', `The caller-ID service could not be reached (${String(error)})`);
    }
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
    return parsed as T;
  }

  /** The numbers the agent may dial from, active ones only (the API pages; 1000 is its largest page, and a
   * dropdown stops being useful long before MAX_PAGES of them). */
  async listNumbers(): Promise<PhoneNumber[]> {
    const numbers: PhoneNumber[] = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const answer = await this.request<{ phoneNumbers: PhoneNumber[]; meta: { total: number } }>(
        'GET',
        `/v1/phone-numbers?status=active&perPage=1000&page=${page}`,
      );
      numbers.push(...answer.phoneNumbers);
      if (answer.phoneNumbers.length === 0 || numbers.length >= answer.meta.total) break;
    }
    return numbers;
  }

  getSelection(): Promise<Selection> {
    return this.request('GET', '/v1/workers/me/caller-id');
  }

  saveSelection(callerId: string | null, localPresence: boolean): Promise<Selection> {
    return this.request('PUT', '/v1/workers/me/caller-id', { callerId, localPresence });
  }

  startOutboundCall(body: OutboundCallRequest): Promise<OutboundCall> {
    return this.request('POST', '/v1/outbound-calls', body);
  }

  releaseLock(): Promise<{ released: boolean; phoneNumber: string | null }> {
    return this.request('DELETE', '/v1/outbound-calls/lock');
  }
}
