// Credential type 10 (SPEC §16): an HID Seos badge in Apple Wallet or Google Wallet. HID Origo is
// the Credential Manager; Keyway creates the Origo Pass from the template and keeps its issuance
// token (encrypted, spent once), and wraps it in Keyway's invitations, hand-off and lifecycle.
import type { OrigoPass } from '../../hid/origo-passes.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { originUserOf, upstream } from './credentials.js';
import { hidPassesConfigOf, origoOf, origoPassesOf } from './origo.js';

export { origoPassesOf };

export interface PreparedBadge {
  origoUserId: string;
  pass: OrigoPass;
}

/** Before the credential's transaction: the person's Origo user and a Pass from the template. Origo down or slow → 503. */
export async function prepareHidBadge(
  ctx: Ctx,
  person: { id: number; first_name: string; last_name: string; email: string | null },
): Promise<PreparedBadge> {
  const signal = AbortSignal.timeout(origoOf(ctx).deadlineMs); // the whole exchange, however many calls
  try {
    const origoUserId = await originUserOf(ctx, person, signal);
    const pass = await origoPassesOf(ctx).createPass(
      {
        templateId: hidPassesConfigOf(ctx).templateId,
        userId: origoUserId,
        validitySeconds: ctx.config.inviteTtlSeconds,
      },
      { signal },
    );
    return { origoUserId, pass };
  } catch (err) {
    throw upstream(ctx, err, 'creating an HID wallet pass');
  }
}

/** In the credential's transaction: the Pass beside the credential, its token encrypted under the credential id. */
export async function storeHidBadgeTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  personId: number,
  prepared: PreparedBadge,
  at: string,
): Promise<void> {
  await tx
    .insertInto('hid_users')
    .values({ person_id: personId, origo_user_id: prepared.origoUserId, created_at: at })
    .onConflict((oc) => oc.column('person_id').doNothing())
    .execute();
  await tx
    .insertInto('hid_passes')
    .values({
      credential_id: credentialId,
      origo_user_id: prepared.origoUserId,
      origo_pass_id: prepared.pass.id,
      origo_status: prepared.pass.status,
      issuance_token_enc: ctx.keys.encrypt(prepared.pass.issuanceToken, `hid-pass:${credentialId}`),
      token_spent_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  // Read back by the HID sync (badge-sync.ts) from now on: the Pass's state and its wallets.
  await tx
    .insertInto('hid_syncs')
    .values({
      credential_id: credentialId,
      origo_user_id: prepared.origoUserId,
      next_sync_at: at,
      failures: 0,
      last_error: null,
    })
    .execute();
}

/** The credential's commit failed: the Pass Origo made must not linger. */
export function abandonHidBadge(ctx: Ctx, prepared: PreparedBadge): void {
  void origoPassesOf(ctx)
    .deletePass(prepared.pass.id)
    .catch(() => undefined);
}

/**
 * Takes the issuance token for one provisioning call: a compare-and-set, so two presses never both
 * spend it. Null when it is spent (or there is none). `restoreIssuanceToken` gives it back when
 * the call never reached Origo.
 */
export async function spendIssuanceToken(ctx: Ctx, credentialId: string, at: string): Promise<string | null> {
  const row = await ctx.store.db
    .updateTable('hid_passes')
    .set({ token_spent_at: at, updated_at: at })
    .where('credential_id', '=', credentialId)
    .where('token_spent_at', 'is', null)
    .where('issuance_token_enc', 'is not', null)
    .returning('issuance_token_enc')
    .executeTakeFirst();
  return row?.issuance_token_enc ? ctx.keys.decrypt(row.issuance_token_enc, `hid-pass:${credentialId}`) : null;
}

/** Origo down or slow during the call that took the token: it was not spent. */
export async function restoreIssuanceToken(ctx: Ctx, credentialId: string, spentAt: string): Promise<void> {
  await ctx.store.db
    .updateTable('hid_passes')
    .set({ token_spent_at: null })
    .where('credential_id', '=', credentialId)
    .where('token_spent_at', '=', spentAt)
    .execute();
}
