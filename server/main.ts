import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createSenders } from './delivery/senders.js';
import { ApiError } from './domain/errors.js';
import { ensureDemoKeys, ensureHostedKey, maskKey } from './domain/keys.js';
import { flushLog, jsonLog } from './log.js';
import { openMigratedStore, resolveSecret } from './runtime.js';
import { WalletConfigError } from './wallet/messages.js';
import { loadWalletRuntime } from './wallet/runtime.js';
import { recallDemoKeys, rememberDemoKeys, type DemoConsoleKeys } from './pages/demo-keys.js';

const HELP = `keyway — provisioning server for wallet door passes

Usage: npx keyway <command> [options]

Commands:
  serve                 run the server (KEYWAY_ENV defaults to production)
  start                 run the server in development (what \`npm start\` runs)
  migrate               apply pending database migrations and exit
  keys create|list|revoke   manage secret (sk_) and publishable (pk_) keys
  certs dev|import      make dev signing certificates, or import a .p12

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
    default:
      console.error(`Unknown command "${command}".\n\n${HELP}`);
      return 1;
  }
}

async function runServer(args: string[], mode: 'development' | 'production'): Promise<number> {
  if (args.includes('--help')) {
    console.log(`Usage: npx keyway ${mode === 'production' ? 'serve' : 'start'}\n\nRuns the server on PORT (${mode} unless KEYWAY_ENV says otherwise). Configuration: see the README.`);
    return 0;
  }
  const config = loadConfig(process.env, mode);
  const secret = resolveSecret(config);
  // Signing material before the database: a bad certificate stops the start with its variable named.
  const wallet = loadWalletRuntime(config);
  for (const warning of wallet?.warnings ?? []) jsonLog({ level: 'warn', msg: 'wallet', warning });
  const { store, applied } = await openMigratedStore(config);
  let demoConsole: DemoConsoleKeys | null = null;
  const keyway = createApp({ config, store, secret, secretPrevious: config.secretPrevious, wallet, ...createSenders(config, store), demo: () => demoConsole });
  const { ctx } = keyway;
  if (applied.length) jsonLog({ level: 'info', msg: 'migrations applied', migrations: applied });

  const server = serve({ fetch: keyway.app.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // PORT=0 picks a free port: links and the hosted page's origin must carry the real one.
  if (!config.raw.PUBLIC_URL && config.port === 0) config.publicUrl = `http://127.0.0.1:${port}`;
  await ensureHostedKey(ctx);
  const demo = config.dev ? await ensureDemoKeys(ctx) : null;
  if (config.dev) {
    // The demo console at / needs the keys in the browser; keys are stored hashed, so keep the pair.
    if (demo && (demo.generated.secret || demo.generated.publishable)) rememberDemoKeys(config.dataDir, demo);
    demoConsole = demo ? { secretKey: demo.secretKey, publishableKey: demo.publishableKey } : recallDemoKeys(config.dataDir, config.demo);
  }
  keyway.startTimers();
  const url = config.dev ? `http://127.0.0.1:${port}` : config.publicUrl;
  flushLog(); // start-up records before the banner
  console.log(`Keyway ${config.env} server listening on ${config.host}:${port} — ${url}`);
  if (config.dev) {
    console.log(`  Demo: ${url}/    hosted page: ${url}/p    API reference: ${url}/docs    dev outbox: ${url}/dev/outbox`);
    if (config.host !== '127.0.0.1') console.warn('!! KEYWAY_DEV_EXPOSE=1: the development server (demo keys, dev outbox) is reachable from other machines. Never do this on a shared network.');
    if (demo) {
      console.log(`  Demo secret key:      ${demo.generated.secret ? demo.secretKey : maskKey(demo.secretKey)}${demo.generated.secret ? '   (shown once; store it now)' : ''}`);
      console.log(`  Demo publishable key: ${demo.generated.publishable ? demo.publishableKey : maskKey(demo.publishableKey)}`);
    }
  }

  const shutdown = async (signal: string) => {
    jsonLog({ level: 'info', msg: 'shutting down', signal });
    server.close();
    await keyway.stop();
    await store.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return -1; // keep running
}

async function runMigrate(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log('Usage: npx keyway migrate\n\nApplies pending migrations to DATABASE_URL (default: SQLite under KEYWAY_DATA_DIR).');
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
    if (err instanceof ConfigError || err instanceof WalletConfigError) console.error(`Configuration error — ${err.message}`);
    else if (err instanceof ApiError) console.error(err.message);
    else console.error((err as Error)?.message ?? err);
    process.exit(1);
  },
);
