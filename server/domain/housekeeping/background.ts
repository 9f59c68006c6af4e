// What the server process runs besides requests: the three outbox workers and the timed sweeps.
import {
  deliverDueMessages as deliverQueuedMessages,
  type OnDelivered,
  startDeliveryWorker,
} from '../../delivery/queue.js';
import type { StopWorker } from '../../storage/outbox.js';
import { startWebhookDispatcher } from '../../webhooks/dispatcher.js';
import { startAuditSealer } from '../audit/chain.js';
import { pruneIdempotency } from '../callers/idempotency.js';
import type { Ctx } from '../context.js';
import { sweepExpiredInvitations, sweepPendingDevices, sweepRevocations } from '../credentials/sweeps.js';
import { startHidWorker } from '../hid/sync.js';
import { markInvitationEmailed } from '../invitations/invitations.js';
import { sendInvitationReminders } from '../invitations/reminders.js';
import { pruneRateCounters } from '../rate-limits.js';
import { announceExpiringCertificates } from '../wallets/certificate-expiry.js';
import { pollPendingGoogleDevices } from '../wallets/google-poll.js';
import { startWalletWorker } from '../wallets/pushes.js';
import { pruneRetained } from './retention.js';

/** What the domain records once a queued message of a purpose went out. */
const ON_MESSAGE_DELIVERED: OnDelivered = { invitation: markInvitationEmailed };

/** Delivers every due queued message once (tests call this instead of waiting for the worker). */
export const deliverDueMessages = (ctx: Ctx): Promise<number> => deliverQueuedMessages(ctx, ON_MESSAGE_DELIVERED);

/** The housekeeping timer's work: what has served its purpose leaves the database. */
export async function runHousekeeping(ctx: Ctx): Promise<void> {
  await pruneRateCounters(ctx);
  await pruneIdempotency(ctx);
  await pruneRetained(ctx);
}

/**
 * Starts the workers and, with `sweeps`, the timed sweeps (each a compare-and-set per row, so
 * several instances may sweep at once; one cluster worker per machine avoids doing it n times).
 * The returned stop waits for work already claimed until `abandon` fires, then aborts what is
 * still in flight (docs/architecture.md): shutdown never waits on a stuck destination.
 */
export function startBackgroundWork(ctx: Ctx, { sweeps = true }: { sweeps?: boolean } = {}): StopWorker {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<unknown>, name: string) => {
    const t = setInterval(() => {
      task().catch((err: Error) => ctx.log({ level: 'error', msg: `${name} failed`, error: err.message }));
    }, ms);
    t.unref();
    timers.push(t);
  };
  if (sweeps) {
    every(30_000, () => sweepExpiredInvitations(ctx), 'expiry sweep');
    every(60_000, () => sweepPendingDevices(ctx), 'pending device sweep');
    every(10 * 60_000, () => runHousekeeping(ctx), 'housekeeping');
    void sweepExpiredInvitations(ctx).catch(() => undefined);
    every(60_000, () => sweepRevocations(ctx), 'revocation sweep');
    every(60_000, () => announceExpiringCertificates(ctx), 'certificate expiry');
    void announceExpiringCertificates(ctx).catch(() => undefined);
    every(10 * 60_000, () => sendInvitationReminders(ctx), 'invitation reminders');
    // The fallback for missed Google save callbacks (KEYWAY_GOOGLE_POLL_S, with the REST API only).
    if (ctx.wallet?.google?.rest)
      every(ctx.config.google.pollSeconds * 1000, () => pollPendingGoogleDevices(ctx), 'google object poll');
  }
  // Claimed rows (a lease each): safe in every worker of every instance, and they share the load.
  const stoppers: StopWorker[] = [
    startDeliveryWorker(ctx, ON_MESSAGE_DELIVERED),
    startWalletWorker(ctx),
    startWebhookDispatcher(ctx),
  ];
  // One sealer at a time (SPEC §15): on SQLite the process that sweeps; on PostgreSQL every instance's
  // sweeping worker tries, and an advisory lock lets one seal.
  if (sweeps) stoppers.push(startAuditSealer(ctx));
  stoppers.push(startHidWorker(ctx)); // read-backs are claimed per credential (a compare-and-set), so every worker may run it
  return async (opts) => {
    for (const t of timers) clearInterval(t);
    await Promise.all(stoppers.map((stop) => stop(opts)));
  };
}
