// The wallet push queue: APNs pushes and Google object updates, sent and retried by a worker.
import type { ExpressionBuilder, Selectable } from 'kysely';
import { addSeconds, nowIso } from '../clock.js';
import { fixedLimit } from '../storage/db.js';
import { deliverDue, startLanes, type Lanes, type StopWorker } from '../storage/outbox.js';
import type { Database, WalletPushTable } from '../storage/schema.js';
import { createApnsClient, type ApnsClient } from '../wallet/apns.js';
import { GoogleWalletApiError } from '../wallet/google/rest-client.js';
import type { Ctx } from './context.js';
import { confirmVoided } from './devices.js';
import { apnsUrl, passStateOf } from './pass-updates.js';

/** Seconds before the next attempt; a push is given up with its revocation window. */
const PUSH_RETRY = [1, 5, 30, 120, 600, 1800, 3600];
/** Pushes in flight per process, and per service (a stuck APNs never holds Google's slots). */
const CONCURRENCY = 100;
const PER_SERVICE = 50;
const apnsClients = new WeakMap<Ctx, ApnsClient>();

function apnsClient(ctx: Ctx): ApnsClient {
  let client = apnsClients.get(ctx);
  if (!client) {
    const material = ctx.wallet!.apple!.material;
    client = createApnsClient({ url: apnsUrl(ctx)!, cert: material.tls.cert, key: material.tls.key, topic: material.passTypeId, timeoutMs: ctx.config.timeouts.apns * 1000 });
    apnsClients.set(ctx, client);
  }
  return client;
}

export function closeApns(ctx: Ctx): void {
  apnsClients.get(ctx)?.close();
  apnsClients.delete(ctx);
}

type PushOutcome = { kind: 'done' } | { kind: 'retry'; error: string; retryAfter?: number } | { kind: 'final'; error: string; dropRegistration?: boolean };

async function sendPush(ctx: Ctx, row: Selectable<WalletPushTable>, signal?: AbortSignal): Promise<PushOutcome> {
  const target = ctx.keys.decrypt(row.target_enc, row.kind === 'apns' ? 'push_token' : 'wallet_push');
  if (signal?.aborted) return { kind: 'retry', error: String((signal.reason as Error)?.message ?? 'aborted') };
  if (row.kind === 'apns') {
    const r = await apnsClient(ctx).push(target, { signal });
    if (r.status === 200) return { kind: 'done' };
    if (r.status === 410) return { kind: 'final', error: `APNs 410 ${r.reason ?? ''}`.trim(), dropRegistration: true };
    if (r.status === 400) return { kind: 'final', error: `APNs 400 ${r.reason ?? ''}`.trim() };
    return { kind: 'retry', error: `APNs ${r.status} ${r.reason ?? ''}`.trim(), retryAfter: r.retryAfter };
  }
  const rest = ctx.wallet?.google?.rest;
  if (!rest) return { kind: 'final', error: 'Google REST API not configured' };
  const device = await ctx.store.db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select(['devices.status as device_status', 'credentials.status', 'credentials.enabled', 'people.enabled as person_enabled'])
    .where('devices.id', '=', row.device_id)
    .executeTakeFirst();
  if (!device) return { kind: 'final', error: 'device gone' };
  // The state is read at send time, so a suspend quickly undone sends the final state only.
  const state = passStateOf(device, device.device_status, device.person_enabled);
  try {
    await rest.setObjectState(target, state === 'active' ? 'ACTIVE' : state === 'expired' ? 'EXPIRED' : 'INACTIVE', { signal });
    return { kind: 'done' };
  } catch (err) {
    if (err instanceof GoogleWalletApiError && err.status >= 400 && err.status < 500 && err.status !== 429) return { kind: 'final', error: err.message };
    return { kind: 'retry', error: (err as Error).message };
  }
}

/** Claims due pushes by compare-and-set, none for a `busy` service. */
async function claimPushes(ctx: Ctx, limit: number, busy: readonly string[]): Promise<Selectable<WalletPushTable>[]> {
  const now = nowIso(ctx);
  const unclaimed = (eb: ExpressionBuilder<Database, 'wallet_pushes'>) =>
    eb.and([eb('done_at', 'is', null), eb('failed_at', 'is', null), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
  return ctx.store.db
    .updateTable('wallet_pushes')
    .set({ claimed_until: addSeconds(now, ctx.config.leaseSeconds) })
    .where('id', 'in', (eb) => {
      let q = eb.selectFrom('wallet_pushes').select('id').where(unclaimed).where('next_attempt_at', '<=', now);
      if (busy.length) q = q.where('kind', 'not in', [...busy] as WalletPushTable['kind'][]);
      return q.orderBy('id').limit(fixedLimit(limit));
    })
    .where(unclaimed)
    .returningAll()
    .execute();
}

/** Each push on its own, with its service's deadline; per-service slots (storage/outbox.ts). */
function pushLanes(ctx: Ctx): Lanes<Selectable<WalletPushTable>> {
  return {
    name: 'wallet update worker',
    concurrency: CONCURRENCY,
    perDestination: PER_SERVICE,
    claim: (limit, busy) => claimPushes(ctx, limit, busy),
    destinationOf: (row) => row.kind,
    attempt: (row, signal) => deliverPush(ctx, row, signal),
  };
}

/** Sends every due wallet update once; returns how many succeeded. Claimed by compare-and-set. */
export function deliverWalletPushes(ctx: Ctx): Promise<number> {
  return deliverDue(ctx, pushLanes(ctx));
}

async function deliverPush(ctx: Ctx, row: Selectable<WalletPushTable>, signal?: AbortSignal): Promise<boolean> {
  const attempt = row.attempts + 1;
  let outcome: PushOutcome;
  try {
    outcome = await sendPush(ctx, row, signal);
  } catch (err) {
    outcome = { kind: 'retry', error: (err as Error).message };
  }
  const at = nowIso(ctx);
  if (outcome.kind === 'done') {
    await ctx.store.db.updateTable('wallet_pushes').set({ done_at: at, attempts: attempt, claimed_until: null, last_error: null }).where('id', '=', row.id).execute();
    await confirmVoided(ctx, row.device_id, row.kind);
    return true;
  }
  const giveUpAt = addSeconds(row.created_at, ctx.config.revokeConfirmDays * 86400);
  const next = addSeconds(at, Math.max(PUSH_RETRY[Math.min(attempt - 1, PUSH_RETRY.length - 1)], outcome.kind === 'retry' ? outcome.retryAfter ?? 0 : 0));
  const final = outcome.kind === 'final' || next >= giveUpAt;
  await ctx.store.db
    .updateTable('wallet_pushes')
    .set({ attempts: attempt, next_attempt_at: next, claimed_until: null, last_error: outcome.error.slice(0, 300), ...(final ? { failed_at: at } : {}) })
    .where('id', '=', row.id)
    .execute();
  if (outcome.kind === 'final' && outcome.dropRegistration) {
    // Apple says the token is no longer registered: the phone removed the pass.
    const device = await ctx.store.db.selectFrom('devices').select('serial_number').where('id', '=', row.device_id).executeTakeFirst();
    const regs = device ? await ctx.store.db.selectFrom('apple_registrations').select(['device_library_id', 'push_token_enc']).where('serial_number', '=', device.serial_number).execute() : [];
    for (const r of regs.filter((r) => r.push_token_enc === row.target_enc)) {
      await ctx.store.db.deleteFrom('apple_registrations').where('device_library_id', '=', r.device_library_id).where('serial_number', '=', device!.serial_number).execute();
    }
  }
  ctx.log({ level: final ? 'error' : 'warn', msg: final ? 'wallet update undeliverable' : 'wallet update failed, will retry', push_id: row.id, kind: row.kind, device_id: row.device_id, attempt, error: outcome.error });
  return false;
}

/** The background worker: woken after each commit that changed a credential, and polling each second. */
export function startWalletWorker(ctx: Ctx, pollMs = 1000): StopWorker {
  const stop = startLanes(ctx, { ...pushLanes(ctx), pollMs, wakeOn: ['credential'], immediately: false, gatherMs: 5 });
  return async (opts) => {
    await stop(opts);
    closeApns(ctx);
  };
}
