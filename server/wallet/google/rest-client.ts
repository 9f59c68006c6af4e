// A small Google Wallet REST client: service-account access token, insert class/object, patch state.
import { importPKCS8, SignJWT } from 'jose';
import { messages } from '../../messages/wallet.js';
import type { GoogleGenericClass, GoogleGenericObject, GoogleObjectState, GoogleServiceAccount } from './objects.js';

export const GOOGLE_WALLET_API_URL = 'https://walletobjects.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';

export interface GoogleWalletRestClientOptions {
  /** KEYWAY_GOOGLE_API_URL; Google's own when unset. */
  baseUrl?: string;
  serviceAccount: GoogleServiceAccount;
  /**
   * Where the JWT bearer grant goes. Default: the service account's token_uri against Google's API,
   * and `${baseUrl}/token` against any other base URL (a local test peer).
   */
  tokenUrl?: string;
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  /** The deadline for one call, token included, connect to the answer's last byte (KEYWAY_GOOGLE_TIMEOUT, 10 s). */
  timeoutMs?: number;
}

export const GOOGLE_TIMEOUT_MS = 10_000;

/** Ends a call early (shutdown); the client's deadline applies anyway. */
export interface CallOptions {
  signal?: AbortSignal;
}

export class GoogleWalletApiError extends Error {
  override name = 'GoogleWalletApiError';
  constructor(
    message: string,
    /** Google's HTTP status; 0 when no answer came (unreachable, or not within the deadline). */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface GoogleWalletRestClient {
  /** A cached OAuth access token (refreshed a minute before it lapses). */
  accessToken(opts?: CallOptions): Promise<string>;
  /** `created`, or `exists` when Google answers 409 (ids are ours and stable, so that is success). */
  insertClass(cls: GoogleGenericClass, opts?: CallOptions): Promise<'created' | 'exists'>;
  insertObject(object: GoogleGenericObject, opts?: CallOptions): Promise<'created' | 'exists'>;
  /** PATCHes fields of an existing class (a class an older Keyway created lacks `callbackOptions`). */
  patchClass(classId: string, patch: Partial<GoogleGenericClass>, opts?: CallOptions): Promise<void>;
  patchObject(objectId: string, patch: Partial<GoogleGenericObject>, opts?: CallOptions): Promise<void>;
  /** The object as Google holds it (`hasUsers`: someone saved it), or null when Google has no such object (404). */
  getObject(objectId: string, opts?: CallOptions): Promise<{ hasUsers: boolean; state?: string } | null>;
  setObjectState(objectId: string, state: GoogleObjectState, opts?: CallOptions): Promise<void>;
}

export function createGoogleWalletRestClient(options: GoogleWalletRestClientOptions): GoogleWalletRestClient {
  const baseUrl = (options.baseUrl ?? GOOGLE_WALLET_API_URL).replace(/\/+$/, '');
  const tokenUrl =
    options.tokenUrl ??
    (baseUrl === GOOGLE_WALLET_API_URL ? (options.serviceAccount.token_uri ?? GOOGLE_TOKEN_URL) : `${baseUrl}/token`);
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? GOOGLE_TIMEOUT_MS;
  const key = importPKCS8(options.serviceAccount.private_key, 'RS256');
  key.catch(() => {}); // reported by the first call instead of as an unhandled rejection
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  /** One call's signal: the deadline, joined with the caller's. */
  const deadline = (opts?: CallOptions) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return opts?.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  };

  /** One exchange, its answer read within the same signal; no answer in time is status 0, never a hang. */
  async function exchange(
    what: string,
    url: string,
    init: RequestInit,
    signal: AbortSignal,
  ): Promise<{ response: Response; text: string }> {
    try {
      const response = await doFetch(url, { ...init, signal });
      return { response, text: await response.text() };
    } catch (err) {
      if (err instanceof GoogleWalletApiError) throw err;
      throw new GoogleWalletApiError(
        signal.aborted
          ? messages.googleTimeout(what, timeoutMs / 1000)
          : messages.googleUnreachable(what, (err as Error).name),
        0,
      );
    }
  }

  async function fetchToken(): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(options.serviceAccount.private_key_id ? { kid: options.serviceAccount.private_key_id } : {}),
      })
      .setIssuer(options.serviceAccount.client_email)
      .setAudience(tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(await key);
    // Its own deadline: every call waiting for the token shares this one request.
    const { response, text } = await exchange(
      'the OAuth token request',
      tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      },
      deadline(),
    );
    if (!response.ok) throw new GoogleWalletApiError(messages.googleToken(response.status), response.status);
    let body: { access_token?: string; expires_in?: number } = {};
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: no token */
    }
    if (!body.access_token) throw new GoogleWalletApiError(messages.googleToken(response.status), response.status);
    cached = { token: body.access_token, expiresAt: now() + ((body.expires_in ?? 3600) - 60) * 1000 };
    return body.access_token;
  }

  function accessToken(opts?: CallOptions): Promise<string> {
    if (cached && cached.expiresAt > now()) return Promise.resolve(cached.token);
    // One token request at a time, however many calls wait for it.
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    if (!opts?.signal) return pending;
    // A caller abandoned (shutdown) stops waiting; the shared request goes on for the others.
    const signal = opts.signal;
    const stopped = () =>
      new GoogleWalletApiError(messages.googleTimeout('the OAuth token request', timeoutMs / 1000), 0);
    return Promise.race([
      pending,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(stopped());
        signal.addEventListener('abort', () => reject(stopped()), { once: true });
      }),
    ]);
  }

  async function call(
    method: string,
    path: string,
    body: unknown,
    opts: CallOptions | undefined,
  ): Promise<{ response: Response; text: string }> {
    const signal = deadline(opts);
    const what = `${method} ${path}`;
    for (let retried = false; ; retried = true) {
      const token = await accessToken({ signal });
      const answer = await exchange(
        what,
        `${baseUrl}${path}`,
        {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
        signal,
      );
      if (answer.response.status !== 401 || retried) return answer;
      cached = undefined; // revoked or rotated token: get a fresh one once
    }
  }

  async function insert(
    kind: 'genericClass' | 'genericObject',
    resource: unknown,
    opts?: CallOptions,
  ): Promise<'created' | 'exists'> {
    const path = `/walletobjects/v1/${kind}`;
    const { response } = await call('POST', path, resource, opts);
    if (response.status === 409) return 'exists';
    if (!response.ok)
      throw new GoogleWalletApiError(messages.googleApi('POST', path, response.status), response.status);
    return 'created';
  }

  async function patch(
    kind: 'genericClass' | 'genericObject',
    id: string,
    fields: unknown,
    opts?: CallOptions,
  ): Promise<void> {
    const path = `/walletobjects/v1/${kind}/${encodeURIComponent(id)}`;
    const { response } = await call('PATCH', path, fields, opts);
    if (!response.ok)
      throw new GoogleWalletApiError(messages.googleApi('PATCH', path, response.status), response.status);
  }

  async function getObject(
    objectId: string,
    opts?: CallOptions,
  ): Promise<{ hasUsers: boolean; state?: string } | null> {
    const path = `/walletobjects/v1/genericObject/${encodeURIComponent(objectId)}`;
    const { response, text } = await call('GET', path, undefined, opts);
    if (response.status === 404) return null;
    if (!response.ok) throw new GoogleWalletApiError(messages.googleApi('GET', path, response.status), response.status);
    let body: { hasUsers?: unknown; state?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      throw new GoogleWalletApiError(messages.googleApi('GET', path, response.status), 0);
    }
    return { hasUsers: body.hasUsers === true, ...(typeof body.state === 'string' ? { state: body.state } : {}) };
  }

  return {
    accessToken,
    getObject,
    insertClass: (cls, opts) => insert('genericClass', cls, opts),
    insertObject: (object, opts) => insert('genericObject', object, opts),
    patchClass: (classId, fields, opts) => patch('genericClass', classId, fields, opts),
    patchObject: (objectId, fields, opts) => patch('genericObject', objectId, fields, opts),
    setObjectState: (objectId, state, opts) => patch('genericObject', objectId, { state }, opts),
  };
}
