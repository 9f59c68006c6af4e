import type { Kysely } from 'kysely';
import { preparedInsert, preparedWrite } from '../storage/db.js';
import type { Database } from '../storage/schema.js';

export type Tx = Kysely<Database>;

/** Who did it, as shown in the audit log: `key:<id>`, `session:ps`, `system`, `device:<id>`. */
export type Actor = string;

export async function recordEvent(
  tx: Tx,
  at: string,
  event: { type: string; actor: Actor; subject: string; data?: Record<string, unknown> },
): Promise<void> {
  await insertEvent(tx, event.type, at, event.actor, event.subject, JSON.stringify(event.data ?? {}));
}

// Every change writes one: compiled once.
const insertEvent = preparedWrite<never, [string, string, string, string, string]>(
  (db, type, at, actor, subject, data) => db.insertInto('events').values({ type, at, actor, subject, data }),
  5,
);

/**
 * A webhook outbox row in the same transaction as the change it reports (SPEC §6).
 * `sequence` increases per credential so receivers can order retried deliveries.
 */
export async function enqueueWebhook(
  tx: Tx,
  at: string,
  body: { event: string; credential_id: string; person_id: number } & Record<string, unknown>,
): Promise<void> {
  const {
    rows: [row],
  } = await nextSequence(tx, body.credential_id);
  if (!row) throw new Error(`no credential ${body.credential_id} for its webhook`);
  const payload = { ...body, timestamp: at.replace(/\.\d{3}Z$/, 'Z'), sequence: row.sequence };
  await insertOutbox(tx, { event_type: body.event, credential_id: body.credential_id, payload: JSON.stringify(payload), created_at: at });
}

const nextSequence = preparedWrite<{ sequence: number }, [string]>(
  (db, id) => db.updateTable('credentials').set((eb) => ({ sequence: eb('sequence', '+', 1) })).where('id', '=', id).returning('sequence'),
  1,
);
const insertOutbox = preparedInsert('outbox', ['event_type', 'credential_id', 'payload', 'created_at']);

export interface EventView {
  id: string;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: Record<string, unknown>;
}

export async function listEvents(
  db: Tx,
  opts: { limit: number; cursor?: number; type?: string; subject?: string },
): Promise<{ events: EventView[]; next_cursor: string | null }> {
  let q = db.selectFrom('events').selectAll().orderBy('seq', 'desc').limit(opts.limit + 1);
  if (opts.cursor !== undefined) q = q.where('seq', '<', opts.cursor);
  if (opts.type) q = q.where('type', '=', opts.type);
  if (opts.subject) q = q.where('subject', '=', opts.subject);
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  return {
    events: page.map((r) => ({ id: `evt_${r.seq}`, type: r.type, at: r.at, actor: r.actor, subject: r.subject, data: JSON.parse(r.data) })),
    next_cursor: rows.length > opts.limit ? String(page[page.length - 1].seq) : null,
  };
}
