import crypto from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import { kickHidSync, requestHidSync } from '../../domain/hid/sync.js';
import { parseJsonBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';

const MAX_EVENTS = 500;

/** Same length digests, so the comparison takes the same time whatever was sent. */
const sameSecret = (given: string, secret: string) =>
  crypto.timingSafeEqual(
    crypto.createHash('sha256').update(given).digest(),
    crypto.createHash('sha256').update(secret).digest(),
  );

/**
 * Who a CloudEvent is about: an Origo user id (`data.userId`, `data.user.id`, a `…/users/<id>`
 * subject) or a Keyway person (`externalId` `keyway-person-<id>`). Event names are not relied on:
 * Origo documents few (hid-origo-notes.md §5), and an event only asks for a re-read.
 */
export function namedInCallback(events: unknown[]): { origoUserIds: string[]; personIds: number[] } {
  const users = new Set<string>();
  const persons = new Set<number>();
  const id = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v)
      ? String(v)
      : typeof v === 'string' && /^\d{1,20}$/.test(v)
        ? v
        : undefined;
  for (const e of events) {
    if (!e || typeof e !== 'object') continue;
    const ev = e as { subject?: unknown; data?: Record<string, unknown> | null };
    const data = ev.data && typeof ev.data === 'object' ? ev.data : {};
    const user = data.user && typeof data.user === 'object' ? (data.user as Record<string, unknown>) : {};
    for (const v of [data.userId, data.user_id, user.id]) {
      const u = id(v);
      if (u) users.add(u);
    }
    if (typeof ev.subject === 'string') {
      const m = /(?:^|\/)users?\/(\d{1,20})(?:\/|$)/.exec(ev.subject) ?? /^(\d{1,20})$/.exec(ev.subject);
      if (m) users.add(m[1]);
    }
    for (const v of [data.externalId, user.externalId]) {
      const m = typeof v === 'string' ? /^keyway-person-(\d{1,15})$/.exec(v) : null;
      if (m) persons.add(Number(m[1]));
    }
  }
  return { origoUserIds: [...users], personIds: [...persons] };
}

/** `POST /hid/origo/callback` (docs/hid.md): HID Origo's CloudEvents; each only triggers a re-read. */
export function hidCallbackRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/hid/origo/callback',
      summary: 'HID Origo event callback',
      tag: 'HID Origo',
      auth: { scheme: 'hidOrigoCallback' },
      rawBody: {
        mediaTypes: ['application/cloudevents-batch+json', 'application/cloudevents+json'],
        schema: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
      },
      status: 200,
      response: z.object({ received: z.number().int() }),
      errors: [400, 401, 404],
      description:
        'A CloudEvents batch (`application/cloudevents-batch+json`) from HID Origo, authenticated by `Authorization` equal to KEYWAY_HID_ORIGO_CALLBACK_SECRET. Keyway re-reads the users the events name from Origo; the events themselves are never taken as state.',
    },
    async (_input, c) => {
      const secret = ctx.config.hidOrigo?.callbackSecret;
      if (!secret) throw new ApiError('not_found', 'HID Origo callbacks are not configured here.');
      if (!sameSecret(c.req.header('authorization') ?? '', secret))
        throw new ApiError('unauthorized', 'This callback does not carry the secret registered with HID Origo.');
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/cloudevents-batch+json' && type !== 'application/cloudevents+json') {
        throw new ApiError('invalid_request', 'Expected Content-Type application/cloudevents-batch+json.', {
          fields: { 'content-type': 'application/cloudevents-batch+json' },
        });
      }
      const body = parseJsonBody(await c.req.text());
      const events = Array.isArray(body) ? body : [body];
      if (events.length > MAX_EVENTS)
        throw new ApiError('invalid_request', `At most ${MAX_EVENTS} events per batch.`, {
          fields: { body: `At most ${MAX_EVENTS} events.` },
        });
      const named = namedInCallback(events);
      if (named.origoUserIds.length || named.personIds.length) {
        await requestHidSync(ctx, named);
        kickHidSync(ctx);
      }
      return c.json({ received: events.length }, 200);
    },
  );
}
