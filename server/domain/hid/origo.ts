// HID Origo's client for this process, and whether type 8 is offered at all.
import { createOrigoClient, type OrigoClient, OrigoError } from '../../hid/origo-client.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

/** Type 8 (HID Mobile Access) is offered only when every KEYWAY_HID_ORIGO_* it needs is set (docs/hid.md). */
export const hidConfigured = (ctx: Pick<Ctx, 'config'>): boolean => ctx.config.hidOrigo !== undefined;

const clients = new WeakMap<Ctx, OrigoClient>();

/** The Origo client of this process (one token and one call budget for every request). */
export function origoOf(ctx: Ctx): OrigoClient {
  let client = clients.get(ctx);
  if (!client) {
    const c = ctx.config.hidOrigo;
    if (!c) throw new ApiError('unknown_credential_type');
    // The process clock, so token lifetimes, the call budget and Origo's pauses follow the lifecycle's time.
    const now = () => ctx.clock.now().getTime();
    client = createOrigoClient({
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      orgId: c.orgId,
      applicationId: c.applicationId,
      authUrl: c.authUrl,
      apiUrl: c.apiUrl,
      deadlineMs: c.deadlineMs,
      now,
    });
    clients.set(ctx, client);
  }
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
