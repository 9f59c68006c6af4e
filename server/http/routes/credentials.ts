import { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf, type Caller, canSeeSecrets } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import { revokeCredential, revokeDevice, setCredentialEnabled } from '../../domain/credentials/changes.js';
import { createCredential } from '../../domain/credentials/issue.js';
import { credentialTypes } from '../../domain/credentials/types.js';
import {
  credentialOwner,
  credentialStatus,
  getCredentialView,
  listCredentials,
} from '../../domain/credentials/views.js';
import { ipBucketOf } from '../../domain/rate-limits.js';
import {
  contentKey,
  formatStatusEvent,
  loadSnapshot,
  replaySince,
  STREAM_RETRY_MS,
  type StatusHub,
  type StatusSubscriber,
} from '../../domain/status-hub.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';
import { sharedJson } from '../shared-json.js';
import { streamCounts } from '../stream-limits.js';

/** What a cs_ (its person) or ps_ (its credential) token may see of a credential's status; staff see any. */
const scopeOf = async (
  ctx: Ctx,
  caller: Extract<Caller, { kind: 'client_session' | 'provisioning' | 'staff' }>,
  credentialId: string,
) =>
  caller.kind === 'provisioning'
    ? { personId: caller.personId, credentialId: caller.credentialId }
    : caller.kind === 'staff'
      ? { personId: await credentialOwner(ctx, credentialId) }
      : { personId: caller.personId };

/** Credentials of a person (secret keys), their status (widgets' tokens) and its live stream (docs/api.md). */
export function credentialRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, hub: StatusHub): void {
  const streams = streamCounts(ctx.config.maxStreams);
  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credential_types',
      summary: 'List credential types',
      tag: 'Credentials',
      auth: 'none',
      status: 200,
      response: z.object({ credential_types: z.array(S.CredentialType) }),
    },
    (_, c) => c.json({ credential_types: credentialTypes(ctx) }),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/people/{id}/credentials',
      summary: 'Issue a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      body: S.CredentialInput,
      wrap: 'person_credential',
      status: 201,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 422, 503],
      description:
        'A wallet pass (type 9) starts `invited` with an invitation code; card (1) and PIN (6) are `active` at once. HID Mobile Access (type 8, when HID Origo is configured) starts `invited` with HID Origo’s code and no `invitation_url`; Origo down or slow → 503 `upstream_unavailable` and nothing is stored.',
    },
    async ({ caller, ids, body }, c) => {
      const person_credential = await createCredential(ctx, ids.id, body, {
        actor: actorOf(caller),
        showSecrets: true,
      });
      return c.json({ person_credential }, 201);
    },
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people/{id}/credentials',
      summary: 'List a person’s credentials',
      tag: 'Credentials',
      auth: 'secret-read',
      intParams: ['id'],
      query: S.ListQuery,
      status: 200,
      response: z.object({ person_credentials: z.array(S.PersonCredential), next_cursor: z.string().nullable() }),
      errors: [404],
    },
    async ({ caller, ids, query: q }, c) =>
      c.json(
        await listCredentials(ctx, ids.id, { limit: q.limit, cursor: q.cursor, showSecrets: canSeeSecrets(caller) }),
      ),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Read a credential',
      tag: 'Credentials',
      auth: 'secret-read',
      intParams: ['id'],
      status: 200,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [404],
    },
    async ({ caller, ids }, c) =>
      sharedJson(
        c,
        'person_credential',
        await getCredentialView(ctx, ids.id, c.req.param('cid')!, canSeeSecrets(caller)),
      ),
  );

  defineRoute(
    app,
    {
      method: 'put',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Enable or disable a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      body: S.CredentialUpdate,
      wrap: 'person_credential',
      status: 200,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 409],
    },
    async ({ caller, ids, body }, c) =>
      c.json({
        person_credential: await setCredentialEnabled(ctx, ids.id, c.req.param('cid')!, body.enabled, {
          actor: actorOf(caller),
          showSecrets: true,
        }),
      }),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Revoke a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      status: 202,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404],
    },
    async ({ caller, ids }, c) =>
      c.json(
        {
          person_credential: await revokeCredential(ctx, ids.id, c.req.param('cid')!, {
            actor: actorOf(caller),
            showSecrets: true,
          }),
        },
        202,
      ),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/people/{id}/credentials/{cid}/devices/{device_id}',
      summary: 'Revoke one phone',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      status: 202,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404],
    },
    async ({ caller, ids }, c) =>
      c.json(
        {
          person_credential: await revokeDevice(ctx, ids.id, c.req.param('cid')!, c.req.param('device_id')!, {
            actor: actorOf(caller),
            showSecrets: true,
          }),
        },
        202,
      ),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credentials/{cid}/status',
      summary: 'Where a credential stands',
      tag: 'Widgets',
      auth: 'status',
      status: 200,
      response: S.CredentialStatusView,
      errors: [403, 404],
    },
    async ({ caller }, c) => {
      const cid = c.req.param('cid')!;
      return sharedJson(c, null, await credentialStatus(ctx, cid, await scopeOf(ctx, caller, cid)));
    },
  );

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
      const scope = await scopeOf(ctx, caller, cid);
      await credentialStatus(ctx, cid, scope); // 404 for a credential the token does not cover
      const release = streams.acquire(caller.tokenHash, ipBucketOf(c.get('ip')));
      // A stream ends when its token expires (docs/security.md): the client must come back with a live one.
      let endStream: () => void = () => undefined;
      const expiry = setTimeout(
        () => endStream(),
        Math.max(0, Date.parse(caller.expiresAt) - ctx.clock.now().getTime()),
      );
      expiry.unref();
      const finish = () => {
        clearTimeout(expiry);
        release();
      };
      const lastEventId = Number(c.req.header('last-event-id') ?? NaN);
      const headers: Record<string, string> = {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      };
      // From the request, not c.res: reading c.res here would make Hono copy the already-sent response later.
      const origin = c.req.header('origin');
      if (origin) {
        headers['access-control-allow-origin'] = origin; // the auth middleware already refused origins off the token's list
        headers['access-control-expose-headers'] = 'Date, Retry-After';
      }
      headers.vary = 'Origin';

      /**
       * Subscribes first and reads the snapshot after, so a change in between is not lost. Done
       * before the headers go out: a database that cannot be reached answers 503, not a dead stream.
       */
      const sub: StatusSubscriber = { credentialId: cid, lastStatus: null, lastKey: '', write: () => undefined };
      const unsubscribe = hub.subscribe(sub);
      const opening: string[] = [];
      try {
        const snap = await loadSnapshot(ctx, cid);
        if (snap) {
          // Resuming (Last-Event-ID): only what changed since the client's last event, with the status it had then.
          const resuming = Number.isInteger(lastEventId) && lastEventId > 0;
          sub.lastKey = contentKey(snap);
          sub.lastStatus = snap.status;
          opening.push(`retry: ${STREAM_RETRY_MS}\n\n`);
          if (!resuming) opening.push(formatStatusEvent(snap, cid, null));
          else if (snap.version > lastEventId) opening.push(...(await replaySince(ctx, cid, lastEventId, snap)));
        }
      } catch (err) {
        finish();
        unsubscribe();
        throw err;
      }
      const start = (write: (chunk: string) => void) => {
        sub.write = write;
        for (const frame of opening) write(frame);
        // A change that committed while the snapshot was read is picked up now.
        void hub.refresh(cid);
      };

      // Under @hono/node-server: straight to the socket (no web stream per subscriber), the cheap path at 5,000 streams.
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      if (outgoing instanceof ServerResponse) {
        outgoing.writeHead(200, headers);
        outgoing.flushHeaders();
        outgoing.on('close', () => {
          finish();
          unsubscribe();
        });
        endStream = () => outgoing.end();
        start((chunk) => {
          if (!outgoing.writableEnded && !outgoing.destroyed) outgoing.write(chunk);
        });
        hub.onEnd(sub, () => outgoing.end());
        return RESPONSE_ALREADY_SENT;
      }

      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          start((chunk) => {
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              finish();
              unsubscribe();
            }
          });
          endStream = () => {
            finish();
            unsubscribe();
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          };
          hub.onEnd(sub, () => {
            try {
              controller.close();
            } catch {
              // already closed by the client
            }
          });
        },
        cancel() {
          finish();
          unsubscribe();
        },
      });
      return new Response(body, { status: 200, headers });
    },
  );
}
