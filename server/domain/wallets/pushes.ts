// The wallet push queue: APNs pushes and Google object updates, sent and retried by a worker.
import type { Selectable } from 'kysely';
import { addSeconds } from '../../clock.js';
import { defineOutbox, type Outcome, type StopWorker } from '../../storage/outbox.js';
import type { WalletPushTable } from '../../storage/schema.js';
import { GoogleWalletApiError } from '../../wallet/google/rest-client.js';
import type { Ctx } from '../context.js';
import { confirmVoided } from '../credentials/devices.js';
import { passStateOf } from './pass-updates.js';

type Push = Selectable<WalletPushTable>;

async function sendPush(ctx: Ctx, row: Push, signal: AbortSignal): Promise<Outcome<Push>> {
  const target = ctx.keys.decrypt(row.target_enc, row.kind === 'apns' ? 'push_token' : 'wallet_push');
  if (row.kind === 'apns') {
    const r = await ctx.services.apns!.push(target, { signal }); // only queued when there is a client
    if (r.status === 200) return done(ctx, row);
    const error = `APNs ${r.status} ${r.reason ?? ''}`.trim();
    // 410: Apple says the token is no longer registered, the phone removed the pass.
    if (r.status === 410) return { ok: false, final: true, error, after: () => dropRegistration(ctx, row) };
    if (r.status === 400) return { ok: false, final: true, error };
    return { ok: false, error, ...(r.retryAfter !== undefined ? { retryAfter: r.retryAfter } : {}) };
  }
  const rest = ctx.wallet?.google?.rest;
  if (!rest) return { ok: false, final: true, error: 'Google REST API not configured' };
  const device = await ctx.store.db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'devices.status as device_status',
      'credentials.status',
      'credentials.enabled',
      'people.enabled as person_enabled',
    ])
    .where('devices.id', '=', row.device_id)
    .executeTakeFirst();
  if (!device) return { ok: false, final: true, error: 'device gone' };
  // The state is read at send time, so a suspend quickly undone sends the final state only.
  const state = passStateOf(device, device.device_status, device.person_enabled);
  try {
    await rest.setObjectState(target, state === 'active' ? 'ACTIVE' : state === 'expired' ? 'EXPIRED' : 'INACTIVE', {
      signal,
    });
    return done(ctx, row);
  } catch (err) {
    // Status 0 (no answer in time) and 429 or 5xx are worth retrying; other 4xx never will be.
    const final = err instanceof GoogleWalletApiError && err.status >= 400 && err.status < 500 && err.status !== 429;
    return { ok: false, final, error: (err as Error).message };
  }
}

const done = (ctx: Ctx, row: Push): Outcome<Push> => ({
  ok: true,
  after: () => confirmVoided(ctx, row.device_id, row.kind),
});

async function dropRegistration(ctx: Ctx, row: Push): Promise<void> {
  const device = await ctx.store.db
    .selectFrom('devices')
    .select('serial_number')
    .where('id', '=', row.device_id)
    .executeTakeFirst();
  const regs = device
    ? await ctx.store.db
        .selectFrom('apple_registrations')
        .select(['device_library_id', 'push_token_enc'])
        .where('serial_number', '=', device.serial_number)
        .execute()
    : [];
  // Compared as plain tokens: `keyway secrets rotate` re-encrypts the two copies separately.
  const pushToken = (enc: string): string | null => {
    try {
      return ctx.keys.decrypt(enc, 'push_token');
    } catch {
      return null;
    }
  };
  const gone = pushToken(row.target_enc);
  for (const r of regs.filter(
    (r) => r.push_token_enc === row.target_enc || (gone !== null && pushToken(r.push_token_enc) === gone),
  )) {
    await ctx.store.db
      .deleteFrom('apple_registrations')
      .where('device_library_id', '=', r.device_library_id)
      .where('serial_number', '=', device!.serial_number)
      .execute();
  }
}

/**
 * The wallet push queue as an outbox (storage/outbox.ts): each push on its own with its service's
 * deadline, at most 50 at once per service (a stuck APNs never holds Google's slots); a push is
 * given up with its revocation window.
 */
const pushes = defineOutbox<Ctx, 'wallet_pushes', Push>({
  name: 'wallet update worker',
  table: 'wallet_pushes',
  pending: (eb) => eb.and([eb('done_at', 'is', null), eb('failed_at', 'is', null)]),
  destination: 'kind',
  orderBy: 'id',
  concurrency: 100,
  perDestination: 50,
  retry: { delays: [1, 5, 30, 120, 600, 1800, 3600] },
  giveUpAt: (ctx, row) => addSeconds(row.created_at, ctx.config.revokeConfirmDays * 86400),
  deliver: sendPush,
  delivered: (at) => ({ done_at: at }),
  givenUp: (at) => ({ failed_at: at }),
  onFailure(ctx, row, { attempt, error, final }) {
    ctx.log({
      level: final ? 'error' : 'warn',
      msg: final ? 'wallet update undeliverable' : 'wallet update failed, will retry',
      push_id: row.id,
      kind: row.kind,
      device_id: row.device_id,
      attempt,
      error,
    });
  },
});

/** Sends every due wallet update once; returns how many succeeded. Claimed by compare-and-set. */
export function deliverWalletPushes(ctx: Ctx): Promise<number> {
  return pushes.deliverDue(ctx);
}

/** The background worker: woken after each commit that changed a credential, and polling each second. */
export function startWalletWorker(ctx: Ctx, pollMs = 1000): StopWorker {
  return pushes.start(ctx, { pollMs, wakeOn: ['credential'], immediately: false, gatherMs: 5 });
}
