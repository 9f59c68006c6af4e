import type { Context } from 'hono';
import type { Caller } from '../domain/callers/callers.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    ip: string;
    /** Resolved bearer token; `invalid` when one was sent but is unknown, revoked or expired. */
    caller: Caller | 'invalid' | null;
    /**
     * Set by the idempotency middleware for a keyed POST: the route calls it once the request is valid, so a bad
     * body costs no write; it answers the stored Response to replay, or undefined to go on.
     */
    idempotent?: () => Promise<Response | undefined>;
    /** The Idempotency-Key record (a MAC) the request runs under, once `idempotent` let it go on. */
    idempotencyRecord?: string;
  };
}
export type AppContext = Context<AppEnv>;
