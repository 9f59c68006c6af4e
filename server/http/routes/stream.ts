import { ServerResponse } from 'node:http';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { credentialStatus } from '../../domain/credential-views.js';
import { contentKey, formatStatusEvent, loadSnapshot, statusAt, type StatusHub, type StatusSubscriber } from '../../domain/status-hub.js';
import { ApiError } from '../../domain/errors.js';
import { ipBucketOf } from '../../domain/rate-limits.js';
import type { AppEnv } from '../context.js';
import { requireCaller } from '../middleware.js';
import { defineRoute } from '../route.js';

const PER_TOKEN = 5;
const PER_IP = 100;

/** Open streams per token, per client IP and in this process (SPEC §7 "streams"). */
function streamCounts(maxStreams: number) {
  const byToken = new Map<string, number>();
  const byIp = new Map<string, number>();
  let total = 0;
  const bump = (m: Map<string, number>, k: string, d: number) => {
    const v = (m.get(k) ?? 0) + d;
    if (v > 0) m.set(k, v);
    else m.delete(k);
  };
  return {
    /** A release function, or 429 too_many_streams when any cap is reached. */
    acquire(tokenHash: string, ip: string): () => void {
      if ((byToken.get(tokenHash) ?? 0) >= PER_TOKEN || (byIp.get(ip) ?? 0) >= PER_IP || total >= maxStreams) {
        throw new ApiError('too_many_streams', `At most ${PER_TOKEN} open status streams per token and ${PER_IP} per client.`, undefined, 30);
      }
      bump(byToken, tokenHash, 1);
      bump(byIp, ip, 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bump(byToken, tokenHash, -1);
        bump(byIp, ip, -1);
        total--;
      };
    },
  };
}

/** `GET /api/3/credentials/{cid}/status/stream`: live status as Server-Sent Events (SPEC §6). */
export function streamRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, hub: StatusHub): void {
  const counts = streamCounts(ctx.config.maxStreams);
  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credentials/{cid}/status/stream',
      summary: 'Live status (Server-Sent Events)',
      tag: 'Widgets',
      auth: 'session',
      query: z.object({ token: z.string().optional().openapi({ description: 'The cs_/ps_ token, for EventSource (which sends no headers)' }) }),
      status: 200,
      mediaType: 'text/event-stream',
      response: z.string(),
      errors: [403, 404, 429],
      description:
        '`event: status` with `id:` and `data: {credential_id,old_status,new_status,enabled,devices,updated_at}`; a snapshot first (`old_status: null`), device changes too, `: heartbeat` every 15 s, `Last-Event-ID` resumes; the stream stays open after terminal states until the client closes it, and ends when its token expires. At most 5 open streams per token, 100 per client IP and KEYWAY_MAX_STREAMS per process (429 too_many_streams).',
    },
    async (c) => {
      const caller = requireCaller(c, ['client_session', 'provisioning']);
      const cid = c.req.param('cid')!;
      const scope = caller.kind === 'provisioning' ? { personId: caller.personId, credentialId: caller.credentialId } : { personId: caller.personId };
      await credentialStatus(ctx, cid, scope); // 404 for a credential the token does not cover
      const release = counts.acquire(caller.tokenHash, ipBucketOf(c.get('ip')));
      // A stream ends when its token expires (SPEC §7): the client must come back with a live one.
      let endStream = () => undefined as void;
      const expiry = setTimeout(() => endStream(), Math.max(0, Date.parse(caller.expiresAt) - ctx.clock.now().getTime()));
      expiry.unref();
      const finish = () => {
        clearTimeout(expiry);
        release();
      };
      const lastEventId = Number(c.req.header('last-event-id') ?? NaN);
      const headers: Record<string, string> = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' };
      // From the request, not c.res: reading c.res here would make Hono copy the already-sent response later.
      const origin = c.req.header('origin');
      if (origin) {
        headers['access-control-allow-origin'] = origin; // the auth middleware already refused origins off the token's list
        headers['access-control-expose-headers'] = 'Date, Retry-After';
      }
      headers.vary = 'Origin';

      /** Subscribes first and reads the snapshot after, so a change in between is not lost. */
      async function begin(write: (chunk: string) => void): Promise<() => void> {
        const sub: StatusSubscriber = { credentialId: cid, lastStatus: null, lastKey: '', write };
        const unsubscribe = hub.subscribe(sub);
        const snap = await loadSnapshot(ctx, cid);
        if (!snap) return unsubscribe;
        // Resuming (Last-Event-ID): only what changed since the client's last event, with the status it had then.
        const resuming = Number.isInteger(lastEventId) && lastEventId > 0;
        const catchUp = !resuming ? 'snapshot' : snap.version > lastEventId ? await statusAt(ctx, cid, lastEventId) : undefined;
        sub.lastKey = contentKey(snap);
        sub.lastStatus = snap.status;
        write('retry: 3000\n\n');
        if (catchUp !== undefined) write(formatStatusEvent(snap, cid, catchUp === 'snapshot' ? null : catchUp));
        // A change that committed while the snapshot was read is picked up now.
        void hub.refresh(cid);
        return unsubscribe;
      }

      // Under @hono/node-server: straight to the socket (no web stream per subscriber), the cheap path at 5,000 streams.
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      if (outgoing instanceof ServerResponse) {
        outgoing.writeHead(200, headers);
        outgoing.flushHeaders();
        let unsubscribe: (() => void) | undefined;
        let closed = false;
        outgoing.on('close', () => {
          closed = true;
          finish();
          unsubscribe?.();
        });
        endStream = () => outgoing.end();
        unsubscribe = await begin((chunk) => {
          if (!outgoing.writableEnded && !outgoing.destroyed) outgoing.write(chunk);
        });
        if (closed) unsubscribe();
        return RESPONSE_ALREADY_SENT;
      }

      const encoder = new TextEncoder();
      let unsubscribe: (() => void) | undefined;
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          unsubscribe = await begin((chunk) => {
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              finish();
              unsubscribe?.();
            }
          });
          endStream = () => {
            finish();
            unsubscribe?.();
            controller.close();
          };
        },
        cancel() {
          finish();
          unsubscribe?.();
        },
      });
      return new Response(body, { status: 200, headers });
    },
  );
}
