/**
 * Every user-facing error: one class over the table of codes and messages in messages/errors.ts
 * (docs/api.md). Domain functions throw these; the HTTP error handler turns them into the error body.
 */
import { ERRORS, type ErrorCode } from '../messages/errors.js';

export { ERRORS, type ErrorCode };

// An ApiError is an answer, not a bug: its stack is never shown, and capturing one cost ~4 % of a
// wrong-code check. The limit is lowered only while the Error constructor runs.
let stackLimit = Error.stackTraceLimit;
const withoutStack = <T>(message: T): T => {
  stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return message;
};

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: Record<string, unknown>,
    /** Seconds, for 429 and 503 (docs/api.md: always with Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(withoutStack(message ?? ERRORS[code][1]));
    Error.stackTraceLimit = stackLimit;
    this.name = 'ApiError';
    this.status = ERRORS[code][0];
  }
}

export const invalidRequest = (fields: Record<string, string>, message = 'Some fields are not valid.') =>
  new ApiError('invalid_request', message, { fields });
