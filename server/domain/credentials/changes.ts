// Changing a credential: the one writer of its status (applyLifecycle) and the admin's commands.
import { nowIso } from '../../clock.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import { changeIn, defineInsert, defineWrite, type Tx, type Writes } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { deleteBadgeAtOrigo, recordBadgeStatusTx, setBadgeEnabledAtOrigo } from '../hid/badge-commands.js';
import { hidPassesConfigured } from '../hid/origo.js';
import { wakeHidSync, wantBadgeDeletedTx, wantHidDeviceRevokedTx, wantHidRevocationTx } from '../hid/revocations.js';
import { passStateOf, queuePassUpdateTx } from '../wallets/pass-updates.js';
import { type CredentialStatus, type LifecycleAction, nextState, TERMINAL } from './lifecycle.js';
import type { CredentialRow } from './types.js';
import { HID_BADGE, HID_MOBILE } from './types.js';
import { getCredentialRow, getCredentialView } from './views.js';

// Every lifecycle change runs these (compiled once; on PostgreSQL the read locks the row).
const credentialForUpdate = defineWrite<CredentialRow, [string]>(
  (db, id) => db.selectFrom('credentials').selectAll().where('id', '=', id).forUpdate(),
  1,
);
// A compare-and-set on what the decision was made from: status, enabled and the webhook sequence as read.
const setCredentialState = defineWrite<
  never,
  [string, number, string, string | null, number, string, string, number, number]
>(
  (db, status, enabled, at, revokingAt, sequence, id, fromStatus, fromEnabled, fromSequence) =>
    db
      .updateTable('credentials')
      .set({ status, enabled, updated_at: at, revoking_at: revokingAt, sequence })
      .where('id', '=', id)
      .where('status', '=', fromStatus)
      .where('enabled', '=', fromEnabled)
      .where('sequence', '=', fromSequence),
  9,
);
const insertHistory = defineInsert('credential_history', ['credential_id', 'status', 'at']);

/** What one lifecycle action did: the row as it now is, and whether what every pass shows changed. */
export interface LifecycleChange {
  row: CredentialRow;
  changed: boolean;
  /** Suspend, resume, revoke and re-issue change what every pass shows: its phones must be told. */
  passChanged: boolean;
}

/**
 * One lifecycle action on a credential `row` as it was read, declared on `w` (docs/lifecycle.md):
 * the credential row (a compare-and-set on the state the decision was made from), its history, the
 * audit events and the webhook outbox row. `nextState` decides; nothing is awaited.
 */
export function lifecycleChange(
  ctx: Ctx,
  w: Writes,
  row: CredentialRow,
  action: LifecycleAction,
  actor: Actor,
  /** Extra fields for the status_changed event and webhook (e.g. `given_up_devices`). */
  extra?: Record<string, unknown>,
): LifecycleChange {
  const from = { status: row.status as CredentialStatus, enabled: row.enabled === 1 };
  const to = nextState(from, action);
  if (to.status === from.status && to.enabled === from.enabled) return { row, changed: false, passChanged: false };
  const at = nowIso(ctx);
  const statusChanged = to.status !== from.status;
  const updated: CredentialRow = {
    ...row,
    status: to.status,
    enabled: to.enabled ? 1 : 0,
    updated_at: at,
    revoking_at: to.status === 'revoking' ? at : row.revoking_at,
    // The status_changed webhook takes the credential's next sequence.
    sequence: statusChanged ? row.sequence + 1 : row.sequence,
  };
  w.expect(
    setCredentialState,
    updated.status,
    updated.enabled,
    at,
    updated.revoking_at,
    updated.sequence,
    row.id,
    row.status,
    row.enabled,
    row.sequence,
  );
  const subject = `credential:${row.id}`;
  if (to.enabled !== from.enabled) {
    recordChange(w, at, {
      type: to.enabled ? 'credential.enabled' : 'credential.disabled',
      actor,
      subject,
      data: { person_id: row.person_id },
    });
  }
  if (statusChanged) {
    w.run(insertHistory, { credential_id: row.id, status: to.status, at });
    recordChange(
      w,
      at,
      {
        type: 'credential.status_changed',
        actor,
        subject,
        data: {
          person_id: row.person_id,
          old_status: from.status,
          new_status: to.status,
          reason: action.type,
          ...extra,
        },
      },
      {
        event: 'credential.status_changed',
        credential_id: row.id,
        person_id: row.person_id,
        old_status: from.status,
        new_status: to.status,
        ...extra,
        sequence: updated.sequence,
      },
    );
  }
  return { row: updated, changed: true, passChanged: passStateOf(row, 'active') !== passStateOf(updated, 'active') };
}

/**
 * Applies one lifecycle action inside `tx`: the credential read under its row lock (or as the caller
 * already read it FOR UPDATE in `tx`), then `lifecycleChange`, and the pushes its passes need.
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
  const {
    row: updated,
    changed,
    passChanged,
  } = await changeIn(tx, (w) => lifecycleChange(ctx, w, row, action, actor, extra));
  // Phones are told in the same transaction (a badge's wallets hear it from HID Origo instead).
  if (passChanged && row.credential_type_id !== HID_BADGE) await queuePassUpdateTx(ctx, tx, credentialId);
  return { row: updated, changed };
}

export async function setCredentialEnabled(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  enabled: boolean,
  opts: { actor: Actor; showSecrets: boolean },
) {
  const row = await getCredentialRow(ctx, personId, credentialId);
  // A badge in a wallet is suspended or resumed by HID Origo first: down or slow → 503, nothing changed.
  const origo = row.credential_type_id === HID_BADGE ? await setBadgeEnabledAtOrigo(ctx, row, enabled) : undefined;
  const { changed } = await ctx.store.db.transaction().execute(async (tx) => {
    const r = await applyLifecycle(ctx, tx, credentialId, { type: 'set_enabled', enabled }, opts.actor);
    if (origo) await recordBadgeStatusTx(ctx, tx, credentialId, origo);
    return r;
  });
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

/**
 * DELETE: readers refuse the values at once (status leaves provisioning/active); pending devices
 * are revoked now; live devices must confirm (pushes come with the lifecycle issue) → `revoking`.
 */
export async function revokeCredentialTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  actor: Actor,
  /** A badge whose Pass deletion Origo already accepted (the admin's DELETE asked first). */
  opts: { origoDeleteAccepted?: boolean } = {},
): Promise<boolean> {
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
  if (cred.credential_type_id === HID_BADGE) {
    // `revoking` until a read shows Origo deleted the Pass (SPEC §16); the sync asks when nobody has yet.
    await wantBadgeDeletedTx(tx, credentialId, at, opts.origoDeleteAccepted === true);
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
  const row = await getCredentialRow(ctx, personId, credentialId);
  // A badge's Pass is deleted at HID Origo first: down or slow → 503, and the credential keeps its state.
  // With wallet badges switched off since, the delete is owed (as for a deleted person) and sent once they are back.
  const origoDeleteAccepted =
    row.credential_type_id === HID_BADGE && !TERMINAL.has(row.status as CredentialStatus) && hidPassesConfigured(ctx)
      ? await deleteBadgeAtOrigo(ctx, credentialId)
      : false;
  const changed = await ctx.store.db
    .transaction()
    .execute((tx) => revokeCredentialTx(ctx, tx, credentialId, opts.actor, { origoDeleteAccepted }));
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
    .select(['status', 'platform', 'kind'])
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
  await recordChange(
    tx,
    at,
    {
      type: 'device.revoked',
      actor,
      subject: `credential:${credentialId}`,
      data: { device_id: deviceId, platform: device.platform },
    },
    {
      event: 'device.revoked',
      credential_id: credentialId,
      person_id: personId,
      device_id: deviceId,
      platform: device.platform,
    },
  );
  // An HID phone holds an Origo credential: Origo is told to revoke it (the sync retries until it did).
  if (device.platform === 'hid') await wantHidDeviceRevokedTx(ctx, tx, deviceId, at);
  // One phone revoked alone gets its voided pass; under a revoked credential the pass is void already.
  const cred = await tx
    .selectFrom('credentials')
    .select(['status', 'credential_type_id'])
    .where('id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (!TERMINAL.has(cred.status as CredentialStatus) && cred.credential_type_id !== HID_BADGE)
    await queuePassUpdateTx(ctx, tx, credentialId, { deviceId });
  return true;
}

export async function revokeDevice(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  deviceId: string,
  opts: { actor: Actor; showSecrets: boolean },
) {
  const row = await getCredentialRow(ctx, personId, credentialId);
  if (row.credential_type_id === HID_BADGE)
    throw new ApiError(
      'invalid_transition',
      'A badge leaves one wallet only from that wallet; revoke the credential to delete the badge everywhere.',
      { status: row.status },
    );
  const changed = await ctx.store.db
    .transaction()
    .execute((tx) => revokeDeviceTx(ctx, tx, credentialId, personId, deviceId, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}
