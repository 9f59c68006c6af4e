import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { base62, sha256, timingSafeEqualString } from '../../crypto/secrets.js';
import { kickDeliverySoon, queueMessage } from '../../delivery/queue.js';
import { verificationSms } from '../../delivery/templates.js';
import { recordChange } from '../../storage/change-log.js';
import {
  change,
  changeIn,
  defineInsert,
  defineRead,
  defineWrite,
  transaction,
  WriteConflict,
  type Writes,
  writeOne,
} from '../../storage/db.js';
import type { VerificationTable } from '../../storage/schema.js';
import { actorOf, type Caller, declareSession, originsForProvisioning } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import { applyLifecycle } from '../credentials/changes.js';
import { createCredential } from '../credentials/issue.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { HID_BADGE, WALLET_PASS } from '../credentials/types.js';
import { ApiError } from '../errors.js';
import { consumeRedeemAttempt, type ProvisioningGrant, wallets } from '../invitations/invitations.js';
import { maskPhone, parsePhone, toAsciiDigits } from '../people/phone.js';
import { consumeRates, networkBucketsOf } from '../rate-limits.js';

/** docs/security.md's numbers for one-time codes. */
export const OTP_TTL_SECONDS = 10 * 60;
export const RESEND_AFTER_SECONDS = 60;
export const MAX_CHECKS = 5;
export const MAX_SENDS = 5;
const HOUR = 3600;

export interface VerificationStarted {
  verification_id: string;
  expires_at: string;
  resend_after: string;
}

type Publishable = Extract<Caller, { kind: 'publishable' }>;
type VerificationRow = Selectable<VerificationTable>;

/** 6 digits, uniform: rejection sampling over 32 random bits avoids modulo bias. */
export function generateOtp(random: Ctx['random']): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000;
  for (;;) {
    const n = random(4).readUInt32BE(0);
    if (n < limit) return String(n % 1_000_000).padStart(6, '0');
  }
}

// Bound to the verification id, so a stored HMAC says nothing about another row's code.
const codeHash = (ctx: Ctx, id: string, code: string) => ctx.keys.lookupHash('otp', `${id}:${code}`);
const codeMatches = (ctx: Ctx, row: VerificationRow, code: string) =>
  ctx.keys
    .lookupHashes('otp', `${row.id}:${code}`)
    .reduce((hit, h) => timingSafeEqualString(h, row.code_hash) || hit, false);

/** The `@host` of the SMS: the request's Origin when it is on the key, else PUBLIC_URL's — never the body's. */
export function smsHost(ctx: Ctx, caller: Publishable, origin: string | undefined): string {
  if (origin) {
    try {
      const u = new URL(origin);
      if (caller.origins.includes(u.origin) || caller.origins.includes(origin.replace(/\/+$/, '').toLowerCase()))
        return u.hostname;
    } catch {
      /* a malformed Origin never reached here past the auth middleware */
    }
  }
  return new URL(ctx.config.publicUrl).hostname;
}

/**
 * Sends per phone and per network (the client's address, then its wider networks), in the database;
 * checked before any lookup (docs/api.md, docs/security.md).
 */
async function consumeSendLimits(ctx: Ctx, ip: string, phoneHash: string): Promise<void> {
  const l = ctx.config.limits;
  await consumeRates(ctx, [
    { bucket: `sends:phone:${phoneHash}`, limit: l.sendsPerPhoneHour, windowSeconds: HOUR },
    ...networkBucketsOf(ip, l).map((n) => ({ bucket: `sends:ip:${n.bucket}`, limit: n.limit, windowSeconds: HOUR })),
  ]);
}

/**
 * The key's and the world's allowance, after the number is matched: sends to unknown numbers (no SMS
 * goes out) count in buckets of their own, so a flood of them cannot take the allowance from known people.
 */
async function consumeSendAllowance(ctx: Ctx, keyId: string, known: boolean): Promise<void> {
  const l = ctx.config.limits;
  const of = known ? '' : ':unknown';
  await consumeRates(ctx, [
    { bucket: `sends:key:${keyId}${of}`, limit: l.sendsPerKeyHour, windowSeconds: HOUR },
    { bucket: `sends:global${of}`, limit: l.sendsGlobalHour, windowSeconds: HOUR },
  ]);
}

// Every start and check runs these: compiled once (storage/db.ts).
const newestPassOfPhone = defineRead<{ id: string; person_id: number; enabled: number }, [string]>(
  (db, e164) =>
    db
      .selectFrom('credentials')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .select(['credentials.id', 'credentials.person_id', 'credentials.enabled'])
      .where('people.phone', '=', e164)
      .where('people.deleted_at', 'is', null)
      .where('people.enabled', '=', 1)
      // A wallet pass or an HID badge: flow B reaches either (SPEC §16), the newest first.
      .where('credentials.credential_type_id', 'in', [WALLET_PASS, HID_BADGE])
      .where('credentials.status', 'not in', ['revoking', 'revoked'])
      .orderBy('credentials.created_at', 'desc')
      .orderBy('credentials.id', 'desc')
      .limit(1),
  1,
);
const insertVerification = defineInsert('verifications', [
  'id',
  'key_id',
  'person_id',
  'credential_id',
  'phone_hash',
  'phone_enc',
  'code_hash',
  'link_hash',
  'sms_host',
  'attempts',
  'sends',
  'expires_at',
  'resend_after',
  'created_at',
  'succeeded_at',
]);
const verificationById = defineRead<VerificationRow, [string, string]>(
  (db, id, keyId) => db.selectFrom('verifications').selectAll().where('id', '=', id).where('key_id', '=', keyId),
  2,
);
/**
 * A wrong code in one statement: the attempt is spent only while the verification is usable and
 * the code is not the one sent (an unknown number's row holds a code nobody was sent: any guess is
 * wrong). Concurrent wrong guesses each take one of the five attempts, never more. Anything else
 * (the right code, a used, locked or lapsed verification) touches no row and is decided in full.
 */
const spendWrongGuess = defineWrite<{ attempts: number; expires_at: string }, [string, string, string, string, string]>(
  (db, id, keyId, at, current, previous) =>
    db
      .updateTable('verifications')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('key_id', '=', keyId)
      .where('attempts', '<', MAX_CHECKS)
      .where('succeeded_at', 'is', null)
      .where('expires_at', '>', at)
      .where((eb) => eb.or([eb('person_id', 'is', null), eb('code_hash', 'not in', [current, previous])]))
      .returning(['attempts', 'expires_at']),
  5,
);
// The credential's next webhook sequence, taken by a change that holds its row lock.
const takeSequence = defineWrite<never, [number, string, number]>(
  (db, sequence, id, before) =>
    db.updateTable('credentials').set({ sequence }).where('id', '=', id).where('sequence', '=', before),
  3,
);
// A resend's compare-and-set on `sends`: two racing resends cannot both pass the 60 s and 5-send rules.
const renewCode = defineWrite<never, [string, string, string, string, number, string, number]>(
  (db, codeHash, linkHash, expiresAt, resendAfter, sends, id, sendsBefore) =>
    db
      .updateTable('verifications')
      .set({ code_hash: codeHash, link_hash: linkHash, expires_at: expiresAt, resend_after: resendAfter, sends })
      .where('id', '=', id)
      .where('sends', '=', sendsBefore)
      .where('succeeded_at', 'is', null)
      .where('attempts', '<', MAX_CHECKS),
  7,
);

/** Which credential a verified phone gets (docs/security.md): the newest non-terminal wallet pass of an enabled person. */
async function matchCredential(
  ctx: Ctx,
  e164: string,
  actor: string,
): Promise<{ personId: number; credentialId: string } | null> {
  const [newest] = await newestPassOfPhone(ctx.store.db, e164);
  if (newest) return newest.enabled === 1 ? { personId: newest.person_id, credentialId: newest.id } : null;
  if (!ctx.config.smsAutoIssue) return null;
  const person = await ctx.store.db
    .selectFrom('people')
    .select('id')
    .where('phone', '=', e164)
    .where('deleted_at', 'is', null)
    .where('enabled', '=', 1)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!person) return null;
  const created = await createCredential(
    ctx,
    person.id,
    { credential_type_id: WALLET_PASS, deliver: 'none' },
    { actor, showSecrets: false },
  );
  return { personId: person.id, credentialId: created.id };
}

const linkUrl = (ctx: Ctx, token: string) => `${ctx.config.publicUrl}/v/${token}`;

/** A fresh code and link for `row` (start and resend); queues the SMS only when the row can succeed. */
function issueCode(
  ctx: Ctx,
  w: Writes,
  row: Pick<VerificationRow, 'id' | 'person_id' | 'phone_enc' | 'sms_host' | 'expires_at'>,
  e164?: string,
): { code_hash: string; link_hash: string } {
  const code = generateOtp(ctx.random);
  const token = base62(ctx.random(16));
  // The same work on both paths (timing); only a known number's message is queued.
  const body = verificationSms({ brand: ctx.config.brand.name, code, link: linkUrl(ctx, token), host: row.sms_host });
  const to = e164 ?? ctx.keys.decrypt(row.phone_enc, row.id);
  if (row.person_id !== null) {
    queueMessage(
      ctx,
      w,
      { channel: 'sms', message: { to, body } },
      { purpose: 'verification', ref: row.id, giveUpAt: row.expires_at },
    );
  }
  return { code_hash: codeHash(ctx, row.id, code), link_hash: sha256(token) };
}

/** The number a start is for, in E.164 with its lookup hash; 400/403 for one it may not text. */
function startPhone(ctx: Ctx, caller: Publishable, input: { phone_number: string; country?: string }) {
  const { e164, country } = parsePhone(
    input.phone_number,
    input.country ?? caller.defaultCountry ?? ctx.config.defaultCountry,
  );
  if (caller.countries && (!country || !caller.countries.includes(country))) {
    throw new ApiError('country_not_allowed', undefined, { country: country ?? null, allowed: caller.countries });
  }
  return { e164, phoneHash: ctx.keys.lookupHash('phone', e164) };
}

/**
 * A start's per-phone and per-network send limits, counted before any lookup and before anything is
 * written (the route's limit, ahead of an Idempotency-Key record); `startVerification` counts the rest.
 */
export async function countStartLimits(
  ctx: Ctx,
  caller: Publishable,
  input: { phone_number: string; country?: string; ip: string },
): Promise<void> {
  await consumeSendLimits(ctx, input.ip, startPhone(ctx, caller, input).phoneHash);
}

/** The caller counted `countStartLimits` first; the key's and the world's allowance are counted here, once the number is matched. */
export async function startVerification(
  ctx: Ctx,
  caller: Publishable,
  input: { phone_number: string; country?: string; ip: string; origin?: string },
): Promise<VerificationStarted> {
  const { e164, phoneHash } = startPhone(ctx, caller, input);

  const actor = actorOf(caller);
  const match = await matchCredential(ctx, e164, actor);
  await consumeSendAllowance(ctx, caller.keyId, match !== null);
  if (!match && ctx.config.unknownNumberPolicy === 'reveal') throw new ApiError('phone_not_found');

  const at = nowIso(ctx);
  const id = `ver_${base62(ctx.random(12))}`;
  const expires_at = addSeconds(at, OTP_TTL_SECONDS);
  const resend_after = addSeconds(at, RESEND_AFTER_SECONDS);
  const base = {
    id,
    person_id: match?.personId ?? null,
    phone_enc: ctx.keys.encrypt(e164, id),
    sms_host: smsHost(ctx, caller, input.origin),
    expires_at,
  };
  await change(ctx.store.db, (w) => {
    const { code_hash, link_hash } = issueCode(ctx, w, base, e164);
    w.run(insertVerification, {
      ...base,
      key_id: caller.keyId,
      credential_id: match?.credentialId ?? null,
      phone_hash: phoneHash,
      code_hash,
      link_hash,
      attempts: 0,
      sends: 1,
      resend_after,
      created_at: at,
      succeeded_at: null,
    });
    recordChange(w, at, {
      type: 'verification.started',
      actor,
      subject: `verification:${id}`,
      data: {
        phone: maskPhone(e164),
        matched: match !== null,
        ...(match ? { person_id: match.personId, credential_id: match.credentialId } : {}),
      },
    });
  });
  if (match) kickDeliverySoon(ctx);
  return { verification_id: id, expires_at, resend_after };
}

const VERIFICATION_ID = /^ver_[A-Za-z0-9]{10,40}$/;

async function loadVerification(ctx: Ctx, caller: Publishable, id: string): Promise<VerificationRow> {
  const [row] = VERIFICATION_ID.test(id) ? await verificationById(ctx.store.db, id, caller.keyId) : [];
  if (!row) throw new ApiError('not_found', 'No such verification.');
  return row;
}

const secondsUntil = (ctx: Ctx, iso: string) =>
  Math.max(1, Math.ceil((Date.parse(iso) - ctx.clock.now().getTime()) / 1000));

/** The state errors, in one order for check, resend and the link (docs/api.md). */
function assertUsable(ctx: Ctx, row: VerificationRow, expired: ApiError): void {
  if (row.succeeded_at) throw expired;
  if (row.attempts >= MAX_CHECKS)
    throw new ApiError(
      'too_many_attempts',
      'Too many wrong codes. Start again for a new code.',
      undefined,
      secondsUntil(ctx, row.expires_at),
    );
  if (row.expires_at <= nowIso(ctx)) throw expired;
}

/** Whether a verification may get another code now: 410 once done, 429 while locked out, too soon or out of sends. */
function assertResendable(ctx: Ctx, row: VerificationRow): void {
  const now = nowIso(ctx);
  if (row.succeeded_at) throw new ApiError('verification_expired', 'This verification is already complete.');
  if (row.attempts >= MAX_CHECKS)
    throw new ApiError(
      'too_many_attempts',
      'Too many wrong codes. Start again for a new code.',
      undefined,
      secondsUntil(ctx, row.expires_at),
    );
  if (row.resend_after > now)
    throw new ApiError(
      'rate_limited',
      'Wait before asking for another code.',
      undefined,
      secondsUntil(ctx, row.resend_after),
    );
  if (row.sends >= MAX_SENDS)
    throw new ApiError(
      'rate_limited',
      'No more codes for this verification. Start again later.',
      undefined,
      secondsUntil(ctx, row.expires_at),
    );
}

/**
 * A resend's per-phone and per-network send limits, once the verification may be resent at all, before
 * anything is written (the route's limit, ahead of an Idempotency-Key record).
 */
export async function countResendLimits(
  ctx: Ctx,
  caller: Publishable,
  input: { id: string; ip: string },
): Promise<void> {
  const row = await loadVerification(ctx, caller, input.id);
  assertResendable(ctx, row);
  await consumeSendLimits(ctx, input.ip, row.phone_hash);
}

/** The caller counted `countResendLimits` first. */
export async function resendVerification(
  ctx: Ctx,
  caller: Publishable,
  input: { id: string },
): Promise<VerificationStarted> {
  const row = await loadVerification(ctx, caller, input.id);
  assertResendable(ctx, row);
  await consumeSendAllowance(ctx, caller.keyId, row.person_id !== null);
  const now = nowIso(ctx);

  // A resend gives the verification a new 10-minute life with a new code; the old code and link die.
  const expires_at = addSeconds(now, OTP_TTL_SECONDS);
  const resend_after = addSeconds(now, RESEND_AFTER_SECONDS);
  await change(ctx.store.db, (w) => {
    const { code_hash, link_hash } = issueCode(ctx, w, { ...row, expires_at });
    w.expect(renewCode, code_hash, link_hash, expires_at, resend_after, row.sends + 1, row.id, row.sends);
    recordChange(w, now, {
      type: 'verification.started',
      actor: actorOf(caller),
      subject: `verification:${row.id}`,
      data: { resend: row.sends, matched: row.person_id !== null },
    });
  }).catch((err: unknown) => {
    if (err instanceof WriteConflict)
      throw new ApiError('rate_limited', 'Wait before asking for another code.', undefined, RESEND_AFTER_SECONDS);
    throw err;
  });
  if (row.person_id !== null) kickDeliverySoon(ctx);
  return { verification_id: row.id, expires_at, resend_after };
}

/** Digits only: spaces, dashes and Eastern-Arabic digits forgiven; anything else is not a code. */
export function normalizeOtp(input: string): string | null {
  const digits = toAsciiDigits(input).replace(/[\s\u00a0-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

export async function checkVerification(
  ctx: Ctx,
  caller: Publishable,
  input: { id: string; code: string },
): Promise<ProvisioningGrant> {
  const code = normalizeOtp(input.code);
  if (!code)
    throw new ApiError('invalid_request', 'The code is 6 digits.', {
      fields: { code: 'Enter the 6 digits from the text message.' },
    });
  const actor = actorOf(caller);
  const expired = new ApiError('verification_expired');
  if (VERIFICATION_ID.test(input.id)) {
    // A wrong guess is one statement; only what it does not cover is read and decided below.
    const [current, previous] = ctx.keys.lookupHashes('otp', `${input.id}:${code}`);
    const {
      rows: [spent],
    } = await writeOne(
      ctx.store.db,
      spendWrongGuess,
      input.id,
      caller.keyId,
      nowIso(ctx),
      current,
      previous ?? current,
    );
    if (spent) return wrongGuess(ctx, input.id, actor, spent);
  }
  const row = await loadVerification(ctx, caller, input.id);
  assertUsable(ctx, row, expired);
  // An unknown number's row holds a code nobody was sent, and never succeeds even if guessed.
  const right = codeMatches(ctx, row, code) && row.person_id !== null;
  if (!right) {
    // Usable when read, yet the wrong guess touched nothing: it changed in between (a racing check).
    assertUsable(ctx, await loadVerification(ctx, caller, row.id), expired);
    throw expired;
  }
  return succeed(
    ctx,
    row,
    { method: 'code', actor, origins: originsForProvisioning(ctx, caller), keyId: caller.keyId },
    expired,
  );
}

/** The answer to a wrong guess already counted: attempts left, or locked once the last one is spent. */
async function wrongGuess(
  ctx: Ctx,
  id: string,
  actor: string,
  spent: { attempts: number; expires_at: string },
): Promise<never> {
  if (spent.attempts >= MAX_CHECKS) {
    // The verification fails once, when the last attempt is spent; wrong guesses before are counted, not logged.
    await change(ctx.store.db, (w) =>
      recordChange(w, nowIso(ctx), {
        type: 'verification.failed',
        actor,
        subject: `verification:${id}`,
        data: { reason: 'too_many_attempts', attempts: spent.attempts },
      }),
    );
    throw new ApiError(
      'too_many_attempts',
      'Too many wrong codes. Start again for a new code.',
      undefined,
      secondsUntil(ctx, spent.expires_at),
    );
  }
  throw new ApiError('incorrect_code', undefined, { attempts_left: MAX_CHECKS - spent.attempts });
}

/**
 * Consumes the verification once (compare-and-set on `succeeded_at` and the code or link it was
 * proven with), moves the credential on, records the event and webhook, and mints a `ps_`.
 */
async function succeed(
  ctx: Ctx,
  row: VerificationRow,
  how: { method: 'code' | 'link'; actor: string; origins: string[]; keyId: string | null },
  expired: ApiError,
): Promise<ProvisioningGrant> {
  const at = nowIso(ctx);
  const grant = await transaction(ctx.store.db, async (tx) => {
    const cas = await tx
      .updateTable('verifications')
      .set({ succeeded_at: at })
      .where('id', '=', row.id)
      .where('succeeded_at', 'is', null)
      .where('attempts', '<', MAX_CHECKS)
      .where('expires_at', '>', at)
      .where(
        how.method === 'code' ? 'code_hash' : 'link_hash',
        '=',
        how.method === 'code' ? row.code_hash : row.link_hash,
      )
      .executeTakeFirst();
    if (Number(cas.numUpdatedRows) !== 1) throw expired;
    const credentialId = row.credential_id!;
    const cred = await tx
      .selectFrom('credentials')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .select([
        'credentials.status',
        'credentials.enabled',
        'people.first_name',
        'people.enabled as person_enabled',
        'people.deleted_at',
      ])
      .where('credentials.id', '=', credentialId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    // Disabled or revoked since the code was sent: the proof no longer earns a pass.
    if (
      cred.enabled !== 1 ||
      cred.person_enabled !== 1 ||
      cred.deleted_at ||
      cred.status === 'revoking' ||
      cred.status === 'revoked'
    )
      throw new ApiError('credential_disabled');
    // A lapsed invitation does not block the phone route: expired → invited → provisioning.
    if (cred.status === 'expired') await applyLifecycle(ctx, tx, credentialId, { type: 'reissue' }, how.actor);
    const { row: credential } = await applyLifecycle(ctx, tx, credentialId, { type: 'redeem' }, how.actor);
    const session = await changeIn(tx, (w) => {
      recordChange(
        w,
        at,
        {
          type: 'verification.succeeded',
          actor: how.actor,
          subject: `verification:${row.id}`,
          data: { method: how.method, person_id: row.person_id, credential_id: credentialId },
        },
        {
          event: 'verification.succeeded',
          credential_id: credentialId,
          person_id: row.person_id!,
          verification_id: row.id,
          method: how.method,
          sequence: credential.sequence + 1,
        },
      );
      w.expect(takeSequence, credential.sequence + 1, credentialId, credential.sequence);
      return declareSession(ctx, w, {
        kind: 'ps',
        personId: row.person_id!,
        credentialId,
        origins: how.origins,
        keyId: how.keyId,
      });
    });
    return {
      provisioning_token: session.token,
      expires_at: session.expires_at,
      credential: {
        id: credentialId,
        status: credential.status as CredentialStatus,
        credential_type_id: credential.credential_type_id,
      },
      person: { first_name: cred.first_name },
      wallets: wallets(ctx),
    } satisfies ProvisioningGrant;
  });
  ctx.bus.credentialChanged(row.credential_id!);
  return grant;
}

async function rowForLink(ctx: Ctx, token: string): Promise<VerificationRow | undefined> {
  if (!/^[A-Za-z0-9]{16,64}$/.test(token)) return undefined;
  return ctx.store.db.selectFrom('verifications').selectAll().where('link_hash', '=', sha256(token)).executeTakeFirst();
}

/** GET /v/{token}: whether the link would work; consumes nothing (link scanners open links). */
export async function linkUsable(ctx: Ctx, token: string): Promise<boolean> {
  const row = await rowForLink(ctx, token);
  return (
    !!row && row.person_id !== null && !row.succeeded_at && row.attempts < MAX_CHECKS && row.expires_at > nowIso(ctx)
  );
}

/** POST /v/{token}: consumes the verification once; the `ps_` is bound to PUBLIC_URL (docs/api.md). */
export async function redeemLink(ctx: Ctx, input: { token: string; ip: string }): Promise<ProvisioningGrant> {
  await consumeRedeemAttempt(ctx, input.ip);
  const row = await rowForLink(ctx, input.token);
  const expired = new ApiError('link_expired');
  // Used, locked out by wrong codes or past its time: for the holder of a link all are one answer.
  if (!row || row.person_id === null || row.succeeded_at || row.attempts >= MAX_CHECKS || row.expires_at <= nowIso(ctx))
    throw expired;
  return succeed(
    ctx,
    row,
    { method: 'link', actor: `link:${row.id}`, origins: originsForProvisioning(ctx, null), keyId: null },
    expired,
  );
}
