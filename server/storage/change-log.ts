// A change of state as it is recorded: its audit event and, when partners hear of it, its webhook
// outbox row, written together in the change's transaction by one call (`recordChange`).
import type { Kysely } from 'kysely';
import type { Actor } from './audit.js';
import type { Database } from './schema.js';
import { preparedInsert, preparedWrite } from './statements.js';
import { changeIn, type Writes } from './writes.js';

/** The audit row of a change (docs/api.md, `GET /events`). */
export interface ChangeEvent {
  type: string;
  actor: Actor;
  subject: string;
  data?: Record<string, unknown>;
}

/** The webhook a change sends (docs/webhooks.md): its event, the credential and person it is about, its fields. */
export type WebhookBody = { event: string; credential_id: string; person_id: number } & Record<string, unknown>;

/**
 * A webhook with its place in the credential's order: `sequence` increases per credential so
 * receivers can order retried deliveries. Known when the change already moved the credential on
 * (a status change takes the next one); otherwise taken from the credential in the same transaction.
 */
export type Webhook = WebhookBody & { sequence?: number };

/**
 * Records one change: its audit event and, given a webhook, the outbox row the dispatcher sends —
 * both in the change's transaction, so neither is ever written without the other. Declared in a
 * `change` (the webhook's sequence must then be known), or awaited in a transaction.
 */
export function recordChange(
  to: Writes,
  at: string,
  event: ChangeEvent,
  webhook?: Webhook & { sequence: number },
): void;
export function recordChange(to: Kysely<Database>, at: string, event: ChangeEvent, webhook?: Webhook): Promise<void>;
export function recordChange(
  to: Writes | Kysely<Database>,
  at: string,
  event: ChangeEvent,
  webhook?: Webhook,
): void | Promise<void> {
  if (isWrites(to)) return declare(to, at, event, webhook as Webhook & { sequence: number });
  return (async () => {
    let sequence = webhook?.sequence;
    if (webhook && sequence === undefined) {
      const {
        rows: [row],
      } = await nextSequence(to, webhook.credential_id);
      if (!row) throw new Error(`no credential ${webhook.credential_id} for its webhook`);
      sequence = row.sequence;
    }
    await changeIn(to, (w) => declare(w, at, event, webhook && { ...webhook, sequence: sequence! }));
  })();
}

/**
 * Many changes of one decision at once (a CSV import's chunk): their audit events in multi-row
 * inserts inside the caller's transaction, a few hundred rows a statement. No webhooks: people's
 * changes send none.
 */
export async function recordChanges(tx: Kysely<Database>, at: string, events: ChangeEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
    await tx
      .insertInto('events')
      .values(
        events.slice(i, i + EVENTS_PER_STATEMENT).map((e) => ({
          type: e.type,
          at,
          actor: e.actor,
          subject: e.subject,
          data: JSON.stringify(e.data ?? {}),
        })),
      )
      .execute();
  }
}
const EVENTS_PER_STATEMENT = 500;

const isWrites = (to: Writes | Kysely<Database>): to is Writes => typeof (to as Writes).expect === 'function';

function declare(w: Writes, at: string, event: ChangeEvent, webhook?: Webhook & { sequence: number }): void {
  w.run(insertEvent, {
    type: event.type,
    at,
    actor: event.actor,
    subject: event.subject,
    data: JSON.stringify(event.data ?? {}),
  });
  if (webhook) declareWebhook(w, at, webhook);
}

function declareWebhook(w: Writes, at: string, { sequence, ...body }: Webhook & { sequence: number }): void {
  const payload = { ...body, timestamp: at.replace(/\.\d{3}Z$/, 'Z'), sequence };
  w.run(insertOutbox, {
    event_type: body.event,
    credential_id: body.credential_id,
    payload: JSON.stringify(payload),
    created_at: at,
  });
}

const insertEvent = preparedInsert('events', ['type', 'at', 'actor', 'subject', 'data']);
const insertOutbox = preparedInsert('outbox', ['event_type', 'credential_id', 'payload', 'created_at']);
const nextSequence = preparedWrite<{ sequence: number }, [string]>(
  (db, id) =>
    db
      .updateTable('credentials')
      .set((eb) => ({ sequence: eb('sequence', '+', 1) }))
      .where('id', '=', id)
      .returning('sequence'),
  1,
);
