import type { Selectable } from 'kysely';
import { type Clock, nowIso } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing } from '../crypto/secrets.js';
import type { Log } from '../log.js';
import type { Metrics } from '../metrics.js';
import { changeIn, defineInsert, type Store, type Tx, type Writes } from '../storage/db.js';
import { defineOutbox, type OutboxDeps, type StopWorker } from '../storage/outbox.js';
import type { MessageQueueTable } from '../storage/schema.js';
import { DeliveryError, type EmailMessage, type Mailer, type SmsMessage, type SmsSender } from './senders.js';

/**
 * Durable send queue (docs/security.md: a provider failure never loses a verification nor prints its
 * code). Rows are written in the transaction that decided to send; a worker delivers them.
 */
/** What the queue runs against (the domain's context is one). */
export interface QueueDeps extends OutboxDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  sms: SmsSender;
  mailer: Mailer;
  log: Log;
  config: Pick<Config, 'leaseSeconds'>;
  metrics?: Metrics;
}

/** What happens in the database, in the transaction that marks it delivered, once a message with a `ref` went out. */
export type OnDelivered = Record<string, (tx: Tx, ref: string, at: string) => Promise<void>>;

export type QueuedMessage = { channel: 'sms'; message: SmsMessage } | { channel: 'email'; message: EmailMessage };

const QUEUED = 'message-queued';

/** A message queued by a change (storage/writes.ts): declared with the change's other writes. */
export function queueMessage(
  ctx: Pick<QueueDeps, 'keys' | 'clock'>,
  w: Writes,
  queued: QueuedMessage,
  meta: { purpose: string; ref?: string; giveUpAt: string },
): void {
  const at = nowIso(ctx);
  w.run(insertQueued, {
    channel: queued.channel,
    purpose: meta.purpose,
    ref: meta.ref ?? null,
    payload_enc: ctx.keys.encrypt(JSON.stringify(queued.message), `message_queue:${queued.channel}`),
    attempts: 0,
    next_attempt_at: at,
    claimed_until: null,
    give_up_at: meta.giveUpAt,
    created_at: at,
    delivered_at: null,
    failed_at: null,
    last_error: null,
  });
}

/** A message queued inside a transaction already open. */
export const enqueueMessage = (
  ctx: Pick<QueueDeps, 'keys' | 'clock'>,
  tx: Tx,
  queued: QueuedMessage,
  meta: { purpose: string; ref?: string; giveUpAt: string },
): Promise<void> => changeIn(tx, (w) => queueMessage(ctx, w, queued, meta));

// The statement every send runs, compiled once (storage/db.ts).
const insertQueued = defineInsert('message_queue', [
  'channel',
  'purpose',
  'ref',
  'payload_enc',
  'attempts',
  'next_attempt_at',
  'claimed_until',
  'give_up_at',
  'created_at',
  'delivered_at',
  'failed_at',
  'last_error',
]);

/** Wakes this process's worker after a commit, so dev messages appear well within 1 s. */
export const kickDelivery = (ctx: Pick<QueueDeps, 'bus'>): void => {
  ctx.bus.emit(QUEUED);
};

/**
 * Wakes the worker for a one-time code's text 20–120 ms after its request, at a random moment: the
 * send (a provider call, its writes) then never lands on the caller's next request, so a known
 * number's caller is not slowed where an unknown one's is not (docs/security.md, issue 25 point 6).
 */
export const kickDeliverySoon = (ctx: Pick<QueueDeps, 'bus'>): void => {
  setTimeout(() => ctx.bus.emit(QUEUED), 20 + Math.floor(Math.random() * 100)).unref();
};

type Queued = Selectable<MessageQueueTable>;
type Deps = QueueDeps & { onDelivered: OnDelivered };

/**
 * The send queue as an outbox (storage/outbox.ts): each message on its own with its provider's
 * deadline, 25 at once per channel (a stuck SMS provider never holds email's slots); a row gives
 * up after 8 attempts or at `give_up_at` (an SMS code dies with its verification).
 */
const messages = defineOutbox<Deps, 'message_queue', Queued>({
  name: 'delivery worker',
  table: 'message_queue',
  pending: (eb) => eb.and([eb('delivered_at', 'is', null), eb('failed_at', 'is', null)]),
  destination: 'channel',
  orderBy: 'id',
  concurrency: 50,
  perDestination: 25,
  retry: { delays: [1, 5, 30, 120, 300, 900, 3600], maxAttempts: 8 },
  giveUpAt: (_, row) => row.give_up_at,
  async deliver(ctx, row, signal) {
    if (nowIso(ctx) >= row.give_up_at) throw new DeliveryError('gave up: the message outlived its purpose');
    const message = JSON.parse(ctx.keys.decrypt(row.payload_enc, `message_queue:${row.channel}`));
    // A retry is recognisably the same message (the webhook provider's webhook-id); keyed with this
    // installation's secret, so two installations sending to one gateway never share an id.
    if (row.channel === 'sms')
      await ctx.sms.send(
        {
          ...(message as SmsMessage),
          id: `msg_${ctx.keys.lookupHash('sms-message', `${row.id}.${row.created_at}`).slice(0, 32)}`,
        },
        { signal },
      );
    else await ctx.mailer.send(message as EmailMessage, { signal });
    ctx.metrics?.sends.inc({ channel: row.channel, result: 'sent' });
    return { ok: true };
  },
  // A message sent or given up keeps no payload: it may carry a code.
  delivered: (at) => ({ delivered_at: at, payload_enc: '' }),
  givenUp: (at) => ({ failed_at: at, payload_enc: '' }),
  batchDelivered: true,
  inTransaction: (ctx, row) => {
    const hook = row.ref ? ctx.onDelivered[row.purpose] : undefined;
    return hook && ((tx, at) => hook(tx, row.ref!, at));
  },
  onFailure(ctx, row, { attempt, error, final }) {
    ctx.metrics?.sends.inc({ channel: row.channel, result: final ? 'failed' : 'retry' });
    ctx.log({
      level: final ? 'error' : 'warn',
      msg: final ? 'message undeliverable' : 'message delivery failed, will retry',
      queue_id: row.id,
      channel: row.channel,
      purpose: row.purpose,
      attempt,
      error,
    });
  },
});

/**
 * Delivers every due message once; returns how many went out. Rows are claimed by a
 * compare-and-set on `claimed_until`, so several instances may run this at once.
 */
export function deliverDueMessages(ctx: QueueDeps, onDelivered: OnDelivered = {}): Promise<number> {
  return messages.deliverDue({ ...ctx, onDelivered });
}

/** The background worker: a poll for retries and other instances' rows, plus a kick per enqueue. */
export function startDeliveryWorker(ctx: QueueDeps, onDelivered: OnDelivered, pollMs = 1000): StopWorker {
  // A few milliseconds of gathering turn a burst of sends into one claim: nobody notices 5 ms on an SMS.
  return messages.start({ ...ctx, onDelivered }, { pollMs, wakeOn: [QUEUED], gatherMs: 5 });
}
