import fs from 'node:fs';
import path from 'node:path';
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_ARGS as chromiumArgs } from '../test/chromium-args.mjs';

const dirname = import.meta.dirname;

// Every story runs as a test (its play function, then the a11y check) in the system Chromium.
export default defineConfig({
  root: path.resolve(dirname, '..'),
  optimizeDeps: { include: ['qrcode'] },
  // node_modules may be a symlink to a shared install outside the project (worktrees).
  server: { fs: { allow: [path.resolve(dirname, '..'), fs.realpathSync(path.resolve(dirname, '../node_modules'))] } },
  plugins: [storybookTest({ configDir: dirname, tags: { include: ['test'] } })],
  test: {
    name: 'storybook',
    reporters: ['default', path.join(dirname, 'summary-reporter.ts')],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: process.env.CHROME_PATH || '/usr/bin/chromium', args: chromiumArgs },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
