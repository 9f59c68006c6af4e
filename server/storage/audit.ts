// The audit log (`events`): one row per change, written in the change's transaction.
import { sql } from 'kysely';
import type { Tx } from './db.js';
import { preparedInsert } from './statements.js';

/** Who did it, as shown in the audit log: `key:<id>`, `session:ps`, `system`, `device:<id>`. */
export type Actor = string;

export async function recordEvent(
  tx: Tx,
  at: string,
  event: { type: string; actor: Actor; subject: string; data?: Record<string, unknown> },
): Promise<void> {
  await insertEvent(tx, {
    type: event.type,
    at,
    actor: event.actor,
    subject: event.subject,
    data: JSON.stringify(event.data ?? {}),
  });
}

// Every change writes one: compiled once.
const insertEvent = preparedInsert('events', ['type', 'at', 'actor', 'subject', 'data']);

export interface EventView {
  id: string;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: Record<string, unknown>;
  /** Its link in the hash chain (SPEC §15); null for the few seconds before the sealer reaches it. */
  hash: string | null;
}

export async function listEvents(
  db: Tx,
  opts: {
    limit: number;
    cursor?: number;
    /** Exact, or a prefix when it ends in `*` (`person.*`). */
    type?: string;
    subject?: string;
    actor?: string;
    /** ISO instants: at or after `since`, before `until`. */
    since?: string;
    until?: string;
  },
): Promise<{ events: EventView[]; next_cursor: string | null }> {
  let q = db
    .selectFrom('events')
    .selectAll()
    .orderBy('seq', 'desc')
    .limit(opts.limit + 1);
  if (opts.cursor !== undefined) q = q.where('seq', '<', opts.cursor);
  if (opts.type?.endsWith('*')) {
    const prefix = opts.type.slice(0, -1).replace(/[\\%_]/g, (m) => `\\${m}`);
    q = q.where(sql<boolean>`type like ${`${prefix}%`} escape '\\'`);
  } else if (opts.type) q = q.where('type', '=', opts.type);
  if (opts.subject) q = q.where('subject', '=', opts.subject);
  if (opts.actor) q = q.where('actor', '=', opts.actor);
  if (opts.since) q = q.where('at', '>=', opts.since);
  if (opts.until) q = q.where('at', '<', opts.until);
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  return {
    events: page.map((r) => ({
      id: `evt_${r.seq}`,
      type: r.type,
      at: r.at,
      actor: r.actor,
      subject: r.subject,
      data: JSON.parse(r.data),
      hash: r.hash,
    })),
    next_cursor: rows.length > opts.limit ? String(page[page.length - 1].seq) : null,
  };
}
