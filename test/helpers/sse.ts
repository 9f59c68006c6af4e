export interface SseEvent {
  id?: string;
  event?: string;
  data?: any;
  retry?: number;
  comment?: string;
}

/** Reads SSE frames from a fetch body; next() waits for the next frame with an `event:` (or any frame). */
export function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let ended = false;
  const queue: SseEvent[] = [];
  async function next(timeoutMs = 3000, wantEvent = true): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((e) => !wantEvent || e.event);
      if (i >= 0) return queue.splice(0, i + 1).pop()!;
      if (ended) throw new Error('stream ended');
      // A connection cut (the server died) ends the stream as surely as a clean end.
      const read = reader.read().catch(() => ({ done: true as const, value: undefined }));
      const chunk = await Promise.race([
        read,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1, deadline - Date.now()))),
      ]);
      if (chunk === 'timeout') throw new Error('no SSE event in time');
      if (chunk.done) {
        ended = true;
        continue;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        queue.push(parseSseFrame(frame));
      }
    }
  }
  /** Every frame until the stream ends (or `timeoutMs` passes). */
  async function rest(timeoutMs = 5000): Promise<{ frames: SseEvent[]; ended: boolean }> {
    const frames: SseEvent[] = [];
    try {
      for (;;) frames.push(await next(timeoutMs, false));
    } catch (err) {
      return { frames, ended: (err as Error).message === 'stream ended' };
    }
  }
  return { next, rest, cancel: () => reader.cancel().catch(() => undefined) };
}

/** One Server-Sent Events frame (the text between blank lines) as its fields. */
export function parseSseFrame(frame: string): SseEvent {
  const ev: SseEvent = {};
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) ev.comment = line.slice(1).trim();
    else if (line.startsWith('id: ')) ev.id = line.slice(4);
    else if (line.startsWith('event: ')) ev.event = line.slice(7);
    else if (line.startsWith('retry: ')) ev.retry = Number(line.slice(7));
    else if (line.startsWith('data: ')) ev.data = JSON.parse(line.slice(6));
  }
  return ev;
}
