import type { ExpressionBuilder, Selectable } from 'kysely';
import { addSeconds, nowIso, type Clock } from '../clock.js';
import type { KeyRing } from '../crypto/secrets.js';
import type { Config } from '../config.js';
import type { Log } from '../log.js';
import type { Metrics } from '../metrics.js';
import { fixedLimit, preparedInsert, preparedWrite, type Store, type Tx } from '../storage/db.js';
import { deliverDue, startLanes, type Lanes, type StopWorker, type WorkerDeps } from '../storage/outbox.js';
import type { Database, MessageQueueTable } from '../storage/schema.js';
import { DeliveryError, type EmailMessage, type Mailer, type SmsMessage, type SmsSender } from './senders.js';

/**
 * Durable send queue (docs/security.md: a provider failure never loses a verification nor prints its
 * code). Rows are written in the transaction that decided to send; a worker delivers them.
 */
/** What the queue runs against (the domain's context is one). */
export interface QueueDeps extends WorkerDeps {
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

/** Seconds before attempt n+1; a row gives up at `give_up_at` (an SMS code dies with its verification). */
const RETRY_DELAYS = [1, 5, 30, 120, 300, 900, 3600];
const MAX_ATTEMPTS = RETRY_DELAYS.length + 1;
/** Sends in flight per process, and per channel (a stuck SMS provider never holds email's slots). */
const CONCURRENCY = 50;
const PER_CHANNEL = 25;
const QUEUED = 'message-queued';

export async function enqueueMessage(
  ctx: Pick<QueueDeps, 'keys' | 'clock'>,
  tx: Tx,
  queued: QueuedMessage,
  meta: { purpose: string; ref?: string; giveUpAt: string },
): Promise<void> {
  const at = nowIso(ctx);
  await insertQueued(tx, {
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

// The statements every send runs, compiled once (storage/db.ts).
const insertQueued = preparedInsert('message_queue', ['channel', 'purpose', 'ref', 'payload_enc', 'attempts', 'next_attempt_at', 'claimed_until', 'give_up_at', 'created_at', 'delivered_at', 'failed_at', 'last_error']);
const unclaimed = (now: string) => (eb: ExpressionBuilder<Database, 'message_queue'>) =>
  eb.and([eb('delivered_at', 'is', null), eb('failed_at', 'is', null), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
// One statement claims a batch; the outer condition is re-checked per row, so instances never share one.
// Compiled once per limit and busy channel (a handful: two channels, limits up to PER_CHANNEL).
const claimStatements = new Map<string, ReturnType<typeof claimStatement>>();
function claimStatement(limit: number, busy: readonly string[]) {
  return preparedWrite<Selectable<MessageQueueTable>, [string, string]>(
    (db, until, now) =>
      db
        .updateTable('message_queue')
        .set({ claimed_until: until })
        .where('id', 'in', (eb) => {
          let q = eb.selectFrom('message_queue').select('id').where(unclaimed(now)).where('next_attempt_at', '<=', now);
          if (busy.length) q = q.where('channel', 'not in', [...busy] as ('sms' | 'email')[]);
          return q.orderBy('id').limit(fixedLimit(limit));
        })
        .where(unclaimed(now))
        .returningAll(),
    2,
  );
}
function claimBatch(ctx: QueueDeps, limit: number, busy: readonly string[]) {
  const key = `${limit}:${busy.join(',')}`;
  let claim = claimStatements.get(key);
  if (!claim) claimStatements.set(key, (claim = claimStatement(limit, busy)));
  const now = nowIso(ctx);
  return claim(ctx.store.db, addSeconds(now, ctx.config.leaseSeconds), now);
}
const markDeliveredWithHook = preparedWrite<never, [string, number, number]>(
  (db, at, attempts, id) => db.updateTable('message_queue').set({ delivered_at: at, attempts, claimed_until: null, payload_enc: '', last_error: null }).where('id', '=', id),
  3,
);

/** Wakes this process's worker after a commit, so dev messages appear well within 1 s. */
export const kickDelivery = (ctx: Pick<QueueDeps, 'bus'>): void => {
  ctx.bus.emit(QUEUED);
};

/** Each message on its own, with its provider's deadline; per-channel slots (storage/outbox.ts). */
function messageLanes(ctx: QueueDeps, onDelivered: OnDelivered): Lanes<Selectable<MessageQueueTable>> {
  const marker = deliveredMarker(ctx);
  return {
    name: 'delivery worker',
    concurrency: CONCURRENCY,
    perDestination: PER_CHANNEL,
    claim: async (limit, busy) => (await claimBatch(ctx, limit, busy)).rows.sort((a, b) => a.id - b.id),
    destinationOf: (row) => row.channel,
    attempt: (row, signal) => deliverOne(ctx, row, marker, onDelivered, signal),
  };
}

/**
 * Delivers every due message once; returns how many went out. Rows are claimed by a
 * compare-and-set on `claimed_until`, so several instances may run this at once.
 */
export function deliverDueMessages(ctx: QueueDeps, onDelivered: OnDelivered = {}): Promise<number> {
  return deliverDue(ctx, messageLanes(ctx, onDelivered));
}

/**
 * Records deliveries: rows that went out in the same turn of the event loop are marked by one
 * statement (one commit instead of one per message); a slow one is marked when it is done.
 */
function deliveredMarker(ctx: QueueDeps): (row: Selectable<MessageQueueTable>) => Promise<void> {
  let ids: number[] = [];
  let flush: Promise<void> | undefined;
  return (row) => {
    ids.push(row.id);
    flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const batch = ids;
      ids = [];
      flush = undefined;
      await ctx.store.db
        .updateTable('message_queue')
        .set((eb) => ({ delivered_at: nowIso(ctx), attempts: eb('attempts', '+', 1), claimed_until: null, payload_enc: '', last_error: null }))
        .where('id', 'in', batch)
        .execute();
    });
    return flush;
  };
}

async function deliverOne(
  ctx: QueueDeps,
  row: Selectable<MessageQueueTable>,
  markDelivered: (row: Selectable<MessageQueueTable>) => Promise<void>,
  onDelivered: OnDelivered,
  signal?: AbortSignal,
): Promise<boolean> {
  const attempt = row.attempts + 1;
  try {
    if (nowIso(ctx) >= row.give_up_at) throw new DeliveryError('gave up: the message outlived its purpose');
    const message = JSON.parse(ctx.keys.decrypt(row.payload_enc, `message_queue:${row.channel}`));
    // A retry is recognisably the same message (the webhook provider's webhook-id); keyed with this
    // installation's secret, so two installations sending to one gateway never share an id.
    if (signal?.aborted) throw new DeliveryError(String((signal.reason as Error)?.message ?? 'aborted'));
    if (row.channel === 'sms') await ctx.sms.send({ ...(message as SmsMessage), id: `msg_${ctx.keys.lookupHash('sms-message', `${row.id}.${row.created_at}`).slice(0, 32)}` }, { signal });
    else await ctx.mailer.send(message as EmailMessage, { signal });
    ctx.metrics?.sends.inc({ channel: row.channel, result: 'sent' });
  } catch (err) {
    const e = err instanceof DeliveryError ? err : new DeliveryError((err as Error)?.message ?? 'send failed');
    const at = nowIso(ctx);
    const delay = Math.max(RETRY_DELAYS[Math.min(attempt - 1, RETRY_DELAYS.length - 1)], e.retryAfter ?? 0);
    const next = addSeconds(at, delay);
    const final = attempt >= MAX_ATTEMPTS || next >= row.give_up_at;
    await ctx.store.db
      .updateTable('message_queue')
      .set({
        attempts: attempt,
        next_attempt_at: next,
        claimed_until: null,
        last_error: e.message.slice(0, 300),
        // A message we stop trying keeps no payload: it may carry a code.
        ...(final ? { failed_at: at, payload_enc: '' } : {}),
      })
      .where('id', '=', row.id)
      .execute();
    ctx.metrics?.sends.inc({ channel: row.channel, result: final ? 'failed' : 'retry' });
    ctx.log({ level: final ? 'error' : 'warn', msg: final ? 'message undeliverable' : 'message delivery failed, will retry', queue_id: row.id, channel: row.channel, purpose: row.purpose, attempt, error: e.message });
    return false;
  }
  const at = nowIso(ctx);
  const hook = row.ref ? onDelivered[row.purpose] : undefined;
  if (!hook) await markDelivered(row);
  else
    await ctx.store.db.transaction().execute(async (tx) => {
      await markDeliveredWithHook(tx, at, attempt, row.id);
      await hook(tx, row.ref!, at);
    });
  return true;
}

/** The background worker: a poll for retries and other instances' rows, plus a kick per enqueue. */
export function startDeliveryWorker(ctx: QueueDeps, onDelivered: OnDelivered, pollMs = 1000): StopWorker {
  // A few milliseconds of gathering turn a burst of sends into one claim: nobody notices 5 ms on an SMS.
  return startLanes(ctx, { ...messageLanes(ctx, onDelivered), pollMs, wakeOn: [QUEUED], gatherMs: 5 });
}
