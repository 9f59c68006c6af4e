import { HTTPException } from 'hono/http-exception';
import type { ErrorHandler, NotFoundHandler } from 'hono';
import { ApiError, ERRORS, type ErrorCode } from '../domain/errors.js';
import type { AppEnv } from './context.js';
import { redactText } from './redact.js';

export function errorResponse(err: ApiError, headers: Record<string, string> = {}): Response {
  const body: { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } = {
    error: { code: err.code, message: err.message },
  };
  if (err.details) body.error.details = err.details;
  const h: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...headers };
  if (err.retryAfter !== undefined) h['retry-after'] = String(err.retryAfter);
  else if (err.status === 429) h['retry-after'] = '60'; // SPEC §2: a 429 always says when to retry
  return new Response(JSON.stringify(body), { status: err.status, headers: h });
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
    const res = errorResponse(apiError);
    // Keep CORS and request-id headers that middleware already set on c.res.
    for (const h of ['access-control-allow-origin', 'vary', 'access-control-expose-headers', 'x-request-id']) {
      const v = c.res.headers.get(h);
      if (v) res.headers.set(h, v);
    }
    return res;
  };
}

export const notFound: NotFoundHandler<AppEnv> = () => errorResponse(new ApiError('not_found', 'No such endpoint.'));
