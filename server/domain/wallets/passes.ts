import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { base62, newToken, sha256 } from '../../crypto/secrets.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import type { Tx } from '../../storage/db.js';
import type { DeviceTable } from '../../storage/schema.js';
import { buildPassJson, buildPkpass, type PassState } from '../../wallet/apple/pass.js';
import { GoogleWalletApiError } from '../../wallet/google/rest-client.js';
import { GoogleSaveLinkTooLongError } from '../../wallet/google/save-link.js';
import type { WalletPlatform, WalletRuntime } from '../../wallet/runtime.js';
import { actorOf, type Caller } from '../callers/callers.js';
import type { Ctx } from '../context.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { newReaderValue, WALLET_PASS } from '../credentials/types.js';
import { ApiError, invalidRequest } from '../errors.js';
import { followRecordedSigner } from './signer.js';

export const DOWNLOAD_TTL_SECONDS = 15 * 60;
/** A device nobody confirmed (no Apple registration, no Google save callback) is revoked after this (docs/wallet.md). */
export const PENDING_DEVICE_TTL_SECONDS = 24 * 3600;
export const CREDENTIAL_TYPE_LABEL = 'Wallet pass';

export type SessionCaller = Extract<Caller, { kind: 'client_session' | 'provisioning' }>;

/**
 * Passes and hand-offs are for credentials someone has already claimed (`provisioning`) or uses
 * (`active`); an `invited` one must be redeemed first, so a cs_ cannot skip the invitation.
 */
const PASSABLE: ReadonlySet<CredentialStatus> = new Set(['provisioning', 'active']);

interface CoveredCredential {
  id: string;
  person_id: number;
  credential_type_id: number;
  status: string;
  enabled: number;
  value_mode: 'per_device' | 'shared';
  value_enc: string | null;
  first_name: string;
  last_name: string;
  person_enabled: number;
}

export function checkPassable(row: Pick<CoveredCredential, 'status' | 'enabled' | 'person_enabled'>): void {
  if (row.enabled !== 1 || row.person_enabled !== 1) throw new ApiError('credential_disabled');
  const status = row.status as CredentialStatus;
  if (PASSABLE.has(status)) return;
  const why = status === 'invited' || status === 'expired' ? 'Redeem its invitation first.' : 'It has been revoked.';
  throw new ApiError('invalid_transition', `This credential is ${status}: no new passes. ${why}`, { status });
}

export function selectCovered(db: Tx, credentialId: string, personId: number) {
  return db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'credentials.id',
      'credentials.person_id',
      'credentials.credential_type_id',
      'credentials.status',
      'credentials.enabled',
      'credentials.value_mode',
      'credentials.value_enc',
      'people.first_name',
      'people.last_name',
      'people.enabled as person_enabled',
    ])
    .where('credentials.id', '=', credentialId)
    .where('credentials.person_id', '=', personId)
    .where('people.deleted_at', 'is', null);
}

/** The wallet-pass credential a cs_ (one person) or ps_ (one credential) token covers, ready for a pass. */
export async function coveredCredential(
  ctx: Ctx,
  caller: SessionCaller,
  credentialId: string | undefined,
  /** WALLET_PASS (9) by default; HID_BADGE (10) for a badge's web provisioning; both for a hand-off. */
  type: number | readonly number[] = WALLET_PASS,
): Promise<CoveredCredential> {
  let id = credentialId;
  if (caller.kind === 'provisioning') {
    if (id !== undefined && id !== caller.credentialId)
      throw new ApiError('not_found', 'This token does not cover that credential.');
    id = caller.credentialId;
  } else if (id === undefined) {
    throw invalidRequest({ credential_id: 'Required with a client session (cs_…).' });
  }
  return passableCredential(ctx, caller.personId, id, type);
}

/** The credential a session's pass request is about: its id and type, or undefined (then `coveredCredential` says why). */
export async function requestedCredentialType(
  ctx: Ctx,
  caller: SessionCaller,
  credentialId: string | undefined,
): Promise<number | undefined> {
  const id = caller.kind === 'provisioning' ? caller.credentialId : credentialId;
  if (!id) return undefined;
  const row = await ctx.store.db
    .selectFrom('credentials')
    .select('credential_type_id')
    .where('id', '=', id)
    .where('person_id', '=', caller.personId)
    .executeTakeFirst();
  return row?.credential_type_id;
}

/** A person's wallet-pass credential that may get a pass now, or the error that says why not. */
export async function passableCredential(
  ctx: Ctx,
  personId: number,
  id: string,
  type: number | readonly number[] = WALLET_PASS,
): Promise<CoveredCredential> {
  const row = await selectCovered(ctx.store.db, id, personId).executeTakeFirst();
  const types: readonly number[] = typeof type === 'number' ? [type] : type;
  if (!row || !types.includes(row.credential_type_id))
    throw new ApiError('not_found', 'This token covers no wallet-pass credential with that id.');
  checkPassable(row);
  return row;
}

/** Each pending value opens the door for up to 24 h, so a credential holds at most this many (docs/security.md). */
export const MAX_PENDING_DEVICES = 10;

async function refuseTooManyPending(ctx: Ctx, tx: Tx, credentialId: string): Promise<void> {
  const pending = await tx
    .selectFrom('devices')
    .select('added_at')
    .where('credential_id', '=', credentialId)
    .where('status', '=', 'pending')
    .orderBy('added_at')
    .execute();
  if (pending.length < MAX_PENDING_DEVICES) return;
  // The oldest is confirmed or swept within a day of its creation.
  const freeAt = Date.parse(pending[0].added_at) + PENDING_DEVICE_TTL_SECONDS * 1000;
  throw new ApiError(
    'rate_limited',
    `A credential holds at most ${MAX_PENDING_DEVICES} passes not yet added to a wallet.`,
    undefined,
    Math.max(1, Math.ceil((freeAt - ctx.clock.now().getTime()) / 1000)),
  );
}

const holderName = (c: Pick<CoveredCredential, 'first_name' | 'last_name'>) => `${c.first_name} ${c.last_name}`.trim();

/**
 * A press of an Add button made a pending device: `pass.requested`, and `device.added` with its
 * webhook (the device is pending until the wallet confirms it). Wallet passes and badges alike.
 */
export async function recordPassRequested(
  tx: Tx,
  at: string,
  actor: Actor,
  cred: { id: string; person_id: number },
  deviceId: string,
  platform: string,
): Promise<void> {
  const subject = `credential:${cred.id}`;
  await recordChange(tx, at, {
    type: 'pass.requested',
    actor,
    subject,
    data: { person_id: cred.person_id, device_id: deviceId, platform },
  });
  await recordChange(
    tx,
    at,
    {
      type: 'device.added',
      actor,
      subject,
      data: { person_id: cred.person_id, device_id: deviceId, platform, status: 'pending' },
    },
    { event: 'device.added', credential_id: cred.id, person_id: cred.person_id, device_id: deviceId, platform },
  );
}

/**
 * `POST /api/3/passes`: a new `pending` device with its own serial number, authentication token and
 * (per-device mode) reader value, then a one-time .pkpass URL or a Google save URL (docs/api.md, docs/wallet.md).
 */
export async function requestPass(
  ctx: Ctx,
  caller: SessionCaller,
  input: { platform: WalletPlatform; credential_id?: string },
): Promise<{ url: string; device_id: string }> {
  const wallet = ctx.config.passes ? ctx.wallet : null;
  if (!wallet?.platforms.includes(input.platform)) {
    const available = wallet?.platforms ?? [];
    throw new ApiError(
      'invalid_request',
      available.length
        ? `This server offers ${available.join(' and ')} passes only.`
        : 'Wallet passes are off on this server.',
      {
        fields: { platform: available.length ? `One of: ${available.join(', ')}.` : 'Wallet passes are off.' },
      },
    );
  }
  const cred = await coveredCredential(ctx, caller, input.credential_id);
  const at = nowIso(ctx);
  const deviceId = `dev_${base62(ctx.random(12))}`;
  const serial = base62(ctx.random(16));
  const authToken = base62(ctx.random(24));
  const perDevice = cred.value_mode === 'per_device';
  const value = perDevice ? newReaderValue(ctx) : ctx.keys.decrypt(cred.value_enc!, cred.id);

  let url: string;
  let downloadToken: string | undefined;
  if (input.platform === 'apple') {
    downloadToken = newToken(ctx.random, 'dl', 32);
    url = `${ctx.config.publicUrl}/passes/${downloadToken}.pkpass`;
  } else {
    // Built before the transaction: a REST insert is a network call, and an unused object opens nothing.
    url = await googleSaveUrl(ctx, wallet.google!, {
      serial,
      holder: holderName(cred),
      value,
      origins: caller.origins,
    });
    ctx.metrics?.passesBuilt.inc({ platform: 'google' });
  }

  const actor = actorOf(caller);
  await ctx.store.db.transaction().execute(async (tx) => {
    // Re-checked under the row lock: a disable or revoke that landed meanwhile wins.
    await tx.selectFrom('credentials').select('id').where('id', '=', cred.id).forUpdate().executeTakeFirst();
    const now = await selectCovered(tx, cred.id, cred.person_id).executeTakeFirst();
    if (!now) throw new ApiError('not_found');
    checkPassable(now);
    await refuseTooManyPending(ctx, tx, cred.id);
    await tx
      .insertInto('devices')
      .values({
        id: deviceId,
        credential_id: cred.id,
        platform: input.platform,
        status: 'pending',
        serial_number: serial,
        auth_token_hash: sha256(authToken),
        auth_token_enc: ctx.keys.encrypt(authToken, deviceId),
        // Shared mode keeps the one value on the credential, where access checks find it.
        value_hash: perDevice ? ctx.keys.lookupHash('value', value) : null,
        value_enc: perDevice ? ctx.keys.encrypt(value, deviceId) : null,
        added_at: at,
        updated_at: at,
        confirmed_at: null,
        revoked_at: null,
      })
      .execute();
    if (downloadToken) {
      await tx
        .insertInto('tokens')
        .values({
          token_hash: sha256(downloadToken),
          kind: 'download',
          person_id: cred.person_id,
          credential_id: cred.id,
          device_id: deviceId,
          key_id: null,
          origins: '[]',
          expires_at: addSeconds(at, DOWNLOAD_TTL_SECONDS),
          created_at: at,
          used_at: null,
        })
        .execute();
    }
    await recordPassRequested(tx, at, actor, cred, deviceId, input.platform);
  });
  ctx.bus.credentialChanged(cred.id);
  return { url, device_id: deviceId };
}

/**
 * Google fetches a pass's logo itself, so it needs a public https URL: the hosted page serves the
 * operator's KEYWAY_BRAND_LOGO at /p/logo. Without https (development) the card has no logo.
 */
const googleLogoUrl = (ctx: Ctx): string | undefined =>
  ctx.config.brand.logo && ctx.config.publicUrl.startsWith('https://') ? `${ctx.config.publicUrl}/p/logo` : undefined;

async function googleSaveUrl(
  ctx: Ctx,
  google: NonNullable<WalletRuntime['google']>,
  input: { serial: string; holder: string; value: string; origins: string[] },
): Promise<string> {
  const object = {
    objectId: input.serial,
    holderName: input.holder,
    credentialTypeLabel: CREDENTIAL_TYPE_LABEL,
    readerValue: input.value,
    state: 'ACTIVE' as const,
    brand: { name: ctx.config.brand.name, color: ctx.config.brand.color, logoUrl: googleLogoUrl(ctx) },
  };
  try {
    if (!google.rest) {
      try {
        return (await google.builder.build({ ...object, origins: input.origins })).url;
      } catch (error) {
        if (!(error instanceof GoogleSaveLinkTooLongError)) throw error;
        // No API to insert through: a shortened name on the card beats no card at all.
        return (
          await google.builder.build({ ...object, holderName: shorten(input.holder, 40), origins: input.origins })
        ).url;
      }
    }
    const rest = google.rest;
    // One class insert per context; ids are ours and stable, so `exists` is success too.
    let inserted = ctx.services.googleClass;
    if (!inserted) {
      const cls = google.builder.googleClass();
      inserted = rest.insertClass(cls).then(async (outcome) => {
        // A class an older Keyway inserted has no callbackOptions, and Google would never call back.
        if (outcome === 'exists' && cls.callbackOptions) {
          await rest.patchClass(cls.id, { callbackOptions: cls.callbackOptions }).catch((error: Error) => {
            ctx.log({ level: 'warn', msg: 'google class callback PATCH failed', error: error.message });
          });
        }
      });
      ctx.services.googleClass = inserted;
      inserted.catch(() => {
        if (ctx.services.googleClass === inserted) ctx.services.googleClass = null;
      });
    }
    await inserted;
    try {
      return (await google.builder.build({ ...object, origins: input.origins, classAlreadyInserted: true })).url;
    } catch (error) {
      if (!(error instanceof GoogleSaveLinkTooLongError)) throw error;
      // Too long for a URL: the object goes in through the API and the JWT carries only its id.
      await rest.insertObject(google.builder.googleObject(object));
      return (
        await google.builder.build({
          ...object,
          origins: input.origins,
          classAlreadyInserted: true,
          objectAlreadyInserted: true,
        })
      ).url;
    }
  } catch (error) {
    if (error instanceof GoogleSaveLinkTooLongError || error instanceof GoogleWalletApiError) {
      ctx.log({ level: 'error', msg: 'google save link failed', error: error.message });
      // docs/errors.md: Google failing or timing out where the answer depends on it is upstream_unavailable.
      throw new ApiError(
        'upstream_unavailable',
        'Google Wallet is not available right now. Try again, or use Apple Wallet.',
        undefined,
        30,
      );
    }
    throw error;
  }
}

const shorten = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const DOWNLOAD_TOKEN = /^dl_[A-Za-z0-9]{20,100}$/;

/**
 * `GET /passes/{token}.pkpass`: the signed pass for the token's device, once. The pass is built
 * before the token is spent, so a failure never burns the link; the compare-and-set decides the winner.
 */
export async function downloadPass(ctx: Ctx, token: string): Promise<Buffer> {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  if (!apple || !DOWNLOAD_TOKEN.test(token)) throw new ApiError('link_expired');
  const now = nowIso(ctx);
  const tokenHash = sha256(token);
  const row = await ctx.store.db
    .selectFrom('tokens')
    .innerJoin('devices', 'devices.id', 'tokens.device_id')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .selectAll('devices')
    .select([
      'tokens.expires_at',
      'tokens.used_at',
      'credentials.status as credential_status',
      'credentials.enabled as credential_enabled',
      'credentials.value_enc as credential_value_enc',
      'people.first_name',
      'people.last_name',
      'people.enabled as person_enabled',
    ])
    .where('tokens.token_hash', '=', tokenHash)
    .where('tokens.kind', '=', 'download')
    .executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || row.status === 'revoked' || row.platform !== 'apple')
    throw new ApiError('link_expired');
  checkPassable({ status: row.credential_status, enabled: row.credential_enabled, person_enabled: row.person_enabled });

  await followRecordedSigner(ctx);
  const pkpass = renderApplePass(ctx, apple, row, {
    holder: holderName(row),
    value: row.value_enc
      ? ctx.keys.decrypt(row.value_enc, row.id)
      : ctx.keys.decrypt(row.credential_value_enc!, row.credential_id),
  });
  const cas = await ctx.store.db
    .updateTable('tokens')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('kind', '=', 'download')
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(cas.numUpdatedRows) !== 1) throw new ApiError('link_expired');
  return pkpass;
}

/** The device's .pkpass: operator brand, holder, its serial, authentication token and reader value. */
export function renderApplePass(
  ctx: Ctx,
  apple: NonNullable<WalletRuntime['apple']>,
  device: Pick<Selectable<DeviceTable>, 'id' | 'serial_number' | 'auth_token_enc'>,
  input: { holder: string; value: string; state?: PassState; endedAt?: Date },
): Buffer {
  const brand = ctx.config.brand;
  const passJson = buildPassJson({
    passTypeIdentifier: apple.material.passTypeId,
    teamIdentifier: apple.material.teamId,
    serialNumber: device.serial_number,
    organizationName: brand.name,
    description: `${brand.name} door pass`,
    logoText: brand.name,
    brandColor: brand.color,
    holderName: input.holder,
    credentialTypeLabel: CREDENTIAL_TYPE_LABEL,
    readerValue: input.value,
    ...(apple.nfcPublicKey ? { nfc: { encryptionPublicKey: apple.nfcPublicKey } } : {}),
    webServiceURL: `${ctx.config.publicUrl}/wallet/apple`,
    authenticationToken: ctx.keys.decrypt(device.auth_token_enc!, device.id),
    ...(input.state ? { state: input.state } : {}),
    ...(input.endedAt ? { endedAt: input.endedAt } : {}),
  });
  const pkpass = buildPkpass({
    passJson,
    images: apple.images,
    signer: apple.material.signer,
    signingTime: ctx.clock.now(),
  });
  ctx.metrics?.passesBuilt.inc({ platform: 'apple' });
  return pkpass;
}
