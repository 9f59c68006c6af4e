// The webhook dispatcher: outbox rows fan out to subscribed endpoints as deliveries, sent at least once.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ExpressionBuilder, Selectable } from 'kysely';
import { addSeconds, nowIso, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { KeyRing, RandomSource } from '../crypto/secrets.js';
import { fixedLimit, json, type Store, type Tx } from '../storage/db.js';
import { startWorker, type WorkerDeps } from '../storage/outbox.js';
import type { Database, WebhookDeliveryTable, WebhookTable } from '../storage/schema.js';
import { resolveDestination } from './destination.js';
import { decryptSecret, disableWebhookTx, newDeliveryId, WEBHOOK_QUEUED } from './endpoints.js';
import { signedHeaders } from './signing.js';

/** What the dispatcher runs against (the domain's context is one). */
export interface DispatcherDeps extends WorkerDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  random: RandomSource;
  /** `dev` lets deliveries reach private addresses (a receiver on localhost). */
  config: Pick<Config, 'dev' | 'leaseSeconds'>;
  metrics?: Metrics;
}

/** Delay before attempt n+1 (seconds): 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (docs/lifecycle.md). */
export const RETRY_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
export const TIMEOUT_MS = 15_000;
/** An endpoint failing for this long is disabled. */
export const FAILING_DISABLE_SECONDS = 5 * 86400;
const BATCH = 20;
const FAN_OUT_BATCH = 200;

export interface AttemptResult {
  status?: number;
  retryAfter?: number;
  error?: string;
}

/** Sends one signed POST; injectable so tests can replace the network (default: pinned node:http). */
export type WebhookSender = (url: string, headers: Record<string, string>, body: string, allowPrivate: boolean) => Promise<AttemptResult>;

/** Within the transaction: each unfanned outbox row becomes one delivery per subscribed, enabled endpoint. */
export async function fanOutOutbox(ctx: DispatcherDeps, limit = FAN_OUT_BATCH): Promise<number> {
  return ctx.store.db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('outbox').select(['seq', 'event_type', 'payload', 'created_at']).where('fanned_at', 'is', null).orderBy('seq').limit(fixedLimit(limit));
    // Two instances never fan the same row: PostgreSQL skips locked rows, SQLite has one writer.
    if (ctx.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const rows = await q.execute();
    if (rows.length === 0) return 0;
    const hooks = await tx.selectFrom('webhooks').select(['id', 'events']).where('enabled', '=', 1).where('deleted_at', 'is', null).execute();
    const at = nowIso(ctx);
    const deliveries = [];
    for (const row of rows) {
      for (const hook of hooks) {
        if (!json<string[]>(hook.events, []).includes(row.event_type)) continue;
        deliveries.push({
          id: newDeliveryId(ctx),
          webhook_id: hook.id,
          outbox_seq: row.seq,
          event_type: row.event_type,
          payload: row.payload,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: at,
          claimed_until: null,
          last_status: null,
          last_error: null,
          created_at: at,
          finished_at: null,
        });
      }
    }
    for (let i = 0; i < deliveries.length; i += 100) {
      await tx.insertInto('webhook_deliveries').values(deliveries.slice(i, i + 100)).onConflict((oc) => oc.columns(['webhook_id', 'outbox_seq']).doNothing()).execute();
    }
    await tx.updateTable('outbox').set({ fanned_at: at }).where('seq', 'in', rows.map((r) => r.seq)).execute();
    return rows.length;
  });
}

type Claimed = Selectable<WebhookDeliveryTable>;

/**
 * Claims due deliveries with a lease, so no two instances send the same attempt: one statement
 * (its own transaction), the outer condition re-checked per row as the queue's claim does, and on
 * PostgreSQL rows another instance is claiming are skipped rather than waited for.
 */
async function claimDeliveries(ctx: DispatcherDeps): Promise<Claimed[]> {
  const now = nowIso(ctx);
  const due = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>) =>
    eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
  return ctx.store.db
    .updateTable('webhook_deliveries')
    .set({ claimed_until: addSeconds(now, ctx.config.leaseSeconds) })
    .where('id', 'in', (eb) => {
      const q = eb.selectFrom('webhook_deliveries').select('id').where(due).orderBy('next_attempt_at').limit(fixedLimit(BATCH));
      return ctx.store.dialect === 'postgres' ? q.forUpdate().skipLocked() : q;
    })
    .where(due)
    .returningAll()
    .execute();
}

/** Fans out and sends every due delivery once; returns how many were delivered. */
export async function dispatchWebhooks(ctx: DispatcherDeps, send: WebhookSender = sendPinned): Promise<number> {
  // A short batch is the last: no further (empty) pass just to find that out.
  while ((await fanOutOutbox(ctx, FAN_OUT_BATCH)) === FAN_OUT_BATCH) {
    /* drain the outbox */
  }
  let delivered = 0;
  for (;;) {
    const batch = await claimDeliveries(ctx);
    const results = await Promise.all(batch.map((d) => attempt(ctx, d, send)));
    delivered += results.filter(Boolean).length;
    if (batch.length < BATCH) break;
  }
  return delivered;
}

function secretsOf(ctx: DispatcherDeps, hook: Selectable<WebhookTable>): string[] {
  const secrets = [decryptSecret(ctx, hook, hook.secret_enc)];
  if (hook.previous_secret_enc && hook.previous_until && hook.previous_until > nowIso(ctx)) secrets.push(decryptSecret(ctx, hook, hook.previous_secret_enc));
  return secrets;
}

async function attempt(ctx: DispatcherDeps, d: Claimed, send: WebhookSender): Promise<boolean> {
  const hook = await ctx.store.db.selectFrom('webhooks').selectAll().where('id', '=', d.webhook_id).executeTakeFirst();
  const finish = (set: Partial<Selectable<WebhookDeliveryTable>>) =>
    ctx.store.db.updateTable('webhook_deliveries').set({ claimed_until: null, ...set }).where('id', '=', d.id).execute();
  if (!hook || hook.enabled !== 1) {
    await finish({ status: 'failed', finished_at: nowIso(ctx), last_error: 'endpoint disabled' });
    return false;
  }
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  let result: AttemptResult = {};
  let headers: Record<string, string> | undefined;
  try {
    // A secret made under a key this server no longer has (KEYWAY_SECRET_PREVIOUS removed before
    // rotating) is a failed attempt with its cause, not an exception that leaves the row claimed.
    headers = { 'content-type': 'application/json', 'user-agent': 'Keyway-Webhooks/1', ...signedHeaders(secretsOf(ctx, hook), d.id, timestamp, d.payload) };
  } catch {
    result = { error: 'the endpoint secret cannot be decrypted: it was made under a secret that is neither KEYWAY_SECRET nor KEYWAY_SECRET_PREVIOUS' };
  }
  if (headers) {
    try {
      result = await send(hook.url, headers, d.payload, ctx.config.dev);
    } catch (err) {
      result = { error: (err as Error).message };
    }
  }
  const at = nowIso(ctx);
  const attempts = d.attempts + 1;
  const status = result.status;
  const delivered = status !== undefined && status >= 200 && status < 300;
  ctx.metrics?.webhookAttempts.inc({ result: delivered ? 'delivered' : status === undefined ? 'error' : `http_${Math.floor(status / 100)}xx` });
  if (delivered) {
    await finish({ status: 'delivered', attempts, last_status: status, last_error: null, finished_at: at });
    if (hook.failing_since) await ctx.store.db.updateTable('webhooks').set({ failing_since: null }).where('id', '=', hook.id).execute();
    return true;
  }
  const error = (result.error ?? `HTTP ${status}${status !== undefined && status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`).slice(0, 300);
  ctx.log({ level: 'warn', msg: 'webhook delivery failed', webhook_id: hook.id, delivery_id: d.id, attempt: attempts, status: status ?? null, error });
  if (status === 410) {
    await finish({ status: 'failed', attempts, last_status: status, last_error: error, finished_at: at });
    await ctx.store.db.transaction().execute((tx) => disableWebhookTx(ctx, tx, hook.id, 'gone', 'system'));
    return false;
  }
  const failingSince = hook.failing_since ?? at;
  if (!hook.failing_since) await ctx.store.db.updateTable('webhooks').set({ failing_since: at }).where('id', '=', hook.id).where('failing_since', 'is', null).execute();
  if (Date.parse(at) - Date.parse(failingSince) >= FAILING_DISABLE_SECONDS * 1000) {
    await finish({ status: 'failed', attempts, last_status: status ?? null, last_error: error, finished_at: at });
    await ctx.store.db.transaction().execute((tx: Tx) => disableWebhookTx(ctx, tx, hook.id, 'failing', 'system'));
    return false;
  }
  if (attempts >= RETRY_SCHEDULE.length) {
    await finish({ status: 'failed', attempts, last_status: status ?? null, last_error: error, finished_at: at });
    return false;
  }
  await finish({ attempts, last_status: status ?? null, last_error: error, next_attempt_at: addSeconds(at, nextDelay(attempts, result.retryAfter)) });
  return false;
}

/** Seconds before the next attempt: the schedule with ±10 % jitter, or a longer Retry-After (capped at a day). */
export function nextDelay(attemptsSoFar: number, retryAfter?: number, random = Math.random): number {
  const base = RETRY_SCHEDULE[Math.min(attemptsSoFar, RETRY_SCHEDULE.length - 1)];
  const jittered = base * (0.9 + 0.2 * random());
  return Math.max(jittered, Math.min(retryAfter ?? 0, 86400));
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

/**
 * The default sender: resolves and checks the destination at send time, then connects to exactly
 * that address (a custom `lookup`), 15 s timeout, no redirects followed.
 */
export const sendPinned: WebhookSender = async (rawUrl, headers, body, allowPrivate) => {
  const url = new URL(rawUrl);
  const pinned = await resolveDestination(url, allowPrivate);
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    const req = lib.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = parseRetryAfter(res.headers['retry-after'] as string | undefined, Date.now());
      res.resume();
      res.on('end', () => resolve({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) }));
      res.on('error', () => resolve({ status }));
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
};

/**
 * The background dispatcher: woken by commits on this instance, polling each second for other
 * instances' rows and for retries. `stop()` waits for attempts already claimed.
 */
export function startWebhookDispatcher(ctx: DispatcherDeps, opts: { pollMs?: number; send?: WebhookSender } = {}): () => Promise<void> {
  // 5 ms of gathering: a burst of changes fans out in one pass (one commit, not one per change).
  return startWorker(ctx, { name: 'webhook dispatcher', pollMs: opts.pollMs ?? 1000, wakeOn: ['credential', WEBHOOK_QUEUED], pass: () => dispatchWebhooks(ctx, opts.send), gatherMs: 5 });
}
