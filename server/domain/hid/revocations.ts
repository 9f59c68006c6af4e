import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';

/**
 * What a revocation in Keyway asks of HID Origo (docs/hid.md), marked inside the revoking
 * transaction; the read-back sync (sync.ts) carries it out and retries until Origo did.
 * Apart from sync.ts so the lifecycle commands can call it without an import cycle.
 */
export const HID_SYNC_WAKE = 'hid-sync';

export const wakeHidSync = (ctx: Ctx): void => void ctx.bus.emit(HID_SYNC_WAKE);

/** The credential's next read-back is due now, with its backoff forgotten: the sync has something to tell Origo. */
async function syncNowTx(tx: Tx, credentialId: string, at: string): Promise<void> {
  await tx
    .updateTable('hid_syncs')
    .set({ next_sync_at: at, failures: 0 })
    .where('credential_id', '=', credentialId)
    .execute();
}

/** DELETE of a type-8 credential: its pending invitations cancelled and every phone's Origo credential revoked. */
export async function wantHidRevocationTx(tx: Tx, credentialId: string, at: string): Promise<void> {
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  await tx
    .updateTable('hid_invitations')
    .set({ cancel_wanted_at: at })
    .where('credential_id', '=', credentialId)
    .where('settled_at', 'is', null)
    .where('cancel_wanted_at', 'is', null)
    .execute();
  await tx
    .updateTable('hid_devices')
    .set({ revoke_wanted_at: at })
    .where('credential_id', '=', credentialId)
    .where('revoked_at', 'is', null)
    .where('revoke_wanted_at', 'is', null)
    .execute();
  await syncNowTx(tx, credentialId, at);
}

/** One phone revoked in Keyway (its device row is `revoked` already): Origo is told by the sync. */
export async function wantHidDeviceRevokedTx(ctx: Ctx, tx: Tx, deviceId: string, at: string): Promise<void> {
  const updated = await tx
    .updateTable('hid_devices')
    .set({ revoke_wanted_at: at })
    .where('device_id', '=', deviceId)
    .where('revoke_wanted_at', 'is', null)
    .returning('credential_id')
    .executeTakeFirst();
  if (updated) {
    await syncNowTx(tx, updated.credential_id, at);
    wakeHidSync(ctx);
  }
}

/**
 * A badge (type 10) revoked in Keyway: its Pass deleted at Origo. `accepted`: the admin's DELETE
 * already had Origo accept it (202); otherwise (a person deleted) the sync sends it and retries.
 */
export async function wantBadgeDeletedTx(tx: Tx, credentialId: string, at: string, accepted: boolean): Promise<void> {
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  await tx
    .updateTable('hid_passes')
    .set({ delete_wanted_at: at, ...(accepted ? { delete_accepted_at: at } : {}), updated_at: at })
    .where('credential_id', '=', credentialId)
    .where('delete_wanted_at', 'is', null)
    .execute();
  await syncNowTx(tx, credentialId, at);
}

/** A person's name changed: each live badge of theirs owes Origo its post-provisioning update (the sync sends it). */
export async function wantBadgeUpdatesTx(ctx: Ctx, tx: Tx, personId: number, at: string): Promise<void> {
  const badges = await tx
    .selectFrom('hid_passes')
    .innerJoin('credentials', 'credentials.id', 'hid_passes.credential_id')
    .select('hid_passes.credential_id')
    .where('credentials.person_id', '=', personId)
    .where('credentials.status', 'not in', ['revoking', 'revoked'])
    .execute();
  if (!badges.length) return;
  const ids = badges.map((b) => b.credential_id);
  await tx.updateTable('hid_passes').set({ update_wanted_at: at }).where('credential_id', 'in', ids).execute();
  await tx.updateTable('hid_syncs').set({ next_sync_at: at }).where('credential_id', 'in', ids).execute();
  wakeHidSync(ctx);
}
