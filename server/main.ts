import cluster from 'node:cluster';
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig, UNSIGNED_SMS_GATEWAY, unsignedSmsGateway } from './config.js';
import { createSenders } from './delivery/senders.js';
import { ensureDemoKeys, ensureHostedKey, maskKey } from './domain/callers/keys.js';
import { type Ctx, createContext } from './domain/context.js';
import { ApiError } from './domain/errors.js';
import { seedDemoPeople } from './domain/people/demo-people.js';
import { inviteStaff } from './domain/staff/staff.js';
import { limitCounts, serveLimits } from './http/shared-limits.js';
import { flushLog, jsonLog } from './log.js';
import { WalletConfigError, walletFix } from './messages/wallet.js';
import { type DemoConsoleKeys, recallDemoKeys, rememberDemoKeys } from './pages/demo-keys.js';
import { openMigratedStore, resolveSecret } from './runtime.js';
import { loadWalletRuntime } from './wallet/runtime.js';

const HELP = `keyway — provisioning server for wallet door passes

Usage: npx keyway <command> [options]

Commands:
  serve                 run the server (KEYWAY_ENV defaults to production)
  start                 run the server in development (what \`npm start\` runs)
  migrate               apply pending database migrations and exit
  keys create|list|revoke   manage secret (sk_) and publishable (pk_) keys
  certs dev|import      make dev signing certificates, or import a .p12
  secrets rotate        re-encrypt everything under KEYWAY_SECRET (after a secret change)
  doctor                check this configuration as the server will use it (--json)
  passes doctor <file | credential id>   why a pass would not open
  passes resign         roll the Apple certificate to KEYWAY_APPLE_NEXT_CERT/KEY, re-sign and push every pass
  audit verify|export   check the audit log's hash chain; export it as JSON lines
  staff invite|list|disable   staff of the console at /console (passkeys; see docs/console.md)

Every command reads the environment variables in the README's configuration table.
Run \`npx keyway <command> --help\` for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'serve':
      return runServer(rest, 'production');
    case 'start':
      return runServer(rest, 'development');
    case 'migrate':
      return runMigrate(rest);
    case 'keys': {
      const { runKeysCommand } = await import('./cli/keys.js');
      return runKeysCommand(rest, process.env);
    }
    case 'certs': {
      const { runCertsCommand } = await import('./cli/certs.js');
      return runCertsCommand(rest, process.env);
    }
    case 'staff': {
      const { runStaffCommand } = await import('./cli/staff.js');
      return runStaffCommand(rest, process.env);
    }
    case 'secrets': {
      const { runSecretsCommand } = await import('./cli/secrets.js');
      return runSecretsCommand(rest, process.env);
    }
    case 'doctor': {
      const { runDoctorCommand } = await import('./cli/doctor.js');
      return runDoctorCommand(rest, process.env);
    }
    case 'passes': {
      const { runPassesCommand } = await import('./cli/passes.js');
      return runPassesCommand(rest, process.env);
    }
    case 'audit': {
      const { runAuditCommand } = await import('./cli/audit.js');
      return runAuditCommand(rest, process.env);
    }
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 1;
  }
}

async function runServer(args: string[], mode: 'development' | 'production'): Promise<number> {
  if (args.includes('--help')) {
    console.log(
      `Usage: npx keyway ${mode === 'production' ? 'serve' : 'start'} [--workers <n>|auto]\n\nRuns the server on PORT (${mode} unless KEYWAY_ENV says otherwise).\n  --workers <n>|auto   worker processes sharing the port (node:cluster; default KEYWAY_WORKERS or 1)\nConfiguration: see the README.`,
    );
    return 0;
  }
  const { values } = parseArgs({ args, options: { workers: { type: 'string' } } });
  let env = values.workers ? { ...process.env, KEYWAY_WORKERS: values.workers } : process.env;
  if (cluster.isWorker && process.env.KEYWAY_SECRET_FROM_PRIMARY === '1')
    env = { ...env, ...(await secretsFromPrimary()) };
  const config = loadConfig(env, mode);
  const workers = config.workers === 'auto' ? os.availableParallelism() : config.workers;
  if (cluster.isPrimary && workers > 1) return runPrimary(config, workers);
  return runWorker(config);
}

/**
 * A worker asks its primary for KEYWAY_SECRET (and the previous one) over the IPC channel, so the secret is
 * in no worker's environment (/proc/<pid>/environ, a crash dump's env) (docs/security.md).
 */
function secretsFromPrimary(): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; secret?: string; previous?: string }) => {
      if (m?.type !== 'keyway-secret' || !m.secret) return;
      process.off('message', onMessage);
      resolve({ KEYWAY_SECRET: m.secret, ...(m.previous ? { KEYWAY_SECRET_PREVIOUS: m.previous } : {}) });
    };
    process.on('message', onMessage);
    process.send?.({ type: 'keyway-secret?' });
  });
}

/** Start-up work done once however many workers serve: migrations, the hosted key, the demo keys. */
async function prepareDatabase(config: Config, ctx: Ctx): Promise<DemoConsoleKeys | null> {
  await ensureHostedKey(ctx);
  const demo = config.dev ? await ensureDemoKeys(ctx) : null;
  if (!config.dev) return null;
  // The demo console at / needs the keys in the browser; keys are stored hashed, so keep the pair.
  if (demo && (demo.generated.secret || demo.generated.publishable)) rememberDemoKeys(config.dataDir, demo);
  if (demo) printDemoKeys(demo);
  // A fresh database (its demo keys made just now) gets two people with a pass each, so the demo is not empty.
  if (demo && config.demo.people) {
    const people = await seedDemoPeople(ctx);
    demoLines.push(
      `  Demo people: ${people.map((p) => `${p.name} (#${p.id})`).join(', ')}, a wallet pass each (KEYWAY_DEMO_PEOPLE=off: none)`,
    );
  }
  // A console link for a demo admin (loopback only, as the demo keys are); used on localhost (WebAuthn refuses IPs).
  const { enrolment_url } = await inviteStaff(
    ctx,
    { email: DEMO_ADMIN, role: 'admin', displayName: 'Demo admin' },
    'system',
  );
  const port = new URL(config.publicUrl).port || String(config.port);
  demoLines.push(
    `  Console (demo admin, one-time link): ${enrolment_url.replace(/^https?:\/\/[^/]+/, `http://localhost:${port}`)}`,
  );
  return demo
    ? { secretKey: demo.secretKey, publishableKey: demo.publishableKey }
    : recallDemoKeys(config.dataDir, config.demo);
}

function printBanner(config: Config, port: number, workers: number): void {
  const url = config.dev ? `http://127.0.0.1:${port}` : config.publicUrl;
  flushLog(); // start-up records before the banner
  console.log(
    `Keyway ${config.env} server listening on ${config.host}:${port} — ${url}${workers > 1 ? ` (${workers} workers)` : ''}`,
  );
  if (unsignedSmsGateway(config))
    console.warn(
      `!! ${UNSIGNED_SMS_GATEWAY} Set it to whsec_$(openssl rand -base64 32) and verify it there (docs/sms.md).`,
    );
  if (config.dev) {
    console.log(
      `  Demo: ${url}/    hosted page: ${url}/p    API reference: ${url}/docs    dev outbox: ${url}/dev/outbox`,
    );
    if (config.host !== '127.0.0.1')
      console.warn(
        '!! KEYWAY_DEV_EXPOSE=1: the development server (demo keys, dev outbox) is reachable from other machines. Never do this on a shared network.',
      );
  }
}

let demoLines: string[] = [];
const DEMO_ADMIN = 'admin@demo.localhost';
function printDemoKeys(demo: Awaited<ReturnType<typeof ensureDemoKeys>> & object): void {
  demoLines = [
    `  Demo secret key:      ${demo.generated.secret ? demo.secretKey : maskKey(demo.secretKey)}${demo.generated.secret ? '   (shown once; store it now)' : ''}`,
    `  Demo publishable key: ${demo.generated.publishable ? demo.publishableKey : maskKey(demo.publishableKey)}`,
  ];
}

/**
 * The cluster primary (KEYWAY_WORKERS > 1): prepares the database once, forks the workers onto one
 * port, replaces a worker that dies, and on SIGTERM passes it on and waits for them all to drain.
 * One worker runs the periodic sweeps (each sweep is a compare-and-set per row, so several
 * instances may run them too; one per machine avoids doing the work n times).
 */
const FAILED_STARTS = 3;

async function runPrimary(config: Config, workers: number): Promise<number> {
  const secret = resolveSecret(config);
  // Handed to each worker on request (secretsFromPrimary), never through the environment it inherits.
  delete process.env.KEYWAY_SECRET;
  delete process.env.KEYWAY_SECRET_PREVIOUS;
  // Signing material once, before any worker: dev certificates made on a first start by two workers at
  // once were two halves of different chains (the pass certificate not issued by the WWDR beside it).
  const wallet = loadWalletRuntime(config);
  for (const warning of wallet?.warnings ?? []) jsonLog({ level: 'warn', msg: 'wallet', warning });
  const { store, applied } = await openMigratedStore(config, jsonLog);
  if (applied.length) jsonLog({ level: 'info', msg: 'migrations applied', migrations: applied });
  const ctx = createContext({ config, store, secret, secretPrevious: config.secretPrevious });
  await prepareDatabase(config, ctx);
  ctx.stop();
  await store.close();

  let stopping = false;
  let port = config.port;
  // The stream and /log caps every worker shares (http/shared-limits.ts): kept here, asked over IPC.
  const limits = limitCounts();
  // A worker that dies before it listens (the port taken, the database refusing) would die again:
  // replacements wait a little longer each time, and after FAILED_STARTS in a row the primary gives up.
  let failedStarts = 0;
  const fork = (sweeps: boolean) => {
    // PORT=0: the first worker's port is every later worker's, so replacements join the same one.
    const worker = cluster.fork({
      KEYWAY_SECRET_FROM_PRIMARY: '1',
      KEYWAY_WORKER_SWEEPS: sweeps ? '1' : '0',
      PORT: String(port),
    });
    worker.on('message', (m: { type?: string }) => {
      if (m?.type === 'keyway-secret?') worker.send({ type: 'keyway-secret', secret, previous: config.secretPrevious });
    });
    serveLimits(worker, limits);
    let listened = false;
    worker.once('listening', () => {
      listened = true;
      failedStarts = 0;
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      if (!listened && ++failedStarts >= FAILED_STARTS) {
        stopping = true;
        jsonLog({
          level: 'error',
          msg: `workers failed to start ${failedStarts} times in a row; stopping (see the errors above)`,
          code,
          signal,
        });
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        flushLog();
        process.exit(1);
      }
      jsonLog({ level: 'error', msg: 'worker exited; starting another', code, signal });
      setTimeout(() => fork(sweeps), listened ? 0 : failedStarts * 500);
    });
    return worker;
  };
  const started = Array.from({ length: workers }, (_, i) => fork(i === 0));
  await new Promise<void>((resolve) => {
    let listening = 0;
    for (const w of started)
      w.once('listening', (address) => {
        port = address.port;
        if (++listening === workers) resolve();
      });
  });
  printBanner(config, port, workers);
  for (const line of demoLines) console.log(line);

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    jsonLog({ level: 'info', msg: 'shutting down', signal, workers: Object.keys(cluster.workers ?? {}).length });
    flushLog();
    const all = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = all.length;
    if (left === 0) process.exit(0);
    for (const w of all) {
      w.once('exit', () => {
        if (--left === 0) process.exit(0);
      });
      w.process.kill(signal);
    }
    // The workers keep their own grace; this is the backstop.
    setTimeout(() => process.exit(1), (config.shutdownDelaySeconds + config.shutdownGraceSeconds + 2) * 1000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return -1;
}

/** One serving process: the whole server when alone, or a cluster worker. */
async function runWorker(config: Config): Promise<number> {
  const secret = resolveSecret(config);
  // Signing material before the database: a bad certificate stops the start with its variable named.
  const wallet = loadWalletRuntime(config);
  if (cluster.isPrimary)
    for (const warning of wallet?.warnings ?? []) jsonLog({ level: 'warn', msg: 'wallet', warning }); // a worker's were logged by its primary
  const { store, applied } = await openMigratedStore(config, jsonLog);
  let demoConsole: DemoConsoleKeys | null = null;
  const keyway = createApp({
    config,
    store,
    secret,
    secretPrevious: config.secretPrevious,
    wallet,
    ...createSenders(config, store),
    demo: () => demoConsole,
  });
  const { ctx } = keyway;
  if (applied.length) jsonLog({ level: 'info', msg: 'migrations applied', migrations: applied });

  const server = serve({ fetch: keyway.app.fetch, port: config.port, hostname: config.host });
  const connections = drainable(server as unknown as http.Server);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // PORT=0 picks a free port: links and the hosted page's origin must carry the real one.
  if (!config.raw.PUBLIC_URL && config.port === 0) config.publicUrl = `http://127.0.0.1:${port}`;
  if (cluster.isPrimary) {
    demoConsole = await prepareDatabase(config, ctx);
  } else if (config.dev) {
    demoConsole = recallDemoKeys(config.dataDir, config.demo);
  }
  keyway.startTimers({ sweeps: cluster.isPrimary || process.env.KEYWAY_WORKER_SWEEPS === '1' });
  if (cluster.isPrimary) {
    printBanner(config, port, 1);
    for (const line of demoLines) console.log(line);
  }

  /**
   * SIGTERM (docs/deploy.md): tell load balancers through /readyz and keep accepting for
   * KEYWAY_SHUTDOWN_DELAY, then stop accepting, end streams with a short `retry:`, let requests in
   * flight finish, finish claimed outbox rows, and exit within KEYWAY_SHUTDOWN_DELAY +
   * KEYWAY_SHUTDOWN_GRACE whatever happens.
   */
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = config.shutdownGraceSeconds * 1000;
    const delayMs = config.shutdownDelaySeconds * 1000;
    // Outbound attempts still running half-way through the grace are abandoned (left to their
    // retries), so the store closes and the process exits 0 within it (docs/deploy.md).
    const abandon = AbortSignal.timeout(delayMs + graceMs / 2);
    setTimeout(() => {
      jsonLog({
        level: 'warn',
        msg: 'shutdown grace over; exiting with work unfinished',
        grace_s: config.shutdownGraceSeconds,
      });
      flushLog();
      process.exit(1);
    }, delayMs + graceMs).unref();
    jsonLog({ level: 'info', msg: 'shutting down', signal, delay_s: config.shutdownDelaySeconds });
    keyway.draining();
    // Still accepting while /readyz says 503, until the load balancer has noticed: a request routed
    // here meanwhile is answered (with `Connection: close`) instead of finding the port closed.
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const closed = connections.drain();
    keyway.hub.endSubscriptions();
    await closed;
    await keyway.stop({ abandon });
    await store.close();
    jsonLog({ level: 'info', msg: 'stopped' });
    flushLog();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return -1; // keep running
}

/**
 * Tracks the server's connections so shutdown can drain them: drain() stops listening and lets
 * every connection finish what it was asked — it closes once its answers are out (answers carry
 * `Connection: close` while draining) or, if it never sent a request, after a second. Node's own
 * server.close() also drops connections whose first request is still arriving, losing requests
 * the kernel had already accepted.
 */
function drainable(server: http.Server): { drain: () => Promise<void> } {
  const sockets = new Map<net.Socket, { opened: number; busy: number; served: number }>();
  server.on('connection', (socket: net.Socket) => {
    sockets.set(socket, { opened: Date.now(), busy: 0, served: 0 });
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const state = sockets.get(req.socket);
    if (!state) return;
    state.busy++;
    res.once('close', () => {
      state.busy--;
      state.served++;
    });
  });
  return {
    drain: () =>
      new Promise<void>((resolve) => {
        net.Server.prototype.close.call(server, () => resolve());
        const sweep = setInterval(() => {
          for (const [socket, state] of sockets)
            if (state.busy === 0 && (state.served > 0 || Date.now() - state.opened > 1000)) socket.end();
          if (sockets.size === 0) clearInterval(sweep);
        }, 50);
        sweep.unref();
      }),
  };
}

async function runMigrate(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log(
      'Usage: npx keyway migrate\n\nApplies pending migrations to DATABASE_URL (default: SQLite under KEYWAY_DATA_DIR).',
    );
    return 0;
  }
  const config = loadConfig(process.env, 'development', { serverChecks: false });
  const { store, applied } = await openMigratedStore(config);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
  await store.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof WalletConfigError)
      console.error(
        `Configuration error — ${err.message}\n  fix: ${walletFix(err)}\n  (npx keyway doctor checks everything)`,
      );
    else if (err instanceof ConfigError) console.error(`Configuration error — ${err.message}`);
    else if (err instanceof ApiError) console.error(err.message);
    else console.error((err as Error)?.message ?? err);
    process.exit(1);
  },
);
