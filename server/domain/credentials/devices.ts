// A phone's device after its pass was added: confirmed by its first sign of life, revoked when its pass is voided.
import { nowIso } from '../../clock.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { applyLifecycle, revokeDeviceTx } from './changes.js';
import { type CredentialStatus, TERMINAL } from './lifecycle.js';

/**
 * First sign of life from a phone (Apple registration, Google save callback): the device turns
 * `active` and its credential `provisioning → active`, in one transaction.
 */
export async function confirmDevice(ctx: Ctx, deviceId: string, actor: Actor): Promise<boolean> {
  const changed = await ctx.store.db.transaction().execute(async (tx) => {
    const device = await tx
      .selectFrom('devices')
      .select(['id', 'credential_id', 'platform', 'status'])
      .where('id', '=', deviceId)
      .forUpdate()
      .executeTakeFirst();
    if (device?.status !== 'pending') return null;
    const cred = await tx
      .selectFrom('credentials')
      .select(['status', 'person_id'])
      .where('id', '=', device.credential_id)
      .executeTakeFirstOrThrow();
    // A phone that shows up after the revocation keeps its (voided) pass but never turns active.
    if (TERMINAL.has(cred.status as CredentialStatus)) return null;
    const at = nowIso(ctx);
    await tx
      .updateTable('devices')
      .set({ status: 'active', confirmed_at: at, updated_at: at })
      .where('id', '=', deviceId)
      .execute();
    await recordChange(tx, at, {
      type: 'device.confirmed',
      actor,
      subject: `credential:${device.credential_id}`,
      data: { person_id: cred.person_id, device_id: deviceId, platform: device.platform },
    });
    if (cred.status === 'provisioning')
      await applyLifecycle(ctx, tx, device.credential_id, { type: 'confirm_device' }, actor);
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
    const device = await tx
      .selectFrom('devices')
      .select(['credential_id', 'status'])
      .where('id', '=', deviceId)
      .executeTakeFirst();
    if (device?.status !== 'active') return null;
    const cred = await tx
      .selectFrom('credentials')
      .select(['status', 'person_id'])
      .where('id', '=', device.credential_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (cred.status !== 'revoking') return null;
    await revokeDeviceTx(ctx, tx, device.credential_id, cred.person_id, deviceId, `system:${how}`);
    await finishRevocationTx(ctx, tx, device.credential_id);
    return device.credential_id;
  });
  if (credentialId) ctx.bus.credentialChanged(credentialId);
  return credentialId !== null;
}

/** `revoking → revoked` once no device is left to confirm. */
export async function finishRevocationTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  givenUp: string[] = [],
): Promise<void> {
  const left = await tx
    .selectFrom('devices')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('status', '=', 'active')
    .execute();
  if (left.length === 0)
    await applyLifecycle(
      ctx,
      tx,
      credentialId,
      { type: 'revoke_confirmed' },
      'system',
      givenUp.length ? { given_up_devices: givenUp } : undefined,
    );
}
