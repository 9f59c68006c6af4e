import crypto from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { instanceIdOf } from '../../crypto/secrets.js';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import { certificateExpiries } from '../../domain/wallets/certificate-expiry.js';
import { devGoogleSave, devPasses } from '../../domain/wallets/dev-phone.js';
import { migrationsApplied, ping } from '../../storage/migrations.js';
import type { AppEnv } from '../context.js';
import { renderDocs } from '../docs.js';
import { DATABASE_RETRY_AFTER_S, errorAnswer } from '../errors.js';
import { openApiDocument } from '../openapi.js';
import { defineRoute } from '../route.js';
import { metricsAuthorized } from './metrics.js';

/** A named start-up dependency for /readyz; returns a problem or null. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<string | null>;
  /** Shown in `checks` but never makes the instance unready (an optional upstream such as HID Origo). */
  advisory?: boolean;
}

// A 16×16 key glyph in the brand blue, so browsers stop asking for a missing icon.
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f4fd1"/><circle cx="6" cy="8" r="2.5" fill="none" stroke="#fff" stroke-width="1.5"/><path d="M8.5 8h5M11.5 8v2" stroke="#fff" stroke-width="1.5"/></svg>';

export function systemRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, readiness: ReadinessCheck[]): void {
  const instanceId = instanceIdOf(ctx.keys);
  defineRoute(
    app,
    {
      method: 'get',
      path: '/healthz',
      summary: 'Process alive',
      tag: 'Operations',
      auth: 'none',
      status: 200,
      response: z.object({
        ok: z.boolean(),
        instance_id: z.string().openapi({
          description:
            'The same on every instance sharing KEYWAY_SECRET (derived from it, revealing nothing of it): `keyway doctor` checks that PUBLIC_URL answers with it',
        }),
      }),
      database: false,
    },
    (_, c) => c.json({ ok: true, instance_id: instanceId }),
  );

  const Readiness = z
    .object({
      ok: z.boolean(),
      checks: z.record(z.string(), z.string()).openapi({
        description:
          'Each check: `ok`, or what is wrong — only with `Authorization: Bearer <KEYWAY_METRICS_TOKEN>` (in development without a token, to anyone), `failing` for anyone else',
      }),
      certificates: z
        .array(
          z.object({
            certificate: z.enum(['pass', 'wwdr', 'next']),
            not_after: z.string(),
            days: z.number().int().openapi({ description: 'Whole days to expiry' }),
          }),
        )
        .optional()
        .openapi({
          description:
            'Days to expiry of the pass certificate and the WWDR (SPEC §15), and of the next pass certificate (KEYWAY_APPLE_NEXT_CERT) while one waits to be rolled in; only with `Authorization: Bearer <KEYWAY_METRICS_TOKEN>` (always in development)',
        }),
    })
    .openapi('Readiness');
  defineRoute(
    app,
    {
      method: 'get',
      path: '/readyz',
      summary: 'Database reachable, migrations applied, signer loaded',
      tag: 'Operations',
      auth: 'none',
      status: 200,
      response: Readiness,
      answers: {
        503: {
          description: 'Not ready (or draining): `checks` says why',
          response: Readiness,
          headers: ['Retry-After'],
        },
      },
    },
    async (_, c) => {
      const checks: Record<string, string> = {};
      let ok = true;
      try {
        await ping(ctx.store.db);
        checks.database = 'ok';
        const applied = await migrationsApplied(ctx.store.db, ctx.store.dialect);
        checks.migrations = applied ? 'ok' : 'pending';
        ok &&= applied;
      } catch {
        checks.database = 'unreachable';
        ok = false;
      }
      for (const r of readiness) {
        const problem = await r.check().catch((e: Error) => e.message);
        checks[r.name] = problem ?? 'ok';
        if (problem && !r.advisory) ok = false;
      }
      // What is wrong (a path, a host, an upstream's words) is for the operator: the metrics token's holder
      // (anyone in development without a token) reads it; anyone else learns each check's name and whether it passes.
      const authorized = metricsAuthorized(ctx, c.req.header('authorization'));
      if (!authorized) for (const name of Object.keys(checks)) if (checks[name] !== 'ok') checks[name] = 'failing';
      const detail = authorized
        ? {
            certificates: certificateExpiries(ctx).map(({ certificate, not_after, days }) => ({
              certificate,
              not_after,
              days,
            })),
          }
        : {};
      // A 503 always says when to come back (docs/errors.md), a probe's too.
      return ok
        ? c.json({ ok, checks, ...detail })
        : c.json({ ok, checks, ...detail }, 503, { 'retry-after': String(DATABASE_RETRY_AFTER_S) });
    },
  );

  app.get('/favicon.ico', (c) =>
    c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' }),
  );

  app.get('/openapi.json', (c) => c.json(openApiDocument(app, ctx)));

  app.get('/docs', (c) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    c.header(
      'content-security-policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`,
    );
    c.header('referrer-policy', 'no-referrer');
    return c.html(renderDocs(openApiDocument(app, ctx) as never, nonce));
  });

  if (ctx.config.dev) {
    // Dev phone's inbox (docs/api.md): development only, loopback peers only (app.ts).
    app.get('/dev/outbox', async (c) => {
      const to = c.req.query('to');
      let q = ctx.store.db.selectFrom('messages').selectAll().orderBy('id', 'desc').limit(200);
      if (to) q = q.where('recipient', '=', to);
      const rows = await q.execute();
      return c.json({
        messages: rows.map((r) => ({
          id: String(r.id),
          channel: r.channel,
          to: r.recipient,
          ...(r.subject ? { subject: r.subject } : {}),
          body: r.body,
          sent_at: r.sent_at,
        })),
      });
    });

    // The dev phone's wallet (docs/api.md): the passes this server produced, with what a phone reads
    // from each pass.json, so the demo's simulated phone can make the PassKit registration call itself.
    app.get('/dev/passes', async (c) => {
      c.header('cache-control', 'no-store');
      return c.json({ passes: await devPasses(ctx) });
    });

    // A Google save as Google would post it, signed with the dev callback root; the dev phone posts
    // it to /wallet/google/callback, so the device turns active through the real callback route.
    app.post('/dev/passes/:deviceId/google-save', async (c) => {
      try {
        return c.json({ callback: await devGoogleSave(ctx, c.req.param('deviceId').slice(0, 64)) });
      } catch (error) {
        if (error instanceof ApiError) return errorAnswer(c, error);
        throw error;
      }
    });
  }
}
