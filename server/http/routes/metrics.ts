import crypto from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import type { AppEnv } from '../context.js';
import { errorAnswer } from '../errors.js';

/**
 * `GET /metrics` (SPEC §9): open in development; otherwise `Authorization: Bearer
 * <KEYWAY_METRICS_TOKEN>`, and 404 when no token is configured (the endpoint does not exist).
 */
export function metricsRoute(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  const token = ctx.config.metricsToken;
  if (!ctx.config.dev && !token) return;
  const expected = token ? crypto.createHash('sha256').update(`Bearer ${token}`).digest() : undefined;
  app.get('/metrics', async (c) => {
    if (expected) {
      const given = crypto.createHash('sha256').update(c.req.header('authorization') ?? '').digest();
      if (!crypto.timingSafeEqual(given, expected)) return errorAnswer(c, new ApiError('unauthorized', 'GET /metrics needs Authorization: Bearer <KEYWAY_METRICS_TOKEN>.'));
    }
    const registry = ctx.metrics!.registry;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  });
}
