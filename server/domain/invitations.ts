import { nowIso, type Ctx } from './context.js';
import { actorOf, mintSession, originsForProvisioning, type Caller } from './callers.js';
import { applyLifecycle } from './credentials.js';
import { recordEvent } from './events.js';
import { ApiError } from './errors.js';
import { normalizeInvitationCode } from './invitation-code.js';
import type { CredentialStatus } from './lifecycle.js';
import { consumeRate, ipBucketOf } from './rate-limits.js';
import { forUpdate, groupCommit, preparedQuery, preparedWrite } from '../storage/db.js';

/** What redeem, verification check and hand-off redeem all answer (SPEC §4). */
export interface ProvisioningGrant {
  provisioning_token: string;
  expires_at: string;
  credential: { id: string; status: CredentialStatus; credential_type_id: number };
  person: { first_name: string };
  wallets: ('apple' | 'google')[];
}

/** The wallets this server can add a pass to now: those with signing material loaded. */
export const wallets = (ctx: Ctx): ('apple' | 'google')[] => (ctx.config.passes && ctx.wallet ? [...ctx.wallet.platforms] : []);

/** Redemption attempts (hand-offs too) per client IP per minute, counted before any lookup (SPEC §7). */
export const consumeRedeemAttempt = (ctx: Ctx, ip: string) => consumeRate(ctx, `redeem:ip:${ipBucketOf(ip)}`, ctx.config.limits.redeemPerIpMinute, 60);

// Every redemption runs these: compiled once (storage/db.ts). A code is looked up under the
// current key's hash and, while KEYWAY_SECRET_PREVIOUS is set, the previous one's.
const invitationByCode = preparedQuery<
  {
    invitation_id: string;
    expires_at: string;
    redeemed_at: string | null;
    superseded_at: string | null;
    credential_id: string;
    status: string;
    enabled: number;
    person_id: number;
    first_name: string;
    person_enabled: number;
    deleted_at: string | null;
  },
  [string, string]
>(
  (db, current, previous) =>
    db
      .selectFrom('invitations')
      .innerJoin('credentials', 'credentials.id', 'invitations.credential_id')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .select([
        'invitations.id as invitation_id',
        'invitations.expires_at',
        'invitations.redeemed_at',
        'invitations.superseded_at',
        'credentials.id as credential_id',
        'credentials.status',
        'credentials.enabled',
        'people.id as person_id',
        'people.first_name',
        'people.enabled as person_enabled',
        'people.deleted_at',
      ])
      .where('invitations.code_hash', 'in', [current, previous]),
  2,
);
// Single use across instances: the first compare-and-set wins, every other one sees 0 rows.
const markRedeemed = preparedWrite<never, [string, string]>(
  (db, at, id) => db.updateTable('invitations').set({ redeemed_at: at }).where('id', '=', id).where('redeemed_at', 'is', null).where('superseded_at', 'is', null),
  2,
);

export async function redeemInvitation(ctx: Ctx, caller: Caller, input: { code: string; ip: string }): Promise<ProvisioningGrant> {
  await consumeRedeemAttempt(ctx, input.ip);
  const normalized = normalizeInvitationCode(input.code);
  if (!normalized) throw new ApiError('invitation_not_found');
  const now = nowIso(ctx);
  const [current, previous] = ctx.keys.lookupHashes('invite', normalized);
  const [invitation] = await invitationByCode(ctx.store.db, current, previous ?? current);
  if (!invitation || invitation.superseded_at || invitation.deleted_at || invitation.status === 'revoked' || invitation.status === 'revoking') {
    throw new ApiError('invitation_not_found');
  }
  if (invitation.redeemed_at) throw new ApiError('invitation_used');
  if (invitation.expires_at <= now || invitation.status === 'expired') throw new ApiError('invitation_expired');
  if (invitation.enabled !== 1 || invitation.person_enabled !== 1) throw new ApiError('credential_disabled');

  const actor = actorOf(caller);
  const grant = await groupCommit(ctx.store.db, async (tx) => {
    // Single use across instances: the first compare-and-set wins, every other one sees 0 rows.
    const cas = await markRedeemed(tx, now, invitation.invitation_id);
    if (Number(cas.numAffectedRows) !== 1) throw new ApiError('invitation_used');
    // Decided again inside the transaction, under the credential's row lock: a disable or revoke
    // that committed since the first look wins, and throwing undoes the compare-and-set.
    const live = await forUpdate(
      ctx.store.dialect,
      tx
        .selectFrom('credentials')
        .innerJoin('people', 'people.id', 'credentials.person_id')
        .select(['credentials.enabled', 'credentials.status', 'people.enabled as person_enabled', 'people.deleted_at'])
        .where('credentials.id', '=', invitation.credential_id),
    ).executeTakeFirstOrThrow();
    if (live.deleted_at || live.status === 'revoked' || live.status === 'revoking') throw new ApiError('invitation_not_found');
    if (live.enabled !== 1 || live.person_enabled !== 1) throw new ApiError('credential_disabled');
    const { row } = await applyLifecycle(ctx, tx, invitation.credential_id, { type: 'redeem' }, actor);
    await recordEvent(tx, now, { type: 'invitation.redeemed', actor, subject: `credential:${row.id}`, data: { person_id: row.person_id } });
    const session = await mintSession(ctx, tx, {
      kind: 'ps',
      personId: row.person_id,
      credentialId: row.id,
      origins: originsForProvisioning(ctx, caller),
      keyId: caller.kind === 'publishable' ? caller.keyId : null,
    });
    return {
      provisioning_token: session.token,
      expires_at: session.expires_at,
      credential: { id: row.id, status: row.status as CredentialStatus, credential_type_id: row.credential_type_id },
      person: { first_name: invitation.first_name },
      wallets: wallets(ctx),
    } satisfies ProvisioningGrant;
  });
  ctx.bus.credentialChanged(invitation.credential_id);
  return grant;
}
