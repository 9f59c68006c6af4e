// HID Origo's client for this process, and whether type 8 is offered at all.
import { type OrigoClient, OrigoError } from '../../hid/origo-client.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

/** Type 8 (HID Mobile Access) is offered only when every KEYWAY_HID_ORIGO_* it needs is set (docs/hid.md). */
export const hidConfigured = (ctx: Pick<Ctx, 'config'>): boolean => ctx.config.hidOrigo !== undefined;

/** The context's Origo client (one token and one call budget for every request); type 8 is unknown without one. */
export function origoOf(ctx: Ctx): OrigoClient {
  const client = ctx.services.origo;
  if (!client) throw new ApiError('unknown_credential_type');
  return client;
}

/** `/readyz`'s hid_origo line: a token can be obtained. */
export async function hidReadiness(ctx: Ctx): Promise<string | null> {
  try {
    await origoOf(ctx).accessToken();
    return null;
  } catch (err) {
    return err instanceof OrigoError ? (err.kind === 'rejected' ? 'credentials refused' : 'unreachable') : 'failed';
  }
}
