// Google Wallet's save/delete callbacks, what they change: a verified save confirms its device.
import { nowIso } from '../../clock.js';
import { type CallbackBody, type RootKey, verifyCallback } from '../../wallet/google/callback.js';
import type { Ctx } from '../context.js';
import { confirmDevice } from '../credentials/devices.js';
import { ApiError } from '../errors.js';

/**
 * Whether a pending Google device can ever be confirmed here: Google on, and callbacks verifiable
 * or the REST API there to poll `hasUsers`. The 24 h sweep revokes only such devices (docs/lifecycle.md).
 */
export function googleCanConfirm(ctx: Ctx): boolean {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  return Boolean(google && (google.callbackKeys || google.rest));
}

/**
 * `POST /wallet/google/callback`: a verified `save` confirms the device (and the credential turns
 * `active`); each nonce is processed once. Anything unverifiable is 401 and changes nothing; keys
 * that cannot be fetched (and were never fetched) are 503, so Google tries again.
 */
export async function handleGoogleCallback(ctx: Ctx, body: CallbackBody): Promise<{ processed: boolean }> {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  const source = google?.callbackKeys;
  if (!google || !source)
    throw new ApiError('unauthorized', 'Google callbacks are not configured (KEYWAY_GOOGLE_CALLBACK_KEYS).');
  const now = ctx.clock.now().getTime();
  const log = ctx.log;
  let keys: RootKey[];
  try {
    keys = await source.keys({ log });
  } catch (error) {
    log({ level: 'error', msg: 'google callback keys unavailable', error: (error as Error).message });
    throw new ApiError(
      'upstream_unavailable',
      "Google's callback signing keys could not be fetched; nothing was changed.",
      undefined,
      60,
    );
  }
  let message = verifyCallback(body, keys, google.issuerId, now);
  if (!message && source.kind === 'url') {
    // Google may have rotated its keys since the cached copy: refetch (rate-limited) and try once more.
    const fresh = await source.keys({ refresh: true, log }).catch(() => keys);
    if (fresh !== keys) message = verifyCallback(body, fresh, google.issuerId, now);
  }
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
