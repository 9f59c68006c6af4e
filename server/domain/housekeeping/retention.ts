// docs/security.md "retention": what has served its purpose leaves the database after KEYWAY_RETENTION_DAYS.
import { addSeconds, nowIso } from '../../clock.js';
import type { Ctx } from '../context.js';

/** A callback's signed message is valid for far less; a nonce kept this long can never be replayed. */
export const CALLBACK_NONCE_SECONDS = 7 * 86400;

/**
 * Expired tokens and links, finished verifications (with the encrypted numbers of strangers),
 * sent or abandoned queued messages, fanned-out outbox rows and finished webhook deliveries,
 * once older than the retention; Google callback nonces once past their validity.
 */
export async function pruneRetained(ctx: Ctx): Promise<Record<string, number>> {
  const now = nowIso(ctx);
  const cutoff = addSeconds(now, -ctx.config.retentionDays * 86400);
  const db = ctx.store.db;
  const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const pruned = {
    tokens: n(await db.deleteFrom('tokens').where('expires_at', '<', cutoff).executeTakeFirst()),
    verifications: n(
      await db
        .deleteFrom('verifications')
        .where('created_at', '<', cutoff)
        .where((eb) => eb.or([eb('succeeded_at', 'is not', null), eb('expires_at', '<', now)]))
        .executeTakeFirst(),
    ),
    message_queue: n(
      await db
        .deleteFrom('message_queue')
        .where('created_at', '<', cutoff)
        .where((eb) => eb.or([eb('delivered_at', 'is not', null), eb('failed_at', 'is not', null)]))
        .executeTakeFirst(),
    ),
    webhook_deliveries: n(
      await db
        .deleteFrom('webhook_deliveries')
        .where('status', 'in', ['delivered', 'failed'])
        .where('finished_at', '<', cutoff)
        .executeTakeFirst(),
    ),
    outbox: n(
      await db
        .deleteFrom('outbox')
        .where('fanned_at', 'is not', null)
        .where('created_at', '<', cutoff)
        // A row some delivery still points at waits for that delivery to finish and go.
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('webhook_deliveries')
                .select('id')
                .whereRef('webhook_deliveries.outbox_seq', '=', 'outbox.seq'),
            ),
          ),
        )
        .executeTakeFirst(),
    ),
    google_callback_nonces: n(
      await db
        .deleteFrom('google_callback_nonces')
        .where('created_at', '<', addSeconds(now, -CALLBACK_NONCE_SECONDS))
        .executeTakeFirst(),
    ),
  };
  if (Object.values(pruned).some((v) => v > 0)) ctx.log({ level: 'info', msg: 'retention pruned', ...pruned });
  return pruned;
}
