// Passkeys of staff members (docs/console.md): WebAuthn through @simplewebauthn/server, discoverable
// credentials with user verification required, the signature counter checked, several per member.
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { addSeconds, nowIso } from '../../clock.js';
import { sha256 } from '../../crypto/secrets.js';
import { type Actor, recordEvent } from '../../storage/audit.js';
import { json, type Tx } from '../../storage/db.js';
import { consoleOrigins, consoleRpId, startStaffSession } from '../callers/staff-sessions.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { consumeRate, giveBack, ipBucketOf } from '../rate-limits.js';
import { getStaff, type StaffView } from './staff.js';

const CHALLENGE_TTL_SECONDS = 5 * 60;
/** docs/console.md: ten failed sign-ins a minute from one address → 429. */
export const SIGN_IN_FAILURES_PER_MINUTE = 10;

async function storeChallenge(ctx: Ctx, challenge: string, purpose: string, staffId: string | null): Promise<void> {
  const at = nowIso(ctx);
  await ctx.store.db
    .insertInto('staff_tokens')
    .values({
      token_hash: sha256(challenge),
      kind: 'challenge',
      staff_id: staffId,
      purpose,
      created_at: at,
      expires_at: addSeconds(at, CHALLENGE_TTL_SECONDS),
      last_used_at: null,
      used_at: null,
    })
    .execute();
}

/** Spends a challenge once (compare-and-set): a replayed response finds it used. */
const challengeSpender =
  (ctx: Ctx, purpose: string, staffId: string | null) =>
  async (challenge: string): Promise<boolean> => {
    const at = nowIso(ctx);
    let q = ctx.store.db
      .updateTable('staff_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', sha256(challenge))
      .where('kind', '=', 'challenge')
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', at);
    q = staffId === null ? q.where('staff_id', 'is', null) : q.where('staff_id', '=', staffId);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  };

/** The member an unused, unexpired enrolment link names; `410 link_expired` otherwise. */
async function enrolmentOf(ctx: Ctx, token: string): Promise<{ hash: string; staffId: string }> {
  const hash = /^enr_[A-Za-z0-9]{20,80}$/.test(token) ? sha256(token) : '';
  const row = hash
    ? await ctx.store.db
        .selectFrom('staff_tokens')
        .innerJoin('staff', 'staff.id', 'staff_tokens.staff_id')
        .select(['staff_tokens.staff_id', 'staff_tokens.used_at', 'staff_tokens.expires_at', 'staff.disabled_at'])
        .where('staff_tokens.token_hash', '=', hash)
        .where('staff_tokens.kind', '=', 'enrol')
        .executeTakeFirst()
    : undefined;
  if (!row || row.used_at || row.disabled_at || row.expires_at <= nowIso(ctx) || !row.staff_id)
    throw new ApiError(
      'link_expired',
      'This enrolment link has expired or was already used. Ask an admin for a new one.',
    );
  return { hash, staffId: row.staff_id };
}

async function registrationOptions(
  ctx: Ctx,
  staffId: string,
  purpose: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const staff = await getStaff(ctx, staffId);
  const existing = await ctx.store.db
    .selectFrom('staff_passkeys')
    .select(['id', 'transports'])
    .where('staff_id', '=', staffId)
    .execute();
  const options = await generateRegistrationOptions({
    rpName: `${ctx.config.brand.name} console`,
    rpID: consoleRpId(ctx),
    userName: staff.email,
    userDisplayName: staff.display_name,
    userID: new TextEncoder().encode(staffId),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: json(p.transports, []) })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
  await storeChallenge(ctx, options.challenge, purpose, staffId);
  return options;
}

async function verifyNewPasskey(
  ctx: Ctx,
  staffId: string,
  purpose: string,
  response: RegistrationResponseJSON,
): Promise<{ id: string; publicKey: string; counter: number; transports: AuthenticatorTransportFuture[] }> {
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challengeSpender(ctx, purpose, staffId),
      expectedOrigin: consoleOrigins(ctx),
      expectedRPID: consoleRpId(ctx),
      requireUserVerification: true,
    });
  } catch (err) {
    throw new ApiError('invalid_request', `That passkey could not be registered: ${(err as Error).message}`);
  }
  if (!verified.verified || !verified.registrationInfo)
    throw new ApiError('invalid_request', 'That passkey could not be registered.');
  const { credential } = verified.registrationInfo;
  return {
    id: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    transports: credential.transports ?? response.response.transports ?? [],
  };
}

async function insertPasskey(
  ctx: Ctx,
  tx: Tx,
  staffId: string,
  key: Awaited<ReturnType<typeof verifyNewPasskey>>,
  name: string | undefined,
  actor: Actor,
): Promise<void> {
  const at = nowIso(ctx);
  const count = await tx
    .selectFrom('staff_passkeys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('staff_id', '=', staffId)
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('staff_passkeys')
    .values({
      id: key.id,
      staff_id: staffId,
      public_key: key.publicKey,
      counter: key.counter,
      transports: JSON.stringify(key.transports),
      name: name?.trim().slice(0, 60) || `Passkey ${Number(count.n) + 1}`,
      created_at: at,
      last_used_at: null,
    })
    .execute();
  await recordEvent(tx, at, {
    type: 'staff.passkey_added',
    actor,
    subject: `staff:${staffId}`,
    data: { passkey_id: key.id },
  });
}

/** Step one of an enrolment link: the options for the browser's `navigator.credentials.create`. */
export async function enrolmentOptions(ctx: Ctx, token: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { hash, staffId } = await enrolmentOf(ctx, token);
  return registrationOptions(ctx, staffId, `enrol:${hash}`);
}

/** Step two: the passkey stored, the link spent, and a session started — in one transaction. */
export async function completeEnrolment(
  ctx: Ctx,
  token: string,
  response: RegistrationResponseJSON,
  name?: string,
): Promise<{ token: string; expires_at: string; staff: StaffView }> {
  const { hash, staffId } = await enrolmentOf(ctx, token);
  const key = await verifyNewPasskey(ctx, staffId, `enrol:${hash}`, response);
  const at = nowIso(ctx);
  const session = await ctx.store.db.transaction().execute(async (tx) => {
    const spent = await tx
      .updateTable('staff_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new ApiError('link_expired');
    await insertPasskey(ctx, tx, staffId, key, name, `staff:${staffId}`);
    await recordEvent(tx, at, { type: 'staff.enrolled', actor: `staff:${staffId}`, subject: `staff:${staffId}` });
    const s = await startStaffSession(ctx, tx, staffId);
    await recordEvent(tx, at, { type: 'staff.signed_in', actor: `staff:${staffId}`, subject: `staff:${staffId}` });
    return s;
  });
  return { ...session, staff: await getStaff(ctx, staffId) };
}

/** A signed-in member adds another passkey (a phone beside a laptop). */
export const addPasskeyOptions = (ctx: Ctx, staffId: string) => registrationOptions(ctx, staffId, 'passkey');

export async function addPasskey(
  ctx: Ctx,
  staffId: string,
  response: RegistrationResponseJSON,
  name?: string,
): Promise<StaffView> {
  const key = await verifyNewPasskey(ctx, staffId, 'passkey', response);
  await ctx.store.db.transaction().execute((tx) => insertPasskey(ctx, tx, staffId, key, name, `staff:${staffId}`));
  return getStaff(ctx, staffId);
}

/** Removes one passkey, never the last (a member would be locked out). */
export async function removePasskey(ctx: Ctx, staffId: string, passkeyId: string, actor: Actor): Promise<StaffView> {
  const at = nowIso(ctx);
  await ctx.store.db.transaction().execute(async (tx) => {
    const keys = await tx.selectFrom('staff_passkeys').select('id').where('staff_id', '=', staffId).execute();
    if (!keys.some((k) => k.id === passkeyId)) throw new ApiError('not_found', 'No such passkey.');
    if (keys.length === 1)
      throw new ApiError('invalid_transition', 'The last passkey cannot be removed: add another one first.');
    await tx.deleteFrom('staff_passkeys').where('id', '=', passkeyId).execute();
    await recordEvent(tx, at, {
      type: 'staff.passkey_removed',
      actor,
      subject: `staff:${staffId}`,
      data: { passkey_id: passkeyId },
    });
  });
  return getStaff(ctx, staffId);
}

/** Sign-in, step one: a challenge for any discoverable passkey of this site. */
export async function signInOptions(ctx: Ctx, ip: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // Refused once the address's failures fill the minute; asking for a challenge is not a failure.
  const bucket = `console-signin:${ipBucketOf(ip)}`;
  await giveBack(ctx, bucket, await consumeRate(ctx, bucket, SIGN_IN_FAILURES_PER_MINUTE, 60));
  const options = await generateAuthenticationOptions({ rpID: consoleRpId(ctx), userVerification: 'required' });
  await storeChallenge(ctx, options.challenge, 'signin', null);
  return options;
}

/**
 * Sign-in, step two: the assertion checked against the stored passkey (challenge spent once,
 * user verified, counter moved on), then a session. A failure counts against the address.
 */
export async function completeSignIn(
  ctx: Ctx,
  response: AuthenticationResponseJSON,
  ip: string,
): Promise<{ token: string; expires_at: string; staff: StaffView }> {
  const bucket = `console-signin:${ipBucketOf(ip)}`;
  // Counted before the decision (concurrent attempts cannot all see room left), given back on success.
  const window = await consumeRate(ctx, bucket, SIGN_IN_FAILURES_PER_MINUTE, 60);
  const fail = async (reason: string, staffId?: string): Promise<never> => {
    const at = nowIso(ctx);
    await ctx.store.db.transaction().execute((tx) =>
      recordEvent(tx, at, {
        type: 'staff.sign_in_failed',
        actor: staffId ? `staff:${staffId}` : 'anonymous',
        subject: staffId ? `staff:${staffId}` : 'console',
        data: { reason },
      }),
    );
    throw new ApiError('unauthorized', 'That passkey was not accepted. Try again, or ask an admin for a new link.');
  };
  const passkey =
    typeof response?.id === 'string'
      ? await ctx.store.db
          .selectFrom('staff_passkeys')
          .innerJoin('staff', 'staff.id', 'staff_passkeys.staff_id')
          .select([
            'staff_passkeys.id',
            'staff_passkeys.staff_id',
            'staff_passkeys.public_key',
            'staff_passkeys.counter',
            'staff_passkeys.transports',
            'staff.disabled_at',
          ])
          .where('staff_passkeys.id', '=', response.id)
          .executeTakeFirst()
      : undefined;
  if (!passkey) return fail('unknown passkey');
  if (passkey.disabled_at) return fail('member disabled', passkey.staff_id);
  const stored = Number(passkey.counter);
  let newCounter: number;
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challengeSpender(ctx, 'signin', null),
      expectedOrigin: consoleOrigins(ctx),
      expectedRPID: consoleRpId(ctx),
      requireUserVerification: true,
      credential: {
        id: passkey.id,
        publicKey: Buffer.from(passkey.public_key, 'base64url'),
        counter: stored,
        transports: json(passkey.transports, []),
      },
    });
    if (!result.verified) return fail('not verified', passkey.staff_id);
    newCounter = result.authenticationInfo.newCounter;
  } catch (err) {
    return fail((err as Error).message.slice(0, 200), passkey.staff_id);
  }
  const at = nowIso(ctx);
  const session = await ctx.store.db.transaction().execute(async (tx) => {
    // The counter only moves forward, once per assertion (a cloned authenticator shows up here).
    const moved = await tx
      .updateTable('staff_passkeys')
      .set({ counter: newCounter, last_used_at: at })
      .where('id', '=', passkey.id)
      .where('counter', '=', passkey.counter as number)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) return null;
    const s = await startStaffSession(ctx, tx, passkey.staff_id);
    await recordEvent(tx, at, {
      type: 'staff.signed_in',
      actor: `staff:${passkey.staff_id}`,
      subject: `staff:${passkey.staff_id}`,
      data: { passkey_id: passkey.id },
    });
    return s;
  });
  if (!session) return fail('counter', passkey.staff_id);
  await giveBack(ctx, bucket, window);
  return { ...session, staff: await getStaff(ctx, passkey.staff_id) };
}
