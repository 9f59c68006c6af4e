// Off the happy path on /p, in Chromium against a real server (issue 29): a reload or a round trip
// to the wallet keeps the provisioning session, a wrong code is announced once, an expired SMS link
// leads back to /p, and focus never falls to <body> when the operator revokes the pass.
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

describe('/p off the happy path, in Chromium against a real server', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let admin: SecretKeyCall;
  let personId: number;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-offpath-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYWAY_BRAND_NAME: 'Acme Offices',
      // One text per number and hour, so the second ask is refused (rate_limited) at once.
      KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: '1',
    });
    admin = secretKeyCaller(server.url, demoSecretKey(dataDir));
    const person = await admin('POST', '/api/3/people', {
      person: { first_name: 'Noor', last_name: 'Saleh', phone: '+44 7400 123456' },
    });
    personId = (person as { person: { id: number } }).person.id;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A fresh wallet pass for the person: its id and invitation link. */
  async function issuePass(): Promise<{ id: string; url: string; code: string }> {
    const { person_credential: c } = (await admin('POST', `/api/3/people/${personId}/credentials`, {
      person_credential: { credential_type_id: 9 },
    })) as { person_credential: { id: string; invitation_url: string; invitation_code: string } };
    return { id: c.id, url: c.invitation_url, code: c.invitation_code };
  }

  async function redeem(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.getByRole('button', { name: 'Redeem code' }).click();
    await page.getByText('Step 2 of 3').waitFor();
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
  }

  async function newPhone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      userAgent: IPHONE_UA,
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
      bypassCSP: true,
    });
    return { context, page: await context.newPage() };
  }

  test('a reload after redeeming stays at step 2; the session is in sessionStorage, never in the URL or localStorage', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await redeem(page, pass.url);
    await page.reload();
    await page.getByText('Step 2 of 3').waitFor();
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    assert.equal(new URL(page.url()).hash, '');
    const storage = await page.evaluate(() => ({
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    assert.doesNotMatch(storage.local, /ps_/);
    assert.match(storage.session, /ps_/);
    await context.close();
  });

  test('going to the wallet in the same tab and coming back keeps the session', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await redeem(page, pass.url);
    // Safari's pass sheet or Google's save page: the tab leaves /p and comes back with Back.
    await page.goto(`${server.url}/healthz`);
    await page.goBack();
    await page.getByText('Step 2 of 3').waitFor();
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await context.close();
  });

  test('the same code typed again in the same tab resumes its session instead of "already been used"', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await redeem(page, pass.url);
    await page.goto(`${server.url}/p`);
    await page.getByRole('link', { name: 'Start again' }).or(page.getByText('Step 2 of 3')).first().waitFor();
    // Start again clears the page, not the memory of what this tab redeemed.
    await page.evaluate(() => sessionStorage.removeItem('keyway.hosted-session'));
    await page.reload();
    await page.getByLabel('Invitation code').fill(pass.code);
    await page.getByRole('button', { name: 'Redeem code' }).click();
    await page.getByText('Step 2 of 3').waitFor();
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await context.close();
  });

  test('another tab (another session) still cannot use a redeemed code', async () => {
    const pass = await issuePass();
    const first = await newPhone();
    await redeem(first.page, pass.url);
    const second = await newPhone();
    await second.page.goto(pass.url);
    await second.page.getByRole('button', { name: 'Redeem code' }).click();
    await second.page.getByText(/already been used/).waitFor();
    await first.context.close();
    await second.context.close();
  });

  test('a wrong code puts "Error:" in the page title, announced once; the right one takes it away', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await page.goto(`${server.url}/p`);
    await page.getByText('Step 1 of 3').waitFor();
    const title = await page.title();
    await page.getByLabel('Invitation code').fill('AAA-AAA-AAA-AAA');
    await page.getByRole('button', { name: 'Redeem code' }).click();
    await page.getByText(/not recognised/).waitFor();
    assert.equal(await page.title(), `Error: ${title}`);
    assert.deepEqual(await axe(page), []);
    await page.getByLabel('Invitation code').fill(pass.code);
    await page.getByRole('button', { name: 'Redeem code' }).click();
    await page.getByText('Step 2 of 3').waitFor();
    assert.equal(await page.title(), title);
    await context.close();
  });

  test('an expired SMS link offers the way back to /p under a focusable heading', async () => {
    const { context, page } = await newPhone();
    const problems = watchProblems(page);
    const answer = await page.goto(`${server.url}/v/nosuchlinktoken0000000000`);
    assert.equal(answer?.status(), 410);
    problems.length = 0; // the 410 itself is the page
    const heading = page.getByRole('heading', { level: 1, name: 'This link has expired' });
    assert.equal(await heading.getAttribute('tabindex'), '-1');
    assert.deepEqual(await axe(page), []);
    await page.getByRole('link', { name: 'Get a new code' }).click();
    await page.waitForURL(/\/p$/);
    await page.getByText('Step 1 of 3').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test('held back on the phone path: when to try again, and that an invitation code works meanwhile', async () => {
    const { context, page } = await newPhone();
    await page.goto(`${server.url}/p`);
    await page.getByRole('button', { name: 'No invitation code? Use your mobile number' }).click();
    await page.getByLabel('Mobile number').fill('+44 7400 123456');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Security code').waitFor();
    await page.getByText('Not received a text message?').click();
    await page.getByRole('button', { name: 'Change mobile number' }).click();
    await page.getByLabel('Mobile number').fill('+44 7400 123456');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByText(/Try again in \d+ (minutes?|hours?|seconds?)/).waitFor();
    await page.getByText('While you wait: if you have an invitation code, you can use it instead.').waitFor();
    await page.getByRole('button', { name: 'I have an invitation code' }).waitFor();
    assert.match(await page.title(), /^Error: /);
    assert.deepEqual(await axe(page), []);
    await context.close();
  });

  test('the operator revokes the pass: focus moves to the status, never to <body>; the page keeps one heading level 1', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await redeem(page, pass.url);
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).focus();
    await admin('DELETE', `/api/3/people/${personId}/credentials/${pass.id}`);
    await page
      .locator('credential-status[status="revoking"], credential-status[status="revoked"]')
      .waitFor({ timeout: 20_000 });
    await page.locator('#step-wallet').waitFor({ state: 'hidden' });
    const focused = await page.evaluate(() => document.activeElement?.id || document.activeElement?.localName);
    assert.equal(focused, 'status-heading');
    assert.deepEqual(await axe(page), []);
    assert.deepEqual(await axe(page, ['page-has-heading-one']), []);
    await context.close();
  });

  test('turned off while being set up: no Add button that could only fail, and the page says why', async () => {
    const pass = await issuePass();
    const { context, page } = await newPhone();
    await redeem(page, pass.url);
    await admin('PUT', `/api/3/people/${personId}/credentials/${pass.id}`, { person_credential: { enabled: false } });
    await page.getByText('Your pass is turned off by your administrator, so it cannot be added now.').waitFor({
      timeout: 20_000,
    });
    assert.equal(await page.getByRole('button', { name: /Add to .* Wallet/ }).count(), 0);
    await page.getByText('Step 2 of 3').waitFor();
    assert.deepEqual(await axe(page), []);
    await context.close();
  });

  test('the demo console keeps the keyboard focus after Issue, Suspend, Resume and Revoke', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#person-form input[name=first_name]').fill('Lina');
    await page.locator('#person-form input[name=last_name]').fill('Farah');
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: /Lina Farah/ }).waitFor();
    const focused = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        return el && el !== document.body ? `${el.localName}:${el.textContent?.trim().slice(0, 30)}` : 'body';
      });
    const press = async (name: string, settled: () => Promise<unknown>) => {
      await page.getByRole('button', { name, exact: true }).first().focus();
      await page.keyboard.press('Enter');
      await settled();
      await page.waitForTimeout(300);
      assert.notEqual(await focused(), 'body', `focus after ${name}`);
    };
    await press('Issue wallet pass', () => page.locator('article.credential').waitFor());
    await press('Suspend', () => page.getByText(/· disabled/).waitFor());
    assert.equal(await focused(), 'button:Resume');
    await press('Resume', () => page.getByText(/· enabled/).waitFor());
    await press('Revoke', () => page.locator('article.credential[data-status="revoked"]').waitFor());
    assert.deepEqual(await axe(page, ['page-has-heading-one', 'button-name', 'aria-allowed-attr']), []);
    await context.close();
  });

  test('/p has a meta description in each language', async () => {
    for (const [lang, words] of [
      ['en', /door pass to Apple Wallet or Google Wallet/],
      ['de', /Türausweis/],
      ['ar', /بطاقة الدخول/],
    ] as const) {
      const page = await (await fetch(`${server.url}/p`, { headers: { 'accept-language': lang } })).text();
      const content = /<meta name="description" content="([^"]+)">/.exec(page)?.[1] ?? '';
      assert.match(content, words, lang);
      assert.match(content, /Acme Offices/, lang);
    }
  });
});
