import { OpenAPIHono } from '@hono/zod-openapi';
import { createSenders } from './delivery/senders.js';
import { type ContextDeps, type Ctx, createContext } from './domain/context.js';
import { hidConfigured, hidReadiness } from './domain/hid/origo.js';
import { startBackgroundWork } from './domain/housekeeping/background.js';
import { StatusHub } from './domain/status-hub.js';
import { followRecordedSigner } from './domain/wallets/signer.js';
import type { AppEnv } from './http/context.js';
import { notFound, onError } from './http/errors.js';
import { auth, idempotency, loopbackHostOnly, loopbackPeerOnly, requestEdge } from './http/middleware.js';
import { accessRoutes } from './http/routes/access.js';
import { appleWebServiceRoutes } from './http/routes/apple-web-service.js';
import { consoleSessionRoutes } from './http/routes/console-session.js';
import { credentialRoutes } from './http/routes/credentials.js';
import { eventRoutes } from './http/routes/events.js';
import { googleCallbackRoutes } from './http/routes/google-callback.js';
import { handoffRoutes } from './http/routes/handoffs.js';
import { hidCallbackRoutes } from './http/routes/hid-callback.js';
import { invitationRoutes } from './http/routes/invitations.js';
import { metricsRoute, watchCertificates, watchState } from './http/routes/metrics.js';
import { passRoutes } from './http/routes/passes.js';
import { IMPORT_BODY_LIMIT, IMPORT_PATH, peopleRoutes } from './http/routes/people.js';
import { sessionRoutes } from './http/routes/sessions.js';
import { staffRoutes } from './http/routes/staff.js';
import { type ReadinessCheck, systemRoutes } from './http/routes/system.js';
import { verificationRoutes } from './http/routes/verifications.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { sharedLimits } from './http/shared-limits.js';
import { statusStreamRoutes } from './http/status-stream.js';
import { createMetrics } from './metrics.js';
import { consolePageRoutes } from './pages/console-page.js';
import type { DemoConsoleKeys } from './pages/demo-keys.js';
import { pageRoutes } from './pages/routes.js';
import type { StopWorker } from './storage/outbox.js';
import { signerProblem } from './wallet/runtime.js';

export interface AppDeps extends ContextDeps {
  readiness?: ReadinessCheck[];
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
  /**
   * The background workers (outbox, messages, wallet pushes: claimed rows, safe anywhere) and, with
   * `sweeps` (default), the periodic sweeps; one cluster worker per machine runs those.
   */
  startTimers(opts?: { sweeps?: boolean }): void;
  /** Shutdown has begun: /readyz answers 503 and answers close their connection. */
  draining(): void;
  /** Stops the workers: work in flight is waited for until `abandon` fires, then aborted. */
  stop(opts?: { abandon?: AbortSignal }): Promise<void>;
}

/** Builds the Hono app over injected parts, so tests run it through `app.request()`. */
export function createApp(deps: AppDeps): KeywayApp {
  // Senders come from configuration unless injected: the dev ones never run in production (docs/security.md).
  const senders = deps.mailer && deps.sms ? undefined : createSenders(deps.config, deps.store);
  const ctx = createContext({ ...deps, mailer: deps.mailer ?? senders?.mailer, sms: deps.sms ?? senders?.sms });
  ctx.metrics = createMetrics();
  const log = ctx.log;

  const app = new OpenAPIHono<AppEnv>({ strict: true });
  let draining = false;
  // Request id, body limit (before auth: a stranger's 20 MB is never read, docs/security.md), compression, drain, metrics, log.
  app.use(
    '*',
    requestEdge({
      log,
      trustProxy: deps.config.trustProxy,
      metrics: ctx.metrics,
      bodyLimit: deps.config.bodyLimit,
      largeBodies: { [IMPORT_PATH]: IMPORT_BODY_LIMIT },
      draining: () => draining,
    }),
  );
  if (deps.config.dev) for (const path of ['/', '/demo/*', '/dev/*']) app.use(path, loopbackHostOnly());
  if (deps.config.dev) app.use('/dev/*', loopbackPeerOnly());
  app.use('/api/3/*', auth(ctx));
  app.on('POST', '/api/3/*', idempotency(ctx)); // Idempotency-Key is a POST matter (docs/api.md)
  const signer: ReadinessCheck[] = deps.config.passes
    ? [
        {
          name: 'signer',
          check: async () => {
            await followRecordedSigner(ctx).catch(() => undefined); // the database check says why
            return signerProblem(ctx.wallet, true, ctx.clock.now());
          },
        },
      ]
    : [];
  const shutdown: ReadinessCheck = { name: 'shutdown', check: async () => (draining ? 'draining' : null) };
  // Reported, not gating: without Origo only type 8 suffers, and its calls answer 503 themselves.
  const hid: ReadinessCheck[] = hidConfigured(ctx)
    ? [{ name: 'hid_origo', advisory: true, check: () => hidReadiness(ctx) }]
    : [];
  systemRoutes(app, ctx, [...(deps.readiness ?? []), ...signer, ...hid, shutdown]);
  // One file per resource (docs/api.md); the hosted pages come last.
  const hub = new StatusHub(ctx);
  // Stream and /log caps for the whole deployment: in the cluster primary when workers share the port.
  const limits = sharedLimits(() => ctx.clock.now().getTime());
  peopleRoutes(app, ctx);
  credentialRoutes(app, ctx);
  statusStreamRoutes(app, ctx, hub, limits);
  invitationRoutes(app, ctx);
  sessionRoutes(app, ctx);
  eventRoutes(app, ctx);
  passRoutes(app, ctx);
  handoffRoutes(app, ctx);
  verificationRoutes(app, ctx);
  accessRoutes(app, ctx);
  webhookRoutes(app, ctx);
  appleWebServiceRoutes(app, ctx, limits);
  googleCallbackRoutes(app, ctx);
  watchState(ctx.metrics, ctx.store, () => hub.size);
  watchCertificates(ctx.metrics, ctx);
  metricsRoute(app, ctx);
  hidCallbackRoutes(app, ctx);
  staffRoutes(app, ctx);
  consoleSessionRoutes(app, ctx);
  consolePageRoutes(app, ctx);
  pageRoutes(app, ctx, { demoKeys: deps.demo, cdnDir: deps.cdnDir });
  app.onError(onError(log));
  app.notFound(notFound(app));

  let stopBackground: StopWorker | undefined;
  return {
    app,
    ctx,
    hub,
    draining() {
      draining = true;
    },
    startTimers({ sweeps = true } = {}) {
      stopBackground ??= startBackgroundWork(ctx, { sweeps });
    },
    async stop(opts) {
      // Claimed attempts finish before the process goes, unless stuck past `abandon` (docs/architecture.md).
      await stopBackground?.(opts);
      stopBackground = undefined;
      await hub.close();
      ctx.bus.removeAllListeners();
      ctx.stop();
    },
  };
}
