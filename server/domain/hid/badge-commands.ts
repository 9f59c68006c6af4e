// The admin's commands on a badge (type 10, SPEC §16) that HID Origo must carry out first: suspend,
// resume, delete. Each is asked of Origo before Keyway writes anything, so Origo down or slow
// answers 503 and the credential keeps its state; the sync (badge-sync.ts) makes Origo agree later
// should an answer have been lost. Apart from badges.ts so the lifecycle commands can call it
// without an import cycle.
import { nowIso } from '../../clock.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { type CredentialStatus, nextState } from '../credentials/lifecycle.js';
import type { CredentialRow } from '../credentials/types.js';
import { origoPassesOf, upstream } from './origo.js';
import { wakeHidSync } from './revocations.js';

const passIdOf = async (ctx: Ctx, credentialId: string) =>
  (
    await ctx.store.db
      .selectFrom('hid_passes')
      .select('origo_pass_id')
      .where('credential_id', '=', credentialId)
      .executeTakeFirstOrThrow()
  ).origo_pass_id;

/** What Origo said of the pass after a command: its status, or that it is gone (then the sync revokes). */
export type BadgeOrigoStatus = { status: string } | 'gone';

/**
 * `PUT enabled` on a badge: a wallet holds it (active ⇄ suspended) → Origo's SUSPEND or RESUME
 * first. Before any wallet holds it only Keyway's `enabled` changes; the sync suspends the pass
 * once it is provisioned. An illegal change is refused before Origo is asked.
 */
export async function setBadgeEnabledAtOrigo(
  ctx: Ctx,
  row: CredentialRow,
  enabled: boolean,
): Promise<BadgeOrigoStatus | undefined> {
  const from = { status: row.status as CredentialStatus, enabled: row.enabled === 1 };
  const to = nextState(from, { type: 'set_enabled', enabled });
  const action =
    from.status === 'active' && to.status === 'suspended'
      ? 'SUSPEND'
      : from.status === 'suspended' && to.status === 'active'
        ? 'RESUME'
        : null;
  if (!action) return undefined;
  const client = origoPassesOf(ctx);
  try {
    // One call under the client's deadline (10 s): slow counts as down.
    const r = await client.setPassStatus(await passIdOf(ctx, row.id), action);
    if (r === 'gone') return 'gone';
    return { status: r.status ?? (action === 'SUSPEND' ? 'SUSPENDED' : 'ACTIVE') };
  } catch (err) {
    throw upstream(ctx, err, action === 'SUSPEND' ? 'suspending a wallet badge' : 'resuming a wallet badge');
  }
}

/** In the command's transaction: what Origo answered, kept; a pass Origo no longer has is for the sync to settle. */
export async function recordBadgeStatusTx(ctx: Ctx, tx: Tx, credentialId: string, s: BadgeOrigoStatus): Promise<void> {
  const at = nowIso(ctx);
  if (s === 'gone') {
    await tx.updateTable('hid_syncs').set({ next_sync_at: at }).where('credential_id', '=', credentialId).execute();
    wakeHidSync(ctx);
    return;
  }
  await tx
    .updateTable('hid_passes')
    .set({ origo_status: s.status, updated_at: at })
    .where('credential_id', '=', credentialId)
    .execute();
}

/** `DELETE` on a badge: Origo deletes the Pass first (202; 404 counts as gone); down or slow → 503. */
export async function deleteBadgeAtOrigo(ctx: Ctx, credentialId: string): Promise<boolean> {
  const client = origoPassesOf(ctx);
  try {
    await client.deletePass(await passIdOf(ctx, credentialId));
    return true;
  } catch (err) {
    throw upstream(ctx, err, 'deleting a wallet badge');
  }
}
