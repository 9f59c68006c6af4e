/**
 * The process's structured log: one JSON line per record on stdout. Records are gathered and
 * serialised and written together once per event-loop turn: stdout to a pipe is a synchronous
 * write on Linux, and formatting each line in the middle of its request cost several times what
 * the same work costs in one tight loop.
 */
let pending: { at: number; record: Record<string, unknown> }[] = [];
let scheduled = false;

/** Writes every gathered record now (the exit hook and start-up banners call it). */
export function flushLog(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const batch = pending;
  pending = [];
  let text = '';
  let stampMs = 0;
  let stamp = '';
  for (const { at, record } of batch) {
    if (at !== stampMs) {
      stampMs = at;
      stamp = new Date(at).toISOString();
    }
    // Not `{ t, ...record }`: a spread object serialises several times slower.
    const body = JSON.stringify(record);
    text += body.length > 2 ? `{"t":"${stamp}",${body.slice(1)}\n` : `{"t":"${stamp}"}\n`;
  }
  process.stdout.write(text);
}

process.on('exit', flushLog);

/** Logs `record` (which must not change afterwards: it is serialised at the end of the turn). */
export const jsonLog = (record: Record<string, unknown>): void => {
  pending.push({ at: Date.now(), record });
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushLog);
  }
};
