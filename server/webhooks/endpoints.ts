// Webhook endpoint rows as the dispatcher needs them: their secrets, delivery ids, and disabling.
import type { Selectable } from 'kysely';
import { type Clock, nowIso } from '../clock.js';
import { base62, type KeyRing, type RandomSource } from '../crypto/secrets.js';
import type { Actor } from '../storage/audit.js';
import { recordChange } from '../storage/change-log.js';
import type { Tx } from '../storage/db.js';
import type { WebhookTable } from '../storage/schema.js';

/** The bus event that wakes the dispatcher when a delivery was queued outside a credential change. */
export const WEBHOOK_QUEUED = 'webhook-queued';

export const secretAad = (id: string) => `webhook:${id}`;
export const decryptSecret = (deps: { keys: KeyRing }, row: Pick<Selectable<WebhookTable>, 'id'>, enc: string) =>
  deps.keys.decrypt(enc, secretAad(row.id));

export const newDeliveryId = (deps: { random: RandomSource }) => `msg_${base62(deps.random(16))}`;

/** Disables an endpoint (deleted, 410 Gone, or 5 days of failures) with its audit event; pending deliveries end. */
export async function disableWebhookTx(
  ctx: { clock: Clock },
  tx: Tx,
  id: string,
  reason: 'deleted' | 'gone' | 'failing',
  actor: Actor,
): Promise<void> {
  const at = nowIso(ctx);
  await tx
    .updateTable('webhooks')
    .set({ enabled: 0, disabled_reason: reason, updated_at: at, ...(reason === 'deleted' ? { deleted_at: at } : {}) })
    .where('id', '=', id)
    .execute();
  await tx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', finished_at: at, last_error: `endpoint disabled (${reason})`, claimed_until: null })
    .where('webhook_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  await recordChange(tx, at, { type: 'webhook.disabled', actor, subject: `webhook:${id}`, data: { reason } });
}
