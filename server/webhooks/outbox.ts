// The webhook outbox: one row per reported change, in the change's transaction; the dispatcher fans it out.
import { preparedInsert, preparedWrite, type Tx } from '../storage/db.js';

/**
 * A webhook outbox row in the same transaction as the change it reports (docs/lifecycle.md).
 * `sequence` increases per credential so receivers can order retried deliveries.
 */
export async function enqueueWebhook(
  tx: Tx,
  at: string,
  body: { event: string; credential_id: string; person_id: number } & Record<string, unknown>,
  /** The credential's next sequence when this transaction already took it (a status change's update does). */
  taken?: number,
): Promise<void> {
  let sequence = taken;
  if (sequence === undefined) {
    const {
      rows: [row],
    } = await nextSequence(tx, body.credential_id);
    if (!row) throw new Error(`no credential ${body.credential_id} for its webhook`);
    sequence = row.sequence;
  }
  const payload = { ...body, timestamp: at.replace(/\.\d{3}Z$/, 'Z'), sequence };
  await insertOutbox(tx, {
    event_type: body.event,
    credential_id: body.credential_id,
    payload: JSON.stringify(payload),
    created_at: at,
  });
}

const nextSequence = preparedWrite<{ sequence: number }, [string]>(
  (db, id) =>
    db
      .updateTable('credentials')
      .set((eb) => ({ sequence: eb('sequence', '+', 1) }))
      .where('id', '=', id)
      .returning('sequence'),
  1,
);
const insertOutbox = preparedInsert('outbox', ['event_type', 'credential_id', 'payload', 'created_at']);
