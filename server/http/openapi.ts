import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../domain/context.js';
import { ERRORS, type ErrorCode } from '../domain/errors.js';
import type { AppEnv } from './context.js';
import { registerWebhookEvents } from './webhook-schemas.js';

/**
 * /openapi.json (docs/api.md: complete): every operation from its route declaration, with every
 * answer the server can give it. What the shared middleware adds (origin checks, Idempotency-Key,
 * the body limit, the database) is derived here from the route's path, method and auth, so no
 * route lists it by hand.
 */

export const SECURITY_SCHEMES = {
  secretKey: { type: 'http', scheme: 'bearer', description: 'sk_… secret key' },
  publishableKey: { type: 'http', scheme: 'bearer', description: 'pk_… publishable key, from its allowed origins' },
  sessionToken: { type: 'http', scheme: 'bearer', description: 'cs_… client session or ps_… provisioning token' },
  ApplePass: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: '`ApplePass <authenticationToken>`: the pass’s own token (Apple’s PassKit web service)',
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-keyway_console',
    description:
      'A staff member signed in to /console with a passkey; the role stands for the scope (viewer reads, operator writes, admin also manages staff, keys and webhooks). Unsafe methods need the console’s Origin.',
  },
  hidOrigoCallback: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Exactly KEYWAY_HID_ORIGO_CALLBACK_SECRET, as registered with HID Origo',
  },
} as const;
export type SchemeName = keyof typeof SECURITY_SCHEMES;

const SECURITY = {
  none: [],
  secret: [{ secretKey: ['account.person'] }, { consoleSession: ['operator'] }],
  'secret-read': [{ secretKey: ['account.person.readonly'] }, { consoleSession: ['viewer'] }],
  admin: [{ secretKey: ['account.person'] }, { consoleSession: ['admin'] }],
  staff: [{ consoleSession: ['viewer'] }],
  'staff-admin': [{ consoleSession: ['admin'] }],
  'secret-access': [{ secretKey: ['account.access'] }, { secretKey: ['account.person'] }],
  publishable: [{ publishableKey: [] }],
  session: [{ sessionToken: [] }],
  status: [{ sessionToken: [] }, { consoleSession: ['viewer'] }],
} satisfies Record<string, { [k in SchemeName]?: string[] }[]>;

export const RESPONSE_HEADERS = {
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 0 } },
  'Last-Modified': { description: 'When the pass last changed (an HTTP date)', schema: { type: 'string' } },
} as const;
export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

/** A further answer of a route besides its main one (PassKit's 200 re-registration, 204, 304). */
export interface Answer {
  description: string;
  response?: z.ZodType;
  mediaType?: string;
  headers?: ResponseHeader[];
}

/** What the document reads of a route declaration (route.ts's RouteDef is one). */
export interface DocumentedRoute {
  operationId?: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  description?: string;
  auth: keyof typeof SECURITY | { scheme: SchemeName };
  body?: z.ZodType;
  wrap?: string;
  /** A body the handler reads itself (not JSON-parsed by the route), for the document only. */
  rawBody?: { mediaTypes: string[]; schema: z.ZodType };
  query?: z.ZodObject;
  status: number;
  response?: z.ZodType;
  mediaType?: string;
  headers?: ResponseHeader[];
  answers?: Record<number, Answer>;
  errors?: number[];
  /** `false` for the few routes that never touch the database (no 503 service_unavailable). */
  database?: false;
}

/** Every route under /api/3 runs the auth middleware: a pk_/cs_/ps_ from an Origin off its list is 403 origin_not_allowed. */
const checksOrigins = (path: string) => path.startsWith('/api/3/');
/** The Idempotency-Key middleware runs on every POST under /api/3. */
const honoursIdempotency = (def: DocumentedRoute) => def.method === 'post' && checksOrigins(def.path);
const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/** The error statuses a route can answer: its own, and those the shared middleware and handlers add. */
export function errorStatusesOf(def: DocumentedRoute): number[] {
  const s = new Set(def.errors ?? []);
  if (def.body || def.rawBody || def.query || honoursIdempotency(def)) s.add(400); // invalid_request, invalid_json; an over-long Idempotency-Key
  if (def.auth !== 'none') s.add(401);
  if (checksOrigins(def.path)) s.add(403);
  if (pathParams(def.path).length) s.add(404); // an id that names nothing
  if (honoursIdempotency(def)) s.add(409).add(422); // idempotency_in_progress, idempotency_mismatch
  if (def.method !== 'get') s.add(413); // the body limit, on every route that can carry a body
  s.add(500); // internal_error: a fault, its details in the log only
  if (def.database !== false) s.add(503);
  for (const status of Object.keys(def.answers ?? {})) s.delete(Number(status)); // the route's own shape wins (readyz's 503)
  return [...s].sort((a, b) => a - b);
}

const codesOf = (status: number) => (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code][0] === status);

const errorSchemas = new Map<number, z.ZodType>();
/** The error body (docs/errors.md) with the codes a status can carry, from the one table of codes. */
export function errorSchemaOf(status: number): z.ZodType {
  let schema = errorSchemas.get(status);
  if (!schema) {
    const codes = codesOf(status);
    schema = z
      .object({
        error: z.object({
          code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
          message: z.string(),
          details: z.record(z.string(), z.unknown()).optional().openapi({
            description:
              'invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available`',
          }),
        }),
      })
      .openapi(`Error${status}`);
    errorSchemas.set(status, schema);
  }
  return schema;
}

const headersOf = (names: readonly ResponseHeader[] | undefined) =>
  names?.length ? { headers: Object.fromEntries(names.map((n) => [n, RESPONSE_HEADERS[n]])) } : {};

function responseOf(
  description: string,
  schema: z.ZodType | undefined,
  mediaType = 'application/json',
  headers?: readonly ResponseHeader[],
) {
  return { description, ...headersOf(headers), ...(schema ? { content: { [mediaType]: { schema } } } : {}) };
}

const IdempotencyHeader = z.object({
  'Idempotency-Key': z.string().max(255).optional().openapi({
    description:
      'Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409',
  }),
});

/** Whether a route needs a body: readBody reads an empty body as `{}`, so only a schema that refuses `{}` needs one. */
const bodyRequired = (schema: z.ZodType) => !schema.safeParse({}).success;

/** The route's OpenAPI operation, from the same zod schemas that parse its input. */
export function openApiOperation(def: DocumentedRoute) {
  const params = pathParams(def.path);
  const responses: Record<string, ReturnType<typeof responseOf>> = {
    [def.status]: responseOf(def.description ?? def.summary, def.response, def.mediaType, def.headers),
  };
  for (const [status, a] of Object.entries(def.answers ?? {}))
    responses[status] = responseOf(a.description, a.response, a.mediaType, a.headers);
  for (const s of errorStatusesOf(def)) {
    responses[s] = responseOf(
      codesOf(s).join(', '),
      errorSchemaOf(s),
      'application/json',
      s === 429 || s === 503 ? ['Retry-After'] : undefined,
    );
  }
  const bodySchema = def.body && def.wrap ? z.union([z.object({ [def.wrap]: def.body }), def.body]) : def.body;
  const body = def.rawBody
    ? {
        required: true,
        content: Object.fromEntries(def.rawBody.mediaTypes.map((t) => [t, { schema: def.rawBody!.schema }])),
      }
    : bodySchema && def.body
      ? { required: bodyRequired(def.body), content: { 'application/json': { schema: bodySchema } } }
      : undefined;
  return {
    method: def.method,
    path: def.path,
    operationId: def.operationId ?? operationIdOf(def.method, def.path),
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [def.tag],
    security:
      typeof def.auth === 'object' ? [{ [def.auth.scheme]: [] }] : (SECURITY[def.auth] as Record<string, string[]>[]),
    request: {
      ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
      ...(def.query ? { query: def.query } : {}),
      ...(honoursIdempotency(def) ? { headers: IdempotencyHeader } : {}),
      ...(body ? { body } : {}),
    },
    responses,
  };
}

/**
 * A unique, URL-safe operationId from method and path (which are unique together), e.g.
 * `post /api/3/people/{id}/credentials` → `post_people_id_credentials`; a route may name its own.
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/3\//, '/')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [method, ...words].join('_');
}

const documents = new WeakMap<object, { doc: unknown; definitions: number }>();

/** The document of this app, built once (again only if a route was added since). */
export function openApiDocument(app: OpenAPIHono<AppEnv>, ctx: Ctx): unknown {
  const registry = app.openAPIRegistry;
  const cached = documents.get(app);
  if (cached && cached.definitions === registry.definitions.length) return cached.doc;
  if (!cached) {
    for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
      registry.registerComponent('securitySchemes', name, scheme);
    registerWebhookEvents(registry);
  }
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Keyway provisioning API',
      version: '3',
      description: 'DoorFlow-compatible people and credentials, invitations, wallet passes and lifecycle.',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [{ url: ctx.config.publicUrl }],
  });
  documents.set(app, { doc, definitions: registry.definitions.length });
  return doc;
}
