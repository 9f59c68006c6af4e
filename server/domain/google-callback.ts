// Google Wallet's save/delete callbacks, what they change: a verified save confirms its device.
import { nowIso } from '../clock.js';
import { loadRootKeys, verifyCallback, type CallbackBody } from '../wallet/google/callback.js';
import type { Ctx } from './context.js';
import { confirmDevice } from './devices.js';
import { ApiError } from './errors.js';

/**
 * `POST /wallet/google/callback`: a verified `save` confirms the device (and the credential turns
 * `active`); each nonce is processed once. Anything unverifiable is 401 and changes nothing.
 */
export async function handleGoogleCallback(ctx: Ctx, body: CallbackBody): Promise<{ processed: boolean }> {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  const keysFile = ctx.config.raw.KEYWAY_GOOGLE_CALLBACK_KEYS;
  if (!google || !keysFile) throw new ApiError('unauthorized', 'Google callbacks are not configured (KEYWAY_GOOGLE_CALLBACK_KEYS).');
  const message = verifyCallback(body, loadRootKeys(keysFile), google.issuerId, ctx.clock.now().getTime());
  if (!message) throw new ApiError('unauthorized', 'The callback signature does not verify.');
  const fresh = await ctx.store.db
    .insertInto('google_callback_nonces')
    .values({ nonce: message.nonce, created_at: nowIso(ctx) })
    .onConflict((oc) => oc.column('nonce').doNothing())
    .executeTakeFirst();
  if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return { processed: false };
  const prefix = `${google.issuerId}.`;
  if (message.eventType !== 'save' || !message.objectId.startsWith(prefix)) return { processed: true };
  const device = await ctx.store.db
    .selectFrom('devices')
    .select(['id', 'platform'])
    .where('serial_number', '=', message.objectId.slice(prefix.length))
    .executeTakeFirst();
  if (device?.platform === 'google') await confirmDevice(ctx, device.id, `device:${device.id}`);
  return { processed: true };
}
