import type { Context } from 'hono';
import type { Caller } from '../domain/callers/callers.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    ip: string;
    /** Resolved bearer token; `invalid` when one was sent but is unknown, revoked or expired. */
    caller: Caller | 'invalid' | null;
  };
}
export type AppContext = Context<AppEnv>;
