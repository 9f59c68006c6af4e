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
}

export class GoogleWalletApiError extends Error {
  override name = 'GoogleWalletApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface GoogleWalletRestClient {
  /** A cached OAuth access token (refreshed a minute before it lapses). */
  accessToken(): Promise<string>;
  /** `created`, or `exists` when Google answers 409 (ids are ours and stable, so that is success). */
  insertClass(cls: GoogleGenericClass): Promise<'created' | 'exists'>;
  insertObject(object: GoogleGenericObject): Promise<'created' | 'exists'>;
  /** PATCHes fields of an existing class (a class an older Keyway created lacks `callbackOptions`). */
  patchClass(classId: string, patch: Partial<GoogleGenericClass>): Promise<void>;
  patchObject(objectId: string, patch: Partial<GoogleGenericObject>): Promise<void>;
  /** The object as Google holds it (`hasUsers`: someone saved it), or null when Google has no such object (404). */
  getObject(objectId: string): Promise<{ hasUsers: boolean; state?: string } | null>;
  setObjectState(objectId: string, state: GoogleObjectState): Promise<void>;
}

export function createGoogleWalletRestClient(options: GoogleWalletRestClientOptions): GoogleWalletRestClient {
  const baseUrl = (options.baseUrl ?? GOOGLE_WALLET_API_URL).replace(/\/+$/, '');
  const tokenUrl =
    options.tokenUrl ??
    (baseUrl === GOOGLE_WALLET_API_URL ? options.serviceAccount.token_uri ?? GOOGLE_TOKEN_URL : `${baseUrl}/token`);
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const key = importPKCS8(options.serviceAccount.private_key, 'RS256');
  key.catch(() => {}); // reported by the first call instead of as an unhandled rejection
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(options.serviceAccount.private_key_id ? { kid: options.serviceAccount.private_key_id } : {}) })
      .setIssuer(options.serviceAccount.client_email)
      .setAudience(tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(await key);
    const response = await doFetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new GoogleWalletApiError(messages.googleToken(response.status), response.status);
    }
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new GoogleWalletApiError(messages.googleToken(response.status), response.status);
    cached = { token: body.access_token, expiresAt: now() + ((body.expires_in ?? 3600) - 60) * 1000 };
    return body.access_token;
  }

  function accessToken(): Promise<string> {
    if (cached && cached.expiresAt > now()) return Promise.resolve(cached.token);
    // One token request at a time, however many calls wait for it.
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function call(method: string, path: string, body: unknown, retried = false): Promise<Response> {
    const token = await accessToken();
    const response = await doFetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status === 401 && !retried) {
      await response.body?.cancel();
      cached = undefined; // revoked or rotated token: get a fresh one once
      return call(method, path, body, true);
    }
    return response;
  }

  async function insert(kind: 'genericClass' | 'genericObject', resource: unknown): Promise<'created' | 'exists'> {
    const path = `/walletobjects/v1/${kind}`;
    const response = await call('POST', path, resource);
    await response.body?.cancel();
    if (response.status === 409) return 'exists';
    if (!response.ok) throw new GoogleWalletApiError(messages.googleApi('POST', path, response.status), response.status);
    return 'created';
  }

  async function patch(kind: 'genericClass' | 'genericObject', id: string, fields: unknown): Promise<void> {
    const path = `/walletobjects/v1/${kind}/${encodeURIComponent(id)}`;
    const response = await call('PATCH', path, fields);
    await response.body?.cancel();
    if (!response.ok) throw new GoogleWalletApiError(messages.googleApi('PATCH', path, response.status), response.status);
  }

  async function patchObject(objectId: string, patch: Partial<GoogleGenericObject>): Promise<void> {
    const path = `/walletobjects/v1/genericObject/${encodeURIComponent(objectId)}`;
    const response = await call('PATCH', path, patch);
    await response.body?.cancel();
    if (!response.ok) throw new GoogleWalletApiError(messages.googleApi('PATCH', path, response.status), response.status);
  }

  async function getObject(objectId: string): Promise<{ hasUsers: boolean; state?: string } | null> {
    const path = `/walletobjects/v1/genericObject/${encodeURIComponent(objectId)}`;
    const response = await call('GET', path, undefined);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new GoogleWalletApiError(messages.googleApi('GET', path, response.status), response.status);
    }
    const body = (await response.json()) as { hasUsers?: unknown; state?: unknown };
    return { hasUsers: body.hasUsers === true, ...(typeof body.state === 'string' ? { state: body.state } : {}) };
  }

  return {
    accessToken,
    getObject,
    insertClass: (cls) => insert('genericClass', cls),
    insertObject: (object) => insert('genericObject', object),
    patchClass: (classId, fields) => patch('genericClass', classId, fields),
    patchObject,
    setObjectState: (objectId, state) => patchObject(objectId, { state }),
  };
}
