import type { ExpressionBuilder, Selectable } from 'kysely';
import { fixedLimit, forUpdate } from '../storage/db.js';
import type { Database, WalletPushTable } from '../storage/schema.js';
import { createApnsClient, APNS_PRODUCTION_URL, type ApnsClient } from '../wallet/apns.js';
import type { PassState } from '../wallet/apple/pass.js';
import { GoogleWalletApiError } from '../wallet/google/rest-client.js';
import { addSeconds, nowIso, type Ctx } from './context.js';
import { applyLifecycle, revokeDeviceTx } from './credentials.js';
import { recordEvent, type Actor, type Tx } from './events.js';
import { TERMINAL, type CredentialStatus } from './lifecycle.js';
import { startWorker } from './worker.js';
import { HID_MOBILE } from './hid-credentials.js';

/**
 * Devices after their pass was added: confirmation (Apple registration, Google save callback),
 * pass updates pushed to phones (APNs, Google PATCH) and the revocation confirmation rule (SPEC §6).
 */

/** What the pass of a device shows, from its credential's state (SPEC §5 voided / changed fields). */
export function passStateOf(cred: { status: string; enabled: number }, deviceStatus: string, personEnabled = 1): PassState {
  const status = cred.status as CredentialStatus;
  if (deviceStatus === 'revoked' || TERMINAL.has(status)) return 'revoked';
  if (status === 'expired') return 'expired';
  if (status === 'suspended' || cred.enabled !== 1 || personEnabled !== 1) return 'suspended';
  return 'active';
}

/**
 * Inside the change's transaction: marks the passes changed (PassKit tag, Last-Modified) and queues
 * an update for each phone that holds one — every registration of an Apple pass, each Google object.
 */
export async function queuePassUpdateTx(ctx: Ctx, tx: Tx, credentialId: string, opts: { deviceId?: string } = {}): Promise<void> {
  const at = nowIso(ctx);
  let q = tx.selectFrom('devices').select(['id', 'platform', 'serial_number', 'status']).where('credential_id', '=', credentialId);
  q = opts.deviceId ? q.where('id', '=', opts.deviceId) : q.where('status', '!=', 'revoked');
  const devices = await q.execute();
  if (devices.length === 0) return;
  await tx.updateTable('devices').set({ pass_updated_at: at }).where('id', 'in', devices.map((d) => d.id)).execute();
  const apple = devices.filter((d) => d.platform === 'apple');
  const regs = apple.length
    ? await tx.selectFrom('apple_registrations').select(['serial_number', 'push_token_enc']).where('serial_number', 'in', apple.map((d) => d.serial_number)).execute()
    : [];
  const rows: { device_id: string; kind: 'apns' | 'google'; target_enc: string }[] = [];
  if (apnsConfigured(ctx)) {
    for (const r of regs) {
      const d = apple.find((x) => x.serial_number === r.serial_number)!;
      rows.push({ device_id: d.id, kind: 'apns', target_enc: r.push_token_enc });
    }
  }
  if (ctx.wallet?.google?.rest) {
    // Object ids are `<issuer id>.<serial>`, as the save link made them.
    const issuer = ctx.wallet.google.issuerId;
    for (const d of devices.filter((x) => x.platform === 'google')) rows.push({ device_id: d.id, kind: 'google', target_enc: ctx.keys.encrypt(`${issuer}.${d.serial_number}`, 'wallet_push') });
  }
  if (rows.length === 0) return;
  await tx
    .insertInto('wallet_pushes')
    .values(rows.map((r) => ({ ...r, attempts: 0, next_attempt_at: at, claimed_until: null, created_at: at, done_at: null, failed_at: null, last_error: null })))
    .execute();
}

/**
 * First sign of life from a phone (Apple registration, Google save callback): the device turns
 * `active` and its credential `provisioning → active`, in one transaction.
 */
export async function confirmDevice(ctx: Ctx, deviceId: string, actor: Actor): Promise<boolean> {
  const changed = await ctx.store.db.transaction().execute(async (tx) => {
    const device = await forUpdate(ctx.store.dialect, tx.selectFrom('devices').select(['id', 'credential_id', 'platform', 'status']).where('id', '=', deviceId)).executeTakeFirst();
    if (!device || device.status !== 'pending') return null;
    const cred = await tx.selectFrom('credentials').select(['status', 'person_id']).where('id', '=', device.credential_id).executeTakeFirstOrThrow();
    // A phone that shows up after the revocation keeps its (voided) pass but never turns active.
    if (TERMINAL.has(cred.status as CredentialStatus)) return null;
    const at = nowIso(ctx);
    await tx.updateTable('devices').set({ status: 'active', confirmed_at: at, updated_at: at }).where('id', '=', deviceId).execute();
    await recordEvent(tx, at, {
      type: 'device.confirmed',
      actor,
      subject: `credential:${device.credential_id}`,
      data: { person_id: cred.person_id, device_id: deviceId, platform: device.platform },
    });
    if (cred.status === 'provisioning') await applyLifecycle(ctx, tx, device.credential_id, { type: 'confirm_device' }, actor);
    return device.credential_id;
  });
  if (changed) ctx.bus.credentialChanged(changed);
  return changed !== null;
}

/**
 * A device of a `revoking` credential learnt of the voided pass (APNs accepted the push, the phone
 * fetched it, Google accepted the PATCH): the device is `revoked`; the last one makes the credential `revoked`.
 */
export async function confirmVoided(ctx: Ctx, deviceId: string, how: 'apns' | 'fetch' | 'google'): Promise<boolean> {
  const credentialId = await ctx.store.db.transaction().execute(async (tx) => {
    const device = await tx.selectFrom('devices').select(['credential_id', 'status']).where('id', '=', deviceId).executeTakeFirst();
    if (!device || device.status !== 'active') return null;
    const cred = await forUpdate(ctx.store.dialect, tx.selectFrom('credentials').select(['status', 'person_id']).where('id', '=', device.credential_id)).executeTakeFirstOrThrow();
    if (cred.status !== 'revoking') return null;
    await revokeDeviceTx(ctx, tx, device.credential_id, cred.person_id, deviceId, `system:${how}`);
    await finishRevocationTx(ctx, tx, device.credential_id);
    return device.credential_id;
  });
  if (credentialId) ctx.bus.credentialChanged(credentialId);
  return credentialId !== null;
}

/** `revoking → revoked` once no device is left to confirm. */
async function finishRevocationTx(ctx: Ctx, tx: Tx, credentialId: string, givenUp: string[] = []): Promise<void> {
  const left = await tx.selectFrom('devices').select('id').where('credential_id', '=', credentialId).where('status', '=', 'active').execute();
  if (left.length === 0) await applyLifecycle(ctx, tx, credentialId, { type: 'revoke_confirmed' }, 'system', givenUp.length ? { given_up_devices: givenUp } : undefined);
}

/** Devices that never confirmed within KEYWAY_REVOKE_CONFIRM_DAYS are given up and listed in the event. */
export async function sweepRevocations(ctx: Ctx): Promise<number> {
  const cutoff = addSeconds(nowIso(ctx), -ctx.config.revokeConfirmDays * 86400);
  const due = await ctx.store.db
    .selectFrom('credentials')
    .select('id')
    .where('status', '=', 'revoking')
    .where('revoking_at', '<=', cutoff)
    .where('credential_type_id', '!=', HID_MOBILE) // revoked only when Origo shows it (SPEC §12)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const done = await ctx.store.db.transaction().execute(async (tx) => {
      const cred = await forUpdate(ctx.store.dialect, tx.selectFrom('credentials').select(['status', 'person_id']).where('id', '=', id)).executeTakeFirst();
      if (cred?.status !== 'revoking') return false;
      const left = await tx.selectFrom('devices').select('id').where('credential_id', '=', id).where('status', '=', 'active').execute();
      for (const d of left) await revokeDeviceTx(ctx, tx, id, cred.person_id, d.id, 'system:given_up');
      await finishRevocationTx(ctx, tx, id, left.map((d) => d.id));
      return true;
    });
    if (done) {
      n++;
      ctx.bus.credentialChanged(id);
    }
  }
  return n;
}

// ---- The push queue ----

/** Seconds before the next attempt; a push is given up with its revocation window. */
const PUSH_RETRY = [1, 5, 30, 120, 600, 1800, 3600];
const CLAIM_SECONDS = 60;
const BATCH = 50;
const apnsClients = new WeakMap<Ctx, ApnsClient>();

function apnsUrl(ctx: Ctx): string | undefined {
  const apple = ctx.wallet?.apple;
  if (!apple) return undefined;
  // Dev certificates cannot talk to Apple: without a configured URL, dev pushes are not sent.
  return ctx.config.raw.KEYWAY_APNS_URL ?? (apple.source === 'configured' ? APNS_PRODUCTION_URL : undefined);
}
const apnsConfigured = (ctx: Ctx) => apnsUrl(ctx) !== undefined;

function apnsClient(ctx: Ctx): ApnsClient {
  let client = apnsClients.get(ctx);
  if (!client) {
    const material = ctx.wallet!.apple!.material;
    client = createApnsClient({ url: apnsUrl(ctx)!, cert: material.tls.cert, key: material.tls.key, topic: material.passTypeId });
    apnsClients.set(ctx, client);
  }
  return client;
}

export function closeApns(ctx: Ctx): void {
  apnsClients.get(ctx)?.close();
  apnsClients.delete(ctx);
}

type PushOutcome = { kind: 'done' } | { kind: 'retry'; error: string; retryAfter?: number } | { kind: 'final'; error: string; dropRegistration?: boolean };

async function sendPush(ctx: Ctx, row: Selectable<WalletPushTable>): Promise<PushOutcome> {
  const target = ctx.keys.decrypt(row.target_enc, row.kind === 'apns' ? 'push_token' : 'wallet_push');
  if (row.kind === 'apns') {
    const r = await apnsClient(ctx).push(target);
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
    await rest.setObjectState(target, state === 'active' ? 'ACTIVE' : state === 'expired' ? 'EXPIRED' : 'INACTIVE');
    return { kind: 'done' };
  } catch (err) {
    if (err instanceof GoogleWalletApiError && err.status >= 400 && err.status < 500 && err.status !== 429) return { kind: 'final', error: err.message };
    return { kind: 'retry', error: (err as Error).message };
  }
}

/** Sends every due wallet update once; returns how many succeeded. Claimed by compare-and-set. */
export async function deliverWalletPushes(ctx: Ctx): Promise<number> {
  const now = nowIso(ctx);
  const unclaimed = (eb: ExpressionBuilder<Database, 'wallet_pushes'>) =>
    eb.and([eb('done_at', 'is', null), eb('failed_at', 'is', null), eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)])]);
  const claimed = await ctx.store.db
    .updateTable('wallet_pushes')
    .set({ claimed_until: addSeconds(now, CLAIM_SECONDS) })
    .where('id', 'in', (eb) => eb.selectFrom('wallet_pushes').select('id').where(unclaimed).where('next_attempt_at', '<=', now).orderBy('id').limit(fixedLimit(BATCH)))
    .where(unclaimed)
    .returningAll()
    .execute();
  const results = await Promise.all(claimed.map((row) => deliverPush(ctx, row)));
  return results.filter(Boolean).length;
}

async function deliverPush(ctx: Ctx, row: Selectable<WalletPushTable>): Promise<boolean> {
  const attempt = row.attempts + 1;
  let outcome: PushOutcome;
  try {
    outcome = await sendPush(ctx, row);
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
export function startWalletWorker(ctx: Ctx, pollMs = 1000): () => Promise<void> {
  const stop = startWorker(ctx, { name: 'wallet update worker', pollMs, wakeOn: ['credential'], pass: () => deliverWalletPushes(ctx), immediately: false, gatherMs: 5 });
  return async () => {
    await stop();
    closeApns(ctx);
  };
}
