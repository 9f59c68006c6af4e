// Loaded lazily by fetch-client.ts: only a page that shows live status needs the stream reader.
import { KeywayApiError } from './errors.js';
import type { StatusStreamHandlers } from './keyway-client.js';
import type { StatusStreamEvent } from './types.js';

export interface StatusStreamRequest {
  fetchImpl: typeof fetch;
  url: string;
  token: string;
  handlers: StatusStreamHandlers;
  signal: AbortSignal;
}

/**
 * Reads one Server-Sent Events response through `fetch`, so the token travels in the
 * `Authorization` header and never in a URL (docs/api.md). Any end of the stream is reported as fatal:
 * the live-status controller owns reconnecting (with backoff) and polling meanwhile. No
 * `Last-Event-ID` is sent: it is not a CORS-safelisted header, and a fresh stream starts with the
 * full snapshot anyway.
 */
export async function readStatusStream({
  fetchImpl,
  url,
  token,
  handlers,
  signal,
}: StatusStreamRequest): Promise<void> {
  let failure: KeywayApiError | null = null;
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
      signal,
      credentials: 'omit',
      cache: 'no-store',
    });
    if (!response.ok || !response.body) {
      const payload = (await response.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      failure = new KeywayApiError({
        code: payload?.error?.code ?? (response.status >= 500 ? 'server_error' : 'invalid_request'),
        message: payload?.error?.message ?? `HTTP ${response.status}`,
        status: response.status,
      });
    } else {
      handlers.onOpen?.();
      await dispatchEvents(response.body, handlers);
    }
  } catch (error) {
    if (signal.aborted) return;
    failure = new KeywayApiError({ code: 'network_error', message: (error as Error)?.message || 'Stream failed' });
  }
  if (!signal.aborted) handlers.onError?.(failure, true);
}

/** The event-stream format (HTML Living Standard §9.2.6): `event`, `data`, `id` fields, a blank line dispatches. */
async function dispatchEvents(body: ReadableStream<Uint8Array>, handlers: StatusStreamHandlers): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = '';
  let type = '';
  let data: string[] = [];
  let lastEventId: string | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length && (type || 'message') === 'status') {
          try {
            handlers.onStatus(JSON.parse(data.join('\n')) as StatusStreamEvent, lastEventId);
          } catch {
            // A malformed event is skipped; the next one carries the full state again.
          }
        }
        type = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const raw = colon < 0 ? '' : line.slice(colon + 1);
      const text = raw.startsWith(' ') ? raw.slice(1) : raw;
      if (field === 'event') type = text;
      else if (field === 'data') data.push(text);
      else if (field === 'id' && !text.includes('\0')) lastEventId = text;
    }
  }
}
