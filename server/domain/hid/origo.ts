// HID Origo's client for this process, and whether type 8 is offered at all.

import type { HidPassesConfig } from '../../config.js';
import { type OrigoClient, OrigoError } from '../../hid/origo-client.js';
import type { OrigoPassClient } from '../../hid/origo-passes.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

/** Type 8 (HID Mobile Access) is offered only when every KEYWAY_HID_ORIGO_* it needs is set (docs/hid.md). */
export const hidConfigured = (ctx: Pick<Ctx, 'config'>): boolean => ctx.config.hidOrigo !== undefined;

/**
 * The context's Origo client (one token and one call budget for every request). Issuing type 8 without
 * it is refused earlier (`unknown_credential_type`); a credential made before HID Origo was switched
 * off reaches here: 422 hid_not_configured, never a 5xx.
 */
export function origoOf(ctx: Ctx): OrigoClient {
  const client = ctx.services.origo;
  if (!client) throw new ApiError('hid_not_configured');
  return client;
}

/** The context's Credential Management API client (the Origo token shared with type 8); as `origoOf` for type 10. */
export function origoPassesOf(ctx: Ctx): OrigoPassClient {
  const client = ctx.services.origoPasses;
  if (!client) throw new ApiError('hid_not_configured');
  return client;
}

/** Wallet badges' settings (SPEC §16); a badge left from before they were switched off → 422 hid_not_configured. */
export function hidPassesConfigOf(ctx: Pick<Ctx, 'config'>): HidPassesConfig {
  const config = ctx.config.hidPasses;
  if (!config) throw new ApiError('hid_not_configured');
  return config;
}

/** Whether Origo's Pass API can be reached at all (wallet badges configured). */
export const hidPassesConfigured = (ctx: Pick<Ctx, 'services'>): boolean => ctx.services.origoPasses != null;

/** `/readyz`'s hid_origo line: a token can be obtained. */
export async function hidReadiness(ctx: Ctx): Promise<string | null> {
  try {
    await origoOf(ctx).accessToken();
    return null;
  } catch (err) {
    return err instanceof OrigoError ? (err.kind === 'rejected' ? 'credentials refused' : 'unreachable') : 'failed';
  }
}

/** An Origo failure as the caller sees it: 503 with Retry-After, nothing changed. */
export function upstream(ctx: Ctx, err: unknown, what: string): unknown {
  if (!(err instanceof OrigoError)) return err;
  ctx.log({
    level: err.kind === 'rejected' ? 'error' : 'warn',
    msg: `HID Origo: ${what} failed`,
    kind: err.kind,
    status: err.status,
    error: err.message,
  });
  const message =
    err.kind === 'rejected'
      ? 'HID Origo refused the request; the operator should check the HID Origo settings. Nothing was changed.'
      : 'HID Origo did not answer in time. Nothing was changed; try again shortly.';
  return new ApiError('upstream_unavailable', message, undefined, Math.max(1, Math.min(err.retryAfter ?? 30, 3600)));
}
