import { OpenAPIHono } from '@hono/zod-openapi';
import { createContext, type ContextDeps, type Ctx } from './domain/context.js';
import type { AppEnv } from './http/context.js';
import { notFound, onError } from './http/errors.js';
import { compression } from './http/compress.js';
import { auth, idempotency, loopbackHostOnly, requestBodyLimit, requestContext } from './http/middleware.js';
import { createSenders } from './delivery/senders.js';
import { adminRoutes } from './http/routes/admin.js';
import { passRoutes } from './http/routes/passes.js';
import { systemRoutes, type ReadinessCheck } from './http/routes/system.js';
import { widgetRoutes } from './http/routes/widgets.js';
import { verificationRoutes } from './http/routes/verifications.js';
import { accessRoutes } from './http/routes/access.js';
import { appleWebServiceRoutes } from './http/routes/apple-web-service.js';
import { webhookRoutes } from './http/routes/webhooks.js';
import { StatusHub } from './domain/status-hub.js';
import { startBackgroundWork } from './domain/background.js';
import { streamRoutes } from './http/routes/stream.js';
import { googleCallbackRoutes } from './http/routes/google-callback.js';
import { pageRoutes } from './pages/routes.js';
import type { DemoConsoleKeys } from './pages/demo-keys.js';
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
  /** The lifecycle's timers (expiry sweep, housekeeping); the server process runs them. */
  startTimers(): void;
  stop(): Promise<void>;
}


/** Builds the Hono app over injected parts, so tests run it through `app.request()`. */
export function createApp(deps: AppDeps): KeywayApp {
  // Senders come from configuration unless injected: the dev ones never run in production (SPEC §7).
  const senders = deps.mailer && deps.sms ? undefined : createSenders(deps.config, deps.store);
  const ctx = createContext({ ...deps, mailer: deps.mailer ?? senders?.mailer, sms: deps.sms ?? senders?.sms });
  const log = ctx.log;

  const app = new OpenAPIHono<AppEnv>({ strict: true });
  app.use('*', requestContext(log, deps.config.trustProxy));
  app.use('*', requestBodyLimit(deps.config.bodyLimit)); // before auth: a stranger's 20 MB is never read (SPEC §7)
  app.use('*', compression());
  if (deps.config.dev) for (const path of ['/', '/demo/*', '/dev/*']) app.use(path, loopbackHostOnly());
  app.use('/api/3/*', auth(ctx));
  app.on('POST', '/api/3/*', idempotency(ctx)); // Idempotency-Key is a POST matter (SPEC §2)
  const signer: ReadinessCheck[] = deps.config.passes ? [{ name: 'signer', check: async () => signerProblem(ctx.wallet, true, ctx.clock.now()) }] : [];
  systemRoutes(app, ctx, [...(deps.readiness ?? []), ...signer]);
  adminRoutes(app, ctx);
  widgetRoutes(app, ctx);
  passRoutes(app, ctx);
  verificationRoutes(app, ctx);
  accessRoutes(app, ctx);
  appleWebServiceRoutes(app, ctx);
  webhookRoutes(app, ctx);
  googleCallbackRoutes(app, ctx);
  const hub = new StatusHub(ctx);
  streamRoutes(app, ctx, hub);
  pageRoutes(app, ctx, { demoKeys: deps.demo, cdnDir: deps.cdnDir });
  app.onError(onError(log));
  app.notFound(notFound(app));

  let stopBackground: (() => Promise<void>) | undefined;
  return {
    app,
    ctx,
    hub,
    startTimers() {
      stopBackground ??= startBackgroundWork(ctx);
    },
    async stop() {
      // Claimed webhook attempts finish before the process goes (docs/operations.md).
      await stopBackground?.();
      stopBackground = undefined;
      await hub.close();
      ctx.bus.removeAllListeners();
    },
  };
}
