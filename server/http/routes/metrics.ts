import crypto from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import { Gauge } from 'prom-client';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import { certificateExpiries } from '../../domain/wallets/certificate-expiry.js';
import { resignStatus } from '../../domain/wallets/resign.js';
import { followRecordedSigner } from '../../domain/wallets/signer.js';
import type { Metrics } from '../../metrics.js';
import { readCacheStats, type Store } from '../../storage/db.js';
import type { Database } from '../../storage/schema.js';
import type { AppEnv } from '../context.js';
import { errorAnswer } from '../errors.js';

/**
 * `GET /metrics` (docs/deploy.md): open in development; otherwise `Authorization: Bearer
 * <KEYWAY_METRICS_TOKEN>`, and 404 when no token is configured (the endpoint does not exist).
 */
/**
 * Whether an `Authorization` header carries the metrics token: always in development, never when no
 * token is configured outside it. /metrics and /readyz's detail share it.
 */
export function metricsAuthorized(ctx: Ctx, authorization: string | undefined): boolean {
  const token = ctx.config.metricsToken;
  if (!token) return ctx.config.dev;
  const expected = crypto.createHash('sha256').update(`Bearer ${token}`).digest();
  const given = crypto
    .createHash('sha256')
    .update(authorization ?? '')
    .digest();
  return crypto.timingSafeEqual(given, expected);
}

export function metricsRoute(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  if (!ctx.config.dev && !ctx.config.metricsToken) return;
  app.get('/metrics', async (c) => {
    if (!metricsAuthorized(ctx, c.req.header('authorization')))
      return errorAnswer(
        c,
        new ApiError('unauthorized', 'GET /metrics needs Authorization: Bearer <KEYWAY_METRICS_TOKEN>.'),
      );
    const registry = ctx.metrics!.registry;
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  });
}

const ageSeconds = (iso: string | null | undefined, now: number) =>
  iso ? Math.max(0, (now - Date.parse(iso)) / 1000) : 0;

/** SPEC §15: days to expiry of the pass certificate and the WWDR, and a certificate roll's progress, read when scraped. */
export function watchCertificates(metrics: Metrics, ctx: Ctx): void {
  new Gauge({
    name: 'keyway_certificate_expiry_days',
    help: 'Whole days until the signing certificate expires, by certificate (pass, wwdr; next: KEYWAY_APPLE_NEXT_CERT before its roll)',
    labelNames: ['certificate'],
    registers: [metrics.registry],
    async collect() {
      await followRecordedSigner(ctx).catch(() => undefined); // the database is away: the last known signer
      for (const c of certificateExpiries(ctx)) this.set({ certificate: c.certificate }, c.days);
    },
  });
  // `keyway passes resign` runs in its own process: its progress is read from the database.
  let roll: Awaited<ReturnType<typeof resignStatus>> | undefined;
  const rollStatus = async () => {
    // The database away: the last figures read.
    roll = ctx.wallet?.apple ? await resignStatus(ctx).catch(() => roll) : null;
    return roll;
  };
  new Gauge({
    name: 'keyway_pass_resign_passes',
    help: 'Live Apple passes of the current certificate roll (keyway passes resign), by state (done, pending)',
    labelNames: ['state'],
    registers: [metrics.registry],
    async collect() {
      const r = await rollStatus();
      this.set({ state: 'done' }, r?.done ?? 0);
      this.set({ state: 'pending' }, r?.pending ?? 0);
    },
  });
  new Gauge({
    name: 'keyway_pass_resign_pushes',
    help: 'Pushes APNs answered for the current certificate roll (a counter, read from the database)',
    registers: [metrics.registry],
    async collect() {
      this.set((await rollStatus())?.pushed ?? 0);
    },
  });
}

/** Gauges read when scraped: pool, queues' lag, streams, read cache. */
export function watchState(metrics: Metrics, store: Store, subscribers: () => number): void {
  const registers = [metrics.registry];
  const pool = store.pool;
  new Gauge({
    name: 'keyway_db_pool_connections',
    help: 'PostgreSQL pool connections by state (in_use, idle, waiting = requests waiting for one)',
    labelNames: ['state'],
    registers,
    collect() {
      if (!pool) return;
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  const db: Kysely<Database> = store.db;
  new Gauge({
    name: 'keyway_queue_lag_seconds',
    help: 'Age of the oldest work not yet done: outbox rows not fanned out, webhook deliveries, messages and wallet pushes due',
    labelNames: ['queue'],
    registers,
    async collect() {
      const now = Date.now();
      const at = new Date(now).toISOString();
      const [outbox, webhooks, messages, pushes] = await Promise.all([
        db
          .selectFrom('outbox')
          .select((eb) => eb.fn.min('created_at').as('t'))
          .where('fanned_at', 'is', null)
          .executeTakeFirst(),
        db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.min('next_attempt_at').as('t'))
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', at)
          .executeTakeFirst(),
        db
          .selectFrom('message_queue')
          .select((eb) => eb.fn.min('next_attempt_at').as('t'))
          .where('delivered_at', 'is', null)
          .where('failed_at', 'is', null)
          .where('next_attempt_at', '<=', at)
          .executeTakeFirst(),
        db
          .selectFrom('wallet_pushes')
          .select((eb) => eb.fn.min('next_attempt_at').as('t'))
          .where('done_at', 'is', null)
          .where('failed_at', 'is', null)
          .where('next_attempt_at', '<=', at)
          .executeTakeFirst(),
      ]).catch(() => [undefined, undefined, undefined, undefined]); // the database is away: the scrape still answers
      this.set({ queue: 'outbox' }, ageSeconds(outbox?.t as string | undefined, now));
      this.set({ queue: 'webhooks' }, ageSeconds(webhooks?.t as string | undefined, now));
      this.set({ queue: 'messages' }, ageSeconds(messages?.t as string | undefined, now));
      this.set({ queue: 'wallet_pushes' }, ageSeconds(pushes?.t as string | undefined, now));
    },
  });
  new Gauge({
    name: 'keyway_sse_subscribers',
    help: 'Open live-status streams on this instance',
    registers,
    collect() {
      this.set(subscribers());
    },
  });
  new Gauge({
    name: 'keyway_read_cache_lookups',
    help: 'Cached reads since start, by outcome (hit, miss); a counter, exposed as a gauge because it is read from the cache',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.set({ outcome: 'hit' }, readCacheStats.hits);
      this.set({ outcome: 'miss' }, readCacheStats.misses);
    },
  });
}
