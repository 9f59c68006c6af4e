// The fallback for missed save callbacks: with the Google REST API configured, pending Google
// devices are polled (GET the object, read `hasUsers`) and a saved one is confirmed exactly as a
// verified save callback would confirm it (docs/lifecycle.md).

import { addSeconds, nowIso } from '../../clock.js';
import type { GoogleWalletRestClient } from '../../wallet/google/rest-client.js';
import type { Ctx } from '../context.js';
import { confirmDevice } from '../credentials/devices.js';
import { HID_BADGE } from '../credentials/types.js';
import { PENDING_DEVICE_TTL_SECONDS } from './passes.js';

/** Objects asked about per round; the least recently asked go first, so a backlog rotates. */
export const GOOGLE_POLL_BATCH = 50;
const CANDIDATES = 1000;

/** One round of the poll; returns how many devices it confirmed. */
export async function pollPendingGoogleDevices(ctx: Ctx): Promise<number> {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  const rest = google?.rest;
  const poll = ctx.services.googlePoll;
  // A round still asking (Google slow) is not overlapped by the next tick.
  if (!google || !rest || poll.running) return 0;
  poll.running = true;
  try {
    return await pollRound(ctx, google, rest);
  } finally {
    poll.running = false;
  }
}

async function pollRound(
  ctx: Ctx,
  google: NonNullable<NonNullable<Ctx['wallet']>['google']>,
  rest: GoogleWalletRestClient,
): Promise<number> {
  const since = addSeconds(nowIso(ctx), -PENDING_DEVICE_TTL_SECONDS);
  const pending = await ctx.store.db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .select(['devices.id', 'devices.serial_number'])
    .where('devices.platform', '=', 'google')
    .where('devices.status', '=', 'pending')
    .where('devices.added_at', '>', since)
    .where('credentials.credential_type_id', '!=', HID_BADGE) // a badge's Google device is confirmed by HID Origo
    .orderBy('devices.added_at', 'desc')
    .limit(CANDIDATES)
    .execute();
  // When each device was last asked about; a device leaves when it stops being pending.
  const asked = ctx.services.googlePoll.lastAsked;
  const live = new Set(pending.map((d) => d.id));
  for (const id of asked.keys()) if (!live.has(id)) asked.delete(id);
  const batch = pending.sort((a, b) => (asked.get(a.id) ?? 0) - (asked.get(b.id) ?? 0)).slice(0, GOOGLE_POLL_BATCH);
  let confirmed = 0;
  for (const device of batch) {
    asked.set(device.id, Date.now());
    let object: Awaited<ReturnType<typeof rest.getObject>>;
    try {
      object = await rest.getObject(`${google.issuerId}.${device.serial_number}`);
    } catch (error) {
      // Google unreachable: the next round asks again; the rest of this batch would likely fail too.
      ctx.log({ level: 'warn', msg: 'google object poll failed', error: (error as Error).message });
      break;
    }
    // null: no such object yet (a JWT-carried object exists at Google only once someone saves it).
    if (object?.hasUsers && (await confirmDevice(ctx, device.id, `device:${device.id}`))) confirmed++;
  }
  return confirmed;
}
