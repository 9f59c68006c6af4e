import { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from './config.js';
import { createKeyRing, cryptoRandom, type RandomSource } from './crypto/secrets.js';
import { devMailer, devSms, type Mailer, type SmsSender } from './delivery/senders.js';
import { StatusBus, systemClock, type Clock, type Ctx } from './domain/context.js';
import { sweepExpiredInvitations } from './domain/credentials.js';
import { sweepPendingDevices } from './domain/passes.js';
import { pruneIdempotency } from './domain/idempotency.js';
import { pruneRateCounters } from './domain/rate-limits.js';
import type { AppEnv } from './http/context.js';
import { notFound, onError } from './http/errors.js';
import { auth, idempotency, requestContext } from './http/middleware.js';
import { adminRoutes } from './http/routes/admin.js';
import { passRoutes } from './http/routes/passes.js';
import { systemRoutes, type ReadinessCheck } from './http/routes/system.js';
import { widgetRoutes } from './http/routes/widgets.js';
import { verificationRoutes } from './http/routes/verifications.js';
import { accessRoutes } from './http/routes/access.js';
import { appleWebServiceRoutes } from './http/routes/apple-web-service.js';
import { startWalletWorker, sweepRevocations } from './domain/devices.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { startWebhookDispatcher } from './webhooks/dispatcher.js';
import { StatusHub } from './domain/status-hub.js';
import { jsonLog } from './log.js';
import { streamRoutes } from './http/routes/stream.js';
import { googleCallbackRoutes } from './http/routes/google-callback.js';
import { sendInvitationReminders } from './domain/reminders.js';
import { startDeliveryWorker } from './delivery/queue.js';
import { pageRoutes } from './pages/routes.js';
import { hidConfigured, hidReadiness, startHidWorker } from './domain/hid-credentials.js';
import { hidCallbackRoutes } from './http/routes/hid-callback.js';
import type { DemoConsoleKeys } from './pages/demo-keys.js';
import type { Store } from './storage/db.js';
import { signerProblem, type WalletRuntime } from './wallet/runtime.js';

export interface AppDeps {
  config: Config;
  store: Store;
  /** KEYWAY_SECRET (base64); tests pass a fixed one. */
  secret: string;
  secretPrevious?: string;
  clock?: Clock;
  random?: RandomSource;
  mailer?: Mailer;
  sms?: SmsSender;
  log?: (record: Record<string, unknown>) => void;
  readiness?: ReadinessCheck[];
  /** Pass signing material from loadWalletRuntime (main.ts) or made in a temp dir (tests). */
  wallet?: WalletRuntime | null;
  /** The demo operator's keys for the dev console at `/` (main.ts learns them after start-up). */
  demo?: () => DemoConsoleKeys | null;
  /** The CDN build served under /cdn (default dist/cdn). */
  cdnDir?: string;
}

export interface KeywayApp {
  app: OpenAPIHono<AppEnv>;
  ctx: Ctx;
  /** Live status fan-out (SSE subscribers of this process). */
  hub: StatusHub;
  /** The lifecycle's timers (expiry sweep, housekeeping); the server process runs them. */
  startTimers(): void;
  stop(): Promise<void>;
}


/** Builds the Hono app over injected parts, so tests run it through `app.request()`. */
export function createApp(deps: AppDeps): KeywayApp {
  const log = deps.log ?? jsonLog;
  const ctx: Ctx = {
    store: deps.store,
    keys: createKeyRing(deps.secret, deps.secretPrevious),
    clock: deps.clock ?? systemClock,
    random: deps.random ?? cryptoRandom,
    config: deps.config,
    bus: new StatusBus(),
    mailer: deps.mailer ?? devMailer(deps.store),
    sms: deps.sms ?? devSms(deps.store),
    log,
    wallet: deps.wallet ?? null,
  };
  ctx.bus.setMaxListeners(0);

  const app = new OpenAPIHono<AppEnv>({ strict: true });
  app.use('*', requestContext(log, deps.config.trustProxy));
  app.use('/api/3/*', auth(ctx));
  app.on('POST', '/api/3/*', idempotency(ctx)); // Idempotency-Key is a POST matter (SPEC §2)
  const signer: ReadinessCheck[] = deps.config.passes ? [{ name: 'signer', check: async () => signerProblem(ctx.wallet, true, ctx.clock.now()) }] : [];
  // Reported, not gating: without Origo only type 8 suffers, and its calls answer 503 themselves.
  const hid: ReadinessCheck[] = hidConfigured(ctx) ? [{ name: 'hid_origo', advisory: true, check: () => hidReadiness(ctx) }] : [];
  systemRoutes(app, ctx, [...(deps.readiness ?? []), ...signer, ...hid]);
  adminRoutes(app, ctx);
  widgetRoutes(app, ctx);
  passRoutes(app, ctx);
  verificationRoutes(app, ctx);
  accessRoutes(app, ctx);
  appleWebServiceRoutes(app, ctx);
  webhookRoutes(app, ctx);
  googleCallbackRoutes(app, ctx);
  hidCallbackRoutes(app, ctx);
  const hub = new StatusHub(ctx);
  streamRoutes(app, ctx, hub);
  pageRoutes(app, ctx, { demoKeys: deps.demo, cdnDir: deps.cdnDir });
  app.onError(onError(log));
  app.notFound(notFound);

  const timers: NodeJS.Timeout[] = [];
  const stoppers: (() => void | Promise<void>)[] = [];
  return {
    app,
    ctx,
    hub,
    startTimers() {
      const every = (ms: number, task: () => Promise<unknown>, name: string) => {
        const t = setInterval(() => {
          task().catch((err: Error) => log({ level: 'error', msg: `${name} failed`, error: err.message }));
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
      stoppers.push(startDeliveryWorker(ctx));
      stoppers.push(startWalletWorker(ctx));
      every(60_000, () => sweepRevocations(ctx), 'revocation sweep');
      every(10 * 60_000, () => sendInvitationReminders(ctx), 'invitation reminders');
      stoppers.push(startWebhookDispatcher(ctx));
      stoppers.push(startHidWorker(ctx));
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      // Claimed webhook attempts finish before the process goes (SPEC §9).
      await Promise.all(stoppers.splice(0).map((stop) => stop()));
      await hub.close();
      ctx.bus.removeAllListeners();
    },
  };
}
