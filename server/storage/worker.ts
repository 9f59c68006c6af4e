// Background loops over durable tables: the plain poll-and-wake loop, and the lanes that send
// outbox rows each on its own (storage/outbox.ts defines the outboxes over them).
import type { EventEmitter } from 'node:events';
import type { Log } from '../log.js';

/** What a background loop needs: the bus that wakes it and a log for its failures. */
export interface WorkerDeps {
  bus: EventEmitter;
  log: Log;
}

/** How a worker is stopped: at once for new work; `abandon` aborts what is still in flight. */
export type StopWorker = (opts?: { abandon?: AbortSignal }) => Promise<void>;

/** The reason an attempt's signal carries when shutdown abandons it (docs/security.md "time limits"). */
export const ABANDONED = 'abandoned at shutdown';

/**
 * A background loop over a durable table: woken by bus events from this instance, polling for
 * other instances' rows and retries. Wake-ups while a pass runs coalesce into one more pass.
 * `stop()` waits for the pass in flight (claimed rows are finished, not abandoned).
 */
export function startWorker(
  ctx: WorkerDeps,
  opts: {
    name: string;
    pollMs: number;
    wakeOn: string[];
    pass: () => Promise<unknown>;
    immediately?: boolean;
    /** Wait this long after a wake-up event, so a burst of them is handled in one pass. */
    gatherMs?: number;
  },
): StopWorker {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let gathering: NodeJS.Timeout | undefined;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await opts.pass();
        } while (again && !stopped);
      } catch (err) {
        ctx.log({ level: 'error', msg: `${opts.name} failed`, error: (err as Error).message });
      } finally {
        running = undefined;
      }
    })();
  };
  const wake = !opts.gatherMs
    ? run
    : () => {
        gathering ??= setTimeout(() => {
          gathering = undefined;
          run();
        }, opts.gatherMs);
      };
  for (const event of opts.wakeOn) ctx.bus.on(event, wake);
  const timer = setInterval(run, opts.pollMs);
  timer.unref();
  if (opts.immediately !== false) run();
  return async () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(gathering);
    for (const event of opts.wakeOn) ctx.bus.off(event, wake);
    await running;
  };
}

/**
 * Rows sent each on its own (docs/security.md "time limits"): a claimed row starts as soon as its
 * destination has a free slot and nobody waits for the slowest of a batch. At most `concurrency`
 * rows are in flight, at most `perDestination` of them for one destination, so a stuck endpoint
 * holds only its own slots and never the ones the others need.
 */
export interface Lanes<Row> {
  name: string;
  concurrency: number;
  perDestination: number;
  /** The circuit breaker: after this many failed attempts in a row a destination keeps one slot until one succeeds. */
  breakAfter?: number;
  /** At most `limit` due rows, claimed (a lease each), none for a destination in `busy`. */
  claim(limit: number, busy: readonly string[]): Promise<Row[]>;
  destinationOf(row: Row): string;
  /**
   * One attempt, recorded by itself (success, retry or give-up); true when it was delivered.
   * `signal` is aborted (reason {@link ABANDONED}) when shutdown stops waiting for it.
   */
  attempt(row: Row, signal: AbortSignal): Promise<boolean>;
}

interface LaneState {
  /** Claims and starts what fits; resolves once claiming is done (rows may still be in flight). */
  fill(): Promise<void>;
  /** Resolves when nothing is in flight or waiting for a slot. */
  idle(): Promise<void>;
  delivered(): number;
  inFlight(): number;
  abandon(): void;
  onSettled?: () => void;
}

function lanes<Row>(ctx: WorkerDeps, spec: Lanes<Row>): LaneState {
  const inflight = new Set<Promise<unknown>>();
  const perDest = new Map<string, number>();
  // The circuit breaker: a destination whose last BREAK_AFTER attempts all failed keeps one slot
  // (one probe at a time) until an attempt of it succeeds, so failing destinations hold few slots.
  const failures = new Map<string, number>();
  const limitOf = (destination: string) =>
    spec.breakAfter && (failures.get(destination) ?? 0) >= spec.breakAfter ? 1 : spec.perDestination;
  // Claimed rows whose destination is at its limit: they start when one of its slots frees.
  const waiting = new Map<string, Row[]>();
  let waitingCount = 0;
  let delivered = 0;
  const abort = new AbortController();
  let settled: (() => void)[] = [];

  const launch = (row: Row, destination: string) => {
    perDest.set(destination, (perDest.get(destination) ?? 0) + 1);
    const task = spec
      .attempt(row, abort.signal)
      .then(
        (ok) => {
          if (ok) {
            delivered++;
            failures.delete(destination);
          } else failures.set(destination, (failures.get(destination) ?? 0) + 1);
        },
        (err: Error) => ctx.log({ level: 'error', msg: `${spec.name}: attempt failed`, error: err?.message }),
      )
      .finally(() => {
        inflight.delete(task);
        const left = perDest.get(destination)! - 1;
        if (left > 0) perDest.set(destination, left);
        else perDest.delete(destination);
        const queue = waiting.get(destination);
        const next = (perDest.get(destination) ?? 0) < limitOf(destination) ? queue?.shift() : undefined;
        if (next !== undefined) {
          waitingCount--;
          if (queue!.length === 0) waiting.delete(destination);
          launch(next, destination);
        }
        const wake = settled;
        settled = [];
        for (const w of wake) w();
        state.onSettled?.();
      });
    inflight.add(task);
  };

  const admit = (row: Row) => {
    const destination = spec.destinationOf(row);
    if ((perDest.get(destination) ?? 0) < limitOf(destination)) return launch(row, destination);
    const queue = waiting.get(destination) ?? [];
    queue.push(row);
    waiting.set(destination, queue);
    waitingCount++;
  };

  const state: LaneState = {
    async fill() {
      for (;;) {
        // One claim gives a destination at most its own limit, so a row waits for one slot at most.
        const room = Math.min(spec.concurrency - inflight.size - waitingCount, spec.perDestination);
        if (room <= 0 || abort.signal.aborted) return;
        const busy = [...perDest].filter(([d, n]) => n >= limitOf(d)).map(([d]) => d);
        // A destination with rows waiting for its slots is busy too: nothing more of it is claimed.
        for (const d of waiting.keys()) if (!busy.includes(d)) busy.push(d);
        const rows = await spec.claim(room, busy);
        for (const row of rows) admit(row);
        if (rows.length < room) return;
      }
    },
    async idle() {
      while (inflight.size > 0 || waitingCount > 0) await new Promise<void>((resolve) => settled.push(resolve));
    },
    delivered: () => delivered,
    inFlight: () => inflight.size + waitingCount,
    abandon: () => abort.abort(new Error(ABANDONED)),
  };
  return state;
}

/** Claims and sends every due row once and waits for them; returns how many were delivered (tests, one-shot commands). */
export async function runDue<Row>(ctx: WorkerDeps, spec: Lanes<Row>, before?: () => Promise<unknown>): Promise<number> {
  const state = lanes(ctx, spec);
  await before?.();
  // Slots freed by quick rows are refilled until nothing due is left.
  let refill = true;
  state.onSettled = () => (refill = true);
  while (refill) {
    refill = false;
    await state.fill();
    await state.idle();
  }
  return state.delivered();
}

/**
 * The background loop over {@link Lanes}: woken by bus events (gathered for `gatherMs`), polling
 * each `pollMs` for retries and other instances' rows, and again whenever a slot frees. `stop()`
 * claims nothing more and waits for the rows in flight until `abandon` fires; then their attempts
 * are aborted and recorded as failed (to be retried), so shutdown never waits on a stuck destination.
 */
export function startLanes<Row>(
  ctx: WorkerDeps,
  spec: Lanes<Row> & {
    pollMs: number;
    wakeOn: string[];
    gatherMs?: number;
    immediately?: boolean;
    before?: () => Promise<unknown>;
  },
): StopWorker {
  const state = lanes(ctx, spec);
  let stopped = false;
  let filling: Promise<void> | undefined;
  let again = false;
  let gathering: NodeJS.Timeout | undefined;
  const run = () => {
    if (stopped) return;
    if (filling) {
      again = true;
      return;
    }
    filling = (async () => {
      try {
        do {
          again = false;
          await spec.before?.();
          await state.fill();
        } while (again && !stopped);
      } catch (err) {
        ctx.log({ level: 'error', msg: `${spec.name} failed`, error: (err as Error).message });
      } finally {
        filling = undefined;
      }
    })();
  };
  const wake = () => {
    if (stopped) return;
    gathering ??= setTimeout(() => {
      gathering = undefined;
      run();
    }, spec.gatherMs ?? 0);
  };
  // A freed slot may let the next due row go (a burst larger than the slots, a destination's backlog).
  state.onSettled = wake;
  for (const event of spec.wakeOn) ctx.bus.on(event, wake);
  const timer = setInterval(run, spec.pollMs);
  timer.unref();
  if (spec.immediately !== false) run();
  return async ({ abandon } = {}) => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(gathering);
    for (const event of spec.wakeOn) ctx.bus.off(event, wake);
    await filling;
    if (state.inFlight() === 0) return;
    const give = () => {
      const n = state.inFlight();
      if (n > 0)
        ctx.log({
          level: 'warn',
          msg: `${spec.name}: ${n} attempt(s) abandoned at shutdown, left to be retried`,
          abandoned: n,
        });
      state.abandon();
    };
    if (abandon?.aborted) give();
    else abandon?.addEventListener('abort', give, { once: true });
    await state.idle();
    abandon?.removeEventListener('abort', give);
  };
}
