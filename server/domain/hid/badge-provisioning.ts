// Adding a badge (type 10, SPEC §16) to a wallet through HID's web provisioning: which wallets its
// template supports, and the one `provision` call that spends the issuance token — Apple's signed
// payload for its provisioning window, or Google's save URL after a verified Google sign-in. A token
// Origo refuses as spent or expired is replaced once by a new Pass (only while no wallet holds the
// old one); Origo down or slow → 503 and the token is given back.
import crypto from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { nowIso } from '../../clock.js';
import { OrigoError } from '../../hid/origo-client.js';
import {
  type AppleJws,
  type BadgeWallet,
  type ProvisioningData,
  WebProvisioningRefusal,
} from '../../hid/origo-passes.js';
import { actorOf } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import { HID_BADGE, newId } from '../credentials/types.js';
import { ApiError } from '../errors.js';
import {
  checkPassable,
  coveredCredential,
  recordPassRequested,
  type SessionCaller,
  selectCovered,
} from '../wallets/passes.js';
import { applyBadgeRead } from './badge-sync.js';
import { restoreIssuanceToken, spendIssuanceToken } from './badges.js';
import { hidPassesConfigOf, origoPassesOf, upstream } from './origo.js';
import { passMayBeInWallet, passPhase } from './pass-progress.js';

/** Apple's hosted window takes HID's partner id and this card type (notes §8, Apple's script in HID's sample). */
export const APPLE_CARD_TYPE = 'ACCESS_CORPORATE';
/** Seconds a person waits before pressing again when Google's keys did not answer. */
const GOOGLE_KEYS_RETRY_S = 30;
/** Google Wallet's save page for a web-provisioned corporate badge (notes §8). */
const GOOGLE_SAVE_URL = 'https://pay.google.com/gp/t/savecard/';

/** The wallets this deployment can offer at all: Apple needs HID's partner id, Google a sign-in client id. */
const configuredWallets = (ctx: Ctx): BadgeWallet[] => {
  const c = hidPassesConfigOf(ctx);
  return [...(c.applePartnerId ? ['apple' as const] : []), ...(c.googleClientId ? ['google' as const] : [])];
};

const passRow = (ctx: Ctx, credentialId: string) =>
  ctx.store.db.selectFrom('hid_passes').selectAll().where('credential_id', '=', credentialId).executeTakeFirstOrThrow();

/** `POST /api/3/passes/platforms`: the wallets the badge's template supports that this server offers. */
export async function badgePlatforms(
  ctx: Ctx,
  caller: SessionCaller,
  input: { credential_id?: string },
): Promise<{ platforms: BadgeWallet[] }> {
  const cred = await coveredCredential(ctx, caller, input.credential_id, HID_BADGE);
  hidPassesConfigOf(ctx);
  const supported = await templateWallets(ctx, cred.id);
  return { platforms: configuredWallets(ctx).filter((w) => supported.includes(w)) };
}

/** The template's wallets: asked of web provisioning once (with the issuance token, not spending it), then kept. */
async function templateWallets(ctx: Ctx, credentialId: string, renewed = false): Promise<BadgeWallet[]> {
  const row = await passRow(ctx, credentialId);
  if (row.platforms) return JSON.parse(row.platforms) as BadgeWallet[];
  const token =
    row.token_spent_at === null && row.issuance_token_enc
      ? ctx.keys.decrypt(row.issuance_token_enc, `hid-pass:${credentialId}`)
      : null;
  try {
    if (!token) throw new WebProvisioningRefusal('token', 'SPENT');
    const wallets = await origoPassesOf(ctx).platforms(token);
    await ctx.store.db
      .updateTable('hid_passes')
      .set({ platforms: JSON.stringify(wallets) })
      .where('credential_id', '=', credentialId)
      .execute();
    return wallets;
  } catch (err) {
    if (err instanceof WebProvisioningRefusal && err.reason === 'token' && !renewed) {
      await renewPass(ctx, credentialId, row.origo_pass_id);
      return templateWallets(ctx, credentialId, true);
    }
    throw provisioningError(ctx, err);
  }
}

export interface BadgeProvisioning {
  device_id: string;
  apple_provisioning?: { window_url: string; partner_id: string; card_type: string; payload: AppleJws };
  url?: string;
}

/**
 * `POST /api/3/passes {platform}` for a badge. Apple: the payload Apple's provisioning window takes.
 * Google: without `id_token` 428 (sign in first); with one, verified, the save URL. Either way a
 * pending device, confirmed when Origo reports the wallet holds the badge.
 */
export async function provisionBadge(
  ctx: Ctx,
  caller: SessionCaller,
  input: { platform: BadgeWallet; credential_id?: string; id_token?: string },
  language: string,
): Promise<BadgeProvisioning> {
  const cred = await coveredCredential(ctx, caller, input.credential_id, HID_BADGE);
  const config = hidPassesConfigOf(ctx);
  if (!configuredWallets(ctx).includes(input.platform))
    throw new ApiError('invalid_request', `This server does not offer ${input.platform} for HID badges.`, {
      fields: { platform: `One of: ${configuredWallets(ctx).join(', ') || 'none'}.` },
    });
  let linkingTokenObject: string | undefined;
  if (input.platform === 'google') {
    if (!input.id_token) throw new ApiError('google_sign_in_required', undefined, { client_id: config.googleClientId });
    linkingTokenObject = await linkingToken(ctx, input.id_token);
  }
  if (!(await templateWallets(ctx, cred.id)).includes(input.platform))
    throw new ApiError('invalid_request', `This badge's template does not support ${input.platform}.`, {
      fields: { platform: 'Not supported by this badge.' },
    });

  const data = await provisionOnce(ctx, cred.id, (token) =>
    origoPassesOf(ctx).provision(
      token,
      input.platform === 'apple'
        ? { wallet: 'apple', language }
        : { wallet: 'google', language, linkingTokenObject: linkingTokenObject! },
    ),
  );

  // A pending device, as for a wallet pass; the read-back confirms it when Origo lists the wallet's device.
  const at = nowIso(ctx);
  const deviceId = newId(ctx, 'dev');
  const actor = actorOf(caller);
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.selectFrom('credentials').select('id').where('id', '=', cred.id).forUpdate().executeTakeFirst();
    const now = await selectCovered(tx, cred.id, cred.person_id).executeTakeFirst();
    if (!now) throw new ApiError('not_found');
    checkPassable(now);
    await tx
      .insertInto('devices')
      .values({
        id: deviceId,
        credential_id: cred.id,
        platform: input.platform,
        status: 'pending',
        serial_number: `hidpass-${cred.id}-pending-${deviceId}`,
        auth_token_hash: crypto.randomBytes(32).toString('hex'),
        auth_token_enc: null,
        value_hash: null,
        value_enc: null,
        added_at: at,
        updated_at: at,
        confirmed_at: null,
        revoked_at: null,
      })
      .execute();
    await tx.updateTable('hid_syncs').set({ next_sync_at: at }).where('credential_id', '=', cred.id).execute();
    await recordPassRequested(tx, at, actor, cred, deviceId, input.platform);
  });
  ctx.bus.credentialChanged(cred.id);
  if (data.wallet === 'apple')
    return {
      device_id: deviceId,
      apple_provisioning: {
        window_url: config.appleWindowUrl,
        partner_id: config.applePartnerId!,
        card_type: APPLE_CARD_TYPE,
        payload: data.jws,
      },
    };
  return { device_id: deviceId, url: `${GOOGLE_SAVE_URL}${encodeURIComponent(data.blob)}?provisioning_source=web` };
}

/**
 * One `provision` call with the issuance token, taken by a compare-and-set (two presses never both
 * spend it). Origo down or slow → the token given back, 503. Refused as spent or expired (or already
 * taken here) → a new Pass once, then `409 provisioning_unavailable`.
 */
async function provisionOnce(
  ctx: Ctx,
  credentialId: string,
  call: (token: string) => Promise<ProvisioningData>,
): Promise<ProvisioningData> {
  for (let attempt = 0; ; attempt++) {
    const at = nowIso(ctx);
    const passId = (await passRow(ctx, credentialId)).origo_pass_id;
    const token = await spendIssuanceToken(ctx, credentialId, at);
    try {
      if (!token) throw new WebProvisioningRefusal('token', 'SPENT');
      return await call(token);
    } catch (err) {
      if (token && err instanceof OrigoError && err.kind === 'unavailable')
        await restoreIssuanceToken(ctx, credentialId, at); // it may not have reached Origo; if it did, Origo refuses it next time
      if (err instanceof WebProvisioningRefusal && err.reason === 'token' && attempt === 0) {
        await renewPass(ctx, credentialId, passId);
        continue;
      }
      throw provisioningError(ctx, err);
    }
  }
}

function provisioningError(ctx: Ctx, err: unknown): unknown {
  if (err instanceof WebProvisioningRefusal) {
    ctx.log({ level: 'warn', msg: 'HID web provisioning refused', code: err.code });
    return err.reason === 'too_many_wallets'
      ? new ApiError('provisioning_unavailable', 'This badge is already in as many wallets as allowed.')
      : new ApiError('provisioning_unavailable');
  }
  return upstream(ctx, err, 'provisioning a wallet badge');
}

const IN_WALLET =
  'This badge is already in a wallet, or being added to one; HID Origo issues no second provisioning for it.';

/**
 * A new Pass from the template in place of one whose issuance token is spent or expired — only
 * while no wallet holds the old one, as Origo says now (how Origo issues a second token for a held Pass
 * is unknown).
 * A compare-and-set on the old pass id: of two renewals one wins, the other's Pass is deleted.
 */
async function renewPass(ctx: Ctx, credentialId: string, oldPassId: string): Promise<void> {
  const row = await passRow(ctx, credentialId);
  if (row.origo_pass_id !== oldPassId) return; // renewed meanwhile
  const held = await ctx.store.db
    .selectFrom('devices')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  const phase = passPhase(row.origo_status);
  if (held || phase === 'active' || phase === 'suspended') throw new ApiError('provisioning_unavailable', IN_WALLET);
  const client = origoPassesOf(ctx);
  // What Keyway last read may be older than the wallet (a second press before the read-back): Origo is
  // asked, and a Pass a wallet holds or is adding is never deleted; the read counts as a read-back.
  let seen: Awaited<ReturnType<typeof client.readPass>>;
  try {
    seen = await client.readPass(oldPassId);
  } catch (err) {
    throw upstream(ctx, err, 'reading a wallet badge before renewing it');
  }
  if (seen === 'gone' || passPhase(seen.status) === 'gone') {
    // Deleted at Origo without Keyway (HID's portal): the credential is revoked, as the read-back would; never renewed.
    await applyBadgeRead(ctx, credentialId, oldPassId, seen);
    throw new ApiError('provisioning_unavailable', 'This badge was deleted at HID Origo. Ask for a new invitation.');
  }
  if (passMayBeInWallet(seen)) {
    await applyBadgeRead(ctx, credentialId, oldPassId, seen);
    throw new ApiError('provisioning_unavailable', IN_WALLET);
  }
  let pass: Awaited<ReturnType<typeof client.createPass>>;
  try {
    pass = await client.createPass({
      templateId: hidPassesConfigOf(ctx).templateId,
      userId: row.origo_user_id,
      validitySeconds: ctx.config.inviteTtlSeconds,
    });
  } catch (err) {
    throw upstream(ctx, err, 'renewing a wallet badge');
  }
  const at = nowIso(ctx);
  const swapped = await ctx.store.db
    .updateTable('hid_passes')
    .set({
      origo_pass_id: pass.id,
      origo_status: pass.status,
      issuance_token_enc: ctx.keys.encrypt(pass.issuanceToken, `hid-pass:${credentialId}`),
      token_spent_at: null,
      updated_at: at,
    })
    .where('credential_id', '=', credentialId)
    .where('origo_pass_id', '=', oldPassId)
    .executeTakeFirst();
  const stale = Number(swapped.numUpdatedRows) === 1 ? oldPassId : pass.id;
  ctx.log({
    level: 'info',
    msg: 'HID wallet badge: a new Pass for a spent or expired issuance token',
    credential_id: credentialId,
  });
  void client.deletePass(stale).catch(() => undefined);
}

/** Google signs its ID tokens with RS256 only: a token naming another algorithm is refused before any key is tried. */
const GOOGLE_ID_TOKEN_ALGORITHMS = ['RS256'];

/** Failures of a key lookup that are the token's (an unknown key id, another algorithm): 401, not an outage. */
const tokenFault = (err: unknown) =>
  err instanceof errors.JWKSNoMatchingKey ||
  err instanceof errors.JWKSMultipleMatchingKeys ||
  err instanceof errors.JOSENotSupported ||
  err instanceof errors.JOSEAlgNotAllowed;

/** Google's keys could not be had (unreachable, slow, not 200, not a key set): an outage, not a bad sign-in. */
class GoogleKeysUnavailable extends Error {
  override name = 'GoogleKeysUnavailable';
}

/**
 * Google's ID token verified (`jose`, Google's published keys, RS256 only, this client id as
 * audience), then the linking token Origo takes: base64url JSON `{nonce, hashedUserId: SHA-256(sub +
 * nonce), aud}` (notes §8, HID's sample). A token that does not verify → 401; Google's keys
 * unreachable, failing or slow → 503 (a good sign-in is not called bad), and Origo is not asked.
 */
async function linkingToken(ctx: Ctx, idToken: string): Promise<string> {
  const config = hidPassesConfigOf(ctx);
  const keys = (ctx.services.googleIdTokenKeys ??= createRemoteJWKSet(new URL(config.googleIdTokenKeysUrl)));
  const googleKeys: JWTVerifyGetKey = async (header, token) => {
    try {
      return await keys(header, token);
    } catch (err) {
      if (tokenFault(err)) throw err;
      throw new GoogleKeysUnavailable((err as Error).name, { cause: err });
    }
  };
  let sub: string;
  let aud: string;
  try {
    const { payload } = await jwtVerify(idToken, googleKeys, {
      algorithms: GOOGLE_ID_TOKEN_ALGORITHMS,
      issuer: ['https://accounts.google.com', 'accounts.google.com'],
      audience: config.googleClientId!,
      clockTolerance: 60,
      currentDate: ctx.clock.now(),
    });
    if (typeof payload.sub !== 'string' || !payload.sub) throw new Error('no subject');
    sub = payload.sub;
    aud = config.googleClientId!;
  } catch (err) {
    if (err instanceof GoogleKeysUnavailable) {
      ctx.log({ level: 'warn', msg: "Google's ID-token keys could not be fetched", error: err.message });
      throw new ApiError(
        'upstream_unavailable',
        'Google did not answer in time. Nothing was changed; try again shortly.',
        undefined,
        GOOGLE_KEYS_RETRY_S,
      );
    }
    ctx.log({ level: 'warn', msg: 'Google ID token refused', error: (err as Error).name });
    throw new ApiError('google_sign_in_invalid');
  }
  const nonce = crypto.randomBytes(16).toString('hex');
  const hashedUserId = crypto
    .createHash('sha256')
    .update(sub + nonce)
    .digest('hex'); // the encoding is unconfirmed
  return Buffer.from(JSON.stringify({ nonce, hashedUserId, aud })).toString('base64url');
}
