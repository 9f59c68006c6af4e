// The PassKit web service (Apple's "Wallet Passes Web Service"): registrations, updated serials, latest pass.

import { nowIso } from '../../clock.js';
import { sha256, timingSafeEqualString, UnknownKeyError } from '../../crypto/secrets.js';
import type { Ctx } from '../context.js';
import { confirmDevice, confirmVoided } from '../credentials/devices.js';
import { newReaderValue, WALLET_PASS } from '../credentials/types.js';
import { ApiError } from '../errors.js';
import { passStateOf } from './pass-updates.js';
import { renderApplePass } from './passes.js';
import { followRecordedSigner } from './signer.js';

export interface AuthenticatedPass {
  id: string;
  credential_id: string;
  serial_number: string;
  status: string;
  auth_token_enc: string | null;
  value_enc: string | null;
  added_at: string;
  pass_updated_at?: string | null;
  revoked_at: string | null;
}

function passTypeId(ctx: Ctx): string {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  if (!apple) throw new ApiError('not_found', 'Apple Wallet passes are off on this server.');
  return apple.material.passTypeId;
}

/** `Authorization: ApplePass <authenticationToken>` for this serial number, or 401 and nothing else happens. */
export async function authenticatePass(
  ctx: Ctx,
  ptid: string,
  serial: string,
  authorization: string | undefined,
): Promise<AuthenticatedPass> {
  const token = /^ApplePass\s+(\S+)$/.exec(authorization ?? '')?.[1];
  const unauthorized = new ApiError(
    'unauthorized',
    'Send the pass’s authenticationToken as Authorization: ApplePass <token>.',
  );
  if (!token || ptid !== passTypeId(ctx) || serial.length > 64) throw unauthorized;
  const device = await ctx.store.db
    .selectFrom('devices')
    .select([
      'id',
      'credential_id',
      'serial_number',
      'status',
      'auth_token_hash',
      'auth_token_enc',
      'value_enc',
      'added_at',
      'pass_updated_at',
      'revoked_at',
      'platform',
    ])
    .where('serial_number', '=', serial)
    .executeTakeFirst();
  if (device?.platform !== 'apple' || !timingSafeEqualString(sha256(token), device.auth_token_hash)) throw unauthorized;
  return device;
}

/** Registers a phone for a pass's updates; the first registration confirms the device. 201 new, 200 known. */
export async function registerPass(
  ctx: Ctx,
  input: { deviceLibraryId: string; ptid: string; device: AuthenticatedPass; pushToken: string },
): Promise<'created' | 'exists'> {
  const at = nowIso(ctx);
  const key = { dli: input.deviceLibraryId, serial: input.device.serial_number };
  const existing = await ctx.store.db
    .selectFrom('apple_registrations')
    .select('push_token_enc')
    .where('device_library_id', '=', key.dli)
    .where('pass_type_id', '=', input.ptid)
    .where('serial_number', '=', key.serial)
    .executeTakeFirst();
  const push_token_enc = ctx.keys.encrypt(input.pushToken, 'push_token');
  if (existing) {
    await ctx.store.db
      .updateTable('apple_registrations')
      .set({ push_token_enc, updated_at: at })
      .where('device_library_id', '=', key.dli)
      .where('pass_type_id', '=', input.ptid)
      .where('serial_number', '=', key.serial)
      .execute();
  } else {
    await ctx.store.db
      .insertInto('apple_registrations')
      .values({
        device_library_id: key.dli,
        pass_type_id: input.ptid,
        serial_number: key.serial,
        push_token_enc,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc
          .columns(['device_library_id', 'pass_type_id', 'serial_number'])
          .doUpdateSet({ push_token_enc, updated_at: at }),
      )
      .execute();
  }
  if (input.device.status === 'pending') await confirmDevice(ctx, input.device.id, `device:${input.device.id}`);
  return existing ? 'exists' : 'created';
}

export async function unregisterPass(
  ctx: Ctx,
  input: { deviceLibraryId: string; ptid: string; device: AuthenticatedPass },
): Promise<void> {
  await ctx.store.db
    .deleteFrom('apple_registrations')
    .where('device_library_id', '=', input.deviceLibraryId)
    .where('pass_type_id', '=', input.ptid)
    .where('serial_number', '=', input.device.serial_number)
    .execute();
}

const lastChange = (d: { added_at: string; pass_updated_at?: string | null }) => d.pass_updated_at ?? d.added_at;

/** Serial numbers of this phone's passes changed after the tag (an ISO instant we handed out). */
export async function updatedSerials(
  ctx: Ctx,
  deviceLibraryId: string,
  ptid: string,
  since?: string,
): Promise<{ serialNumbers: string[]; lastUpdated: string } | null> {
  if (ptid !== passTypeId(ctx)) return null;
  const rows = await ctx.store.db
    .selectFrom('apple_registrations')
    .innerJoin('devices', 'devices.serial_number', 'apple_registrations.serial_number')
    .select(['devices.serial_number', 'devices.added_at', 'devices.pass_updated_at'])
    .where('apple_registrations.device_library_id', '=', deviceLibraryId)
    .where('apple_registrations.pass_type_id', '=', ptid)
    .execute();
  const changed = rows.filter((r) => !since || lastChange(r) > since);
  if (changed.length === 0) return null;
  return { serialNumbers: changed.map((r) => r.serial_number), lastUpdated: changed.map(lastChange).sort().at(-1)! };
}

/**
 * The pass as it stands now: voided after a revoke, "Suspended" while suspended. Serving the voided
 * pass to a device of a `revoking` credential confirms that device (docs/lifecycle.md).
 */
export async function latestPass(
  ctx: Ctx,
  device: AuthenticatedPass,
  ifModifiedSince?: string,
): Promise<{ notModified: true; lastModified: Date } | { notModified: false; lastModified: Date; pkpass: Buffer }> {
  const apple = ctx.wallet!.apple!;
  const lastModified = new Date(lastChange(device));
  const since = ifModifiedSince ? Date.parse(ifModifiedSince) : NaN;
  if (Number.isFinite(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000))
    return { notModified: true, lastModified };
  await followRecordedSigner(ctx);
  let served: { pkpass: Buffer; credentialStatus: string };
  try {
    served = await servedPass(ctx, apple, device);
  } catch (err) {
    if (!(err instanceof UnknownKeyError)) throw err;
    // Wallet keeps the pass it has on a 401; a 500 would only be retried for nothing.
    ctx.log({
      level: 'error',
      msg: 'pass cannot be rendered: made under a secret this server no longer has (run npx keyway secrets rotate before removing KEYWAY_SECRET_PREVIOUS)',
      device_id: device.id,
    });
    throw new ApiError('unauthorized', 'This pass can no longer be served.');
  }
  const { pkpass } = served;
  if (served.credentialStatus === 'revoking' && device.status === 'active')
    await confirmVoided(ctx, device.id, 'fetch');
  return { notModified: false, lastModified, pkpass };
}

/**
 * The pass a device's phone gets from the web service now, signed with the context's current signer:
 * voided after a revoke, "Suspended" while suspended (`keyway passes resign` and `passes doctor` build the same).
 */
export async function servedPass(
  ctx: Ctx,
  apple: NonNullable<NonNullable<Ctx['wallet']>['apple']>,
  device: Pick<
    AuthenticatedPass,
    'id' | 'credential_id' | 'serial_number' | 'status' | 'auth_token_enc' | 'value_enc' | 'revoked_at'
  >,
): Promise<{ pkpass: Buffer; credentialStatus: string }> {
  const row = await ctx.store.db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'credentials.status',
      'credentials.enabled',
      'credentials.value_enc',
      'credentials.updated_at',
      'credentials.revoking_at',
      'people.first_name',
      'people.last_name',
      'people.enabled as person_enabled',
    ])
    .where('credentials.id', '=', device.credential_id)
    .executeTakeFirstOrThrow();
  const state = passStateOf(row, device.status, row.person_enabled);
  const endedAt = state === 'revoked' ? new Date(device.revoked_at ?? row.revoking_at ?? row.updated_at) : undefined;
  const pkpass = renderApplePass(ctx, apple, device, {
    holder: `${row.first_name} ${row.last_name}`.trim(),
    value: device.value_enc
      ? ctx.keys.decrypt(device.value_enc, device.id)
      : ctx.keys.decrypt(row.value_enc!, device.credential_id),
    state,
    ...(endedAt ? { endedAt } : {}),
  });
  return { pkpass, credentialStatus: row.status };
}

/**
 * `keyway passes doctor <credential id>`: the pass each of the credential's live Apple devices would
 * be served now; with none yet, the pass a new device would get (a placeholder serial and token).
 */
export async function passesOfCredential(
  ctx: Ctx,
  credentialId: string,
): Promise<{ deviceId: string | null; status: string; pkpass: Buffer }[]> {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  if (!apple) throw new ApiError('not_found', 'Apple Wallet passes are off on this server (KEYWAY_PASSES=off).');
  const cred = await ctx.store.db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'credentials.id',
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
    .executeTakeFirst();
  if (!cred) throw new ApiError('not_found', `No credential ${credentialId} in this database.`);
  if (cred.credential_type_id !== WALLET_PASS)
    throw new ApiError(
      'invalid_request',
      `${credentialId} is a credential of type ${cred.credential_type_id}, not a wallet pass (type ${WALLET_PASS}): Keyway signs no Apple pass for it.`,
    );
  await followRecordedSigner(ctx);
  const devices = await ctx.store.db
    .selectFrom('devices')
    .select(['id', 'credential_id', 'serial_number', 'status', 'auth_token_enc', 'value_enc', 'revoked_at', 'platform'])
    .where('credential_id', '=', credentialId)
    .orderBy('added_at')
    .execute();
  const appleDevices = devices.filter((d) => d.platform === 'apple' && d.status !== 'revoked');
  if (appleDevices.length)
    return Promise.all(
      appleDevices.map(async (d) => ({ deviceId: d.id, status: d.status, ...(await servedPass(ctx, apple, d)) })),
    );
  if (devices.some((d) => d.platform === 'google' && d.status !== 'revoked'))
    throw new ApiError(
      'invalid_request',
      `${credentialId}'s passes are Google Wallet passes; passes doctor explains Apple passes (.pkpass).`,
    );
  // No Apple device yet: the pass the next POST /api/3/passes would lead to, with placeholders.
  const preview = { id: 'dev_doctor', serial_number: 'keyway-doctor-preview' };
  const value =
    cred.value_mode === 'per_device' || !cred.value_enc
      ? newReaderValue(ctx)
      : ctx.keys.decrypt(cred.value_enc, cred.id);
  const pkpass = renderApplePass(
    ctx,
    apple,
    { ...preview, auth_token_enc: ctx.keys.encrypt('p'.repeat(32), preview.id) },
    {
      holder: `${cred.first_name} ${cred.last_name}`.trim(),
      value,
      state: passStateOf(cred, 'pending', cred.person_enabled),
    },
  );
  return [{ deviceId: null, status: 'none yet', pkpass }];
}
