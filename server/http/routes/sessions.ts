import type { OpenAPIHono } from '@hono/zod-openapi';
import { createClientSession } from '../../domain/callers/client-sessions.js';
import type { Ctx } from '../../domain/context.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** Client sessions: a partner's backend mints a cs_ for one person's widgets. */
export function sessionRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/client_sessions',
      summary: 'Mint a client session (cs_) for one person',
      tag: 'Sessions',
      auth: 'secret',
      body: S.ClientSessionInput,
      status: 201,
      response: S.SessionToken,
      errors: [403, 404],
    },
    async ({ body }, c) => c.json(await createClientSession(ctx, body), 201),
  );
}
