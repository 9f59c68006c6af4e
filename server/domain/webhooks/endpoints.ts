// Webhook endpoints as the admin API manages them (docs/api.md): create, list, read, delete, rotate, test, deliveries.
import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { base62 } from '../../crypto/secrets.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import { json, type Tx } from '../../storage/db.js';
import type { WebhookDeliveryTable, WebhookTable } from '../../storage/schema.js';
import { disableWebhookTx, newDeliveryId, secretAad, WEBHOOK_QUEUED } from '../../webhooks/endpoints.js';
import { newWebhookSecret } from '../../webhooks/signing.js';
import type { Ctx } from '../context.js';
import { readTimeIdCursor, timeIdCursor } from '../cursors.js';
import { ApiError, invalidRequest } from '../errors.js';

export const WEBHOOK_EVENTS = [
  'credential.created',
  'credential.status_changed',
  'device.added',
  'device.revoked',
  'verification.succeeded',
  'certificate.expiring',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** How long the secret before a rotation keeps signing beside the new one. */
export const ROTATION_OVERLAP_SECONDS = 24 * 3600;

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  /** Since when every attempt has failed (none delivered since); null while deliveries succeed. */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
  /** Only in the answers to create and rotate_secret. */
  secret?: string;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

const toView = (row: Selectable<WebhookTable>, secret?: string): WebhookView => ({
  id: row.id,
  url: row.url,
  events: json(row.events, []),
  enabled: row.enabled === 1,
  disabled_reason: row.disabled_reason,
  failing_since: row.failing_since,
  created_at: row.created_at,
  updated_at: row.updated_at,
  ...(secret ? { secret } : {}),
});

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidRequest({ url: 'Not a URL.' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidRequest({ url: 'Only http and https URLs.' });
  if (url.username || url.password)
    throw invalidRequest({ url: 'No credentials in the URL; verify our signature instead.' });
  return url.toString();
}

export async function createWebhook(
  ctx: Ctx,
  input: { url: string; events: string[] },
  actor: Actor,
): Promise<WebhookView> {
  const url = checkUrl(input.url);
  const at = nowIso(ctx);
  const id = `wh_${base62(ctx.random(12))}`;
  const secret = newWebhookSecret(ctx.random);
  const events = [...new Set(input.events)];
  const row = await ctx.store.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('webhooks')
      .values({
        id,
        url,
        events: JSON.stringify(events),
        secret_enc: ctx.keys.encrypt(secret, secretAad(id)),
        previous_secret_enc: null,
        previous_until: null,
        enabled: 1,
        disabled_reason: null,
        failing_since: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(tx, at, {
      type: 'webhook.created',
      actor,
      subject: `webhook:${id}`,
      data: { url: new URL(url).origin, events },
    });
    return inserted;
  });
  return toView(row, secret);
}

async function liveRow(db: Tx, id: string): Promise<Selectable<WebhookTable>> {
  const row = await db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No webhook ${id}.`);
  return row;
}

export async function getWebhook(ctx: Ctx, id: string): Promise<WebhookView> {
  return toView(await liveRow(ctx.store.db, id));
}

export async function listWebhooks(
  ctx: Ctx,
  opts: { limit: number; cursor?: string },
): Promise<{ webhooks: WebhookView[]; next_cursor: string | null }> {
  let q = ctx.store.db
    .selectFrom('webhooks')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(opts.limit + 1);
  if (opts.cursor) q = q.where('id', '>', opts.cursor);
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  return {
    webhooks: page.map((r) => toView(r)),
    next_cursor: rows.length > opts.limit ? page[page.length - 1].id : null,
  };
}

export async function deleteWebhook(ctx: Ctx, id: string, actor: Actor): Promise<void> {
  await ctx.store.db.transaction().execute(async (tx) => {
    await liveRow(tx, id);
    await disableWebhookTx(ctx, tx, id, 'deleted', actor);
  });
}

/** A new secret; the old one keeps signing beside it for ROTATION_OVERLAP_SECONDS. */
export async function rotateWebhookSecret(ctx: Ctx, id: string): Promise<WebhookView> {
  const at = nowIso(ctx);
  const secret = newWebhookSecret(ctx.random);
  const row = await ctx.store.db.transaction().execute(async (tx) => {
    const old = await liveRow(tx, id);
    return tx
      .updateTable('webhooks')
      .set({
        secret_enc: ctx.keys.encrypt(secret, secretAad(id)),
        previous_secret_enc: old.secret_enc,
        previous_until: addSeconds(at, ROTATION_OVERLAP_SECONDS),
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return toView(row, secret);
}

/** `POST …/{id}/test`: a `webhook.test` delivery through the same dispatcher and signatures. */
export async function testWebhook(ctx: Ctx, id: string): Promise<{ delivery_id: string }> {
  const row = await liveRow(ctx.store.db, id);
  if (row.enabled !== 1)
    throw new ApiError('invalid_transition', `This webhook is disabled (${row.disabled_reason}).`, {
      status: 'disabled',
    });
  const at = nowIso(ctx);
  const delivery_id = newDeliveryId(ctx);
  const payload = { event: 'webhook.test', webhook_id: id, timestamp: at.replace(/\.\d{3}Z$/, 'Z'), sequence: 0 };
  await ctx.store.db
    .insertInto('webhook_deliveries')
    .values({
      id: delivery_id,
      webhook_id: id,
      outbox_seq: null,
      event_type: 'webhook.test',
      payload: JSON.stringify(payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      claimed_until: null,
      last_status: null,
      last_error: null,
      created_at: at,
      finished_at: null,
    })
    .execute();
  ctx.bus.emit(WEBHOOK_QUEUED);
  return { delivery_id };
}

export async function listDeliveries(
  ctx: Ctx,
  id: string,
  opts: { limit: number; cursor?: string },
): Promise<{ deliveries: DeliveryView[]; next_cursor: string | null }> {
  await liveRow(ctx.store.db, id);
  let q = ctx.store.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit + 1);
  if (opts.cursor) {
    const c = readTimeIdCursor(opts.cursor);
    q = q.where((eb) =>
      eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]),
    );
  }
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    deliveries: page.map(deliveryView),
    next_cursor: rows.length > opts.limit ? timeIdCursor(last) : null,
  };
}

const deliveryView = (r: Selectable<WebhookDeliveryTable>): DeliveryView => ({
  id: r.id,
  event: r.event_type,
  status: r.status,
  attempts: r.attempts,
  next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
  last_status: r.last_status,
  last_error: r.last_error,
  created_at: r.created_at,
  finished_at: r.finished_at,
});
