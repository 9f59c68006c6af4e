// The demo's simulated phone (development only): what a phone would read out of each pass this
// server produced, so it can make the wallet's own calls (the PassKit registration) itself.
import crypto from 'node:crypto';
import { type CallbackBody, signDevCallback } from '../../wallet/google/callback.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

/** A pass as the dev phone sees it: who it is for and, for Apple, the fields a phone reads from pass.json. */
export interface DevPass {
  device_id: string;
  credential_id: string;
  platform: 'apple' | 'google';
  status: 'pending' | 'active' | 'revoked';
  holder: string;
  added_at: string;
  apple?: {
    passTypeIdentifier: string;
    serialNumber: string;
    authenticationToken: string;
    webServiceURL: string;
  };
  /** A Google pass the simulated phone can save: the server signs its callback with the dev root. */
  google?: { saveable: true };
}

/** The 20 newest wallet passes, newest first; the Apple ones with what their pass.json carries. */
export async function devPasses(ctx: Ctx): Promise<DevPass[]> {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  const googleSaves = Boolean(ctx.config.passes && ctx.wallet?.google?.devCallbackRoot);
  const rows = await ctx.store.db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'devices.id as id',
      'devices.credential_id as credential_id',
      'devices.platform as platform',
      'devices.status as status',
      'devices.serial_number as serial_number',
      'devices.auth_token_enc as auth_token_enc',
      'devices.added_at as added_at',
      'people.first_name as first_name',
      'people.last_name as last_name',
    ])
    .where('devices.platform', 'in', ['apple', 'google'])
    .orderBy('devices.added_at', 'desc')
    .orderBy('devices.id', 'desc')
    .limit(20)
    .execute();
  return rows.map((r) => ({
    device_id: r.id,
    credential_id: r.credential_id,
    platform: r.platform as 'apple' | 'google',
    status: r.status,
    holder: `${r.first_name} ${r.last_name}`,
    added_at: r.added_at,
    ...(r.platform === 'apple' && apple && r.auth_token_enc
      ? {
          apple: {
            passTypeIdentifier: apple.material.passTypeId,
            serialNumber: r.serial_number,
            authenticationToken: ctx.keys.decrypt(r.auth_token_enc, r.id),
            webServiceURL: `${ctx.config.publicUrl}/wallet/apple`,
          },
        }
      : {}),
    ...(r.platform === 'google' && googleSaves ? { google: { saveable: true as const } } : {}),
  }));
}

/**
 * What Google would post to /wallet/google/callback when the person taps Save: a `save` for the
 * device's object, signed with the dev callback root (development with dev Google material only).
 * The dev phone posts it to the real callback route itself.
 */
export async function devGoogleSave(ctx: Ctx, deviceId: string): Promise<CallbackBody> {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  if (!google?.devCallbackRoot)
    throw new ApiError(
      'not_found',
      'This server does not sign dev Google callbacks (real Google material, or KEYWAY_GOOGLE_CALLBACK_KEYS set).',
    );
  const device = await ctx.store.db
    .selectFrom('devices')
    .select(['serial_number', 'platform'])
    .where('id', '=', deviceId)
    .executeTakeFirst();
  if (device?.platform !== 'google') throw new ApiError('not_found', `No Google pass ${deviceId}.`);
  return signDevCallback(
    google.devCallbackRoot,
    google.issuerId,
    {
      classId: `${google.issuerId}.keyway_access`,
      objectId: `${google.issuerId}.${device.serial_number}`,
      eventType: 'save',
      nonce: crypto.randomBytes(16).toString('hex'),
    },
    ctx.clock.now().getTime(),
  );
}
