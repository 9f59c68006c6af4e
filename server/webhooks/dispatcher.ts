// The webhook dispatcher: outbox rows fan out to subscribed endpoints as deliveries, sent at least once.
import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import type { Selectable } from 'kysely';
import { type Clock, nowIso } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing, RandomSource } from '../crypto/secrets.js';
import type { Metrics } from '../metrics.js';
import { fixedLimit, json, type Store, type Tx } from '../storage/db.js';
import {
  ABANDONED,
  defineOutbox,
  type OutboxDeps,
  type Outcome,
  type RetrySchedule,
  retryDelay,
  type StopWorker,
} from '../storage/outbox.js';
import type { WebhookDeliveryTable, WebhookTable } from '../storage/schema.js';
import { resolveDestination } from './destination.js';
import { decryptSecret, disableWebhookTx, newDeliveryId, WEBHOOK_QUEUED } from './endpoints.js';
import { signedHeaders } from './signing.js';

/** What the dispatcher runs against (the domain's context is one). */
export interface DispatcherDeps extends OutboxDeps {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  random: RandomSource;
  /** `dev` lets deliveries reach private addresses (a receiver on localhost). */
  config: Pick<Config, 'dev' | 'leaseSeconds'> & { timeouts?: Pick<Config['timeouts'], 'webhook'> };
  metrics?: Metrics;
}

/** Delay before attempt n+1 (seconds): 0 s, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (docs/lifecycle.md). */
export const RETRY_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];
/** The schedule after the first attempt, ±10 %; the 10th failed attempt gives up. */
const RETRY: RetrySchedule = {
  delays: RETRY_SCHEDULE.slice(1),
  maxAttempts: RETRY_SCHEDULE.length,
  jitter: 0.1,
  maxRetryAfter: 86400,
};
/** One attempt's deadline, connect to last byte (KEYWAY_WEBHOOK_TIMEOUT). */
export const TIMEOUT_MS = 15_000;
/** An endpoint failing for this long is disabled. */
export const FAILING_DISABLE_SECONDS = 5 * 86400;
const FAN_OUT_BATCH = 200;

export interface AttemptResult {
  status?: number;
  retryAfter?: number;
  error?: string;
}

/** Sends one signed POST; injectable so tests can replace the network (default: pinned node:http). */
export type WebhookSender = (
  url: string,
  headers: Record<string, string>,
  body: string,
  allowPrivate: boolean,
  opts?: SendOptions,
) => Promise<AttemptResult>;

export interface SendOptions {
  /** The deadline for the whole exchange (default {@link TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Aborts the attempt early (shutdown). */
  signal?: AbortSignal;
}

/** Within the transaction: each unfanned outbox row becomes one delivery per subscribed, enabled endpoint. */
export async function fanOutOutbox(ctx: DispatcherDeps, limit = FAN_OUT_BATCH): Promise<number> {
  return ctx.store.db.transaction().execute(async (tx) => {
    let q = tx
      .selectFrom('outbox')
      .select(['seq', 'event_type', 'payload', 'created_at'])
      .where('fanned_at', 'is', null)
      .orderBy('seq')
      .limit(fixedLimit(limit));
    // Two instances never fan the same row: PostgreSQL skips locked rows, SQLite has one writer.
    if (ctx.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const rows = await q.execute();
    if (rows.length === 0) return 0;
    const hooks = await tx
      .selectFrom('webhooks')
      .select(['id', 'events'])
      .where('enabled', '=', 1)
      .where('deleted_at', 'is', null)
      .execute();
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
      await tx
        .insertInto('webhook_deliveries')
        .values(deliveries.slice(i, i + 100))
        .onConflict((oc) => oc.columns(['webhook_id', 'outbox_seq']).doNothing())
        .execute();
    }
    await tx
      .updateTable('outbox')
      .set({ fanned_at: at })
      .where(
        'seq',
        'in',
        rows.map((r) => r.seq),
      )
      .execute();
    return rows.length;
  });
}

type Claimed = Selectable<WebhookDeliveryTable>;
type Deps = DispatcherDeps & { send: WebhookSender };

/**
 * Webhook deliveries as an outbox (storage/outbox.ts): each attempt on its own with its deadline,
 * at most 4 at once per endpoint (1 while its attempts keep failing, storage/worker.ts), so stuck
 * endpoints cannot take the 64 slots and never delay another's deliveries.
 */
const deliveries = defineOutbox<Deps, 'webhook_deliveries', Claimed>({
  name: 'webhook dispatcher',
  table: 'webhook_deliveries',
  pending: (eb) => eb('status', '=', 'pending'),
  destination: 'webhook_id',
  orderBy: 'next_attempt_at',
  concurrency: 64,
  perDestination: 4,
  breakAfter: 3,
  retry: RETRY,
  deliver: deliverWebhook,
  delivered: (at) => ({ status: 'delivered', finished_at: at }),
  givenUp: (at) => ({ status: 'failed', finished_at: at }),
});

const drainOutbox = async (ctx: DispatcherDeps) => {
  // A short batch is the last: no further (empty) pass just to find that out.
  while ((await fanOutOutbox(ctx, FAN_OUT_BATCH)) === FAN_OUT_BATCH) {
    /* drain the outbox */
  }
};

/** Fans out and sends every due delivery once; returns how many were delivered. */
export async function dispatchWebhooks(ctx: DispatcherDeps, send: WebhookSender = sendPinned): Promise<number> {
  return deliveries.deliverDue({ ...ctx, send }, { before: () => drainOutbox(ctx) });
}

function secretsOf(ctx: DispatcherDeps, hook: Selectable<WebhookTable>): string[] {
  const secrets = [decryptSecret(ctx, hook, hook.secret_enc)];
  if (hook.previous_secret_enc && hook.previous_until && hook.previous_until > nowIso(ctx))
    secrets.push(decryptSecret(ctx, hook, hook.previous_secret_enc));
  return secrets;
}

async function deliverWebhook(ctx: Deps, d: Claimed, signal: AbortSignal): Promise<Outcome<Claimed>> {
  const hook = await ctx.store.db.selectFrom('webhooks').selectAll().where('id', '=', d.webhook_id).executeTakeFirst();
  // Not an attempt: nothing was sent.
  if (hook?.enabled !== 1) return { ok: false, final: true, error: 'endpoint disabled', set: { attempts: d.attempts } };
  const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
  let result: AttemptResult = {};
  let headers: Record<string, string> | undefined;
  try {
    // A secret made under a key this server no longer has (KEYWAY_SECRET_PREVIOUS removed before
    // rotating) is a failed attempt with its cause, not an exception that leaves the row claimed.
    headers = {
      'content-type': 'application/json',
      'user-agent': 'Keyway-Webhooks/1',
      ...signedHeaders(secretsOf(ctx, hook), d.id, timestamp, d.payload),
    };
  } catch {
    result = {
      error:
        'the endpoint secret cannot be decrypted: it was made under a secret that is neither KEYWAY_SECRET nor KEYWAY_SECRET_PREVIOUS',
    };
  }
  if (headers) {
    try {
      result = await ctx.send(hook.url, headers, d.payload, ctx.config.dev, {
        timeoutMs: (ctx.config.timeouts?.webhook ?? TIMEOUT_MS / 1000) * 1000,
        signal,
      });
    } catch (err) {
      result = { error: (err as Error).message };
    }
  }
  const at = nowIso(ctx);
  const attempts = d.attempts + 1;
  const status = result.status;
  const delivered = status !== undefined && status >= 200 && status < 300;
  ctx.metrics?.webhookAttempts.inc({
    result: delivered ? 'delivered' : status === undefined ? 'error' : `http_${Math.floor(status / 100)}xx`,
  });
  if (delivered) {
    return {
      ok: true,
      set: { last_status: status },
      after: async () => {
        if (hook.failing_since)
          await ctx.store.db.updateTable('webhooks').set({ failing_since: null }).where('id', '=', hook.id).execute();
      },
    };
  }
  const error = withoutAddresses(
    result.error ??
      `HTTP ${status}${status !== undefined && status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`,
  ).slice(0, 300);
  ctx.log({
    level: 'warn',
    msg: 'webhook delivery failed',
    webhook_id: hook.id,
    delivery_id: d.id,
    attempt: attempts,
    status: status ?? null,
    error,
  });
  const failed = {
    ok: false as const,
    error,
    set: { last_status: status ?? null },
    ...(result.retryAfter !== undefined ? { retryAfter: result.retryAfter } : {}),
  };
  const disable = (reason: 'gone' | 'failing') => async () => {
    await ctx.store.db.transaction().execute((tx: Tx) => disableWebhookTx(ctx, tx, hook.id, reason, 'system'));
  };
  if (status === 410) return { ...failed, final: true, after: disable('gone') };
  const failingSince = hook.failing_since ?? at;
  if (!hook.failing_since)
    await ctx.store.db
      .updateTable('webhooks')
      .set({ failing_since: at })
      .where('id', '=', hook.id)
      .where('failing_since', 'is', null)
      .execute();
  if (Date.parse(at) - Date.parse(failingSince) >= FAILING_DISABLE_SECONDS * 1000)
    return { ...failed, final: true, after: disable('failing') };
  return failed;
}

/** Seconds before the next attempt: the schedule with ±10 % jitter, or a longer Retry-After (capped at a day). */
export function nextDelay(attemptsSoFar: number, retryAfter?: number, random = Math.random): number {
  return retryDelay(RETRY, attemptsSoFar, retryAfter, random);
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - now) / 1000)) : undefined;
}

/**
 * The default sender: resolves and checks the destination at send time, then connects to exactly
 * that address (a custom `lookup`), no redirects followed. One deadline covers the whole exchange
 * (lookup, connect, request, the answer's head and body): a receiver that trickles its answer a
 * byte at a time fails at the deadline like one that never answers.
 */
/**
 * An attempt's error as the partner may read it (`last_error`): the address the destination resolved to
 * (`connect ECONNREFUSED 10.1.2.3:443`) says something about the operator's network, so it goes.
 */
export function withoutAddresses(message: string): string {
  return message.replace(/\[?[0-9A-Fa-f:.]{3,}\]?(?::\d+)?/g, (m) => {
    const bare = m.replace(/^\[|\](?::\d+)?$/g, '').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
    return net.isIP(bare) || net.isIP(bare.replace(/:\d+$/, '')) ? 'the resolved address' : m;
  });
}

export const sendPinned: WebhookSender = async (rawUrl, headers, body, allowPrivate, opts = {}) => {
  const timeoutMs = opts.timeoutMs ?? TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const stopped = (): AttemptResult => ({
    error: deadline.aborted ? `no complete answer within ${timeoutMs / 1000} s` : ABANDONED,
  });
  if (signal.aborted) return stopped();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<AttemptResult>((resolve) => {
    onAbort = () => resolve(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const exchange = async (): Promise<AttemptResult> => {
    const url = new URL(rawUrl);
    const pinned = await resolveDestination(url, allowPrivate);
    if (signal.aborted) return stopped();
    const lookup: LookupFunction = (_host, options, callback) => {
      if ((options as { all?: boolean }).all)
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<AttemptResult>((resolve) => {
      const req = lib.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          agent: false,
          signal,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const retryAfter = parseRetryAfter(res.headers['retry-after'] as string | undefined, Date.now());
          res.resume();
          res.on('end', () => resolve({ status, ...(retryAfter !== undefined ? { retryAfter } : {}) }));
          res.on('error', () => resolve(signal.aborted ? stopped() : { status }));
        },
      );
      req.on('error', (err) => resolve(signal.aborted ? stopped() : { error: err.message }));
      req.end(body);
    });
  };
  const answer = exchange();
  answer.catch(() => undefined); // a refusal after the deadline has nobody to tell
  try {
    return await Promise.race([answer, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
};

/**
 * The background dispatcher: woken by commits on this instance, polling each second for other
 * instances' rows and for retries. `stop()` waits for attempts in flight until told to abandon them.
 */
export function startWebhookDispatcher(
  ctx: DispatcherDeps,
  opts: { pollMs?: number; send?: WebhookSender } = {},
): StopWorker {
  // 5 ms of gathering: a burst of changes fans out in one pass (one commit, not one per change).
  return deliveries.start(
    { ...ctx, send: opts.send ?? sendPinned },
    {
      pollMs: opts.pollMs ?? 1000,
      wakeOn: ['credential', WEBHOOK_QUEUED],
      gatherMs: 5,
      before: () => drainOutbox(ctx),
    },
  );
}
