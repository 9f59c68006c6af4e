import type { EventEmitter } from 'node:events';
import type { Log } from '../log.js';

/** What a background loop needs: the bus that wakes it and a log for its failures. */
export interface WorkerDeps {
  bus: EventEmitter;
  log: Log;
}

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
): () => Promise<void> {
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
