import type { Ctx } from './context.js';

/**
 * A background loop over a durable table: woken by bus events from this instance, polling for
 * other instances' rows and retries. Wake-ups while a pass runs coalesce into one more pass.
 * `stop()` waits for the pass in flight (claimed rows are finished, not abandoned).
 */
export function startWorker(ctx: Ctx, opts: { name: string; pollMs: number; wakeOn: string[]; pass: () => Promise<unknown>; immediately?: boolean }): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
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
  for (const event of opts.wakeOn) ctx.bus.on(event, run);
  const timer = setInterval(run, opts.pollMs);
  timer.unref();
  if (opts.immediately !== false) run();
  return async () => {
    stopped = true;
    clearInterval(timer);
    for (const event of opts.wakeOn) ctx.bus.off(event, run);
    await running;
  };
}
