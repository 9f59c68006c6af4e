// Widget tests: web-test-runner in the system Chromium (TOOLCHAIN.md: no browser downloads here).
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
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
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  // Exposes element.computedRole/computedName so tests find things as a screen reader does.
  '--enable-blink-features=ComputedAccessibilityInfo',
];

/**
 * Starts what the tests need before the browsers open. Today only scripted clients are used;
 * the lead's real-server tests start the Keyway server here (serverStart) and stop it in
 * serverStop, passing its URL to the page (e.g. through a `/__keyway-server` middleware).
 */
const keywayServerPlugin = {
  name: 'keyway-server',
  async serverStart() {
    // Start the Keyway server for real-server tests here.
  },
  async serverStop() {
    // Stop it here.
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
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: new URL('./tsconfig.json', import.meta.url).pathname }),
    prebundledCommonJs,
    keywayServerPlugin,
  ],
  reporters: [defaultReporter(), summaryReporter({ file: process.env.KEYWAY_WTR_SUMMARY })],
};
