// What a partner installs and what a person's phone downloads: the installed size of each packed
// package (`npm run pack`, installed into an empty project), and the bytes a first and a repeat
// visit of /p transfer on the code path and on the phone path, in Chromium against a real server.
// Each figure is printed beside the one measured before issue 15 (the ratio is now / before).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { freePort, launch, phone } from '../test/e2e/browser.js';
import { ROOT, startServerProcess } from '../test/helpers/process.js';

/**
 * Measured at 9057886, before issue 15, on this machine: one all-in-one tarball (the root
 * `npm pack`: 106 packages with the whole server, 76,822,744 bytes of files installed) stood for
 * both packages; nothing was compressed and keyway.js had no validator.
 */
const BEFORE = {
  install: { '@keyway/elements': 76_822_744, '@keyway/server': 76_822_744 } as Record<string, number>,
  visits: {
    'code path, first visit': 193.0 * 1024,
    'code path, repeat visit': 74.5 * 1024,
    'phone path, first visit': 193.0 * 1024,
    'phone path, repeat visit': 74.5 * 1024,
  } as Record<string, number>,
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const ratio = (now: number, before: number) => (before ? `${(now / before).toFixed(3)}x` : 'n/a');

/** Bytes on the wire for one page load (headers + bodies as received, 0 for the memory/disk cache). */
async function transferred(
  page: Page,
  cdp: CDPSession,
  visit: () => Promise<void>,
): Promise<{ bytes: number; files: string[] }> {
  let bytes = 0;
  const urls = new Map<string, string>();
  const files: string[] = [];
  const onResponse = (e: { requestId: string; response: { url: string } }) => urls.set(e.requestId, e.response.url);
  const onFinished = (e: { requestId: string; encodedDataLength: number }) => {
    bytes += e.encodedDataLength;
    const url = urls.get(e.requestId);
    if (url) files.push(new URL(url).pathname);
  };
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  await visit();
  await page.waitForLoadState('networkidle');
  // The last loadingFinished events trail the page's own signals by a few milliseconds.
  await page.waitForTimeout(500);
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  return { bytes, files };
}

async function measureVisits(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-delivery-'));
  const port = await freePort();
  const server = await startServerProcess({
    KEYWAY_ENV: 'development',
    KEYWAY_DATA_DIR: dataDir,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  const browser = await launch();
  const out: Record<string, number> = {};
  try {
    for (const pathName of ['code', 'phone'] as const) {
      // A fresh context per path: its cache starts empty (first visit) and is kept for the repeat.
      const context = await phone(browser);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      for (const visit of ['first', 'repeat'] as const) {
        const { bytes } = await transferred(page, cdp, async () => {
          await page.goto(`${server.url}/p`);
          await page.locator('invite-redeem input[name=invitation_code]').waitFor();
          if (pathName === 'phone') {
            const phoneChunk = page.waitForResponse((r) => /\/cdn\/phone-[\w-]+\.js$/.test(r.url()));
            await page
              .getByRole('button', { name: /mobile number|phone/i })
              .first()
              .click();
            await page.locator('sms-otp-verify input#phone').waitFor();
            await (await phoneChunk).finished();
          }
        });
        out[`${pathName} path, ${visit} visit`] = bytes;
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

/** `npm run pack`, then each tarball installed alone into an empty project; du of its node_modules. */
function measureInstalls(): Record<string, number> {
  execFileSync('npm', ['run', 'pack', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = path.join(ROOT, 'dist', 'packages');
  const out: Record<string, number> = {};
  for (const tarball of fs.readdirSync(dir).filter((f) => f.endsWith('.tgz'))) {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-install-'));
    try {
      fs.writeFileSync(path.join(project, 'package.json'), '{"name":"partner","private":true}');
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', path.join(dir, tarball)], {
        cwd: project,
        stdio: 'ignore',
      });
      const name = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8')).dependencies as Record<
        string,
        string
      >;
      // Bytes of the files (as packagephobia counts install size), not the disk blocks they fill.
      out[Object.keys(name)[0]!] = Number(
        execFileSync('du', ['-sb', '--apparent-size', path.join(project, 'node_modules')], { encoding: 'utf8' }).split(
          '\t',
        )[0],
      );
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  }
  return out;
}

const installs = process.argv.includes('--no-install') ? {} : measureInstalls();
for (const [name, bytes] of Object.entries(installs)) {
  const before = BEFORE.install[name] ?? 0;
  console.log(
    `installed ${name.padEnd(20)} ${(bytes / 1e6).toFixed(1).padStart(7)} MB   before ${(before / 1e6).toFixed(1)} MB   ratio ${ratio(bytes, before)}`,
  );
}
const visits = await measureVisits();
for (const [name, bytes] of Object.entries(visits)) {
  const before = BEFORE.visits[name] ?? 0;
  console.log(
    `/p ${name.padEnd(26)} ${kib(bytes).padStart(10)}   before ${kib(before)}   ratio ${ratio(bytes, before)}`,
  );
}
