// The phone step on /p, in Chromium against a real server (issue 29 point 7): a number typed in
// another country's national form gets "that looks like a number from Australia — use +61?" with a
// button that switches the country, instead of a generic error; in English, German and Arabic.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { axeViolations as axe, freePort, IPHONE_UA, launch, watchProblems } from './browser.js';

describe('a number in another country’s national form, on /p in Chromium', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  /** A UK office's server (KEYWAY_DEFAULT_COUNTRY=GB): its /p starts at +44 whatever the language. */
  let ukServer: ServerProcess;
  let browser: Browser;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-phonehint-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    const ukPort = await freePort();
    ukServer = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: path.join(dataDir, 'uk'),
      PORT: String(ukPort),
      PUBLIC_URL: `http://127.0.0.1:${ukPort}`,
      KEYWAY_DEFAULT_COUNTRY: 'GB',
    });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await ukServer?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // en-GB: the phone chunk's own check refuses the number for GB. Arabic (AE): the light check lets
  // it through, the server's full one refuses it (400 invalid_phone_number), then the hint comes.
  // German at a UK office (0491 570 161 is a German landline, so a page at +49 rightly sends it).
  for (const [locale, hint, button, home, uk] of [
    ['en-GB', 'That looks like a number from another country: Australia. Use +61?', 'Use +61 (Australia)', 'GB', false],
    [
      'de',
      'Das sieht nach einer Nummer aus einem anderen Land aus: Australien. +61 verwenden?',
      '+61 verwenden (Australien)',
      'GB',
      true,
    ],
    ['ar', 'يبدو أن هذا رقم من بلد آخر: أستراليا. هل تستخدم +61؟', 'استخدام +61 (أستراليا)', 'AE', false],
  ] as const) {
    test(`${locale}: 0491 570 161 gets the Australian hint, and its button switches the country to +61`, async () => {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        userAgent: IPHONE_UA,
        isMobile: true,
        hasTouch: true,
        locale,
        bypassCSP: true,
      });
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${(uk ? ukServer : server).url}/p`);
      await page.locator('#use-phone').click();
      const select = page.locator('sms-otp-verify select#country');
      await page.waitForFunction((home) => {
        const el = document.querySelector('sms-otp-verify')?.shadowRoot?.querySelector('select');
        return el?.value === home && el.options.length > 100;
      }, home);
      const field = page.locator('sms-otp-verify input#phone');
      await field.fill('0491 570 161');
      await page.locator('sms-otp-verify button[part="button"]').click();
      const alert = page.locator('sms-otp-verify #phone-error');
      await alert.waitFor();
      // The isolates around +61 are for bidirectional text; a reader hears the words.
      assert.equal(
        ((await alert.textContent()) ?? '')
          .replace(/[\u2066-\u2069]/g, '')
          .replace(/\s+/g, ' ')
          .trim()
          .replace(/^\S+:? /, ''),
        hint,
      );
      assert.deepEqual(await axe(page), []);
      await page.getByRole('button', { name: button }).click();
      assert.equal(await select.inputValue(), 'AU');
      await alert.waitFor({ state: 'detached' });
      assert.equal(
        await page.evaluate(() => document.querySelector('sms-otp-verify')?.shadowRoot?.activeElement?.id),
        'phone',
      );
      // Now it is an Australian number: Send code goes on to the code step.
      assert.equal(await field.inputValue(), '0491 570 161');
      await page.locator('sms-otp-verify button[part="button"]').click();
      await page.locator('sms-otp-verify input#code').waitFor();
      // The server's refusal on the Arabic page is the check that found it.
      assert.deepEqual(
        problems.filter((p) => !/ 400:? .*\/api\/3\/verifications$|status of 400/.test(p)),
        [],
      );
      await context.close();
    });
  }
});
