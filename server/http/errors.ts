import { HTTPException } from 'hono/http-exception';
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApiError, ERRORS, type ErrorCode } from '../domain/errors.js';
import type { AppEnv } from './context.js';
import { redactText } from '../log.js';

/** SPEC §2's error body and its headers (Retry-After on every 429). */
function errorParts(err: ApiError, headers: Record<string, string> = {}) {
  const body: { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details) body.error.details = err.details;
  const h: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...headers };
  if (err.retryAfter !== undefined) h['retry-after'] = String(err.retryAfter);
  else if (err.status === 429) h['retry-after'] = '60'; // SPEC §2: a 429 always says when to retry
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

/** The one error handler: SPEC §2's shape; 5xx answers carry no internals (the log has them). */
export function onError(log: (r: Record<string, unknown>) => void): ErrorHandler<AppEnv> {
  return (err, c) => {
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof HTTPException && err.status < 500) {
      const code: ErrorCode = err.status === 401 ? 'unauthorized' : err.status === 404 ? 'not_found' : 'invalid_request';
      apiError = new ApiError(code, err.message || ERRORS[code][1]);
    } else {
      log({
        level: 'error',
        msg: 'unhandled error',
        request_id: c.get('requestId'),
        error: redactText(String((err as Error)?.message ?? err)),
        stack: redactText(String((err as Error)?.stack ?? '')).split('\n').slice(0, 6).join(' | '),
      });
      apiError = new ApiError('internal_error');
    }
    return errorAnswer(c, apiError);
  };
}

export const notFound: NotFoundHandler<AppEnv> = (c) => errorAnswer(c, new ApiError('not_found', 'No such endpoint.'));
