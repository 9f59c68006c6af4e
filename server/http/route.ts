import type { OpenAPIHono, z } from '@hono/zod-openapi';
import { type Caller, requireAccessScope, requireScope } from '../domain/callers/callers.js';
import { ApiError } from '../domain/errors.js';
import { type LargeBodyLimit, parseQuery, pathInt, readBody, readLargeBody, refuseNulParams } from './body.js';
import type { AppContext, AppEnv } from './context.js';
import { requireCaller } from './middleware.js';
import { type Answer, openApiOperation, type ResponseHeader, type SchemeName } from './openapi.js';
import { MAX_ID } from './schemas.js';

/**
 * Who may call a route: a bearer token kind (with the secret key's scope: `secret` writes,
 * `secret-read` reads, `secret-access` door checks), nobody in particular, a scheme of the route's own (a PassKit
 * `ApplePass` token) that resolves its caller or throws 401, or a scheme the handler checks itself.
 */
export type Auth =
  | 'none'
  | 'secret'
  | 'secret-read'
  | 'admin'
  | 'staff'
  | 'staff-admin'
  | 'secret-access'
  | 'publishable'
  | 'session'
  | 'status'
  | Authenticator<unknown>
  | OwnScheme;

/** A security scheme of /openapi.json that the handler checks itself (its 401 is its own). */
export interface OwnScheme {
  scheme: SchemeName;
}

export interface Authenticator<T> extends OwnScheme {
  resolve(c: AppContext): Promise<T>;
}

type CallerOf<A> = A extends 'secret' | 'secret-read' | 'admin'
  ? Extract<Caller, { kind: 'secret' | 'staff' }>
  : A extends 'secret-access'
    ? Extract<Caller, { kind: 'secret' }>
    : A extends 'staff' | 'staff-admin'
      ? Extract<Caller, { kind: 'staff' }>
      : A extends 'publishable'
        ? Extract<Caller, { kind: 'publishable' }>
        : A extends 'session'
          ? Extract<Caller, { kind: 'client_session' | 'provisioning' }>
          : A extends 'status'
            ? Extract<Caller, { kind: 'client_session' | 'provisioning' | 'staff' }>
            : A extends Authenticator<infer T>
              ? T
              : null;

type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteDef<
  A extends Auth = Auth,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
  P extends string = string,
> {
  /** The OpenAPI operationId (unique per route); optional until every route names one. */
  operationId?: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI form: `/api/3/people/{id}`. */
  path: string;
  summary: string;
  tag: string;
  auth: A;
  /** Path parameters that are integer ids: anything else is 404 (`No such person.`), checked first. */
  intParams?: readonly P[];
  body?: B;
  /** Name of the wrapper object the body may come in (`person`, `person_credential`). */
  wrap?: string;
  query?: Q;
  status: number;
  response?: z.ZodType;
  /** Headers of the main answer (the PassKit pass's Last-Modified). */
  headers?: ResponseHeader[];
  /** Other answers that are not errors, by status (PassKit's 200 re-registration, 204, 304). */
  answers?: Record<number, Answer>;
  /** Error statuses of the handler's own; 401, 403, 404, 413, 503 and the idempotency ones are derived (openapi.ts). */
  errors?: number[];
  description?: string;
  /** Media type of the success response (default JSON), e.g. a .pkpass. */
  mediaType?: string;
  /**
   * A body the handler reads itself (as `c.req.arrayBuffer()`). With `limit`, a larger body than the
   * edge lets through unread: read here, counted, once the caller is checked (docs/security.md "bodies").
   */
  rawBody?: { mediaTypes: string[]; schema: z.ZodType; limit?: LargeBodyLimit };
  /** `false` for a route that never touches the database. */
  database?: false;
  /** Hono's path when the OpenAPI one cannot express it (a suffix after a parameter). */
  honoPath?: string;
  /**
   * The rate limits the route counts before anything is written, an Idempotency-Key's record included
   * (429 with Retry-After); the handler does not count them again.
   */
  limit?: (input: RouteInput<A, B, Q, P>, c: AppContext) => Promise<unknown>;
}

/** What a handler starts from: the authorised caller and the parsed, typed input. */
export interface RouteInput<A extends Auth, B, Q, P extends string> {
  caller: CallerOf<A>;
  body: Infer<B>;
  query: Infer<Q>;
  /** The integer path parameters named in `intParams`; read others with `c.req.param`. */
  ids: Record<P, number>;
}

export type RouteHandler<A extends Auth, B, Q, P extends string> = (
  input: RouteInput<A, B, Q, P>,
  c: AppContext,
) => Response | Promise<Response>;

// A staff member's console session stands where a secret key does (its role as scopes, docs/console.md).
const KINDS = {
  secret: ['secret', 'staff'],
  'secret-read': ['secret', 'staff'],
  admin: ['secret', 'staff'],
  staff: ['staff'],
  'staff-admin': ['staff'],
  'secret-access': ['secret'],
  publishable: ['publishable'],
  session: ['client_session', 'provisioning'],
  status: ['client_session', 'provisioning', 'staff'],
} as const;

/** The check the declared auth stands for: 401 for a missing or wrong kind of token, 403 for a missing scope. */
function callerCheck(auth: Auth): (c: AppContext) => unknown {
  if (auth === 'none') return () => null;
  if (typeof auth === 'object') return 'resolve' in auth ? (c) => auth.resolve(c) : () => null;
  const kinds = KINDS[auth] as unknown as Caller['kind'][];
  if (auth === 'secret' || auth === 'secret-read' || auth === 'admin' || auth === 'staff-admin') {
    const scope = auth === 'secret' ? 'write' : auth === 'secret-read' ? 'read' : 'admin';
    return (c) => {
      const caller = requireCaller(c, kinds);
      requireScope(caller, scope);
      return caller;
    };
  }
  if (auth === 'secret-access') {
    return (c) => {
      const caller = requireCaller(c, kinds);
      requireAccessScope(caller);
      return caller;
    };
  }
  return (c) => requireCaller(c, kinds);
}

/**
 * Registers a route and its OpenAPI description from one declaration, and enforces it: the
 * caller is checked (auth kind and scope), then the query, integer path ids and the body are
 * parsed, before the handler runs with `{ caller, body, query, ids }`. Errors are ApiErrors
 * (401/403/404/400), answered by the one error handler.
 */
export function defineRoute<
  A extends Auth,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  P extends string = never,
>(app: OpenAPIHono<AppEnv>, def: RouteDef<A, B, Q, P>, handler: RouteHandler<A, B, Q, P>): void {
  app.openAPIRegistry.registerPath(openApiOperation(def));
  const check = callerCheck(def.auth);
  const { body, wrap, query, intParams = [] } = def;
  const noIds = {} as Record<P, number>;
  const textParams = [...def.path.matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1])
    .filter((name) => !(intParams as readonly string[]).includes(name));
  // A scheme of the route's own reads the path (a pass's serial number): a NUL in it names nothing, before that lookup.
  const ownScheme = typeof def.auth === 'object';
  app.on(def.method.toUpperCase(), def.honoPath ?? def.path.replace(/\{(\w+)\}/g, ':$1'), async (c) => {
    if (ownScheme) refuseNulParams(c, textParams);
    const checked = check(c);
    const caller = (checked instanceof Promise ? await checked : checked) as CallerOf<A>;
    // In this order, as the handlers checked before: query, path ids, then the body.
    const parsedQuery = (query ? parseQuery(c, query) : undefined) as Infer<Q>;
    if (!ownScheme) refuseNulParams(c, textParams);
    let ids = noIds;
    if (intParams.length) {
      ids = {} as Record<P, number>;
      for (const name of intParams) ids[name] = pathInt(c, name);
    }
    const parsedBody = (body ? await readBody(c, body, wrap) : undefined) as Infer<B>;
    // A body the handler reads as bytes (a CSV in any encoding) is read as bytes first: the
    // idempotency hash reads it as text, and a request caches the first reading it was asked for.
    if (def.rawBody?.limit) await readLargeBody(c, def.rawBody.limit);
    else if (def.rawBody && c.get('idempotent')) await c.req.arrayBuffer();
    const input = { caller, body: parsedBody, query: parsedQuery, ids };
    // An Idempotency-Key's answer is replayed before the rate limits count (a retry costs none of them), and its
    // record is written only once the request is valid and within its limits (docs/api.md).
    const idempotent = c.get('idempotent');
    const replay = await idempotent?.replay();
    if (replay) return replay;
    await def.limit?.(input, c);
    const raced = await idempotent?.begin(); // a twin that finished meanwhile
    if (raced) return raced;
    return handler(input, c);
  });
}

/** A cursor that must be a decimal sequence number (the events list). */
export const cursorInt = (cursor?: string): number | undefined => {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,10}$/.test(cursor) || Number(cursor) > MAX_ID)
    throw new ApiError('invalid_request', 'Unknown cursor.', {
      fields: { cursor: 'Use next_cursor from the previous page.' },
    });
  return Number(cursor);
};
