// GET /metrics (SPEC §9): this instance's figures in Prometheus text format, through prom-client.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Database } from './storage/schema.js';
import { readCacheStats, type Store } from './storage/db.js';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestSeconds: Histogram<'method' | 'route'>;
  webhookAttempts: Counter<'result'>;
  sends: Counter<'channel' | 'result'>;
  passesBuilt: Counter<'platform'>;
}

/** The instruments one app records into; its own registry, so tests may run several apps in one process. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'keyway_http_requests_total', help: 'Requests answered, by route template and status', labelNames: ['method', 'route', 'status'], registers }),
    requestSeconds: new Histogram({
      name: 'keyway_http_request_duration_seconds',
      help: 'Time to answer, by route template',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    webhookAttempts: new Counter({ name: 'keyway_webhook_attempts_total', help: 'Webhook delivery attempts by result (delivered, failed, retry)', labelNames: ['result'], registers }),
    sends: new Counter({ name: 'keyway_message_sends_total', help: 'SMS and email sends by channel and result (sent, retry, failed)', labelNames: ['channel', 'result'], registers }),
    passesBuilt: new Counter({ name: 'keyway_passes_built_total', help: 'Wallet passes built, by platform', labelNames: ['platform'], registers }),
  };
}

const ageSeconds = (iso: string | null | undefined, now: number) => (iso ? Math.max(0, (now - Date.parse(iso)) / 1000) : 0);

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
        db.selectFrom('outbox').select((eb) => eb.fn.min('created_at').as('t')).where('fanned_at', 'is', null).executeTakeFirst(),
        db.selectFrom('webhook_deliveries').select((eb) => eb.fn.min('next_attempt_at').as('t')).where('status', '=', 'pending').where('next_attempt_at', '<=', at).executeTakeFirst(),
        db.selectFrom('message_queue').select((eb) => eb.fn.min('next_attempt_at').as('t')).where('delivered_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', at).executeTakeFirst(),
        db.selectFrom('wallet_pushes').select((eb) => eb.fn.min('next_attempt_at').as('t')).where('done_at', 'is', null).where('failed_at', 'is', null).where('next_attempt_at', '<=', at).executeTakeFirst(),
      ]).catch(() => [undefined, undefined, undefined, undefined]); // the database is away: the scrape still answers
      this.set({ queue: 'outbox' }, ageSeconds(outbox?.t as string | undefined, now));
      this.set({ queue: 'webhooks' }, ageSeconds(webhooks?.t as string | undefined, now));
      this.set({ queue: 'messages' }, ageSeconds(messages?.t as string | undefined, now));
      this.set({ queue: 'wallet_pushes' }, ageSeconds(pushes?.t as string | undefined, now));
    },
  });
  new Gauge({ name: 'keyway_sse_subscribers', help: 'Open live-status streams on this instance', registers, collect() { this.set(subscribers()); } });
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
