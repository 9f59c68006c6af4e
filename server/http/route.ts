import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import type { AppEnv } from './context.js';
import { ErrorBody } from './schemas.js';

export type Auth = 'none' | 'secret' | 'secret-read' | 'secret-access' | 'publishable' | 'session';

export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI form: `/api/3/people/{id}`. */
  path: string;
  summary: string;
  tag: string;
  auth: Auth;
  body?: z.ZodType;
  /** Name of the wrapper object the body may come in (`person`, `person_credential`). */
  wrap?: string;
  query?: z.ZodObject;
  status: number;
  response?: z.ZodType;
  errors?: number[];
  description?: string;
  /** Media type of the success response (default JSON), e.g. a .pkpass. */
  mediaType?: string;
  /** Hono's path when the OpenAPI one cannot express it (a suffix after a parameter). */
  honoPath?: string;
}

const SECURITY: Record<Auth, { [k: string]: string[] }[] | undefined> = {
  none: undefined,
  secret: [{ secretKey: ['account.person'] }],
  'secret-read': [{ secretKey: ['account.person.readonly'] }],
  'secret-access': [{ secretKey: ['account.access'] }, { secretKey: ['account.person'] }],
  publishable: [{ publishableKey: [] }],
  session: [{ sessionToken: [] }],
};

/** Registers the handler and its OpenAPI description from the same zod schemas. */
export function defineRoute(app: OpenAPIHono<AppEnv>, def: RouteDef, handler: Handler<AppEnv>): void {
  const params = [...def.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const responses: Record<string, { description: string; content?: Record<string, { schema: z.ZodType }> }> = {
    [def.status]: {
      description: def.description ?? def.summary,
      ...(def.response ? { content: { [def.mediaType ?? 'application/json']: { schema: def.response } } } : {}),
    },
  };
  const errorStatuses = new Set([...(def.errors ?? []), ...(def.auth === 'none' ? [] : [401]), ...(def.body ? [400] : [])]);
  for (const s of errorStatuses) responses[s] = { description: 'Error', content: { 'application/json': { schema: ErrorBody } } };
  const bodySchema = def.body && def.wrap ? z.union([z.object({ [def.wrap]: def.body }), def.body]) : def.body;
  app.openAPIRegistry.registerPath({
    method: def.method,
    path: def.path,
    summary: def.summary,
    tags: [def.tag],
    security: SECURITY[def.auth],
    request: {
      ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
      ...(def.query ? { query: def.query } : {}),
      ...(bodySchema ? { body: { content: { 'application/json': { schema: bodySchema } } } } : {}),
    },
    responses,
  });
  app.on(def.method.toUpperCase(), def.honoPath ?? def.path.replace(/\{(\w+)\}/g, ':$1'), handler);
}
