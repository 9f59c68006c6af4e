// The lifecycle's timers: invitations expire, unconfirmed devices lapse, revocations are given up on.
import { addSeconds, nowIso } from '../../clock.js';
import type { Ctx } from '../context.js';
import { googleCanConfirm } from '../wallets/google-callback.js';
import { PENDING_DEVICE_TTL_SECONDS } from '../wallets/passes.js';
import { applyLifecycle, revokeDeviceTx } from './changes.js';
import { finishRevocationTx } from './devices.js';
import { HID_BADGE, HID_MOBILE } from './types.js';

/** The expiry sweep: `invited → expired` once the live invitation lapsed (docs/lifecycle.md). */
export async function sweepExpiredInvitations(ctx: Ctx): Promise<number> {
  const now = nowIso(ctx);
  const due = await ctx.store.db
    .selectFrom('credentials')
    .innerJoin('invitations', 'invitations.credential_id', 'credentials.id')
    .select('credentials.id')
    .where('credentials.status', '=', 'invited')
    .where('credentials.credential_type_id', '!=', HID_MOBILE) // Origo's status decides (docs/hid.md)
    .where('invitations.redeemed_at', 'is', null)
    .where('invitations.superseded_at', 'is', null)
    .where('invitations.expires_at', '<=', now)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const changed = await ctx.store.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('credentials')
        .select('status')
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.status !== 'invited') return false;
      return (await applyLifecycle(ctx, tx, id, { type: 'expire' }, 'system')).changed;
    });
    if (changed) {
      n++;
      ctx.bus.credentialChanged(id);
    }
  }
  return n;
}

/**
 * Revokes `pending` devices unconfirmed for 24 h (a lifecycle timer; tests call it with the TestClock).
 * A Google device is revoked only when it could have been confirmed — callbacks verifiable or the
 * REST poll running (googleCanConfirm); otherwise it stays pending (docs/lifecycle.md).
 */
export async function sweepPendingDevices(ctx: Ctx): Promise<number> {
  const cutoff = addSeconds(nowIso(ctx), -PENDING_DEVICE_TTL_SECONDS);
  let query = ctx.store.db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .select(['devices.id', 'devices.credential_id', 'credentials.person_id'])
    .where('devices.status', '=', 'pending')
    .where('devices.added_at', '<=', cutoff);
  // A badge's devices are confirmed by HID Origo's read, whatever Google's callbacks can do.
  if (!googleCanConfirm(ctx))
    query = query.where((eb) =>
      eb.or([eb('devices.platform', '!=', 'google'), eb('credentials.credential_type_id', '=', HID_BADGE)]),
    );
  const due = await query.execute();
  let n = 0;
  for (const d of due) {
    const revoked = await ctx.store.db.transaction().execute(async (tx) => {
      // A registration that arrived since the select keeps its device.
      const still = await tx
        .selectFrom('devices')
        .select('id')
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .forUpdate()
        .executeTakeFirst();
      return still ? revokeDeviceTx(ctx, tx, d.credential_id, d.person_id, d.id, 'system') : false;
    });
    if (revoked) {
      n++;
      ctx.bus.credentialChanged(d.credential_id);
    }
  }
  return n;
}

/** Devices that never confirmed within KEYWAY_REVOKE_CONFIRM_DAYS are given up and listed in the event. */
export async function sweepRevocations(ctx: Ctx): Promise<number> {
  const cutoff = addSeconds(nowIso(ctx), -ctx.config.revokeConfirmDays * 86400);
  const due = await ctx.store.db
    .selectFrom('credentials')
    .select('id')
    .where('status', '=', 'revoking')
    .where('revoking_at', '<=', cutoff)
    .where('credential_type_id', 'not in', [HID_MOBILE, HID_BADGE]) // revoked only when Origo shows it (docs/hid.md)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const done = await ctx.store.db.transaction().execute(async (tx) => {
      const cred = await tx
        .selectFrom('credentials')
        .select(['status', 'person_id'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (cred?.status !== 'revoking') return false;
      const left = await tx
        .selectFrom('devices')
        .select('id')
        .where('credential_id', '=', id)
        .where('status', '=', 'active')
        .execute();
      for (const d of left) await revokeDeviceTx(ctx, tx, id, cred.person_id, d.id, 'system:given_up');
      await finishRevocationTx(
        ctx,
        tx,
        id,
        left.map((d) => d.id),
      );
      return true;
    });
    if (done) {
      n++;
      ctx.bus.credentialChanged(id);
    }
  }
  return n;
}
