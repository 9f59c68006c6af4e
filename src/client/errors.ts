import type { KeywayErrorCode } from './types.js';

/** A failed Keyway request: the server's `{"error":{code,message,details}}` or a network failure. */
export class KeywayApiError extends Error {
  override readonly name = 'KeywayApiError';
  readonly code: KeywayErrorCode | (string & {});
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** Seconds from `Retry-After`, when the server sent one. */
  readonly retryAfter: number | null;
  /** The response's `Date` header, so retry times are computed against the server clock. */
  readonly serverDate: Date | null;

  constructor(init: {
    code: KeywayErrorCode | (string & {});
    message: string;
    status?: number;
    details?: Record<string, unknown>;
    retryAfter?: number | null;
    serverDate?: Date | null;
  }) {
    super(init.message);
    this.code = init.code;
    this.status = init.status ?? 0;
    this.details = init.details;
    this.retryAfter = init.retryAfter ?? null;
    this.serverDate = init.serverDate ?? null;
  }

  /** `details.attempts_left` of an `incorrect_code`, when present. */
  get attemptsLeft(): number | null {
    const value = this.details?.attempts_left;
    return typeof value === 'number' ? value : null;
  }
}

/** Normalises anything thrown into a KeywayApiError (aborts are rethrown by callers first). */
export function toKeywayError(error: unknown): KeywayApiError {
  if (error instanceof KeywayApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KeywayApiError({ code: 'network_error', message });
}

/** Parses `Retry-After` as delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, serverDate: Date | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  if (Number.isNaN(at)) return null;
  const now = serverDate?.getTime() ?? Date.now();
  return Math.max(0, Math.ceil((at - now) / 1000));
}
