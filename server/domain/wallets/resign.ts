// SPEC §15, rolling a certificate: `keyway passes resign` makes a signer current, then re-signs every
// live Apple pass and pushes each phone registered for it, so Wallet fetches the pass signed anew.
// Progress is kept per pass (`pass_resigns`), so a run killed half-way and run again pushes only what
// is left: each push is recorded as soon as APNs answers it, before its pass's next push is sent.
import { nowIso } from '../../clock.js';
import { UnknownKeyError } from '../../crypto/secrets.js';
import { recordEvent } from '../../storage/audit.js';
import type { Tx } from '../../storage/db.js';
import { type RunLease, RunLeaseHeld, takeRunLease } from '../../storage/run-lease.js';
import type { AppleSigningMaterial } from '../../wallet/apple/material.js';
import type { Ctx } from '../context.js';
import { WALLET_PASS } from '../credentials/types.js';
import { servedPass } from './apple-web-service.js';
import { followRecordedSigner, recordSigner } from './signer.js';

export const RESIGN_BATCH = 100;
export const RESIGN_CONCURRENCY = 16;

export interface ResignProgress {
  signer: string;
  /** Live Apple passes this roll covers, and how many are finished. */
  total: number;
  done: number;
  /** Pushes APNs accepted, in this run. */
  pushed: number;
  /** Pushes APNs could not take now (busy, unreachable): handed to the push queue, which retries them. */
  queued: number;
  /** Registrations APNs said are gone (410: the pass was removed) or refused for good (400). */
  refused: number;
  /** Registrations not pushed because this configuration sends no pushes (dev certificates, no KEYWAY_APNS_URL). */
  unpushed: number;
  /** Passes that cannot be signed (made under a secret this server no longer has): recorded, not pushed. */
  unrenderable: number;
  /** Passes re-signed in this run. */
  resigned: number;
}

export class ResignError extends Error {
  override name = 'ResignError';
}

/** Another run holds the resign lease: two at once would each push every pass. */
export class ResignRunning extends ResignError {
  override name = 'ResignRunning';
}

/** The lease one run holds (storage/run-lease.ts); a run killed with kill -9 on this machine is taken over at once. */
const RESIGN_LEASE = 'passes-resign';

interface Pending {
  device_id: string;
  pushed: number;
  resigned_at: string | null;
  credential_id: string;
  serial_number: string;
  status: string;
  auth_token_enc: string | null;
  value_enc: string | null;
  revoked_at: string | null;
}

/**
 * Makes `target` the current signer and re-signs and pushes every live Apple pass not yet done for it,
 * `batchSize` passes at a time, up to `concurrency` passes pushing at once. Safe to run again.
 */
export async function resignPasses(
  ctx: Ctx,
  target: AppleSigningMaterial,
  opts: { batchSize?: number; concurrency?: number; onBatch?: (p: ResignProgress) => void } = {},
): Promise<ResignProgress> {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  if (!apple || (target !== apple.next && target !== apple.configured))
    throw new ResignError('the signer to roll to is not one this configuration loaded');
  let lease: RunLease;
  try {
    lease = await takeRunLease(ctx.store.db, RESIGN_LEASE, { now: () => nowIso(ctx) });
  } catch (error) {
    if (!(error instanceof RunLeaseHeld)) throw error;
    throw new ResignRunning(
      `another run is re-signing passes now (${error.message}); wait for it to finish, or run again once it has stopped`,
    );
  }
  try {
    return await resignHeld(ctx, apple, target, {
      push: ctx.services.apns,
      batchSize: opts.batchSize ?? RESIGN_BATCH,
      concurrency: opts.concurrency ?? RESIGN_CONCURRENCY,
      lease,
      onBatch: opts.onBatch,
    });
  } finally {
    await lease.release();
  }
}

async function resignHeld(
  ctx: Ctx,
  apple: NonNullable<NonNullable<Ctx['wallet']>['apple']>,
  target: AppleSigningMaterial,
  opts: {
    push: Ctx['services']['apns'];
    batchSize: number;
    concurrency: number;
    lease: RunLease;
    onBatch?: (p: ResignProgress) => void;
  },
): Promise<ResignProgress> {
  const { push, batchSize, concurrency } = opts;
  const signer = target.fingerprint;
  await ctx.store.db.transaction().execute(async (tx) => {
    const previous = await tx.selectFrom('apple_signer').select('fingerprint').where('id', '=', 1).executeTakeFirst();
    if (await recordSigner(ctx, tx, target)) {
      // A new roll: what an earlier roll to this same signer did was undone by the rolls since.
      await tx.deleteFrom('pass_resigns').where('signer', '=', signer).execute();
      await recordEvent(tx, nowIso(ctx), {
        type: 'certificate.rolled',
        actor: 'system',
        subject: `certificate:${signer.slice(0, 16)}`,
        data: {
          fingerprint: signer,
          previous: previous?.fingerprint ?? apple.configured.fingerprint,
          not_after: target.certificate.notAfter.toISOString(),
        },
      });
    }
    // Every live Apple pass, once per signer: a pass added since the last run joins, a finished one stays finished.
    await tx
      .insertInto('pass_resigns')
      .columns(['signer', 'device_id', 'pushed'])
      .expression(
        tx
          .selectFrom('devices')
          .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
          .select((eb) => [eb.val(signer).as('signer'), 'devices.id', eb.val(0).as('pushed')])
          .where('devices.platform', '=', 'apple')
          .where('devices.status', '!=', 'revoked')
          // Keyway's own passes only: an HID badge in Apple Wallet (type 10) is HID's to sign.
          .where('credentials.credential_type_id', '=', WALLET_PASS),
      )
      .onConflict((oc) => oc.columns(['signer', 'device_id']).doNothing())
      .execute();
  });
  await followRecordedSigner(ctx);

  const count = async (done: boolean) =>
    Number(
      (
        await ctx.store.db
          .selectFrom('pass_resigns')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('signer', '=', signer)
          .where('done_at', done ? 'is not' : 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const progress: ResignProgress = {
    signer,
    total: (await count(true)) + (await count(false)),
    done: await count(true),
    pushed: 0,
    queued: 0,
    refused: 0,
    unpushed: 0,
    unrenderable: 0,
    resigned: 0,
  };

  let after = '';
  for (;;) {
    if (opts.lease.lost)
      throw new ResignRunning('another run took the resign lease over (this one stalled); it goes on from here');
    const batch: Pending[] = await ctx.store.db
      .selectFrom('pass_resigns')
      .innerJoin('devices', 'devices.id', 'pass_resigns.device_id')
      .select([
        'pass_resigns.device_id',
        'pass_resigns.pushed',
        'pass_resigns.resigned_at',
        'devices.credential_id',
        'devices.serial_number',
        'devices.status',
        'devices.auth_token_enc',
        'devices.value_enc',
        'devices.revoked_at',
      ])
      .where('pass_resigns.signer', '=', signer)
      .where('pass_resigns.done_at', 'is', null)
      .where('pass_resigns.device_id', '>', after)
      .orderBy('pass_resigns.device_id')
      .limit(batchSize)
      .execute();
    if (batch.length === 0) break;
    after = batch[batch.length - 1].device_id;

    // Signed anew (the pass the web service will now serve), then marked changed before any push:
    // the phone a push wakes asks for passes changed since its last tag, and must find this one.
    const unrenderable = new Map<string, string>();
    for (const p of batch) {
      if (p.status === 'revoked') continue;
      try {
        await servedPass(ctx, apple, { ...p, id: p.device_id });
      } catch (error) {
        if (!(error instanceof UnknownKeyError)) throw error;
        unrenderable.set(p.device_id, 'cannot be signed: made under a secret this server no longer has');
      }
    }
    const at = nowIso(ctx);
    const fresh = batch.filter((p) => p.resigned_at === null && !unrenderable.has(p.device_id));
    if (fresh.length)
      await ctx.store.db.transaction().execute(async (tx) => {
        const ids = fresh.map((p) => p.device_id);
        await tx.updateTable('devices').set({ pass_updated_at: at }).where('id', 'in', ids).execute();
        await tx
          .updateTable('pass_resigns')
          .set({ resigned_at: at })
          .where('signer', '=', signer)
          .where('device_id', 'in', ids)
          .execute();
      });
    progress.resigned += fresh.length;

    const registrations = await ctx.store.db
      .selectFrom('apple_registrations')
      .select(['serial_number', 'device_library_id', 'push_token_enc'])
      .where(
        'serial_number',
        'in',
        batch.map((p) => p.serial_number),
      )
      .orderBy('serial_number')
      .orderBy('device_library_id')
      .execute();

    // Pushes answered while a write is committing are recorded together by the next one (a group
    // commit): each caller still waits for its own record before that pass's next push.
    const record = groupedWrites(ctx, async (tx, items: ProgressWrite[]) => {
      for (const { deviceId, set, also } of items) {
        await tx
          .updateTable('pass_resigns')
          .set({
            ...(set.pushed !== undefined ? { pushed: set.pushed } : {}),
            ...(set.done ? { done_at: nowIso(ctx) } : {}),
            ...(set.error ? { last_error: set.error } : {}),
          })
          .where('signer', '=', signer)
          .where('device_id', '=', deviceId)
          .execute();
        await also?.(tx);
      }
    });
    const queue = [...batch];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const why = unrenderable.get(p.device_id);
        if (why) {
          progress.unrenderable++;
          await record({ deviceId: p.device_id, set: { done: true, error: why } });
          progress.done++;
          continue;
        }
        const serial = p.serial_number;
        const regs = p.status === 'revoked' ? [] : registrations.filter((r) => r.serial_number === serial);
        if (p.pushed >= regs.length) await record({ deviceId: p.device_id, set: { done: true } });
        for (let i = p.pushed; i < regs.length; i++) {
          const reg = regs[i];
          const outcome = push ? await pushOne(ctx, push, reg.push_token_enc) : 'unpushed';
          progress[outcome === 'pushed' || outcome === 'queued' || outcome === 'unpushed' ? outcome : 'refused']++;
          // Recorded before this pass's next push goes: a run killed now sends this one again only
          // if its answer had arrived and this write had not committed.
          const deviceId = p.device_id;
          await record({
            deviceId,
            set: {
              pushed: i + 1,
              done: i + 1 >= regs.length,
              ...(outcome === 'pushed' || outcome === 'queued' ? {} : { error: outcome }),
            },
            also: async (tx) => {
              if (outcome === 'queued') await queuePush(ctx, tx, deviceId, reg.push_token_enc);
              if (outcome.startsWith('APNs 410')) await dropRegistration(tx, reg);
            },
          });
        }
        progress.done++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
    opts.onBatch?.({ ...progress });
  }
  return progress;
}

interface ProgressWrite {
  deviceId: string;
  set: { pushed?: number; done?: boolean; error?: string };
  also?: (tx: Tx) => Promise<void>;
}

/**
 * Writes gathered while the previous one commits, committed together in one transaction; each
 * caller's promise settles when the transaction holding its write has committed.
 */
function groupedWrites<T>(ctx: Ctx, write: (tx: Tx, items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let waiting: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    running = true;
    while (waiting.length) {
      const group = waiting;
      waiting = [];
      try {
        await ctx.store.db.transaction().execute((tx) =>
          write(
            tx,
            group.map((g) => g.item),
          ),
        );
        for (const g of group) g.resolve();
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    running = false;
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!running) void drain();
    });
}

/** One push: `pushed`, `queued` (worth retrying: left to the push queue), or why APNs refused it for good. */
async function pushOne(ctx: Ctx, apns: NonNullable<Ctx['services']['apns']>, tokenEnc: string): Promise<string> {
  try {
    const r = await apns.push(ctx.keys.decrypt(tokenEnc, 'push_token'));
    if (r.status === 200) return 'pushed';
    if (r.status === 410 || r.status === 400) return `APNs ${r.status} ${r.reason ?? ''}`.trim();
    return 'queued';
  } catch {
    return 'queued';
  }
}

async function queuePush(ctx: Ctx, tx: Tx, deviceId: string, tokenEnc: string): Promise<void> {
  const at = nowIso(ctx);
  await tx
    .insertInto('wallet_pushes')
    .values({
      device_id: deviceId,
      kind: 'apns',
      target_enc: tokenEnc,
      attempts: 0,
      next_attempt_at: at,
      claimed_until: null,
      created_at: at,
      done_at: null,
      failed_at: null,
      last_error: null,
    })
    .execute();
}

/** APNs 410: the phone removed the pass; its registration goes, as the push queue does it. */
async function dropRegistration(tx: Tx, reg: { serial_number: string; device_library_id: string }): Promise<void> {
  await tx
    .deleteFrom('apple_registrations')
    .where('device_library_id', '=', reg.device_library_id)
    .where('serial_number', '=', reg.serial_number)
    .execute();
}

/** Where a roll to `signer` stands: passes finished and left, pushes recorded (`/metrics`, the CLI). */
export async function resignStatus(
  ctx: Ctx,
  signer?: string,
): Promise<{ signer: string; done: number; pending: number; pushed: number } | null> {
  const fp =
    signer ??
    (await ctx.store.db.selectFrom('apple_signer').select('fingerprint').where('id', '=', 1).executeTakeFirst())
      ?.fingerprint;
  if (!fp) return null;
  const rows = await ctx.store.db
    .selectFrom('pass_resigns')
    .select((eb) => [
      eb.fn.countAll().as('n'),
      eb.fn.count('done_at').as('done'),
      eb.fn.coalesce(eb.fn.sum<number>('pushed'), eb.val(0)).as('pushed'),
    ])
    .where('signer', '=', fp)
    .executeTakeFirstOrThrow();
  const done = Number(rows.done);
  return { signer: fp, done, pending: Number(rows.n) - done, pushed: Number(rows.pushed) };
}
