// The live status stream, GET /api/3/credentials/{cid}/status/stream: Server-Sent Events over one web
// stream per client. The hub (domain/status-hub.ts) says what changed; this module says how a browser
// hears it: the wire frames, the heartbeat, the end at token expiry or shutdown, and the limits
// (stream-limits.ts, shared-limits.ts). CORS comes from the auth middleware like every other answer's (docs/lifecycle.md).
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../domain/context.js';
import { credentialStatus } from '../domain/credentials/views.js';
import { ipBucketOf } from '../domain/rate-limits.js';
import {
  contentKey,
  loadSnapshot,
  replaySince,
  type StatusHub,
  type StatusSubscriber,
  type StatusUpdate,
  statusUpdate,
} from '../domain/status-hub.js';
import type { AppEnv } from './context.js';
import { defineRoute } from './route.js';
import { scopeOf } from './routes/credentials.js';
import type { SharedLimits } from './shared-limits.js';
import { processStreamCap } from './stream-limits.js';

export const HEARTBEAT_MS = 15_000;
/** The reconnection delay a stream tells its client (`retry:`), and the shorter one when this instance shuts down. */
export const STREAM_RETRY_MS = 3000;
export const SHUTDOWN_RETRY_MS = 500;

const encoder = new TextEncoder();
const RETRY = encoder.encode(`retry: ${STREAM_RETRY_MS}\n\n`);
const SHUTDOWN_RETRY = encoder.encode(`retry: ${SHUTDOWN_RETRY_MS}\n\n`);
const HEARTBEAT = encoder.encode(': heartbeat\n\n');
const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** An update's frame, encoded once however many streams it goes to (the hub hands them all the same object). */
const frames = new WeakMap<StatusUpdate, Uint8Array>();
function frameOf(update: StatusUpdate): Uint8Array {
  let frame = frames.get(update);
  if (!frame) {
    frame = encoder.encode(`id: ${update.version}\nevent: status\ndata: ${JSON.stringify(update.event)}\n\n`);
    frames.set(update, frame);
  }
  return frame;
}

/** A subscriber that is also an open stream, beating while it waits. */
type OpenStream = StatusSubscriber & { beat(): void };

export function statusStreamRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, hub: StatusHub, limits: SharedLimits): void {
  const processCap = processStreamCap(ctx.config.maxStreams);
  // Open streams, for the one heartbeat timer of this app (running while any is open).
  const open = new Set<OpenStream>();
  let heartbeat: NodeJS.Timeout | undefined;

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credentials/{cid}/status/stream',
      summary: 'Live status (Server-Sent Events)',
      tag: 'Widgets',
      auth: 'status',
      query: z.object({
        token: z
          .string()
          .optional()
          .openapi({ description: 'The cs_/ps_ token, for EventSource (which sends no headers)' }),
      }),
      status: 200,
      mediaType: 'text/event-stream',
      response: z.string(),
      errors: [403, 404, 429],
      description:
        '`event: status` with `id:` and `data: {credential_id,old_status,new_status,enabled,devices,updated_at}`; a snapshot first (`old_status: null`), device changes too, `: heartbeat` every 15 s, `Last-Event-ID` resumes; the stream stays open after terminal states until the client closes it, and ends when its token expires. At most 5 open streams per token, 100 per client IP and KEYWAY_MAX_STREAMS per process (429 too_many_streams).',
    },
    async ({ caller }, c) => {
      const cid = c.req.param('cid')!;
      await credentialStatus(ctx, cid, await scopeOf(ctx, caller, cid)); // 404 for a credential the token does not cover
      const releaseHere = processCap.acquire();
      let releaseShared: () => void;
      try {
        releaseShared = await limits.acquireStream(caller.tokenHash, ipBucketOf(c.get('ip')));
      } catch (error) {
        releaseHere();
        throw error;
      }
      const release = () => {
        releaseHere();
        releaseShared();
      };
      const lastEventId = Number(c.req.header('last-event-id') ?? NaN);

      let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
      let closed = false;
      const write = (bytes: Uint8Array) => {
        if (closed || !controller) return;
        try {
          controller.enqueue(bytes);
        } catch {
          leave(); // the client went away
        }
      };
      const leave = () => {
        if (closed) return;
        closed = true;
        clearTimeout(expiry);
        release();
        unsubscribe();
        open.delete(sub);
        if (open.size === 0 && heartbeat) {
          clearInterval(heartbeat);
          heartbeat = undefined;
        }
      };
      const end = () => {
        const stream = controller;
        leave();
        try {
          stream?.close();
        } catch {
          // already closed by the client
        }
      };
      const sub: OpenStream = {
        credentialId: cid,
        lastStatus: null,
        lastKey: '',
        send: (update) => write(frameOf(update)),
        end: () => {
          write(SHUTDOWN_RETRY);
          end();
        },
        beat: () => {
          if (sub.lastKey !== '') write(HEARTBEAT);
        },
      };
      // A stream ends when its token expires (docs/security.md): the client must come back with a live one.
      const expiry = setTimeout(end, Math.max(0, Date.parse(caller.expiresAt) - ctx.clock.now().getTime()));
      expiry.unref();

      /**
       * Subscribes first and reads the snapshot after, so a change in between is not lost. Done
       * before the answer starts: a database that cannot be reached answers 503, not a dead stream.
       */
      const unsubscribe = hub.subscribe(sub);
      const opening: Uint8Array[] = [];
      try {
        const snap = await loadSnapshot(ctx, cid);
        if (snap) {
          // Resuming (Last-Event-ID): only what changed since the client's last event, with the status it had then.
          const resuming = Number.isInteger(lastEventId) && lastEventId > 0;
          sub.lastKey = contentKey(snap);
          sub.lastStatus = snap.status;
          opening.push(RETRY);
          if (!resuming) opening.push(frameOf(statusUpdate(snap, cid, null)));
          else if (snap.version > lastEventId)
            for (const update of await replaySince(ctx, cid, lastEventId, snap)) opening.push(frameOf(update));
        }
      } catch (err) {
        leave();
        throw err;
      }

      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          for (const frame of opening) c.enqueue(frame);
        },
        cancel: leave,
      });
      open.add(sub);
      heartbeat ??= setInterval(() => {
        for (const s of open) s.beat();
      }, HEARTBEAT_MS);
      heartbeat.unref();
      // A change that committed while the snapshot was read is picked up now.
      void hub.refresh(cid);
      return c.body(body, 200, HEADERS);
    },
  );
}
