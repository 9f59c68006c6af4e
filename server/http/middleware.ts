import crypto from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { type Caller, resolveCaller } from '../domain/callers/callers.js';
import {
  abandonIdempotent,
  beginIdempotent,
  completeIdempotent,
  findIdempotent,
  HEARTBEAT_SECONDS,
  hashRequest,
  heartbeatIdempotent,
  idempotencyRecordKeys,
} from '../domain/callers/idempotency.js';
import { allowedOrigins, normalizeOrigin } from '../domain/callers/keys.js';
import { CONSOLE_COOKIE, resolveStaffSession } from '../domain/callers/staff-sessions.js';
import type { Ctx } from '../domain/context.js';
import { ApiError } from '../domain/errors.js';
import { redactPath } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { LargeBodyLimit } from './body.js';
import { answerCompressor } from './compress.js';
import type { AppContext, AppEnv } from './context.js';
import { errorAnswer } from './errors.js';

/** What {@link requestEdge} is given. */
export interface EdgeOptions {
  log: (r: Record<string, unknown>) => void;
  /** KEYWAY_TRUST_PROXY: how many X-Forwarded-For hops to believe. */
  trustProxy: number;
  metrics?: Metrics;
  /** KEYWAY_BODY_LIMIT: the most bytes a request body may have. */
  bodyLimit: number;
  /**
   * POST paths whose bodies may be larger (the CSV import's file), with their own limit and words:
   * only a declared length is checked here; the route reads the body, counted, after auth (readLargeBody).
   */
  largeBodies?: Record<string, LargeBodyLimit>;
  /** Shutdown has begun: every answer closes its connection. */
  draining: () => boolean;
}

/**
 * What every request goes through, in one middleware (each layer costs every request, and a
 * quarter of a cheap one's allocation was layers that had nothing to do): its id; the client IP —
 * the socket's, or X-Forwarded-For's only behind KEYWAY_TRUST_PROXY hops (docs/security.md); the
 * body limit, before auth reads anything; then, once answered, compression, `Connection: close`
 * while draining, the metrics and one structured log line with the path redacted.
 */
export function requestEdge(opts: EdgeOptions): MiddlewareHandler<AppEnv> {
  const { log, trustProxy, metrics, draining } = opts;
  const guardSmall = requestBodyLimit(opts.bodyLimit, `Request bodies are at most ${opts.bodyLimit} bytes.`);
  const large = new Map(Object.entries(opts.largeBodies ?? {}).map(([p, l]) => [p, declaredBodyLimit(l)]));
  const guardBody: MiddlewareHandler<AppEnv> = (c, next) =>
    ((c.req.method === 'POST' && large.get(c.req.path)) || guardSmall)(c, next);
  const compress = answerCompressor();
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && /^[\w.-]{8,64}$/.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('ip', clientIpOf(c, trustProxy));
    const refused = await guardBody(c, next);
    if (refused instanceof Response) c.res = refused; // the limit answered without going on
    const compressing = compress(c);
    if (compressing) await compressing;
    if (draining()) c.header('connection', 'close'); // keep-alive clients reconnect, to another instance
    // Error answers carry the id back for support (errorAnswer); on every success it would cost ~20 % of throughput.
    const status = c.res.status;
    const ms = performance.now() - started;
    if (metrics) {
      // The route template, never the path (ids would make a series per credential).
      const matched = c.req.routePath;
      const route = matched.endsWith('*') ? 'unmatched' : matched;
      metrics.requests.record(c.req.method, route, status, ms / 1000);
    }
    const url = c.req.url;
    const q = url.indexOf('?');
    log({
      level: status >= 500 ? 'error' : 'info',
      msg: 'request',
      request_id: requestId,
      method: c.req.method,
      path: redactPath(q < 0 ? c.req.path : c.req.path + url.slice(q)),
      status,
      ms: Math.round(ms * 10) / 10,
    });
  };
}

/** The address at the other end of the TCP connection: no header changes it (`unknown` in-process). */
function peerAddressOf(c: AppContext): string {
  return (
    (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ??
    'unknown'
  );
}

function clientIpOf(c: AppContext, trustProxy: number): string {
  let ip = peerAddressOf(c);
  if (trustProxy > 0) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (hops.length >= trustProxy) ip = hops[hops.length - trustProxy];
  }
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * docs/security.md "bodies": at most `maxBytes`, counted while the body is read and before any token is
 * looked at, on every route. The answer closes the connection, so the rest is never read.
 */
function requestBodyLimit(maxBytes: number, message: string): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      errorAnswer(c, new ApiError('payload_too_large', message), {
        connection: 'close',
      }),
  });
  // Hono's counting wraps the body in a fetch Request and a web stream (a quarter of a small POST's
  // cost, half of a cached GET's), so it runs only where it is needed: an HTTP/1.1 request without
  // Transfer-Encoding has exactly Content-Length bytes of body, or none without it (RFC 9112 §6.3),
  // and Node's parser never hands over more. A declared length within the limit therefore needs no
  // counting; a chunked body, a length over the limit and in-process requests (app.request) go through it.
  return (c, next) => {
    const headers = (c.env as { incoming?: { headers: Record<string, string | undefined> } } | undefined)?.incoming
      ?.headers;
    if (headers && headers['transfer-encoding'] === undefined) {
      const length = headers['content-length'];
      if (length === undefined || (/^\d+$/.test(length) && Number(length) <= maxBytes)) return next();
    }
    return limit(c, next);
  };
}

/**
 * For a large body the route reads itself after auth (readLargeBody): a declared Content-Length over
 * the limit is refused here, before auth and before any byte is read; nothing of the body is read
 * here. An answer given without reading the body (401, 403, 400) closes the connection, so the rest
 * of a stranger's 10 MB is never read either.
 */
function declaredBodyLimit(limit: LargeBodyLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (c.req.header('transfer-encoding') === undefined && length !== undefined && Number(length) > limit.maxBytes)
      return errorAnswer(c, new ApiError('payload_too_large', limit.message), { connection: 'close' });
    await next();
    if (!c.req.raw.bodyUsed || c.res.status === 413) c.header('connection', 'close');
  };
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;
const LOOPBACK_PEER = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * The development routes that hand out codes and pass tokens (`/dev/*`) answer only a caller on this
 * machine: the socket's peer, not the proxied client address, which X-Forwarded-For sets under
 * KEYWAY_TRUST_PROXY (docs/security.md).
 */
export function loopbackPeerOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!LOOPBACK_PEER.test(peerAddressOf(c))) return errorAnswer(c, new ApiError('not_found', 'No such endpoint.'));
    await next();
  };
}

/**
 * The development pages (`/` with the demo's sk_, `/dev/outbox`) answer only when the Host is a
 * loopback name or address: a DNS-rebinding page on another name cannot read them (docs/security.md).
 */
export function loopbackHostOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!LOOPBACK_HOST.test(new URL(c.req.url).hostname))
      return errorAnswer(c, new ApiError('not_found', 'No such endpoint.'));
    await next();
  };
}

const ALLOW_HEADERS = 'authorization, content-type, idempotency-key';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CORS and bearer tokens for /api/3 (docs/api.md). A preflight carries no key, so it is answered
 * from the union of active publishable keys' origins; the real request enforces its own token's.
 */
export function auth(ctx: Ctx): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = { vary: 'Origin' };
      if (origin && (await originKnown(ctx, origin))) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-allow-methods'] = 'GET, POST, PUT, DELETE, OPTIONS';
        headers['access-control-allow-headers'] = ALLOW_HEADERS;
        headers['access-control-max-age'] = '600';
      }
      return new Response(null, { status: 204, headers });
    }
    const header = c.req.header('authorization');
    let token: string | undefined;
    if (header) token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
    else if (c.req.path.endsWith('/status/stream')) token = c.req.query('token');
    let caller: Caller | 'invalid' | null = null;
    if (token !== undefined) caller = (token && (await resolveCaller(ctx, token))) || 'invalid';
    else {
      // The staff console sends its session cookie instead of a token (docs/console.md).
      const session = getCookie(c, CONSOLE_COOKIE);
      if (session !== undefined) {
        caller = (await resolveStaffSession(ctx, session)) ?? 'invalid';
        // SPEC §14: what the console is answered is never kept by a browser or a proxy.
        c.header('cache-control', 'no-store');
      }
    }
    c.set('caller', caller);
    // A cookie rides along on any request the browser makes: an unsafe one must say it comes from the console.
    if (!origin && caller && caller !== 'invalid' && caller.kind === 'staff' && !SAFE_METHODS.has(c.req.method))
      return errorAnswer(c, new ApiError('origin_not_allowed', 'Console requests must come from the console.'));
    if (origin && caller && caller !== 'invalid' && caller.kind !== 'secret') {
      const normalized = safeOrigin(origin);
      if (!normalized || !caller.origins.includes(normalized)) {
        return errorAnswer(c, new ApiError('origin_not_allowed', `${origin} is not allowed for this key.`), {
          vary: 'Origin',
        });
      }
      c.header('access-control-allow-origin', origin);
      c.header('access-control-expose-headers', 'Date, Retry-After');
    } else if (origin && (caller === null || caller === 'invalid') && (await originKnown(ctx, origin))) {
      // No usable token, but a widget on a listed origin must be able to read the 401 to react.
      c.header('access-control-allow-origin', origin);
      c.header('access-control-expose-headers', 'Date, Retry-After');
    }
    // Only answers to a browser (an Origin) vary by it; setting a header costs every other request.
    if (origin) c.header('vary', 'Origin');
    await next();
  };
}

const safeOrigin = (o: string): string | null => {
  try {
    return normalizeOrigin(o);
  } catch {
    return null;
  }
};

async function originKnown(ctx: Ctx, origin: string): Promise<boolean> {
  const n = safeOrigin(origin);
  return n !== null && (await allowedOrigins(ctx)).has(n);
}

type CallerKind = Caller['kind'];

/** The caller of this route, or 401 (docs/api.md: a wrong kind of token is `unauthorized`). */
export function requireCaller<K extends CallerKind>(c: AppContext, kinds: K[]): Extract<Caller, { kind: K }> {
  const caller = c.get('caller');
  if (!caller) throw new ApiError('unauthorized', 'Send a token as Authorization: Bearer <token>.');
  if (caller === 'invalid') throw new ApiError('unauthorized', 'That token is unknown, revoked or expired.');
  if (!(kinds as string[]).includes(caller.kind)) {
    const want = kinds.map(
      (k) =>
        ({
          secret: 'a secret key (sk_…)',
          publishable: 'a publishable key (pk_…)',
          client_session: 'a client session (cs_…)',
          provisioning: 'a provisioning token (ps_…)',
          staff: 'a console session',
        })[k],
    );
    throw new ApiError('unauthorized', `This endpoint takes ${want.join(' or ')}.`);
  }
  return caller as Extract<Caller, { kind: K }>;
}

/**
 * Idempotency-Key on POST (docs/api.md): scoped to (caller, method, path); the caller is the token,
 * and for a publishable key the pair (key, client IP). Responses are stored encrypted.
 */
export function idempotency(ctx: Ctx): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    const caller = c.get('caller');
    if (c.req.method !== 'POST' || !key || !caller || caller === 'invalid') return next();
    if (key.length > 255)
      throw new ApiError('invalid_request', 'Idempotency-Key is at most 255 characters.', {
        fields: { 'Idempotency-Key': 'Too long.' },
      });
    const scope = caller.kind === 'publishable' ? `${caller.tokenHash}|${c.get('ip')}` : caller.tokenHash;
    let recordKey: string | undefined;
    let heartbeat: ReturnType<typeof setInterval> | undefined;
    const recordKeys = idempotencyRecordKeys(ctx, scope, c.req.method, c.req.path, key);
    const replayOf = (start: { status: number; body: string }) =>
      new Response(start.body, {
        status: start.status,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'idempotent-replayed': 'true',
          ...(start.status >= 400 ? { 'x-request-id': c.get('requestId') } : {}),
          ...corsHeadersOf(c),
        },
      });
    // Nothing is written until the route says the request is valid and within its rate limits (route.ts).
    c.set('idempotent', {
      async replay() {
        const found = await findIdempotent(ctx, recordKeys, hashRequest(await c.req.text()));
        return found && replayOf(found);
      },
      async begin() {
        const start = await beginIdempotent(ctx, recordKeys, hashRequest(await c.req.text()));
        if (start.kind === 'replay') return replayOf(start);
        recordKey = start.recordKey;
        c.set('idempotencyRecord', recordKey);
        const alive = recordKey;
        // While the handler runs (an upstream may be slow) the record says it is alive, so no retry takes it over.
        heartbeat = setInterval(
          () => void heartbeatIdempotent(ctx, alive).catch(() => undefined),
          HEARTBEAT_SECONDS * 1000,
        );
        heartbeat.unref();
        return undefined;
      },
    });
    try {
      await next();
    } catch (err) {
      if (recordKey) await abandonIdempotent(ctx, recordKey);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
    if (!recordKey) return; // refused before it was valid or within its limits, or a replay: nothing was written
    const status = c.res.status;
    // Only definite answers are remembered; 5xx, 409 and 429 may be retried with the same key.
    if (c.error || status >= 500 || status === 429 || status === 409) await abandonIdempotent(ctx, recordKey);
    else await completeIdempotent(ctx, recordKey, status, await c.res.clone().text());
  };
}

function corsHeadersOf(c: AppContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of ['access-control-allow-origin', 'access-control-expose-headers', 'vary']) {
    const v = c.res.headers.get(h);
    if (v) out[h] = v;
  }
  return out;
}
