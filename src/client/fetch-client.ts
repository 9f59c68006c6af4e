import { serverClock } from '../internal/server-clock.js';
import { KeywayApiError, parseRetryAfter } from './errors.js';
import type {
  KeywayCallContext,
  KeywayClient,
  KeywayResponse,
  StatusStream,
  StatusStreamHandlers,
} from './keyway-client.js';
import type {
  CredentialStatusSnapshot,
  Handoff,
  PassAnswer,
  PassPlatforms,
  ProvisioningGrant,
  VerificationStarted,
  WalletPlatform,
} from './types.js';

type Auth = 'publishable' | 'token';

function joinUrl(apiBase: string, path: string): string {
  return `${apiBase.replace(/\/+$/, '')}${path}`;
}

/** An absolute http(s) origin; anything else would send the request to the wrong host (the page's own). */
export function isUsableApiBase(apiBase: string | undefined): boolean {
  if (!apiBase) return false;
  try {
    return /^https?:$/.test(new URL(apiBase).protocol);
  } catch {
    return false;
  }
}

function misconfigured(): KeywayApiError {
  return new KeywayApiError({
    code: 'misconfigured',
    message: 'api-base is missing or not an absolute http(s) URL; no request was sent',
  });
}

function parseDate(header: string | null): Date | null {
  if (!header) return null;
  const at = new Date(header);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The Keyway HTTP API over `fetch` (status streams too), exactly as docs/api.md names it. */
export class FetchKeywayClient implements KeywayClient {
  constructor(private readonly fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args)) {}

  private async call<T>(
    ctx: KeywayCallContext,
    auth: Auth,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<KeywayResponse<T>> {
    if (!isUsableApiBase(ctx.apiBase)) throw misconfigured();
    const credential = auth === 'publishable' ? ctx.publishableKey : ctx.token;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential) headers.authorization = `Bearer ${credential}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (ctx.idempotencyKey && method === 'POST') headers['idempotency-key'] = ctx.idempotencyKey;
    let response: Response;
    try {
      response = await this.fetchImpl(joinUrl(ctx.apiBase, path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctx.signal,
        credentials: 'omit',
      });
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error;
      throw new KeywayApiError({
        code: 'network_error',
        message: (error as Error)?.message || 'Network request failed',
      });
    }
    const serverDate = parseDate(response.headers.get('date'));
    serverClock.observe(serverDate);
    let payload: unknown = null;
    const text = await response.text().catch(() => '');
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (!response.ok) {
      const error = (
        payload as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null
      )?.error;
      throw new KeywayApiError({
        code: error?.code ?? (response.status >= 500 ? 'server_error' : 'invalid_request'),
        message: error?.message ?? `HTTP ${response.status}`,
        status: response.status,
        details: error?.details,
        retryAfter: parseRetryAfter(response.headers.get('retry-after'), serverDate),
        serverDate,
      });
    }
    return { data: payload as T, serverDate };
  }

  redeemInvitation(ctx: KeywayCallContext, invitationCode: string) {
    return this.call<ProvisioningGrant>(ctx, 'publishable', 'POST', '/api/3/invitations/redeem', {
      invitation_code: invitationCode,
    });
  }

  startVerification(ctx: KeywayCallContext, request: { phoneNumber: string; country?: string }) {
    const body: Record<string, string> = { phone_number: request.phoneNumber };
    if (request.country) body.country = request.country;
    return this.call<VerificationStarted>(ctx, 'publishable', 'POST', '/api/3/verifications', body);
  }

  checkVerification(ctx: KeywayCallContext, verificationId: string, code: string) {
    return this.call<ProvisioningGrant>(
      ctx,
      'publishable',
      'POST',
      `/api/3/verifications/${encodeURIComponent(verificationId)}/check`,
      { code },
    );
  }

  resendVerification(ctx: KeywayCallContext, verificationId: string) {
    return this.call<VerificationStarted>(
      ctx,
      'publishable',
      'POST',
      `/api/3/verifications/${encodeURIComponent(verificationId)}/resend`,
      {},
    );
  }

  requestPass(ctx: KeywayCallContext, request: { platform: WalletPlatform; credentialId?: string; idToken?: string }) {
    const body: Record<string, string> = { platform: request.platform };
    if (request.credentialId) body.credential_id = request.credentialId;
    if (request.idToken) body.id_token = request.idToken;
    return this.call<PassAnswer>(ctx, 'token', 'POST', '/api/3/passes', body);
  }

  passPlatforms(ctx: KeywayCallContext, request: { credentialId?: string }) {
    const body: Record<string, string> = {};
    if (request.credentialId) body.credential_id = request.credentialId;
    return this.call<PassPlatforms>(ctx, 'token', 'POST', '/api/3/passes/platforms', body);
  }

  createHandoff(ctx: KeywayCallContext) {
    return this.call<Handoff>(ctx, 'token', 'POST', '/api/3/handoffs', {});
  }

  getCredentialStatus(ctx: KeywayCallContext, credentialId: string) {
    return this.call<CredentialStatusSnapshot>(
      ctx,
      'token',
      'GET',
      `/api/3/credentials/${encodeURIComponent(credentialId)}/status`,
    );
  }

  openStatusStream(ctx: KeywayCallContext, credentialId: string, handlers: StatusStreamHandlers): StatusStream | null {
    // No stream without a token or a usable api-base: the caller's polling then reports why.
    if (!ctx.token || !isUsableApiBase(ctx.apiBase) || typeof TextDecoderStream === 'undefined') return null;
    const abort = new AbortController();
    const request = {
      fetchImpl: this.fetchImpl,
      url: joinUrl(ctx.apiBase, `/api/3/credentials/${encodeURIComponent(credentialId)}/status/stream`),
      token: ctx.token,
      handlers,
      signal: abort.signal,
    };
    import('./status-stream.js').then(
      ({ readStatusStream }) => readStatusStream(request),
      () => !abort.signal.aborted && handlers.onError?.(null, true),
    );
    return { close: () => abort.abort() };
  }
}
