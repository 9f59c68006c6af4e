import { type Kysely, sql } from 'kysely';
import { defineWrite, transaction, type WriteStatement, writeOne } from '../storage/db.js';
import type { Database } from '../storage/schema.js';
import { ipv6Groups } from '../webhooks/destination.js';
import type { Ctx } from './context.js';
import { ApiError } from './errors.js';

/**
 * Fixed-window counters in the database, so limits hold across instances (docs/architecture.md).
 * Counts this attempt, then throws 429 (with Retry-After) when the window is over its limit;
 * answers the window's start (for `giveBack`).
 */
export async function consumeRate(
  ctx: Ctx,
  bucket: string,
  limit: number,
  windowSeconds: number,
  code: 'rate_limited' | 'too_many_attempts' = 'rate_limited',
): Promise<number> {
  const nowS = Math.floor(ctx.clock.now().getTime() / 1000);
  const windowStart = nowS - (nowS % windowSeconds);
  const {
    rows: [row],
  } = await countOne(ctx, bucket, windowStart);
  if (Number(row.count) > limit) {
    throw new ApiError(
      code,
      'Too many attempts. Try again later.',
      undefined,
      Math.max(1, windowStart + windowSeconds - nowS),
    );
  }
  return windowStart;
}

/**
 * Takes back one count `consumeRate` made in the window it answered: for limits that count only
 * some outcomes (refused door checks), counted before the decision so concurrent requests cannot
 * all see room left, and given back when the outcome is not one that counts.
 */
export async function giveBack(ctx: Ctx, bucket: string, windowStart: number): Promise<void> {
  await ctx.store.db
    .updateTable('rate_counters')
    .set({ count: sql`count - 1` })
    .where('bucket', '=', bucket)
    .where('window_start', '=', windowStart)
    .execute();
}

/** One counter, one statement (its own commit on PostgreSQL, the grouped one on SQLite). */
const countOne = (ctx: Ctx, bucket: string, windowStart: number) =>
  writeOne(ctx.store.db, countEvery(1), bucket, windowStart);

/** Housekeeping: windows older than a day are gone. */
export async function pruneRateCounters(ctx: Ctx): Promise<void> {
  const cutoff = Math.floor(ctx.clock.now().getTime() / 1000) - 86400;
  await ctx.store.db.deleteFrom('rate_counters').where('window_start', '<', cutoff).execute();
}

/**
 * The send limits (docs/security.md, "limits, order"): buckets listed narrowest first (phone, IP, key,
 * global) are counted as if one by one in one transaction, and the first over its limit stops the
 * count, so a refused request counts against no wider bucket and one client can never use up a
 * key's or the world's allowance. Answers 429 with that bucket's own Retry-After.
 */
export async function consumeRates(
  ctx: Ctx,
  narrowestFirst: { bucket: string; limit: number; windowSeconds: number }[],
): Promise<void> {
  const nowS = Math.floor(ctx.clock.now().getTime() / 1000);
  const windowStart = (l: { windowSeconds: number }) => nowS - (nowS % l.windowSeconds);
  let refused: (typeof narrowestFirst)[number] | undefined;
  if (ctx.store.dialect === 'postgres') {
    // One statement instead of BEGIN, one upsert per bucket and COMMIT (six round trips for the send limits).
    const counts = await countInOrder(
      ctx.store.db,
      narrowestFirst.map((l) => ({ bucket: l.bucket, windowStart: windowStart(l), limit: l.limit })),
    );
    refused = narrowestFirst.find((l, i) => counts[i] !== null && counts[i]! > l.limit);
  } else {
    // SQLite: one upsert counts every bucket and, in the same transaction (nothing else reads
    // between), the buckets wider than the first one over its limit get their count back — the
    // loop's outcome with one statement in the common case instead of one per bucket.
    const keys = narrowestFirst.flatMap((l) => [l.bucket, windowStart(l)]);
    refused = await transaction(ctx.store.db, async (tx) => {
      const { rows } = await countEvery(narrowestFirst.length)(tx, ...keys);
      const countOf = new Map(rows.map((r) => [r.bucket, Number(r.count)]));
      const first = narrowestFirst.findIndex((l) => countOf.get(l.bucket)! > l.limit);
      if (first < 0) return undefined;
      for (const wider of narrowestFirst.slice(first + 1)) {
        await tx
          .updateTable('rate_counters')
          .set({ count: sql`count - 1` })
          .where('bucket', '=', wider.bucket)
          .where('window_start', '=', windowStart(wider))
          .execute();
      }
      return narrowestFirst[first];
    });
  }
  if (refused)
    throw new ApiError(
      'rate_limited',
      'Too many attempts. Try again later.',
      undefined,
      Math.max(1, windowStart(refused) + refused.windowSeconds - nowS),
    );
}

// Every bucket counted by one upsert, answering each one's new count; compiled once per number of buckets
// (one for a single counter, four for the send limits on SQLite).
const countEveryOf = new Map<number, WriteStatement<{ bucket: string; count: number }, (string | number)[]>>();
function countEvery(n: number) {
  let statement = countEveryOf.get(n);
  if (!statement) {
    statement = defineWrite<{ bucket: string; count: number }, (string | number)[]>(
      (db, ...p) =>
        db
          .insertInto('rate_counters')
          .values(
            Array.from({ length: n }, (_, i) => ({
              bucket: p[2 * i] as string,
              window_start: p[2 * i + 1] as number,
              count: 1,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql`rate_counters.count + 1` }),
          )
          .returning(['bucket', 'count']),
      2 * n,
    );
    countEveryOf.set(n, statement);
  }
  return statement;
}

/**
 * PostgreSQL: the buckets counted in order by one statement — each a data-modifying CTE that runs
 * only while every narrower bucket's new count is within its limit — answering each bucket's new
 * count, or null for one not counted. The same outcome as counting one by one, in one round trip and one commit.
 */
async function countInOrder(
  db: Kysely<Database>,
  buckets: { bucket: string; windowStart: number; limit: number }[],
): Promise<(number | null)[]> {
  const parts = buckets.map((b, i) => {
    const within = buckets
      .slice(0, i)
      .map((prev, j) => sql`(select count from c${sql.raw(String(j))}) <= ${prev.limit}`);
    const guard = within.length ? sql` where ${sql.join(within, sql` and `)}` : sql``;
    return sql`c${sql.raw(String(i))} as (insert into rate_counters (bucket, window_start, count) select ${b.bucket}, ${b.windowStart}, 1${guard} on conflict (bucket, window_start) do update set count = rate_counters.count + 1 returning count)`;
  });
  const answers = buckets.map((_, i) => sql`(select count from c${sql.raw(String(i))}) as c${sql.raw(String(i))}`);
  const { rows } = await sql<
    Record<string, number | string | null>
  >`with ${sql.join(parts, sql`, `)} select ${sql.join(answers, sql`, `)}`.execute(db);
  return buckets.map((_, i) => {
    const v = rows[0][`c${i}`];
    return v === null || v === undefined ? null : Number(v);
  });
}

/**
 * The client a per-IP bucket counts: an IPv4 address, or an IPv6 address's /64 (one subscriber
 * gets a whole /64, so counting per address would let one client rotate through 2⁶⁴ of them).
 */
export function ipBucketOf(ip: string): string {
  const groups = ipv6Groups(ip);
  return groups
    ? `${groups
        .slice(0, 4)
        .map((g) => g.toString(16))
        .join(':')}::/64`
    : ip;
}

/**
 * The networks a client's sends count in, narrowest first, each with its own limit (docs/security.md
 * "sends"): IPv4 the address and its /24; IPv6 the /64 (one subscriber), the /56 (what many ISPs
 * hand a home) and the /48 (a site). One network can then use up only its own allowance, however
 * many addresses it rotates through.
 */
export function networkBucketsOf(
  ip: string,
  l: {
    sendsPerIpHour: number;
    sendsPerIpv4Net24Hour: number;
    sendsPerIpv6Net56Hour: number;
    sendsPerIpv6Net48Hour: number;
  },
): { bucket: string; limit: number }[] {
  const groups = ipv6Groups(ip);
  // A network holds the address: it is never allowed fewer sends than the address alone.
  const net = (limit: number) => Math.max(limit, l.sendsPerIpHour);
  if (!groups) {
    const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(ip);
    return [
      { bucket: ip, limit: l.sendsPerIpHour },
      ...(v4 ? [{ bucket: `${v4[1]}.0/24`, limit: net(l.sendsPerIpv4Net24Hour) }] : []),
    ];
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  return [
    { bucket: ipBucketOf(ip), limit: l.sendsPerIpHour },
    { bucket: `${hex([...groups.slice(0, 3), groups[3] & 0xff00])}::/56`, limit: net(l.sendsPerIpv6Net56Hour) },
    { bucket: `${hex(groups.slice(0, 3))}::/48`, limit: net(l.sendsPerIpv6Net48Hour) },
  ];
}
