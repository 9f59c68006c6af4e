import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { listEvents } from '../../storage/audit.js';
import type { AppEnv } from '../context.js';
import { cursorInt, defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** The audit log, read by secret keys. */
export function eventRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/events',
      summary: 'The audit log, newest first (filter by type, subject, actor, time)',
      tag: 'Events',
      auth: 'secret-read',
      query: S.EventsQuery,
      status: 200,
      response: z.object({ events: z.array(S.AuditEvent), next_cursor: z.string().nullable() }),
    },
    async ({ query: q }, c) =>
      c.json(
        await listEvents(ctx.store.db, {
          limit: q.limit,
          cursor: cursorInt(q.cursor),
          type: q.type,
          subject: q.subject,
          actor: q.actor,
          since: q.since,
          until: q.until,
        }),
      ),
  );
}
