import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, ERRORS, type ErrorCode } from '../domain/errors.js';
import { redactText } from '../log.js';
import { isDatabaseUnavailable } from '../storage/db.js';
import type { AppEnv } from './context.js';

/** Retry-After of a 503 for an unreachable database: about a failover's length. */
export const DATABASE_RETRY_AFTER_S = 5;

/** docs/api.md's error body and its headers (Retry-After on every 429). */
function errorParts(err: ApiError, headers: Record<string, string> = {}) {
  const body: { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details) body.error.details = err.details;
  const h: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...headers };
  if (err.retryAfter !== undefined) h['retry-after'] = String(err.retryAfter);
  else if (err.status === 429)
    h['retry-after'] = '60'; // docs/api.md: a 429 always says when to retry
  else if (err.status === 503) h['retry-after'] = String(DATABASE_RETRY_AFTER_S); // and a 503 too
  return { body, headers: h };
}

/**
 * Every error answer: through the context, so headers middleware already set (CORS, Vary) come
 * along, with the request id for support. Reading `c.res` instead would make Hono rebuild the
 * response (a full copy), and setting a header on it afterwards turns it into a full one too.
 */
export function errorAnswer(c: Context<AppEnv>, err: ApiError, headers: Record<string, string> = {}): Response {
  const requestId = c.get('requestId');
  const parts = errorParts(err, requestId ? { ...headers, 'x-request-id': requestId } : headers);
  return c.json(parts.body, err.status as ContentfulStatusCode, parts.headers);
}

/** The one error handler: docs/api.md's shape; 5xx answers carry no internals (the log has them). */
export function onError(log: (r: Record<string, unknown>) => void): ErrorHandler<AppEnv> {
  return (err, c) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof HTTPException && err.status < 500) {
      const code: ErrorCode =
        err.status === 401 ? 'unauthorized' : err.status === 404 ? 'not_found' : 'invalid_request';
      apiError = new ApiError(code, err.message || ERRORS[code][1]);
    } else if (isDatabaseUnavailable(err)) {
      // The database cannot be reached (an outage, a failover): the client retries, the log says once a second why.
      apiError = new ApiError(
        'service_unavailable',
        'The service is briefly unavailable. Try again shortly.',
        undefined,
        DATABASE_RETRY_AFTER_S,
      );
    } else {
      log({
        level: 'error',
        msg: 'unhandled error',
        request_id: c.get('requestId'),
        error: redactText(String((err as Error)?.message ?? err)),
        stack: redactText(String((err as Error)?.stack ?? ''))
          .split('\n')
          .slice(0, 6)
          .join(' | '),
      });
      apiError = new ApiError('internal_error');
    }
    return errorAnswer(c, apiError);
  };
}

/**
 * No route answered: a known path asked with another method is `405` with `Allow` (docs/api.md),
 * anything else `404`. The table of paths is built from the app's routes on the first miss.
 */
export function notFound(app: { routes: { method: string; path: string }[] }): NotFoundHandler<AppEnv> {
  let table: { pattern: RegExp; method: string }[] | undefined;
  return (c) => {
    table ??= app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
      .map((r) => ({ method: r.method, pattern: pathPattern(r.path) }));
    const allowed = [...new Set(table.filter((r) => r.pattern.test(c.req.path)).map((r) => r.method))];
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    // A route that exists for this method and still found nothing (c.notFound()) is a plain 404.
    if (allowed.length && !allowed.includes(method))
      return errorAnswer(c, new ApiError('method_not_allowed', `Use ${allowed.join(' or ')} on this path.`), {
        allow: allowed.join(', '),
      });
    return errorAnswer(c, new ApiError('not_found', 'No such endpoint.'));
  };
}

/** Hono's route path (`/people/:id`, `/badges/:file{apple|google}`) as an anchored regular expression. */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((part) => {
      const param = /^:\w+(?:\{(.+)\})?$/.exec(part);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
