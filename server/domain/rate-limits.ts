import { sql } from 'kysely';
import { groupCommit, preparedWrite } from '../storage/db.js';
import type { Ctx } from './context.js';
import { ApiError } from './errors.js';

/**
 * Fixed-window counters in the database, so limits hold across instances (docs/architecture.md).
 * Counts this attempt, then throws 429 (with Retry-After) when the window is over its limit.
 */
export async function consumeRate(ctx: Ctx, bucket: string, limit: number, windowSeconds: number, code: 'rate_limited' | 'too_many_attempts' = 'rate_limited'): Promise<void> {
  const nowS = Math.floor(ctx.clock.now().getTime() / 1000);
  const windowStart = nowS - (nowS % windowSeconds);
  const {
    rows: [row],
  } = await groupCommit(ctx.store.db, (tx) => countersUpsert(1)(tx, bucket, windowStart));
  if (Number(row.count) > limit) {
    throw new ApiError(code, 'Too many attempts. Try again later.', undefined, Math.max(1, windowStart + windowSeconds - nowS));
  }
}

// One compiled upsert per number of buckets (the send limits always count four).
const upserts = new Map<number, ReturnType<typeof buildCountersUpsert>>();
const countersUpsert = (n: number) => {
  let upsert = upserts.get(n);
  if (!upsert) upserts.set(n, (upsert = buildCountersUpsert(n)));
  return upsert;
};
function buildCountersUpsert(n: number) {
  return preparedWrite<{ bucket: string; count: number }, unknown[]>(
    (db, ...p) =>
      db
        .insertInto('rate_counters')
        .values(Array.from({ length: n }, (_, i) => ({ bucket: p[2 * i], window_start: p[2 * i + 1], count: 1 })))
        .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql`rate_counters.count + 1` }))
        .returning(['bucket', 'count']),
    2 * n,
  );
}

/** Housekeeping: windows older than a day are gone. */
export async function pruneRateCounters(ctx: Ctx): Promise<void> {
  const cutoff = Math.floor(ctx.clock.now().getTime() / 1000) - 86400;
  await ctx.store.db.deleteFrom('rate_counters').where('window_start', '<', cutoff).execute();
}

/**
 * Several counters in one statement (the send limits, docs/security.md): every bucket counts this attempt,
 * then the first one over its limit answers 429 with its own Retry-After.
 */
export async function consumeRates(ctx: Ctx, limits: { bucket: string; limit: number; windowSeconds: number }[]): Promise<void> {
  const nowS = Math.floor(ctx.clock.now().getTime() / 1000);
  const rows = limits.map((l) => ({ bucket: l.bucket, window_start: nowS - (nowS % l.windowSeconds), count: 1 }));
  const { rows: counted } = await groupCommit(ctx.store.db, (tx) => countersUpsert(rows.length)(tx, ...rows.flatMap((r) => [r.bucket, r.window_start])));
  const byBucket = new Map(counted.map((r) => [r.bucket, Number(r.count)]));
  for (const [i, l] of limits.entries()) {
    if ((byBucket.get(l.bucket) ?? 0) > l.limit) {
      throw new ApiError('rate_limited', 'Too many attempts. Try again later.', undefined, Math.max(1, rows[i].window_start + l.windowSeconds - nowS));
    }
  }
}
