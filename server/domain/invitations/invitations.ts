// Invitations: issuing a code (and emailing it), re-issuing, redeeming it for a provisioning token.

import { addSeconds, nowIso } from '../../clock.js';
import { enqueueMessage, kickDelivery } from '../../delivery/queue.js';
import { invitationEmail } from '../../delivery/templates.js';
import { pickLocale } from '../../messages/locale.js';
import { type Actor, recordEvent } from '../../storage/audit.js';
import { groupCommit, isPostgres, preparedQuery, preparedWrite, type Tx } from '../../storage/db.js';
import { actorOf, type Caller, mintSession, originsForProvisioning } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import { applyLifecycle } from '../credentials/changes.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { type CredentialRow, HID_MOBILE, newId, WALLET_PASS } from '../credentials/types.js';
import { getCredentialRow, getCredentialView } from '../credentials/views.js';
import { ApiError } from '../errors.js';
import { reissueHidInvitation } from '../hid/credentials.js';
import { consumeRate, ipBucketOf } from '../rate-limits.js';
import { generateInvitationCode, invitationUrl, normalizeInvitationCode } from './code.js';

/** What redeem, verification check and hand-off redeem all answer (docs/api.md). */
export interface ProvisioningGrant {
  provisioning_token: string;
  expires_at: string;
  credential: { id: string; status: CredentialStatus; credential_type_id: number };
  person: { first_name: string };
  wallets: ('apple' | 'google')[];
}

/** The wallets this server can add a pass to now: those with signing material loaded. */
export const wallets = (ctx: Ctx): ('apple' | 'google')[] =>
  ctx.config.passes && ctx.wallet ? [...ctx.wallet.platforms] : [];

/** Redemption attempts (hand-offs too) per client IP per minute, counted before any lookup (docs/security.md). */
export const consumeRedeemAttempt = (ctx: Ctx, ip: string) =>
  consumeRate(ctx, `redeem:ip:${ipBucketOf(ip)}`, ctx.config.limits.redeemPerIpMinute, 60);

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
  (db, at, id) =>
    db
      .updateTable('invitations')
      .set({ redeemed_at: at })
      .where('id', '=', id)
      .where('redeemed_at', 'is', null)
      .where('superseded_at', 'is', null),
  2,
);
// The same compare-and-set found by the code itself, for a live code only: on PostgreSQL a redemption
// then needs no look-up before its transaction (a round trip saved); any miss takes the look-up path,
// which says why.
const markRedeemedByCode = preparedWrite<{ credential_id: string }, [string, string, string]>(
  (db, at, current, previous) =>
    db
      .updateTable('invitations')
      .set({ redeemed_at: at })
      .where('code_hash', 'in', [current, previous])
      .where('redeemed_at', 'is', null)
      .where('superseded_at', 'is', null)
      .where('expires_at', '>', at)
      .returning('credential_id'),
  3,
);
// The credential locked for its change and its person shared-locked (a racing disable waits, other
// redemptions of the same person's credentials do not): decided again inside the transaction.
const credentialForRedeem = preparedWrite<
  CredentialRow & { first_name: string; person_enabled: number; person_deleted_at: string | null },
  [string]
>((db, id) => {
  const q = db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .selectAll('credentials')
    .select(['people.first_name', 'people.enabled as person_enabled', 'people.deleted_at as person_deleted_at'])
    .where('credentials.id', '=', id);
  return isPostgres(db) ? q.forUpdate(['credentials']).forShare(['people']) : q;
}, 1);

/** The code's invitation was matched by a compare-and-set on more than one row: undone, and the look-up path decides. */
class AmbiguousCode extends Error {}

export async function redeemInvitation(
  ctx: Ctx,
  caller: Caller,
  input: { code: string; ip: string },
): Promise<ProvisioningGrant> {
  await consumeRedeemAttempt(ctx, input.ip);
  const normalized = normalizeInvitationCode(input.code);
  if (!normalized) throw new ApiError('invitation_not_found');
  const now = nowIso(ctx);
  const [current, previous] = ctx.keys.lookupHashes('invite', normalized);
  let grant: ProvisioningGrant | undefined;
  if (ctx.store.dialect === 'postgres') {
    // SQLite's look-up is in-process (no round trip), and a miss there would take the writer lock for nothing.
    grant = await groupCommit(ctx.store.db, async (tx) => {
      const { rows } = await markRedeemedByCode(tx, now, current, previous ?? current);
      if (rows.length > 1) throw new AmbiguousCode();
      return rows.length === 1 ? redeemLocked(ctx, tx, caller, rows[0].credential_id, now) : undefined;
    }).catch((err: unknown) => {
      if (err instanceof AmbiguousCode) return undefined;
      throw err;
    });
  }
  if (!grant) {
    const [invitation] = await invitationByCode(ctx.store.db, current, previous ?? current);
    if (
      !invitation ||
      invitation.superseded_at ||
      invitation.deleted_at ||
      invitation.status === 'revoked' ||
      invitation.status === 'revoking'
    ) {
      throw new ApiError('invitation_not_found');
    }
    if (invitation.redeemed_at) throw new ApiError('invitation_used');
    if (invitation.expires_at <= now || invitation.status === 'expired') throw new ApiError('invitation_expired');
    if (invitation.enabled !== 1 || invitation.person_enabled !== 1) throw new ApiError('credential_disabled');
    grant = await groupCommit(ctx.store.db, async (tx) => {
      const cas = await markRedeemed(tx, now, invitation.invitation_id);
      if (Number(cas.numAffectedRows) !== 1) throw new ApiError('invitation_used');
      return redeemLocked(ctx, tx, caller, invitation.credential_id, now);
    });
  }
  ctx.bus.credentialChanged(grant.credential.id);
  return grant;
}

/**
 * After the compare-and-set, in its transaction: decided again under the credential's row lock
 * (a disable or revoke that committed since the first look wins, and throwing undoes the
 * compare-and-set), then the credential moves on and a provisioning token is minted.
 */
async function redeemLocked(
  ctx: Ctx,
  tx: Tx,
  caller: Caller,
  credentialId: string,
  now: string,
): Promise<ProvisioningGrant> {
  const {
    rows: [live],
  } = await credentialForRedeem(tx, credentialId);
  if (!live || live.person_deleted_at || live.status === 'revoked' || live.status === 'revoking')
    throw new ApiError('invitation_not_found');
  if (live.status === 'expired') throw new ApiError('invitation_expired');
  if (live.enabled !== 1 || live.person_enabled !== 1) throw new ApiError('credential_disabled');
  const actor = actorOf(caller);
  const { first_name, person_enabled: _enabled, person_deleted_at: _deleted, ...locked } = live;
  const { row } = await applyLifecycle(ctx, tx, credentialId, { type: 'redeem' }, actor, undefined, locked);
  await recordEvent(tx, now, {
    type: 'invitation.redeemed',
    actor,
    subject: `credential:${row.id}`,
    data: { person_id: row.person_id },
  });
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
    person: { first_name },
    wallets: wallets(ctx),
  };
}

/** The send queue's hook once an invitation email went out: the invitation is marked emailed (reminders need it). */
export async function markInvitationEmailed(tx: Tx, credentialId: string, at: string): Promise<void> {
  await tx
    .updateTable('invitations')
    .set({ emailed_at: at })
    .where('credential_id', '=', credentialId)
    .where('superseded_at', 'is', null)
    .where('redeemed_at', 'is', null)
    .execute();
  await recordEvent(tx, at, { type: 'invitation.emailed', actor: 'system', subject: `credential:${credentialId}` });
}

/** Supersedes any live code of the credential and stores a fresh one (HMAC for lookup, AES-GCM to show it). */
export async function issueInvitationTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  actor: Actor,
): Promise<{ code: string; expires_at: string }> {
  const at = nowIso(ctx);
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  const code = generateInvitationCode(ctx.random);
  const expires_at = addSeconds(at, ctx.config.inviteTtlSeconds);
  await tx
    .insertInto('invitations')
    .values({
      id: newId(ctx, 'inv'),
      credential_id: credentialId,
      code_hash: ctx.keys.lookupHash('invite', normalizeInvitationCode(code)!),
      code_enc: ctx.keys.encrypt(code, credentialId),
      expires_at,
      created_at: at,
      redeemed_at: null,
      superseded_at: null,
      emailed_at: null,
    })
    .execute();
  await recordEvent(tx, at, {
    type: 'invitation.issued',
    actor,
    subject: `credential:${credentialId}`,
    data: { expires_at },
  });
  return { code, expires_at };
}

/** Queues the flow A email (localised, with the code, the link and its QR code); the worker retries it. */
export async function emailInvitation(
  ctx: Ctx,
  credentialId: string,
  to: string,
  firstName: string,
  inv: { code: string; expires_at: string },
  locale?: string | null,
) {
  const message = await invitationEmail({
    to,
    locale: pickLocale(locale),
    brand: ctx.config.brand.name,
    brandColor: ctx.config.brand.color,
    firstName,
    code: inv.code,
    url: invitationUrl(ctx, inv.code),
    expiresAt: inv.expires_at,
  });
  await ctx.store.db
    .transaction()
    .execute((tx) =>
      enqueueMessage(
        ctx,
        tx,
        { channel: 'email', message },
        { purpose: 'invitation', ref: credentialId, giveUpAt: inv.expires_at },
      ),
    );
  kickDelivery(ctx);
}

/** Re-issue: a new code, the old one dies (docs/api.md). */
export async function reissueInvitation(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  opts: { actor: Actor; showSecrets: boolean },
) {
  const row = await getCredentialRow(ctx, personId, credentialId);
  if (row.credential_type_id === HID_MOBILE) return reissueHidInvitation(ctx, personId, credentialId, opts);
  if (row.credential_type_id !== WALLET_PASS) {
    throw new ApiError('invalid_transition', 'Only wallet-pass credentials have invitations.', { status: row.status });
  }
  const { changed } = await ctx.store.db.transaction().execute(async (tx) => {
    const result = await applyLifecycle(ctx, tx, credentialId, { type: 'reissue' }, opts.actor);
    await issueInvitationTx(ctx, tx, credentialId, opts.actor);
    return result;
  });
  if (changed) ctx.bus.credentialChanged(credentialId);
  const view = await getCredentialView(ctx, personId, credentialId, true);
  const person = await ctx.store.db
    .selectFrom('people')
    .select(['email', 'first_name'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  if (ctx.config.deliverDefault === 'email' && person.email && view.invitation_code) {
    // In the language the first invitation went out in.
    await emailInvitation(
      ctx,
      credentialId,
      person.email,
      person.first_name,
      { code: view.invitation_code, expires_at: view.invitation_expires_at! },
      row.email_locale,
    );
  }
  return opts.showSecrets ? view : getCredentialView(ctx, personId, credentialId, false);
}
