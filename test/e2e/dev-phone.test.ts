// The demo's simulated phone, in Chromium against a real development server (issue 29): a pass the
// partner page or /p produced is added on the dev phone through the real PassKit registration call,
// so the credential turns active on one machine; a computer showing the hand-off QR code then says
// "Added on your phone".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  demoSecretKey,
  type SecretKeyCall,
  type ServerProcess,
  secretKeyCaller,
  startServerProcess,
} from '../helpers/process.js';
import { axeViolations as axe, freePort, IPHONE_UA, launch, watchProblems } from './browser.js';

describe('the dev phone adds passes as a phone would, in Chromium against a real server', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let admin: SecretKeyCall;
  let personId: number;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-devphone-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYWAY_BRAND_NAME: 'Acme Offices',
    });
    admin = secretKeyCaller(server.url, demoSecretKey(dataDir));
    const person = (await admin('POST', '/api/3/people', {
      person: { first_name: 'Ada', last_name: 'Lovelace', phone: '+44 7400 123456' },
    })) as { person: { id: number } };
    personId = person.person.id;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function issuePass(): Promise<{ id: string; url: string }> {
    const { person_credential: c } = (await admin('POST', `/api/3/people/${personId}/credentials`, {
      person_credential: { credential_type_id: 9 },
    })) as { person_credential: { id: string; invitation_url: string } };
    return { id: c.id, url: c.invitation_url };
  }

  const credentialStatus = async (id: string) =>
    ((await admin('GET', `/api/3/people/${personId}/credentials/${id}`)) as { person_credential: { status: string } })
      .person_credential.status;

  function iphone(): Promise<BrowserContext> {
    return browser.newContext({
      viewport: { width: 390, height: 844 },
      userAgent: IPHONE_UA,
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
      acceptDownloads: true,
    });
  }

  /** The demo (/) on a computer, where the dev phone is. */
  async function demo(): Promise<{ context: BrowserContext; page: Page; problems: string[]; requests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/wallet/apple/'))
        requests.push(`${r.method()} ${r.url()} ${r.headers().authorization ?? ''}`);
    });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Dev phone' }).waitFor();
    return { context, page, problems, requests };
  }

  /** Presses "Add to Apple Wallet" on the phone: the .pkpass downloads and the device is pending. */
  async function addOnPhone(page: Page): Promise<void> {
    await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Add to Apple Wallet' }).click(),
    ]);
  }

  test('a pass from /p is added on the simulated phone: the PassKit registration turns the credential active', async () => {
    const pass = await issuePass();
    const phoneContext = await iphone();
    const phone = await phoneContext.newPage();
    await phone.goto(pass.url);
    await phone.getByRole('button', { name: 'Redeem code' }).click();
    await addOnPhone(phone);
    assert.equal(await credentialStatus(pass.id), 'provisioning');

    const { context, page, problems, requests } = await demo();
    const item = page.locator(`#phone-passes li[data-status="pending"]`).filter({ hasText: 'Ada Lovelace' }).first();
    await item.getByText('Apple Wallet pass for Ada Lovelace').waitFor();
    await item.getByRole('button', { name: 'Add to wallet on this simulated phone' }).click();
    await page.getByText(/Added to the simulated phone’s wallet/).waitFor();
    assert.equal(await credentialStatus(pass.id), 'active');
    // The phone's own page follows: its status card says the pass is active.
    await phone.locator('credential-status[status="active"]').waitFor({ timeout: 20_000 });
    await page.locator(`#phone-passes li[data-status="active"]`).first().waitFor();
    assert.deepEqual(await axe(page), []);

    // The real registration call: the token in the Authorization header, never in the URL.
    assert.equal(requests.length, 1, requests.join('\n'));
    const [method, url, scheme, token] = requests[0].split(' ');
    assert.equal(method, 'POST');
    assert.match(
      new URL(url).pathname,
      /^\/wallet\/apple\/v1\/devices\/devphone-[0-9a-f]{16}\/registrations\/pass\.dev\.keyway\/[^/]+$/,
    );
    assert.equal(scheme, 'ApplePass');
    assert.ok(token && !url.includes(token), 'the authentication token stays out of the URL');
    assert.deepEqual(problems, []);
    await context.close();
    await phoneContext.close();
  });

  test('a Google pass is saved on the simulated phone: a callback signed with the dev keys, through the real callback route', async () => {
    const pass = await issuePass();
    const androidContext = await browser.newContext({
      viewport: { width: 412, height: 915 },
      userAgent:
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
    });
    const android = await androidContext.newPage();
    // Google's save page is outside this machine: stand in for it.
    await android.route('https://pay.google.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Google Wallet</title>' }),
    );
    await android.goto(pass.url);
    await android.getByRole('button', { name: 'Redeem code' }).click();
    await android.getByRole('button', { name: 'Add to Google Wallet' }).click();
    await android.waitForURL(/^https:\/\/pay\.google\.com\//);
    assert.equal(await credentialStatus(pass.id), 'provisioning');

    const { context, page, problems } = await demo();
    const item = page.locator('#phone-passes li[data-status="pending"]').filter({ hasText: pass.id });
    await item.getByText('Google Wallet pass for Ada Lovelace').waitFor();
    await item.getByRole('button', { name: 'Add to wallet on this simulated phone' }).click();
    await page.getByText(/Saved to the simulated phone’s Google Wallet/).waitFor();
    assert.equal(await credentialStatus(pass.id), 'active');
    assert.deepEqual(problems, []);
    await context.close();
    await androidContext.close();
  });

  test('the desktop hand-off finishes: the phone adds the pass, the computer at step 2 says "Added on your phone"', async () => {
    const pass = await issuePass();
    const desktopContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
      bypassCSP: true,
    });
    const desktop = await desktopContext.newPage();
    const desktopProblems = watchProblems(desktop);
    await desktop.goto(pass.url);
    await desktop.getByRole('button', { name: 'Redeem code' }).click();
    await desktop.getByText('Step 2 of 3').waitFor();
    await desktop.getByRole('img', { name: 'QR code linking to this page on your phone' }).waitFor();
    const handoff = (await desktop.getByRole('link', { name: /\/p#h=/ }).getAttribute('href'))!;

    const phoneContext = await iphone();
    const phone = await phoneContext.newPage();
    await phone.goto(handoff);
    await addOnPhone(phone);
    const { context, page } = await demo();
    const item = page.locator(`#phone-passes li[data-status="pending"]`).filter({ hasText: pass.id });
    await item.getByRole('button', { name: 'Add to wallet on this simulated phone' }).click();

    await desktop.getByText('Added on your phone').waitFor({ timeout: 20_000 });
    // The QR code and the wallet buttons are over: nothing left to scan or press on the computer.
    assert.equal(await desktop.getByRole('img', { name: /QR code/ }).count(), 0);
    assert.equal(await desktop.getByRole('button', { name: /Add to .* Wallet/ }).count(), 0);
    await desktop.getByText('Step 3 of 3').waitFor();
    assert.deepEqual(desktopProblems, []);
    assert.deepEqual(await axe(desktop), []);
    await context.close();
    await phoneContext.close();
    await desktopContext.close();
  });
});

describe('npm start on an empty database: the demo is not empty (KEYWAY_DEMO_PEOPLE)', { timeout: 120_000 }, () => {
  test('two demo people with a pass each; the demo knows the webhook API without /openapi.json; test servers get nobody', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-demopeople-'));
    const port = await freePort();
    const server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYWAY_DEMO_PEOPLE: 'on',
    });
    const plain = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: path.join(dataDir, 'plain'),
    });
    const browser = await launch();
    try {
      assert.match(server.output(), /Demo people: Ada Lovelace \(#1\), Grace Hopper \(#2\)/);
      const people = async (url: string, sk: string) =>
        (
          (await (await fetch(`${url}/api/3/people`, { headers: { authorization: `Bearer ${sk}` } })).json()) as {
            people: { first_name: string }[];
          }
        ).people;
      assert.deepEqual((await people(plain.url, demoSecretKey(path.join(dataDir, 'plain')))).length, 0);

      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const problems = watchProblems(page);
      const asked: string[] = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: /Ada Lovelace/ }).click();
      await page.locator('article.credential[data-status="invited"]').waitFor();
      await page.getByRole('button', { name: /Grace Hopper/ }).click();
      await page.getByRole('heading', { name: /Grace Hopper/ }).waitFor();
      await page.locator('article.credential[data-status="invited"]').waitFor();
      // The webhook form is there, and nothing downloaded the API document to find out.
      await page.getByRole('button', { name: 'Add endpoint' }).waitFor();
      await page.getByText('No endpoints yet. Add one to watch signed deliveries.').waitFor();
      assert.ok(!asked.includes('/openapi.json'), asked.join('\n'));
      assert.deepEqual(problems, []);
      await context.close();

      // A restart keeps the people it has: nobody is added twice.
      await server.stop();
      const again = await startServerProcess({
        KEYWAY_ENV: 'development',
        KEYWAY_DATA_DIR: dataDir,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        KEYWAY_DEMO_PEOPLE: 'on',
      });
      try {
        assert.deepEqual((await people(again.url, demoSecretKey(dataDir))).map((p) => p.first_name).sort(), [
          'Ada',
          'Grace',
        ]);
      } finally {
        await again.stop();
      }
    } finally {
      await browser.close();
      await server.stop();
      await plain.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
