// Changing a credential: the one writer of its status (applyLifecycle) and the admin's commands.
import { nowIso } from '../../clock.js';
import { type Actor, recordEvent } from '../../storage/audit.js';
import { forUpdate, isPostgres, preparedInsert, preparedWrite, type Tx } from '../../storage/db.js';
import { enqueueWebhook } from '../../webhooks/outbox.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { wakeHidSync, wantHidDeviceRevokedTx, wantHidRevocationTx } from '../hid/revocations.js';
import { passStateOf, queuePassUpdateTx } from '../wallets/pass-updates.js';
import { type CredentialStatus, type LifecycleAction, nextState, TERMINAL } from './lifecycle.js';
import type { CredentialRow } from './types.js';
import { HID_MOBILE } from './types.js';
import { getCredentialRow, getCredentialView } from './views.js';

// Every lifecycle change runs these (compiled once; on PostgreSQL the read locks the row).
const credentialForUpdate = preparedWrite<CredentialRow, [string]>((db, id) => {
  return forUpdate(
    isPostgres(db) ? 'postgres' : 'sqlite',
    db.selectFrom('credentials').selectAll().where('id', '=', id),
  );
}, 1);
const setCredentialState = preparedWrite<CredentialRow, [string, number, string, string | null, string]>(
  (db, status, enabled, at, revokingAt, id) =>
    db
      .updateTable('credentials')
      .set({ status, enabled, updated_at: at, revoking_at: revokingAt })
      .where('id', '=', id)
      .returningAll(),
  5,
);
const insertHistory = preparedInsert('credential_history', ['credential_id', 'status', 'at']);
/**
 * A status change: the row, its webhook sequence (the status_changed webhook takes it) and, on
 * PostgreSQL, its history row in the same statement, a round trip each saved (SQLite has no
 * writing CTEs, and its statements cost no round trip).
 */
const setCredentialStatus = preparedWrite<CredentialRow, [string, number, string, string | null, string]>(
  (db, status, enabled, at, revokingAt, id) => {
    const update = db
      .updateTable('credentials')
      .set((eb) => ({ status, enabled, updated_at: at, revoking_at: revokingAt, sequence: eb('sequence', '+', 1) }))
      .where('id', '=', id)
      .returningAll();
    if (!isPostgres(db)) return update;
    return db
      .with('changed', () => update)
      .with('history', (qc) =>
        qc
          .insertInto('credential_history')
          .columns(['credential_id', 'status', 'at'])
          .expression(qc.selectFrom('changed').select(['id', 'status', 'updated_at'])),
      )
      .selectFrom('changed')
      .selectAll();
  },
  5,
);

/**
 * Applies one lifecycle action inside `tx`: the credential row, its history, the audit events
 * and the webhook outbox row together (docs/lifecycle.md). Returns whether anything changed.
 */
export async function applyLifecycle(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  action: LifecycleAction,
  actor: Actor,
  /** Extra fields for the status_changed event and webhook (e.g. `given_up_devices`). */
  extra?: Record<string, unknown>,
  /** The credential's row as the caller already read it FOR UPDATE in `tx` (saves reading it again). */
  locked?: CredentialRow,
): Promise<{ row: CredentialRow; changed: boolean }> {
  const row = locked ?? (await credentialForUpdate(tx, credentialId)).rows[0];
  if (!row) throw new ApiError('not_found');
  const from = { status: row.status as CredentialStatus, enabled: row.enabled === 1 };
  const to = nextState(from, action);
  if (to.status === from.status && to.enabled === from.enabled) return { row, changed: false };
  const at = nowIso(ctx);
  const statusChanged = to.status !== from.status;
  const {
    rows: [updated],
  } = await (statusChanged ? setCredentialStatus : setCredentialState)(
    tx,
    to.status,
    to.enabled ? 1 : 0,
    at,
    to.status === 'revoking' ? at : row.revoking_at,
    credentialId,
  );
  const subject = `credential:${credentialId}`;
  if (to.enabled !== from.enabled) {
    await recordEvent(tx, at, {
      type: to.enabled ? 'credential.enabled' : 'credential.disabled',
      actor,
      subject,
      data: { person_id: row.person_id },
    });
  }
  if (statusChanged) {
    if (!isPostgres(tx)) await insertHistory(tx, { credential_id: credentialId, status: to.status, at });
    await recordEvent(tx, at, {
      type: 'credential.status_changed',
      actor,
      subject,
      data: { person_id: row.person_id, old_status: from.status, new_status: to.status, reason: action.type, ...extra },
    });
    await enqueueWebhook(
      tx,
      at,
      {
        event: 'credential.status_changed',
        credential_id: credentialId,
        person_id: row.person_id,
        old_status: from.status,
        new_status: to.status,
        ...extra,
      },
      updated.sequence,
    );
  }
  // Suspend, resume and revoke change what every pass shows: phones are told in the same transaction.
  if (passStateOf(row, 'active') !== passStateOf(updated, 'active')) await queuePassUpdateTx(ctx, tx, credentialId);
  return { row: updated, changed: true };
}

export async function setCredentialEnabled(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  enabled: boolean,
  opts: { actor: Actor; showSecrets: boolean },
) {
  await getCredentialRow(ctx, personId, credentialId);
  const { changed } = await ctx.store.db
    .transaction()
    .execute((tx) => applyLifecycle(ctx, tx, credentialId, { type: 'set_enabled', enabled }, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

/**
 * DELETE: readers refuse the values at once (status leaves provisioning/active); pending devices
 * are revoked now; live devices must confirm (pushes come with the lifecycle issue) → `revoking`.
 */
export async function revokeCredentialTx(ctx: Ctx, tx: Tx, credentialId: string, actor: Actor): Promise<boolean> {
  const at = nowIso(ctx);
  const cred = await tx
    .selectFrom('credentials')
    .select(['status', 'person_id', 'credential_type_id'])
    .where('id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (TERMINAL.has(cred.status as CredentialStatus)) return false;
  if (cred.credential_type_id === HID_MOBILE) {
    // `revoking` at once (doors refuse it now), whatever it holds: only Origo can say no phone carries it any more.
    await wantHidRevocationTx(tx, credentialId, at);
    const { changed } = await applyLifecycle(ctx, tx, credentialId, { type: 'revoke', devicesToConfirm: 1 }, actor);
    wakeHidSync(ctx);
    return changed;
  }
  const pending = await tx
    .selectFrom('devices')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('status', '=', 'pending')
    .execute();
  for (const d of pending) await revokeDeviceTx(ctx, tx, credentialId, cred.person_id, d.id, actor, at);
  const live = await tx
    .selectFrom('devices')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('status', '=', 'active')
    .execute();
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  const { changed } = await applyLifecycle(
    ctx,
    tx,
    credentialId,
    { type: 'revoke', devicesToConfirm: live.length },
    actor,
  );
  return changed;
}

export async function revokeCredential(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  opts: { actor: Actor; showSecrets: boolean },
) {
  await getCredentialRow(ctx, personId, credentialId);
  const changed = await ctx.store.db
    .transaction()
    .execute((tx) => revokeCredentialTx(ctx, tx, credentialId, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

export async function revokeDeviceTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  personId: number,
  deviceId: string,
  actor: Actor,
  at = nowIso(ctx),
): Promise<boolean> {
  const device = await tx
    .selectFrom('devices')
    .select(['status', 'platform'])
    .where('id', '=', deviceId)
    .where('credential_id', '=', credentialId)
    .executeTakeFirst();
  if (!device) throw new ApiError('not_found', `No device ${deviceId} on credential ${credentialId}.`);
  if (device.status === 'revoked') return false;
  await tx
    .updateTable('devices')
    .set({ status: 'revoked', revoked_at: at, updated_at: at })
    .where('id', '=', deviceId)
    .execute();
  await recordEvent(tx, at, {
    type: 'device.revoked',
    actor,
    subject: `credential:${credentialId}`,
    data: { device_id: deviceId, platform: device.platform },
  });
  // An HID phone holds an Origo credential: Origo is told to revoke it (the sync retries until it did).
  if (device.platform === 'hid') await wantHidDeviceRevokedTx(ctx, tx, deviceId, at);
  // One phone revoked alone gets its voided pass; under a revoked credential the pass is void already.
  const cred = await tx
    .selectFrom('credentials')
    .select('status')
    .where('id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (!TERMINAL.has(cred.status as CredentialStatus)) await queuePassUpdateTx(ctx, tx, credentialId, { deviceId });
  await enqueueWebhook(tx, at, {
    event: 'device.revoked',
    credential_id: credentialId,
    person_id: personId,
    device_id: deviceId,
    platform: device.platform,
  });
  return true;
}

export async function revokeDevice(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  deviceId: string,
  opts: { actor: Actor; showSecrets: boolean },
) {
  await getCredentialRow(ctx, personId, credentialId);
  const changed = await ctx.store.db
    .transaction()
    .execute((tx) => revokeDeviceTx(ctx, tx, credentialId, personId, deviceId, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}
