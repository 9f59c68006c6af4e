import { addSeconds, nowIso } from '../../clock.js';
import { newToken, sha256 } from '../../crypto/secrets.js';
import { recordChange } from '../../storage/change-log.js';
import { actorOf, type Caller, mintSession } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { HID_BADGE, WALLET_PASS } from '../credentials/types.js';
import { ApiError } from '../errors.js';
import { coveredCredential, passableCredential, type SessionCaller } from '../wallets/passes.js';
import { type ProvisioningGrant, wallets } from './invitations.js';

/** What a desktop QR code encodes must not outlive a glance at the screen (docs/api.md: ≤ 5 min). */
export const HANDOFF_TTL_SECONDS = 5 * 60;
const HANDOFF_TOKEN = /^h_[A-Za-z0-9]{20,100}$/;

/** A wallet pass, or an HID badge (SPEC §16: the desktop hand-off QR as for type 9). */
const HANDOFF_TYPES = [WALLET_PASS, HID_BADGE] as const;
/** `POST /api/3/handoffs`: a single-use link to carry this session to a phone, never the ps_ itself. */
export async function createHandoff(
  ctx: Ctx,
  caller: SessionCaller,
  input: { credential_id?: string },
): Promise<{ url: string; expires_at: string }> {
  // Carried to a phone once, never extended forever (docs/security.md).
  if (caller.kind === 'provisioning' && caller.viaHandoff) throw new ApiError('handoff_not_allowed');
  const cred = await coveredCredential(ctx, caller, input.credential_id, HANDOFF_TYPES);
  const token = newToken(ctx.random, 'h', 32);
  const at = nowIso(ctx);
  const expires_at = addSeconds(at, HANDOFF_TTL_SECONDS);
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('tokens')
      .values({
        token_hash: sha256(token),
        kind: 'handoff',
        person_id: cred.person_id,
        credential_id: cred.id,
        device_id: null,
        key_id: caller.kind === 'provisioning' ? caller.keyId : null,
        origins: '[]',
        expires_at,
        created_at: at,
        used_at: null,
      })
      .execute();
    await recordChange(tx, at, {
      type: 'handoff.created',
      actor: actorOf(caller),
      subject: `credential:${cred.id}`,
      data: { person_id: cred.person_id, expires_at },
    });
  });
  return { url: `${ctx.config.publicUrl}/p#h=${token}`, expires_at };
}

/**
 * `POST /api/3/handoffs/redeem`: once, for a ps_ bound to PUBLIC_URL (the phone opens the hosted page).
 * The caller counted the per-IP redeem limit (`consumeRedeemAttempt`) before the lookup, like invitation
 * codes (docs/security.md).
 */
export async function redeemHandoff(
  ctx: Ctx,
  caller: Extract<Caller, { kind: 'publishable' }>,
  input: { token: string },
): Promise<ProvisioningGrant> {
  if (!HANDOFF_TOKEN.test(input.token)) throw new ApiError('link_expired');
  const now = nowIso(ctx);
  const tokenHash = sha256(input.token);
  const row = await ctx.store.db
    .selectFrom('tokens')
    .innerJoin('credentials', 'credentials.id', 'tokens.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'tokens.expires_at',
      'tokens.used_at',
      'tokens.person_id',
      'credentials.id as credential_id',
      'people.deleted_at',
    ])
    .where('tokens.token_hash', '=', tokenHash)
    .where('tokens.kind', '=', 'handoff')
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || row.deleted_at || row.person_id === null)
    throw new ApiError('link_expired');
  // Same rules as a pass request: a disabled or revoked credential refuses without spending the link.
  const cred = await passableCredential(ctx, row.person_id, row.credential_id, HANDOFF_TYPES);

  const actor = actorOf(caller);
  return ctx.store.db.transaction().execute(async (tx) => {
    const cas = await tx
      .updateTable('tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('kind', '=', 'handoff')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(cas.numUpdatedRows) !== 1) throw new ApiError('link_expired');
    await recordChange(tx, now, {
      type: 'handoff.redeemed',
      actor,
      subject: `credential:${cred.id}`,
      data: { person_id: cred.person_id },
    });
    const session = await mintSession(ctx, tx, {
      kind: 'ps',
      personId: cred.person_id,
      credentialId: cred.id,
      origins: [new URL(ctx.config.publicUrl).origin],
      keyId: caller.keyId,
      viaHandoff: true,
    });
    const current = await tx
      .selectFrom('credentials')
      .select('status')
      .where('id', '=', cred.id)
      .executeTakeFirstOrThrow();
    return {
      provisioning_token: session.token,
      expires_at: session.expires_at,
      credential: {
        id: cred.id,
        status: current.status as CredentialStatus,
        credential_type_id: cred.credential_type_id,
      },
      person: { first_name: cred.first_name },
      wallets: wallets(ctx),
    } satisfies ProvisioningGrant;
  });
}
