// What the server process runs besides requests: the three outbox workers and the timed sweeps.
import { deliverDueMessages as deliverQueuedMessages, startDeliveryWorker, type OnDelivered } from '../delivery/queue.js';
import { startWebhookDispatcher } from '../webhooks/dispatcher.js';
import type { Ctx } from './context.js';
import { sweepExpiredInvitations } from './sweeps.js';
import { startWalletWorker } from './wallet-pushes.js';
import { sweepRevocations } from './sweeps.js';
import { pruneIdempotency } from './idempotency.js';
import { markInvitationEmailed } from './invitations.js';
import { sweepPendingDevices } from './sweeps.js';
import { pruneRateCounters } from './rate-limits.js';
import { sendInvitationReminders } from './reminders.js';
import { startHidWorker } from './hid-credentials.js';

/** What the domain records once a queued message of a purpose went out. */
const ON_MESSAGE_DELIVERED: OnDelivered = { invitation: markInvitationEmailed };

/** Delivers every due queued message once (tests call this instead of waiting for the worker). */
export const deliverDueMessages = (ctx: Ctx): Promise<number> => deliverQueuedMessages(ctx, ON_MESSAGE_DELIVERED);

/** Starts the workers and timers; the returned stop waits for work already claimed (docs/operations.md). */
export function startBackgroundWork(ctx: Ctx): () => Promise<void> {
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<unknown>, name: string) => {
    const t = setInterval(() => {
      task().catch((err: Error) => ctx.log({ level: 'error', msg: `${name} failed`, error: err.message }));
    }, ms);
    t.unref();
    timers.push(t);
  };
  every(30_000, () => sweepExpiredInvitations(ctx), 'expiry sweep');
  every(60_000, () => sweepPendingDevices(ctx), 'pending device sweep');
  every(10 * 60_000, async () => {
    await pruneRateCounters(ctx);
    await pruneIdempotency(ctx);
  }, 'housekeeping');
  void sweepExpiredInvitations(ctx).catch(() => undefined);
  const stoppers = [startDeliveryWorker(ctx, ON_MESSAGE_DELIVERED), startWalletWorker(ctx)];
  every(60_000, () => sweepRevocations(ctx), 'revocation sweep');
  every(10 * 60_000, () => sendInvitationReminders(ctx), 'invitation reminders');
  stoppers.push(startWebhookDispatcher(ctx));
  stoppers.push(startHidWorker(ctx));
  return async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(stoppers.map((stop) => stop()));
  };
}
