// HID Origo's Mobile Identities API 2.2, the subset docs/hid.md names (facts: shared/hid-origo-notes.md).
// Knows nothing of Keyway's domain: people, credentials and storage stay on the caller's side.

export { ORIGO_API_URL, ORIGO_AUTH_URL } from '../config.js';
export const ORIGO_CONTENT_TYPE = 'application/vnd.assaabloy.ma.credential-management-2.2+json';
const SCHEMA_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCHEMA_USER_ACTION = 'urn:hid:scim:api:ma:2.2:UserAction';
const SCHEMA_SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const EXT_INVITATION = 'urn:hid:scim:api:ma:2.2:UserInvitation';
const EXT_CREDENTIAL = 'urn:hid:scim:api:ma:2.2:Credential';

/** docs/security.md: the whole exchange with Origo, retries included, within 10 s. */
export const ORIGO_DEADLINE_MS = 10_000;
/** Origo allows 300 calls per 5 min per source IP (403 beyond); Keyway keeps a margin below. */
export const ORIGO_BUDGET = { calls: 250, perMs: 5 * 60_000 };
/** The token endpoint's own limit is 50 per 5 min; a cached token makes a handful enough. */
export const ORIGO_TOKEN_BUDGET = { calls: 40, perMs: 5 * 60_000 };
/** Seconds to leave Origo alone after a 403 that said the budget was spent (none says how long). */
const LIMIT_PAUSE_S = 60;
/** In-call retries for someone waiting; background work retries on its next pass instead. */
const RETRY_DELAYS_MS = [200, 800];

export interface OrigoSettings {
  clientId: string;
  clientSecret: string;
  /** The organisation id in every path. */
  orgId: string;
  applicationId: string;
  authUrl: string;
  apiUrl: string;
  deadlineMs?: number;
  budget?: { calls: number; perMs: number };
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * `unavailable`: down, slow, 5xx or over its call budget — try again later (Retry-After when known).
 * `rejected`: Origo refused the request itself (bad client secret, unknown part number) — retrying
 * the same request will not help; the operator must fix the configuration.
 */
export class OrigoError extends Error {
  override name = 'OrigoError';
  constructor(
    readonly kind: 'unavailable' | 'rejected',
    message: string,
    readonly status?: number,
    /** Seconds until Origo may be asked again. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface OrigoUser {
  id: number;
  externalId?: string;
}

export interface OrigoInvitation {
  id: string;
  invitationCode?: string;
  /** PENDING, ACKNOWLEDGED, EXPIRED, CANCEL_INITIATED, CANCELLED (notes §3). */
  status: string;
  expirationDate?: string;
  /** Credentials Origo created with the invitation (assignCredential Y), when it lists them. */
  credentials: OrigoCredential[];
}

export interface OrigoCredential {
  id: string;
  /** ISSUE_INITIATED, CREDENTIAL_ISSUED / ACTIVE, REVOKE_INITIATED, REVOKED (notes §4). */
  status: string;
  cardNumber?: string;
  partNumber?: string;
}

/** One phone (an install of the HID app or SDK). */
export interface OrigoContainer {
  id: string;
  status?: string;
  manufacturer?: string;
  model?: string;
  osVersion?: string;
  credentials: OrigoCredential[];
}

export interface OrigoClient {
  /** A token (cached until 60 s before it lapses); `/readyz` asks for one. */
  accessToken(signal?: AbortSignal): Promise<string>;
  /** The user whose externalId is given, created if none exists; never two. */
  findOrCreateUser(
    user: { externalId: string; givenName: string; familyName: string; email?: string | null },
    opts?: CallOptions,
  ): Promise<OrigoUser>;
  createInvitation(userId: number, partNumber: string, opts?: CallOptions): Promise<OrigoInvitation>;
  listInvitations(userId: number, opts?: CallOptions): Promise<OrigoInvitation[]>;
  /** `cancelled` (204), or `gone` when Origo no longer knows it (404). */
  cancelInvitation(invitationId: string, opts?: CallOptions): Promise<'cancelled' | 'gone'>;
  listContainers(userId: number, opts?: CallOptions): Promise<OrigoContainer[]>;
  /** `accepted` (200/204, or 412: a revocation already under way), `gone` (404). */
  revokeCredential(credentialId: string, opts?: CallOptions): Promise<'accepted' | 'gone'>;
  /** Calls left in this process's budget now (background work leaves a reserve for people waiting). */
  budgetLeft(): number;
  /** The deadline (ms) of a whole exchange, for callers that make several calls under one signal. */
  readonly deadlineMs: number;
}

export interface CallOptions {
  /** Background work (polling, revocation retries) gives way when the budget runs low. */
  background?: boolean;
  /** Ends the operation early (e.g. shutdown); the deadline applies anyway. */
  signal?: AbortSignal;
}

/** A token bucket: `calls` per `perMs`, refilled continuously. In process: one Keyway per source IP is the usual case. */
export class CallBudget {
  private tokens: number;
  private at: number;
  constructor(
    private readonly limit: { calls: number; perMs: number },
    private readonly now: () => number,
  ) {
    this.tokens = limit.calls;
    this.at = now();
  }
  private refill() {
    const t = this.now();
    this.tokens = Math.min(this.limit.calls, this.tokens + ((t - this.at) * this.limit.calls) / this.limit.perMs);
    this.at = t;
  }
  left(): number {
    this.refill();
    return Math.floor(this.tokens);
  }
  /** Takes one call, or answers how many ms until one is there (keeping `reserve` untouched). */
  take(reserve = 0): number {
    this.refill();
    if (this.tokens >= 1 + reserve) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 + reserve - this.tokens) * this.limit.perMs) / this.limit.calls);
  }
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** A JSON object as Origo sent it, every field still to be checked. */
type OrigoJson = { readonly [field: string]: unknown };
const isJsonObject = (v: unknown): v is OrigoJson => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Exchange {
  status: number;
  body: OrigoJson | undefined;
  retryAfter?: number;
}

export function createOrigoClient(settings: OrigoSettings): OrigoClient {
  const authUrl = settings.authUrl.replace(/\/+$/, '');
  const base = `${settings.apiUrl.replace(/\/+$/, '')}/customer/${encodeURIComponent(settings.orgId)}`;
  const doFetch = settings.fetch ?? globalThis.fetch;
  const now = settings.now ?? Date.now;
  const sleep = settings.sleep ?? defaultSleep;
  const deadlineMs = settings.deadlineMs ?? ORIGO_DEADLINE_MS;
  const budget = new CallBudget(settings.budget ?? ORIGO_BUDGET, now);
  const tokenBudget = new CallBudget(ORIGO_TOKEN_BUDGET, now);
  const reserve = Math.ceil((settings.budget ?? ORIGO_BUDGET).calls / 5);
  let pausedUntil = 0;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const deadline = (opts?: CallOptions) => {
    const timeout = AbortSignal.timeout(deadlineMs);
    return opts?.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  };

  const paused = (): OrigoError | undefined => {
    const wait = Math.ceil((pausedUntil - now()) / 1000);
    return wait > 0
      ? new OrigoError('unavailable', 'HID Origo asked Keyway to slow down (call budget spent)', 403, wait)
      : undefined;
  };

  /** One HTTP exchange, its body read within the same signal (a stalled body is a timeout too). */
  async function exchange(url: string, init: RequestInit, signal: AbortSignal): Promise<Exchange> {
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal, redirect: 'manual' });
    } catch (err) {
      throw unreachable(err, signal);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw unreachable(err, signal);
    }
    let body: OrigoJson | undefined;
    try {
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      body = isJsonObject(parsed) ? parsed : undefined;
    } catch {
      body = undefined;
    }
    const ra = Number(res.headers.get('retry-after'));
    return { status: res.status, body, ...(Number.isFinite(ra) && ra > 0 ? { retryAfter: ra } : {}) };
  }

  function unreachable(err: unknown, signal: AbortSignal): OrigoError {
    if (signal.aborted) return new OrigoError('unavailable', 'HID Origo did not answer in time');
    const code = ((err as { cause?: { code?: unknown } }).cause?.code as string | undefined) ?? (err as Error).name;
    return new OrigoError('unavailable', `HID Origo unreachable (${code})`);
  }

  function spend(which: CallBudget, keep: number): void {
    const wait = which.take(keep);
    if (wait === 0) return;
    throw new OrigoError(
      'unavailable',
      'Keyway is holding back to stay within HID Origo’s call budget',
      undefined,
      Math.ceil(wait / 1000),
    );
  }

  async function fetchToken(signal: AbortSignal): Promise<string> {
    const limited = paused();
    if (limited) throw limited;
    spend(tokenBudget, 0);
    const r = await exchange(
      `${authUrl}/authentication/customer/${encodeURIComponent(settings.orgId)}/token`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          grant_type: 'client_credentials',
        }).toString(),
      },
      signal,
    );
    if (r.status === 403) throw limitReached(r);
    if (r.status >= 500)
      throw new OrigoError('unavailable', `HID Origo's token endpoint answered ${r.status}`, r.status, r.retryAfter);
    if (r.status !== 200 || typeof r.body?.access_token !== 'string') {
      throw new OrigoError(
        'rejected',
        `HID Origo refused the client credentials (${r.status}): check KEYWAY_HID_ORIGO_CLIENT_ID/_SECRET/_ORG_ID`,
        r.status,
      );
    }
    const lifetime = Number(r.body.expires_in) > 0 ? Number(r.body.expires_in) : 3600;
    cached = { token: r.body.access_token, expiresAt: now() + (lifetime - 60) * 1000 };
    return cached.token;
  }

  function limitReached(r: Exchange): OrigoError {
    const wait = r.retryAfter ?? LIMIT_PAUSE_S;
    pausedUntil = Math.max(pausedUntil, now() + wait * 1000);
    return new OrigoError(
      'unavailable',
      'HID Origo answered 403: its call budget for this address is spent',
      403,
      wait,
    );
  }

  function accessToken(signal: AbortSignal = AbortSignal.timeout(deadlineMs)): Promise<string> {
    if (cached && cached.expiresAt > now()) return Promise.resolve(cached.token);
    // One token request at a time, however many calls wait for it.
    pending ??= fetchToken(signal).finally(() => {
      pending = undefined;
    });
    return pending;
  }

  /**
   * One API call with its retries: 5xx and network failures are retried with backoff while the
   * deadline lasts (non-idempotent calls only when the request surely did not land); a 401 gets
   * a fresh token once; a 403 is Origo's budget answer, never a verdict on the request.
   */
  async function call(
    method: string,
    path: string,
    body: unknown,
    opts: CallOptions & { idempotent: boolean },
  ): Promise<Exchange> {
    const signal = deadline(opts);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const limited = paused();
      if (limited) throw limited;
      let result: Exchange | OrigoError;
      try {
        const token = await accessToken(signal);
        spend(budget, opts.background ? reserve : 0);
        result = await exchange(
          `${base}${path}`,
          {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              'application-id': settings.applicationId,
              'application-version': '2.2',
              'content-type': ORIGO_CONTENT_TYPE,
              accept: ORIGO_CONTENT_TYPE,
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          },
          signal,
        );
      } catch (err) {
        if (!(err instanceof OrigoError)) throw err;
        result = err;
      }
      if (!(result instanceof OrigoError)) {
        if (result.status === 401 && !renewed) {
          renewed = true; // revoked, rotated or lapsed early: one fresh token
          cached = undefined;
          attempt--;
          continue;
        }
        if (result.status === 403) throw limitReached(result);
        if (result.status < 500) return result;
        result = new OrigoError(
          'unavailable',
          `HID Origo answered ${result.status} to ${method} ${templateOf(path)}`,
          result.status,
          result.retryAfter,
        );
      }
      // A 503 or a refused connection surely did not act; a timeout, a reset or a 500 may have.
      const landedMaybe = result.status !== undefined ? result.status !== 503 : !/ECONNREFUSED/.test(result.message);
      const delay = opts.background ? undefined : RETRY_DELAYS_MS[attempt];
      if (
        result.kind !== 'unavailable' ||
        result.status === 403 ||
        delay === undefined ||
        (!opts.idempotent && landedMaybe)
      )
        throw result;
      try {
        await sleep(Math.max(delay, (result.retryAfter ?? 0) * 1000), signal);
      } catch {
        throw result;
      }
    }
  }

  const rejected = (r: Exchange, what: string) => {
    const detail = typeof r.body?.detail === 'string' ? `: ${r.body.detail.slice(0, 200)}` : '';
    return new OrigoError('rejected', `HID Origo refused to ${what} (${r.status})${detail}`, r.status);
  };

  async function searchUser(externalId: string, opts: CallOptions): Promise<OrigoUser | undefined> {
    const r = await call(
      'POST',
      '/users/.search',
      {
        schemas: [SCHEMA_SEARCH],
        filter: `externalId eq "${externalId.replace(/["\\]/g, '')}"`,
        startIndex: 1,
        count: 2,
      },
      { ...opts, idempotent: true },
    );
    if (r.status !== 200) throw rejected(r, 'search users');
    const found = resources(r.body).find((u) => u?.externalId === externalId);
    return found ? { id: Number(found.id), externalId } : undefined;
  }

  return {
    accessToken: (signal) => accessToken(signal ?? AbortSignal.timeout(deadlineMs)),

    async findOrCreateUser(user, opts = {}) {
      // Search before every create, so a create whose answer was lost is found instead of repeated.
      for (let round = 0; round < 3; round++) {
        const existing = await searchUser(user.externalId, opts);
        if (existing) return existing;
        let r: Exchange;
        try {
          r = await call(
            'POST',
            '/users',
            {
              schemas: [SCHEMA_USER_ACTION, SCHEMA_USER],
              externalId: user.externalId,
              name: { familyName: user.familyName, givenName: user.givenName },
              ...(user.email ? { emails: [{ value: user.email }] } : {}),
              [SCHEMA_USER_ACTION]: {
                createInvitationCode: 'N',
                sendInvitationEmail: 'N',
                assignCredential: 'N',
                partNumber: '',
                credential: '',
              },
              meta: { resourceType: 'PACSUser' },
            },
            { ...opts, idempotent: false },
          );
        } catch (err) {
          if (err instanceof OrigoError && err.kind === 'unavailable' && err.status !== 403 && round < 2) continue;
          throw err;
        }
        if (r.status === 201 || r.status === 200) return { id: Number(r.body?.id), externalId: user.externalId };
        if (r.status === 409) continue; // created meanwhile (another instance): found by the next search
        throw rejected(r, 'create the user');
      }
      throw new OrigoError('unavailable', 'HID Origo did not settle the user in time');
    },

    async createInvitation(userId, partNumber, opts = {}) {
      const r = await call(
        'POST',
        `/users/${userId}/invitation`,
        {
          // The flags nest under the UserAction key, as in the user create (notes §3: four clients agree).
          schemas: [SCHEMA_USER_ACTION],
          [SCHEMA_USER_ACTION]: {
            createInvitationCode: 'Y',
            sendInvitationEmail: 'N',
            assignCredential: 'Y',
            partNumber,
            credential: '',
          },
          meta: { resourceType: 'PACSUser' },
        },
        { ...opts, idempotent: false },
      );
      if (r.status !== 201 && r.status !== 200) throw rejected(r, 'create an invitation');
      const invitation = (r.body?.[EXT_INVITATION] as unknown[] | undefined)?.[0];
      const parsed = isJsonObject(invitation) ? parseInvitation(invitation, r.body?.[EXT_CREDENTIAL]) : undefined;
      if (!parsed?.invitationCode)
        throw new OrigoError('unavailable', 'HID Origo answered an invitation without its code', r.status);
      return parsed;
    },

    async listInvitations(userId, opts = {}) {
      const r = await call('GET', `/users/${userId}/invitation`, undefined, { ...opts, idempotent: true });
      if (r.status === 404) return [];
      if (r.status !== 200) throw rejected(r, 'list invitations');
      return resources(r.body).map((i) => parseInvitation(i, i?.[EXT_CREDENTIAL]));
    },

    async cancelInvitation(invitationId, opts = {}) {
      const r = await call('DELETE', `/invitation/${encodeURIComponent(invitationId)}`, undefined, {
        ...opts,
        idempotent: true,
      });
      if (r.status === 404) return 'gone';
      if (r.status === 200 || r.status === 204 || r.status === 412) return 'cancelled';
      throw rejected(r, 'cancel an invitation');
    },

    async listContainers(userId, opts = {}) {
      const r = await call('GET', `/users/${userId}/credential-container`, undefined, { ...opts, idempotent: true });
      if (r.status === 404) return [];
      if (r.status !== 200) throw rejected(r, 'list credential containers');
      return resources(r.body).map((c) => ({
        id: String(c?.id),
        status: str(c?.status),
        manufacturer: str(c?.manufacturer),
        model: str(c?.model),
        osVersion: str(c?.osVersion),
        credentials: parseCredentials(c?.[EXT_CREDENTIAL]),
      }));
    },

    async revokeCredential(credentialId, opts = {}) {
      const r = await call('DELETE', `/credential/${encodeURIComponent(credentialId)}`, undefined, {
        ...opts,
        idempotent: true,
      });
      if (r.status === 404) return 'gone';
      if (r.status === 200 || r.status === 204 || r.status === 412) return 'accepted';
      throw rejected(r, 'revoke a credential');
    },

    budgetLeft: () => budget.left(),
    deadlineMs,
  };
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

function resources(body: OrigoJson | undefined): OrigoJson[] {
  return Array.isArray(body?.Resources) ? body.Resources.filter(isJsonObject) : [];
}

function parseCredentials(list: unknown): OrigoCredential[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((c) => ({
    id: String(c?.id),
    status: String(c?.status ?? ''),
    cardNumber: str(c?.cardNumber),
    partNumber: str(c?.partNumber),
  }));
}

function parseInvitation(i: OrigoJson, credentials: unknown): OrigoInvitation {
  return {
    id: String(i?.id),
    invitationCode: str(i?.invitationCode),
    status: String(i?.status ?? ''),
    expirationDate: str(i?.expirationDate),
    credentials: parseCredentials(credentials),
  };
}

/** Paths name users and credentials by id; a log line names only the route. */
const templateOf = (path: string) => path.replace(/\/[^/]*\d[^/]*/g, '/{id}');
