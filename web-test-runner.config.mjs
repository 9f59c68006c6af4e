// Widget tests: web-test-runner in the system Chromium (TOOLCHAIN.md: no browser downloads here).

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { build } from 'esbuild';
import { CHROMIUM_ARGS } from './test/chromium-args.mjs';
import { summaryReporter } from './test/widgets/summary-reporter.mjs';

const require = createRequire(import.meta.url);

/**
 * qrcode is CommonJS. The rollup commonjs plugin's proxy modules hang here (node_modules is a
 * symlink outside the root), so the test browser gets qrcode as one esbuild-made ES module.
 */
const prebundledCommonJs = {
  name: 'prebundled-commonjs',
  resolveImport({ source }) {
    if (source === 'qrcode') return '/__prebundled__/qrcode.js';
  },
  async serve(context) {
    if (context.path !== '/__prebundled__/qrcode.js') return;
    const result = await build({
      entryPoints: [require.resolve('qrcode/lib/browser.js')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    return { body: result.outputFiles[0].text, type: 'js' };
  },
};

const chromiumArgs = [
  ...CHROMIUM_ARGS,
  // Exposes element.computedRole/computedName so tests find things as a screen reader does.
  '--enable-blink-features=ComputedAccessibilityInfo',
];

// Fixed test values: the demo operator's keys match ^(sk|pk)_[A-Za-z0-9_]{16,128}$ (SPEC §3).
const TEST_SECRET = Buffer.alloc(32, 7).toString('base64');
const DEMO_SECRET_KEY = 'sk_wtr_widgets_secret_0123456789';
const DEMO_PUBLISHABLE_KEY = 'pk_wtr_widgets_public_0123456789';

/** A free loopback port: with PORT=0 the server's PUBLIC_URL (hand-off links) would say ":0". */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The caller's environment minus Keyway's own settings, so a developer's shell cannot change the test server. */
function inheritedEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('KEYWAY_') && name !== 'DATABASE_URL' && name !== 'PUBLIC_URL' && name !== 'PORT',
    ),
  );
}

let keyway; // { child, url, dataDir }

/** Starts the real Keyway server (dev mode, empty temp database) with the WTR page's origins allowed. */
async function startKeyway(pagePort) {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyway-wtr-'));
  const port = await freePort();
  const origins = [`http://localhost:${pagePort}`, `http://127.0.0.1:${pagePort}`].join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'start'], {
    cwd: dirname(fileURLToPath(import.meta.url)),
    env: {
      ...inheritedEnv(),
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DEMO_SECRET_KEY: DEMO_SECRET_KEY,
      KEYWAY_DEMO_PUBLISHABLE_KEY: DEMO_PUBLISHABLE_KEY,
      KEYWAY_DEMO_ORIGINS: origins,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Keyway server did not start within 60 s:\n${log}`)), 60_000);
    const onData = (chunk) => {
      log += chunk;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (log += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Keyway server exited (${code}) before listening:\n${log}`));
    });
  });
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  keyway = { child, url, dataDir };
}

async function readJsonBody(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/**
 * The page's way to the real server for what a browser must not do itself: `/__keyway/server`
 * (URL and publishable key), `/__keyway/admin/<path>` (admin API with the secret key, which never
 * reaches the browser) and `/__keyway/outbox` (loopback-only dev outbox).
 */
async function keywayMiddleware(ctx, next) {
  if (!ctx.path.startsWith('/__keyway/')) return next();
  if (!keyway) {
    ctx.status = 503;
    ctx.body = { error: 'Keyway server not started' };
    return;
  }
  if (ctx.path === '/__keyway/server') {
    ctx.body = { apiBase: keyway.url, publishableKey: DEMO_PUBLISHABLE_KEY };
    return;
  }
  const cdnPage = /^\/__keyway\/(cdn(?:-[a-z]+)?)\.html$/.exec(ctx.path)?.[1];
  if (cdnPage) {
    // A partner page for the built bundle (test/widgets/fixtures/cdn*.html), with SPEC §8's partner CSP as a real header.
    const page = await readFile(new URL(`./test/widgets/fixtures/${cdnPage}.html`, import.meta.url), 'utf8');
    ctx.type = 'html';
    ctx.set(
      'content-security-policy',
      `default-src 'none'; script-src 'self'; connect-src ${keyway.url}; img-src data: blob:; style-src 'self'; base-uri 'none'; form-action 'none'`,
    );
    ctx.body = page.replaceAll('%API_BASE%', keyway.url).replaceAll('%PUBLISHABLE_KEY%', DEMO_PUBLISHABLE_KEY);
    return;
  }
  let target;
  const headers = { accept: 'application/json' };
  if (ctx.path.startsWith('/__keyway/admin/')) {
    target = `${keyway.url}/${ctx.path.slice('/__keyway/admin/'.length)}${ctx.search}`;
    headers.authorization = `Bearer ${DEMO_SECRET_KEY}`;
  } else if (ctx.path === '/__keyway/outbox') {
    target = `${keyway.url}/dev/outbox${ctx.search}`;
  } else if (ctx.path.startsWith('/__keyway/public/')) {
    // Unauthenticated server paths (e.g. a .pkpass download), read from node without CORS.
    target = `${keyway.url}/${ctx.path.slice('/__keyway/public/'.length)}${ctx.search}`;
  } else return next();
  const body = ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : await readJsonBody(ctx);
  if (body) headers['content-type'] = 'application/json';
  const response = await fetch(target, { method: ctx.method, headers, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  ctx.status = response.status;
  ctx.set('content-type', response.headers.get('content-type') ?? 'application/octet-stream');
  ctx.set('x-keyway-bytes', String(bytes.length));
  ctx.body = bytes;
}

const keywayServerPlugin = {
  name: 'keyway-server',
  async serverStart({ server }) {
    await startKeyway(server.address().port);
  },
  async serverStop() {
    if (!keyway) return;
    const { child, dataDir } = keyway;
    keyway = undefined;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  },
};

/**
 * `keyway-cdn-gzip` { files }: each built dist/cdn file's size at gzip -9, as Keyway's /cdn sends it
 * (the dev server's copies carry its own rewriting and inline source maps).
 */
const cdnGzipCommand = {
  name: 'keyway-cdn-gzip',
  async executeCommand({ command, payload }) {
    if (command !== 'keyway-cdn-gzip') return undefined;
    const dir = fileURLToPath(new URL('./dist/cdn/', import.meta.url));
    return Promise.all(
      payload.files.map(async (file) => gzipSync(await readFile(join(dir, basename(file))), { level: 9 }).length),
    );
  },
};

export default {
  files: ['test/widgets/**/*.test.ts'],
  nodeResolve: { browser: true },
  concurrency: 1,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 10_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        args: chromiumArgs,
      },
    }),
  ],
  middleware: [keywayMiddleware],
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname }),
    prebundledCommonJs,
    keywayServerPlugin,
    cdnGzipCommand,
  ],
  reporters: [defaultReporter(), summaryReporter({ file: process.env.KEYWAY_WTR_SUMMARY })],
};
