import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql, type Updateable } from 'kysely';
import { addSeconds, type Clock, nowIso } from '../clock.js';
import { fixedLimit, isPostgres, type Store, type Tx } from './db.js';
import type { Database } from './schema.js';
import { preparedWrite } from './statements.js';
import { type Lanes, runDue, type StopWorker, startLanes, type WorkerDeps } from './worker.js';

export { ABANDONED, type StopWorker, startWorker, type WorkerDeps } from './worker.js';

// One outbox mechanism (docs/architecture.md): a table of rows to send, claimed with a lease by a
// compare-and-set on `claimed_until` (FOR UPDATE SKIP LOCKED on PostgreSQL), each sent on its own
// with a deadline, recorded as delivered, retried on a schedule, or given up. The message queue,
// the webhook deliveries and the wallet pushes are three definitions of it.

/** The tables that are outboxes, and the columns every one of them has. */
export type OutboxTable = 'message_queue' | 'webhook_deliveries' | 'wallet_pushes';
export interface OutboxRow {
  id: number | string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
}

/** What an outbox runs against (the domain's context is one). */
export interface OutboxDeps extends WorkerDeps {
  store: Store;
  clock: Clock;
  /** KEYWAY_OUTBOX_LEASE: how long a claimed row stays with its claimer. */
  config: { leaseSeconds: number };
}

/**
 * Seconds before attempt n+1: `delays[n-1]` (the last repeats), with ± `jitter` (a fraction), or a
 * longer Retry-After the destination asked for (capped at `maxRetryAfter`).
 */
export interface RetrySchedule {
  delays: readonly number[];
  /** Give up after this many attempts (none: only `giveUpAt` ends the retries). */
  maxAttempts?: number;
  jitter?: number;
  maxRetryAfter?: number;
}

export function retryDelay(
  schedule: RetrySchedule,
  attempt: number,
  retryAfter?: number,
  random: () => number = Math.random,
): number {
  const base = schedule.delays[Math.min(Math.max(attempt, 1) - 1, schedule.delays.length - 1)];
  const jittered = schedule.jitter ? base * (1 - schedule.jitter + 2 * schedule.jitter * random()) : base;
  return Math.max(jittered, Math.min(retryAfter ?? 0, schedule.maxRetryAfter ?? Infinity));
}

/** How one attempt went, as its definition's `deliver` tells it. */
export type Outcome<Row> =
  | { ok: true; set?: Partial<Row>; after?: () => Promise<unknown> }
  | {
      ok: false;
      error: string;
      /** Seconds the destination asked to wait. */
      retryAfter?: number;
      /** No retry can help (refused for good, endpoint gone). */
      final?: boolean;
      set?: Partial<Row>;
      /** After the attempt is recorded; `final` says whether the row was given up. */
      after?: (final: boolean) => Promise<unknown>;
    };

export interface OutboxDefinition<D extends OutboxDeps, TB extends OutboxTable, Row extends OutboxRow> {
  name: string;
  table: TB;
  /** Rows still to send (neither delivered nor given up). */
  pending: (eb: ExpressionBuilder<Database, TB>) => Expression<SqlBool>;
  /** The column naming a row's destination: each has its own slots. */
  destination: keyof Row & string;
  orderBy: 'id' | 'next_attempt_at';
  /** Rows in flight per process, and per destination (a stuck one holds only its own). */
  concurrency: number;
  perDestination: number;
  /** A circuit breaker per destination (storage/worker.ts): failed attempts in a row before it keeps one slot. */
  breakAfter?: number;
  retry: RetrySchedule;
  /** When a row is given up at the latest, whatever the schedule says. */
  giveUpAt?: (deps: D, row: Row) => string;
  /** One attempt; `signal` aborts it when shutdown stops waiting. Throwing counts as a failed attempt. */
  deliver(deps: D, row: Row, signal: AbortSignal): Promise<Outcome<Row>>;
  /** Columns written when a row is delivered, and when it is given up. */
  delivered: (at: string) => Updateable<Database[TB]>;
  givenUp: (at: string) => Updateable<Database[TB]>;
  /**
   * Rows delivered in one turn of the event loop are marked by one statement (one commit instead
   * of one per row); a row whose `inTransaction` answers work is marked with that work instead.
   */
  batchDelivered?: boolean;
  inTransaction?: (deps: D, row: Row) => ((tx: Tx, at: string) => Promise<void>) | undefined;
  /** A failed attempt was recorded (its log line, metrics). */
  onFailure?: (deps: D, row: Row, failure: { attempt: number; error: string; final: boolean }) => void;
}

export interface Outbox<D> {
  /** Claims and sends every due row once and waits for them; how many were delivered (tests, one-shot runs). */
  deliverDue(deps: D, opts?: { before?: () => Promise<unknown> }): Promise<number>;
  /** The background worker over this outbox (see {@link startLanes}). */
  start(
    deps: D,
    opts: {
      pollMs: number;
      wakeOn: string[];
      gatherMs?: number;
      immediately?: boolean;
      before?: () => Promise<unknown>;
    },
  ): StopWorker;
}

// The generic statements run over the columns every outbox has.
type Untyped = Kysely<Record<OutboxTable, OutboxRow & Record<string, unknown>>>;
const untyped = (db: Kysely<Database>) => db as unknown as Untyped;

export function defineOutbox<D extends OutboxDeps, TB extends OutboxTable, Row extends OutboxRow>(
  def: OutboxDefinition<D, TB, Row>,
): Outbox<D> {
  const table = def.table as OutboxTable;
  const pending = def.pending as unknown as (
    eb: ExpressionBuilder<Record<OutboxTable, OutboxRow & Record<string, unknown>>, OutboxTable>,
  ) => Expression<SqlBool>;
  const claimable =
    (now: string) => (eb: ExpressionBuilder<Record<OutboxTable, OutboxRow & Record<string, unknown>>, OutboxTable>) =>
      eb.and([pending(eb), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
  // One statement claims: the outer condition is re-checked per row, so instances never share one,
  // and on PostgreSQL rows another instance is claiming are skipped rather than waited for.
  const build = (db: Kysely<Database>, limit: number, busy: readonly string[], until: string, now: string) =>
    untyped(db)
      .updateTable(table)
      .set({ claimed_until: until })
      .where((eb) => {
        let q = eb.selectFrom(table).select('id').where(claimable(now)).where('next_attempt_at', '<=', now);
        if (busy.length) q = q.where(def.destination as 'id', 'not in', [...busy]);
        q = q.orderBy(def.orderBy).limit(fixedLimit(limit));
        // PostgreSQL may run an IN (… LIMIT n FOR UPDATE SKIP LOCKED) subquery again for each row it
        // checks, each time skipping what it just locked: one claim of 4 took 108 rows. An array is
        // evaluated once.
        return isPostgres(db)
          ? sql<SqlBool>`${sql.ref('id')} = any(array(${q.forUpdate().skipLocked()}))`
          : eb('id', 'in', q);
      })
      .where(claimable(now))
      .returningAll();
  // Compiled once per limit (the usual claim, with no destination busy); other shapes are built each time.
  const compiled = new Map<
    number,
    (db: Kysely<Database>, until: string, now: string) => Promise<{ rows: unknown[] }>
  >();
  const claim = async (deps: D, limit: number, busy: readonly string[]): Promise<Row[]> => {
    const now = nowIso(deps);
    const until = addSeconds(now, deps.config.leaseSeconds);
    let rows: unknown[];
    if (busy.length) rows = await build(deps.store.db, limit, busy, until, now).execute();
    else {
      let statement = compiled.get(limit);
      if (!statement)
        compiled.set(
          limit,
          (statement = preparedWrite<unknown, [string, string]>((db, u, n) => build(db, limit, [], u, n) as never, 2)),
        );
      rows = (await statement(deps.store.db, until, now)).rows;
    }
    const key = def.orderBy as keyof Row;
    return (rows as Row[]).sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
  };

  const finish = (deps: D, row: Row, set: Record<string, unknown>) =>
    untyped(deps.store.db)
      .updateTable(table)
      .set({ claimed_until: null, ...set })
      .where('id', '=', row.id)
      .execute();

  /** Marks rows delivered in the same turn with one statement. */
  const batchMarker = (deps: D) => {
    let ids: (number | string)[] = [];
    let flush: Promise<void> | undefined;
    return (row: Row): Promise<void> => {
      ids.push(row.id);
      flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        const batch = ids;
        ids = [];
        flush = undefined;
        await untyped(deps.store.db)
          .updateTable(table)
          .set((eb) => ({
            ...(def.delivered(nowIso(deps)) as object),
            attempts: eb('attempts', '+', 1),
            claimed_until: null,
            last_error: null,
          }))
          .where('id', 'in', batch)
          .execute();
      });
      return flush;
    };
  };

  const attempt = async (
    deps: D,
    row: Row,
    signal: AbortSignal,
    markBatch: (row: Row) => Promise<void>,
  ): Promise<boolean> => {
    const attempts = row.attempts + 1;
    let outcome: Outcome<Row>;
    try {
      outcome = signal.aborted
        ? { ok: false, error: String((signal.reason as Error)?.message ?? 'aborted') }
        : await def.deliver(deps, row, signal);
    } catch (err) {
      const retryAfter = (err as { retryAfter?: unknown })?.retryAfter;
      outcome = {
        ok: false,
        error: (err as Error)?.message ?? 'failed',
        ...(typeof retryAfter === 'number' ? { retryAfter } : {}),
      };
    }
    const at = nowIso(deps);
    if (outcome.ok) {
      const work = def.inTransaction?.(deps, row);
      if (work) {
        await deps.store.db.transaction().execute(async (tx) => {
          await untyped(tx)
            .updateTable(table)
            .set({ ...(def.delivered(at) as object), ...outcome.set, attempts, claimed_until: null, last_error: null })
            .where('id', '=', row.id)
            .execute();
          await work(tx, at);
        });
      } else if (def.batchDelivered && !outcome.set) await markBatch(row);
      else await finish(deps, row, { ...(def.delivered(at) as object), ...outcome.set, attempts, last_error: null });
      await outcome.after?.();
      return true;
    }
    const next = addSeconds(at, retryDelay(def.retry, attempts, outcome.retryAfter));
    const giveUpAt = def.giveUpAt?.(deps, row);
    const final =
      outcome.final === true ||
      (def.retry.maxAttempts !== undefined && attempts >= def.retry.maxAttempts) ||
      (giveUpAt !== undefined && next >= giveUpAt);
    const error = outcome.error.slice(0, 300);
    await finish(deps, row, {
      attempts,
      next_attempt_at: next,
      last_error: error,
      ...(final ? (def.givenUp(at) as object) : {}),
      ...outcome.set,
    });
    def.onFailure?.(deps, row, { attempt: attempts, error: outcome.error, final });
    await outcome.after?.(final);
    return false;
  };

  const lanesOf = (deps: D): Lanes<Row> => {
    const markBatch = batchMarker(deps);
    return {
      name: def.name,
      concurrency: def.concurrency,
      perDestination: def.perDestination,
      ...(def.breakAfter ? { breakAfter: def.breakAfter } : {}),
      claim: (limit, busy) => claim(deps, limit, busy),
      destinationOf: (row) => String(row[def.destination]),
      attempt: (row, signal) => attempt(deps, row, signal, markBatch),
    };
  };

  return {
    deliverDue: (deps, opts = {}) => runDue(deps, lanesOf(deps), opts.before),
    start: (deps, opts) => startLanes(deps, { ...lanesOf(deps), ...opts }),
  };
}
