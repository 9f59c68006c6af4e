// Invitations: issuing a code (and emailing it), re-issuing, redeeming it for a provisioning token.

import { addSeconds, nowIso } from '../../clock.js';
import { base62, sha256 } from '../../crypto/secrets.js';
import { enqueueMessage, kickDelivery } from '../../delivery/queue.js';
import { invitationEmail } from '../../delivery/templates.js';
import { pickLocale } from '../../messages/locale.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import { change, defineRead, defineWrite, type Tx, WriteConflict, type Writes } from '../../storage/db.js';
import { actorOf, type Caller, declareSession, originsForProvisioning } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import { applyLifecycle, lifecycleChange } from '../credentials/changes.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { type CredentialRow, HID_BADGE, HID_MOBILE, newId, WALLET_PASS } from '../credentials/types.js';
import { getCredentialRow, getCredentialView } from '../credentials/views.js';
import { ApiError } from '../errors.js';
import { reissueHidInvitation } from '../hid/credentials.js';
import { consumeRate, ipBucketOf } from '../rate-limits.js';
import { announceStatus } from '../status-hub.js';
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
type InvitationFound = CredentialRow & {
  invitation_id: string;
  invitation_expires_at: string;
  redeemed_at: string | null;
  superseded_at: string | null;
  redeemed_by: string | null;
  redeemed_retry: string | null;
  redeemed_session: string | null;
  first_name: string;
  person_enabled: number;
  person_deleted_at: string | null;
};
const invitationByCode = defineRead<InvitationFound, [string, string]>(
  (db, current, previous) =>
    db
      .selectFrom('invitations')
      .innerJoin('credentials', 'credentials.id', 'invitations.credential_id')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .selectAll('credentials')
      .select([
        'invitations.id as invitation_id',
        'invitations.expires_at as invitation_expires_at',
        'invitations.redeemed_at',
        'invitations.superseded_at',
        'invitations.redeemed_by',
        'invitations.redeemed_retry',
        'invitations.redeemed_session',
        'people.first_name',
        'people.enabled as person_enabled',
        'people.deleted_at as person_deleted_at',
      ])
      .where('invitations.code_hash', 'in', [current, previous]),
  2,
);
// Single use across instances: the first compare-and-set wins, every other one sees 0 rows. It keeps
// who redeemed and a hash of the session minted, so a lost answer can be recovered (RECOVER_SECONDS).
const markRedeemed = defineWrite<never, [string, string, string | null, string | null, string]>(
  (db, at, id, by, retry, session) =>
    db
      .updateTable('invitations')
      .set({ redeemed_at: at, redeemed_by: by, redeemed_retry: retry, redeemed_session: session })
      .where('id', '=', id)
      .where('redeemed_at', 'is', null)
      .where('superseded_at', 'is', null),
  5,
);
// The session a redemption minted, while it is still good for provisioning.
const liveSession = defineRead<{ expires_at: string }, [string, string]>(
  (db, hash, now) =>
    db
      .selectFrom('tokens')
      .select('expires_at')
      .where('token_hash', '=', hash)
      .where('kind', '=', 'ps')
      .where('used_at', 'is', null)
      .where('expires_at', '>', now),
  2,
);

/**
 * A lost answer (docs/security.md): the same code from the same client (publishable key and IP
 * bucket) without an Idempotency-Key within RECOVER_SECONDS of its redemption gets the same session
 * back; a retry under the same Idempotency-Key record (one the server died running) within the 15
 * minutes a token is replayed; a request under another key, or without the key the redemption had
 * (another tab or phone), gets invitation_used.
 */
const RECOVER_SECONDS = 60;
const RECOVER_RETRY_SECONDS = 15 * 60;

const redeemerOf = (ctx: Ctx, caller: Caller, ip: string): string | null =>
  caller.kind === 'publishable' ? ctx.keys.lookupHash('redeem-client', `${caller.keyId}\0${ipBucketOf(ip)}`) : null;

/** The redemption's session secret, derived under KEYWAY_SECRET from the invitation and its redemption time: never stored. */
const sessionSecret = (ctx: Ctx, invitationId: string, redeemedAt: string): Buffer =>
  Buffer.from(ctx.keys.lookupHash('redeem-session', `${invitationId}\0${redeemedAt}`), 'base64url');

async function recoverRedemption(
  ctx: Ctx,
  caller: Caller,
  found: InvitationFound,
  input: { ip: string; retry?: string },
  now: string,
): Promise<ProvisioningGrant | undefined> {
  const by = redeemerOf(ctx, caller, input.ip);
  if (!by || !found.redeemed_at || !found.redeemed_session || found.redeemed_by !== by) return undefined;
  // A redemption made under an Idempotency-Key is recovered only under that key, and one made without a
  // key only without one: another key — or none where there was one — is another tab or device (each
  // <invite-redeem> keeps its own key), so the code is used. Without keys, the client is its publishable
  // key and IP bucket.
  if ((input.retry ?? null) !== (found.redeemed_retry ?? null)) return undefined;
  const window = input.retry ? RECOVER_RETRY_SECONDS : RECOVER_SECONDS;
  if (addSeconds(found.redeemed_at, window) <= now) return undefined;
  const token = `ps_${found.id.replace(/^cred_/, '')}_${base62(sessionSecret(ctx, found.invitation_id, found.redeemed_at))}`;
  if (sha256(token) !== found.redeemed_session) return undefined; // KEYWAY_SECRET rotated since
  const [session] = await liveSession(ctx.store.db, found.redeemed_session, now);
  if (!session) return undefined;
  return {
    provisioning_token: token,
    expires_at: session.expires_at,
    credential: {
      id: found.id,
      status: found.status as CredentialStatus,
      credential_type_id: found.credential_type_id,
    },
    person: { first_name: found.first_name },
    wallets: wallets(ctx),
  };
}
// The person still as the decision read them; on PostgreSQL share-locked, so a racing disable waits.
const personLive = defineWrite<{ id: number }, [number]>(
  (db, id) =>
    db
      .selectFrom('people')
      .select('id')
      .where('id', '=', id)
      .where('enabled', '=', 1)
      .where('deleted_at', 'is', null)
      .forShare(),
  1,
);

/** How often a redemption reads and decides again when what it read changed before its write. */
const REDEEM_TRIES = 5;

/** The caller counted `consumeRedeemAttempt` first (the route's limit, before an Idempotency-Key record). */
export async function redeemInvitation(
  ctx: Ctx,
  caller: Caller,
  input: { code: string; ip: string; retry?: string },
): Promise<ProvisioningGrant> {
  const normalized = normalizeInvitationCode(input.code);
  if (!normalized) throw new ApiError('invitation_not_found');
  const [current, previous] = ctx.keys.lookupHashes('invite', normalized);
  for (let tries = 1; ; tries++) {
    const now = nowIso(ctx);
    const [invitation] = await invitationByCode(ctx.store.db, current, previous ?? current);
    if (
      !invitation ||
      invitation.superseded_at ||
      invitation.person_deleted_at ||
      invitation.status === 'revoked' ||
      invitation.status === 'revoking'
    ) {
      throw new ApiError('invitation_not_found');
    }
    if (invitation.redeemed_at) {
      const recovered = await recoverRedemption(ctx, caller, invitation, input, now);
      if (recovered) return recovered;
      throw new ApiError('invitation_used');
    }
    if (invitation.invitation_expires_at <= now || invitation.status === 'expired')
      throw new ApiError('invitation_expired');
    if (invitation.enabled !== 1 || invitation.person_enabled !== 1) throw new ApiError('credential_disabled');
    try {
      const grant = await change(ctx.store.db, (w) => redeemChange(ctx, w, caller, invitation, now, input));
      ctx.bus.credentialChanged(grant.credential.id, true);
      return grant;
    } catch (err) {
      // Redeemed, disabled or changed since it was read: read again, and the look-up says why.
      if (!(err instanceof WriteConflict)) throw err;
      if (tries === REDEEM_TRIES) throw new ApiError('service_unavailable');
    }
  }
}

/**
 * The writes of a redemption decided from `found`: the code's compare-and-set, the person and the
 * credential as read (a disable or revoke that committed since wins, and nothing is written), the
 * credential moved on, its events, a provisioning token, and the status streams told.
 */
function redeemChange(
  ctx: Ctx,
  w: Writes,
  caller: Caller,
  found: InvitationFound,
  now: string,
  input: { ip: string; retry?: string },
): ProvisioningGrant {
  const {
    invitation_id,
    invitation_expires_at: _expires,
    redeemed_at: _redeemed,
    superseded_at: _superseded,
    redeemed_by: _by,
    redeemed_retry: _retry,
    redeemed_session: _session,
    first_name,
    person_enabled: _enabled,
    person_deleted_at: _deleted,
    ...credential
  } = found;
  const secret = sessionSecret(ctx, invitation_id, now);
  const token = `ps_${credential.id.replace(/^cred_/, '')}_${base62(secret)}`;
  w.expect(markRedeemed, now, invitation_id, redeemerOf(ctx, caller, input.ip), input.retry ?? null, sha256(token));
  w.expect(personLive, credential.person_id);
  const actor = actorOf(caller);
  const { row, passChanged } = lifecycleChange(ctx, w, credential, { type: 'redeem' }, actor);
  // invited → provisioning: what a pass shows does not change, so no device needs a push.
  if (passChanged) throw new Error('a redemption changed what a pass shows');
  recordChange(w, now, {
    type: 'invitation.redeemed',
    actor,
    subject: `credential:${row.id}`,
    data: { person_id: row.person_id },
  });
  const session = declareSession(ctx, w, {
    kind: 'ps',
    personId: row.person_id,
    credentialId: row.id,
    origins: originsForProvisioning(ctx, caller),
    keyId: caller.kind === 'publishable' ? caller.keyId : null,
    secret,
  });
  announceStatus(w, row.id);
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
  await recordChange(tx, at, { type: 'invitation.emailed', actor: 'system', subject: `credential:${credentialId}` });
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
  await recordChange(tx, at, {
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
  // A badge's new code brings a new issuance token with it when its own is spent or lapsed (hid/badge-provisioning.ts).
  if (row.credential_type_id !== WALLET_PASS && row.credential_type_id !== HID_BADGE) {
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
