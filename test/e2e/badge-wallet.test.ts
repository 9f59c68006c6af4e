// End to end, as a person adds an HID badge (type 10, SPEC §16) from /p: Chromium on phone and
// desktop viewports against a server process whose HID Origo is a local strict peer
// (test/helpers/origo-peer.ts) and whose Apple provisioning window is a local stand-in speaking
// Apple's postMessage protocol (test/helpers/apple-window.ts). <add-to-wallet> shows only the
// wallets the pass template supports, opens the window from the press, answers its `ready` with
// HID's payload, and turns every result code into an event and a way forward.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type AppleWindowPeer, startAppleWindow } from '../helpers/apple-window.js';
import { type GoogleSignInPeer, startGoogleSignIn } from '../helpers/google-sign-in.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import {
  demoSecretKey,
  type SecretKeyCall,
  type ServerProcess,
  secretKeyCaller,
  startServerProcess,
} from '../helpers/process.js';
import { freePort, IPHONE_UA, launch, watchProblems } from './browser.js';

const PARTNER_ID = 'ORG-HID-TEST';
const GOOGLE_CLIENT_ID = 'keyway-e2e.apps.googleusercontent.com';
const ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';

describe('an HID badge in Apple Wallet and Google Wallet from <add-to-wallet>, in Chromium', {
  timeout: 240_000,
}, () => {
  let dataDir: string;
  let peer: OrigoPeer;
  let apple: AppleWindowPeer;
  let google: GoogleSignInPeer;
  let server: ServerProcess;
  let browser: Browser;
  let admin: SecretKeyCall;
  let personId: number;

  before(async () => {
    peer = await startOrigoPeer();
    apple = await startAppleWindow(PARTNER_ID);
    google = await startGoogleSignIn(GOOGLE_CLIENT_ID);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-e2e-badge-'));
    const port = await freePort();
    google.redirectUri = `http://127.0.0.1:${port}/p/google-signed-in`;
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...peer.env,
      ...peer.passEnv,
      KEYWAY_HID_APPLE_PARTNER_ID: PARTNER_ID,
      KEYWAY_HID_APPLE_WINDOW_URL: apple.windowUrl,
      KEYWAY_GOOGLE_SIGN_IN_CLIENT_ID: GOOGLE_CLIENT_ID,
      KEYWAY_GOOGLE_SIGN_IN_URL: google.signInUrl,
      KEYWAY_GOOGLE_ID_TOKEN_KEYS_URL: google.keysUrl,
    });
    admin = secretKeyCaller(server.url, demoSecretKey(dataDir));
    const person = (await admin('POST', '/api/3/people', { person: { first_name: 'Lea', last_name: 'Brandt' } })) as {
      person: { id: number };
    };
    personId = person.person.id;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await peer?.close();
    await apple?.close();
    await google?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh badge for the person: its invitation link. */
  async function issueBadge(): Promise<{ id: string; url: string }> {
    const { person_credential: c } = (await admin('POST', `/api/3/people/${personId}/credentials`, {
      person_credential: { credential_type_id: 10 },
    })) as { person_credential: { id: string; invitation_url: string } };
    return { id: c.id, url: c.invitation_url };
  }

  type Viewport = 'phone' | 'desktop' | 'android';
  async function open(viewport: Viewport): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context =
      viewport !== 'desktop'
        ? await browser.newContext({
            viewport: { width: 390, height: 844 },
            userAgent: viewport === 'android' ? ANDROID_UA : IPHONE_UA,
            isMobile: true,
            hasTouch: true,
            locale: 'en-GB',
          })
        : await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    return { context, page, problems: watchProblems(page) };
  }

  /** The person opens the invitation link and redeems the code; the page records the element's events. */
  async function redeem(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.evaluate(() => {
      const w = window as unknown as { events: { type: string; detail: unknown }[] };
      w.events = [];
      for (const type of ['pass-requested', 'pass-added', 'keyway-error'])
        document.addEventListener(type, (e) => w.events.push({ type, detail: (e as CustomEvent).detail }));
    });
    // The element learns it holds a badge from its first status snapshot, then asks for the
    // template's wallets; a person takes longer than that to press.
    const platforms = page.waitForResponse((r) => r.url().endsWith('/api/3/passes/platforms'));
    await page.getByRole('button', { name: 'Redeem code' }).click();
    await page.getByText('Step 2 of 3').waitFor();
    await platforms;
  }
  const events = (page: Page) =>
    page.evaluate(() => (window as unknown as { events: { type: string; detail: any }[] }).events);
  const appleButton = (page: Page) => page.getByRole('button', { name: 'Add to Apple Wallet' });
  const googleButton = (page: Page) => page.getByRole('button', { name: 'Add to Google Wallet' });

  /** Presses Add to Apple Wallet; the stand-in window opens as a pop-up and gets HID's payload. */
  async function pressApple(page: Page): Promise<Page> {
    const popup = page.waitForEvent('popup');
    await appleButton(page).click();
    const window = await popup;
    await window.getByRole('button', { name: 'Add' }).waitFor();
    return window;
  }
  /** Every Apple payload HID's web provisioning made. */
  const applePayloads = () =>
    [...peer.passes.values()].flatMap((p) =>
      p.provisioned.filter((x) => x.wallet === 'apple').map((x) => JSON.stringify(x.payload)),
    );

  for (const viewport of ['phone', 'desktop'] as const) {
    test(`${viewport}: only the template's wallets; Apple's window gets HID's payload; result 200 → pass-added`, async () => {
      peer.templateWallets = ['apple'];
      try {
        const badge = await issueBadge();
        const { context, page, problems } = await open(viewport);
        await redeem(page, badge.url);
        await appleButton(page).waitFor();
        // The template has no Google Wallet: no Google button, even on a computer.
        await page.waitForTimeout(300);
        assert.equal(await googleButton(page).count(), 0, 'no Google Wallet for an Apple-only template');
        apple.result = '200';
        const before = apple.received.length;
        const window = await pressApple(page);
        await window.getByRole('button', { name: 'Add' }).click();
        await page.getByText('Your badge is in Apple Wallet.').waitFor();
        assert.equal(apple.received.length, before + 1);
        assert.ok(applePayloads().includes(apple.received.at(-1)!), 'the window got a JWS HID made');
        assert.equal(new Set(apple.received).size, apple.received.length, 'each window its own payload');
        const seen = await events(page);
        const added = seen.find((e) => e.type === 'pass-added');
        assert.equal(added?.detail.platform, 'apple');
        assert.equal(added?.detail.credentialId, badge.id);
        assert.match(added?.detail.deviceId, /^dev_/);
        assert.deepEqual(problems, []);
        await context.close();
      } finally {
        peer.templateWallets = ['apple', 'google'];
      }
    });
  }

  test('desktop: a template with both wallets shows both buttons', async () => {
    const badge = await issueBadge();
    const { context, page, problems } = await open('desktop');
    await redeem(page, badge.url);
    await appleButton(page).waitFor();
    await googleButton(page).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  const failures: { status: string; code: string; text: RegExp; retry: boolean }[] = [
    { status: '408', code: 'wallet_timed_out', text: /Apple Wallet took too long/, retry: true },
    { status: '400', code: 'wallet_misconfigured', text: /Apple Wallet is not set up/, retry: false },
    { status: '40101', code: 'wallet_browser_unsupported', text: /cannot add to Apple Wallet/, retry: false },
    { status: '500', code: 'wallet_failed', text: /The badge was not added/, retry: true },
  ];
  for (const [i, f] of failures.entries()) {
    const viewport: Viewport = i % 2 ? 'desktop' : 'phone';
    test(`${viewport}: result ${f.status} → keyway-error ${f.code}, a message and a way forward`, async () => {
      const badge = await issueBadge();
      const { context, page, problems } = await open(viewport);
      await redeem(page, badge.url);
      apple.result = f.status;
      const window = await pressApple(page);
      await window.getByRole('button', { name: 'Add' }).click();
      await page.getByRole('alert').filter({ hasText: f.text }).waitFor();
      const error = (await events(page)).find((e) => e.type === 'keyway-error');
      assert.equal(error?.detail.code, f.code);
      if (f.retry) {
        // Try again opens a new window (a new payload: the first token was spent).
        apple.result = '200';
        const again = page.waitForEvent('popup');
        await page.getByRole('button', { name: 'Try again' }).click();
        const second = await again;
        await second.getByRole('button', { name: 'Add' }).click();
        await page.getByText('Your badge is in Apple Wallet.').waitFor();
      } else {
        assert.equal(await page.getByRole('button', { name: 'Try again' }).count(), 0);
      }
      if (!window.isClosed()) await window.close();
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  for (const how of ['cancel', 'close'] as const) {
    test(`phone: the person ${how === 'cancel' ? 'cancels in' : 'closes'} Apple's window → back to the buttons, nothing broken`, async () => {
      const badge = await issueBadge();
      const { context, page, problems } = await open('phone');
      await redeem(page, badge.url);
      const window = await pressApple(page);
      if (how === 'cancel') await window.getByRole('button', { name: 'Cancel' }).click();
      else await window.close();
      await page.getByText('Apple Wallet was closed before the badge was added.').waitFor();
      const error = (await events(page)).find((e) => e.type === 'keyway-error');
      assert.equal(error?.detail.code, 'wallet_closed');
      // Back at the buttons: a second press works.
      apple.result = '200';
      const second = await pressApple(page);
      await second.getByRole('button', { name: 'Add' }).click();
      await page.getByText('Your badge is in Apple Wallet.').waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('phone: a blocked pop-up → the element says how to allow it; the issuance token is not spent', async () => {
    const badge = await issueBadge();
    const { context, page, problems } = await open('phone');
    await redeem(page, badge.url);
    await appleButton(page).waitFor();
    // As a browser that blocks pop-ups answers: window.open gives null.
    await page.evaluate(() => {
      window.open = () => null;
    });
    const spent = [...peer.passes.values()].filter((p) => p.tokenSpent).length;
    await appleButton(page).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /blocked the Apple Wallet window/ })
      .waitFor();
    const error = (await events(page)).find((e) => e.type === 'keyway-error');
    assert.equal(error?.detail.code, 'popup_blocked');
    assert.equal([...peer.passes.values()].filter((p) => p.tokenSpent).length, spent, 'no token spent');
    assert.deepEqual(problems, []);
    await context.close();
  });

  /** Google Wallet's save page, served locally in place of pay.google.com: the URL it was opened with. */
  async function standInSavePage(context: BrowserContext): Promise<string[]> {
    const opened: string[] = [];
    await context.route('https://pay.google.com/**', (route) => {
      opened.push(route.request().url());
      return route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><title>Google Wallet (stand-in)</title><h1>Save your badge</h1></html>',
      });
    });
    return opened;
  }
  /** Presses Add to Google Wallet; the sign-in stand-in opens as a pop-up. */
  async function pressGoogle(page: Page): Promise<Page> {
    const popup = page.waitForEvent('popup');
    await googleButton(page).click();
    const window = await popup;
    await window.getByRole('link', { name: 'Continue as Lea Brandt' }).waitFor();
    return window;
  }

  for (const viewport of ['android', 'desktop'] as const) {
    test(`${viewport}: Google — signs in with Google, then the save URL opens in the same tab`, async () => {
      const badge = await issueBadge();
      const { context, page, problems } = await open(viewport);
      const saved = await standInSavePage(context);
      await redeem(page, badge.url);
      const issued = google.issued;
      const window = await pressGoogle(page);
      const closed = window.waitForEvent('close');
      await window.getByRole('link', { name: 'Continue as Lea Brandt' }).click();
      await closed;
      await page.waitForURL(/^https:\/\/pay\.google\.com\/gp\/t\/savecard\//);
      await page.getByRole('heading', { name: 'Save your badge' }).waitFor();
      assert.equal(google.issued, issued + 1);
      const blobs = [...peer.passes.values()].flatMap((p) =>
        p.provisioned.filter((x) => x.wallet === 'google').map((x) => String(x.payload)),
      );
      assert.ok(
        blobs.some((b) => saved.at(-1)!.includes(b)),
        'the save URL carries the blob HID made',
      );
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  for (const how of ['cancel', 'close'] as const) {
    test(`android: the person ${how === 'cancel' ? 'cancels' : 'closes'} Google's sign-in → sign_in_cancelled, back to the buttons`, async () => {
      const badge = await issueBadge();
      const { context, page, problems } = await open('android');
      await redeem(page, badge.url);
      const window = await pressGoogle(page);
      if (how === 'cancel') {
        const closed = window.waitForEvent('close');
        await window.getByRole('link', { name: 'Cancel' }).click();
        await closed;
      } else await window.close();
      await page.getByText('Google sign-in was closed before it finished.').waitFor();
      const error = (await events(page)).find((e) => e.type === 'keyway-error');
      assert.equal(error?.detail.code, 'sign_in_cancelled');
      await googleButton(page).waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });
  }

  test('android: a forged Google ID token → 401 google_sign_in_invalid, said, and nothing opened', async () => {
    const badge = await issueBadge();
    const { context, page, problems } = await open('android');
    const saved = await standInSavePage(context);
    await redeem(page, badge.url);
    google.forge = true;
    const window = await pressGoogle(page);
    await window.getByRole('link', { name: 'Continue as Lea Brandt' }).click();
    await page.getByRole('alert').filter({ hasText: 'Google sign-in could not be confirmed.' }).waitFor();
    const error = (await events(page)).find((e) => e.type === 'keyway-error');
    assert.equal(error?.detail.code, 'google_sign_in_invalid');
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    assert.deepEqual(saved, []);
    assert.deepEqual(
      problems.filter((p) => !/HTTP 401: .*\/api\/3\/passes$/.test(p) && !/status of 401/.test(p)),
      [],
    );
    await context.close();
  });

  test('android: a blocked pop-up for Google sign-in → the element says how to allow it', async () => {
    const badge = await issueBadge();
    const { context, page, problems } = await open('android');
    await redeem(page, badge.url);
    await page.evaluate(() => {
      window.open = () => null;
    });
    await googleButton(page).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /blocked the Google sign-in window/ })
      .waitFor();
    const error = (await events(page)).find((e) => e.type === 'keyway-error');
    assert.equal(error?.detail.code, 'popup_blocked');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("Keyway's /p/google-signed-in hands an ID token only to an origin Keyway serves, never one a state names", async () => {
    const { context, page } = await open('desktop');
    /** From a page on `origin`, opens the signed-in page with a state naming that origin; what it received. */
    async function handOver(origin: string, path: string): Promise<unknown[]> {
      await page.goto(`${origin}${path}`);
      const state = `${'r'.repeat(22)}.${Buffer.from(origin).toString('base64url')}`;
      const target = `${server.url}/p/google-signed-in#${new URLSearchParams({ id_token: 'header.claims.sig', state })}`;
      return page.evaluate(async (url) => {
        const got: unknown[] = [];
        addEventListener('message', (e) => got.push(e.data));
        window.open(url, 'signed-in', 'popup');
        await new Promise((r) => setTimeout(r, 1500));
        return got;
      }, target);
    }
    const own = await handOver(server.url, '/healthz');
    assert.equal(own.length, 1, "Keyway's own page (the hosted /p) gets it");
    const foreign = await handOver(google.origin, '/oauth2/v3/certs');
    assert.deepEqual(foreign, [], 'an origin no publishable key allows gets nothing');
    await context.close();
  });

  const LOCALES = [
    {
      locale: 'de-DE',
      redeem: 'Code einlösen',
      apple: 'Zu Apple Wallet hinzufügen',
      blocked: /Apple-Wallet-Fenster blockiert/,
      dir: 'ltr',
    },
    {
      locale: 'ar',
      redeem: 'استخدام الرمز',
      apple: 'إضافة إلى Apple Wallet',
      blocked: /حظر متصفحك نافذة Apple Wallet/,
      dir: 'rtl',
    },
  ];
  for (const l of LOCALES) {
    test(`phone in ${l.locale}: the badge's words follow the page's language`, async () => {
      const badge = await issueBadge();
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        userAgent: IPHONE_UA,
        isMobile: true,
        hasTouch: true,
        locale: l.locale,
      });
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(badge.url);
      const platforms = page.waitForResponse((r) => r.url().endsWith('/api/3/passes/platforms'));
      await page.getByRole('button', { name: l.redeem }).click();
      await platforms;
      await page.getByRole('button', { name: l.apple }).waitFor();
      await page.evaluate(() => {
        window.open = () => null;
      });
      await page.getByRole('button', { name: l.apple }).click();
      await page.getByRole('alert').filter({ hasText: l.blocked }).waitFor();
      assert.equal(
        await page
          .locator('add-to-wallet')
          .evaluate((el) => el.shadowRoot!.querySelector('[part=base]')!.getAttribute('dir')),
        l.dir,
      );
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
