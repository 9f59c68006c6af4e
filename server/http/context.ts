import type { Context } from 'hono';
import type { Caller } from '../domain/callers/callers.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    ip: string;
    /** Resolved bearer token; `invalid` when one was sent but is unknown, revoked or expired. */
    caller: Caller | 'invalid' | null;
    /**
     * Set by the idempotency middleware for a keyed POST. The route asks `replay` (a read) once the request is
     * valid, then counts its rate limits, then calls `begin`, which writes the record: a request refused by
     * validation or a limit writes nothing. Each answers the stored Response to replay, or undefined to go on.
     */
    idempotent?: { replay(): Promise<Response | undefined>; begin(): Promise<Response | undefined> };
    /** The Idempotency-Key record (a MAC) the request runs under, once `idempotent` let it go on. */
    idempotencyRecord?: string;
  };
}
export type AppContext = Context<AppEnv>;
