// End to end, as a new user would: the operator console issues a pass, the invitation link opens
// /p, the code redeems, Add to Apple Wallet downloads a signed .pkpass, the SMS flow runs with the
// code read off the dev phone, and the credential's status changes on /p without a reload.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoSecretKey, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { ARTIFACTS, axeViolations, freePort, launch, phone, screenshot, watchProblems } from './browser.js';

const PHONE = '+44 7400 123456';
const PHONE_E164 = '+447400123456';

describe('Keyway end to end in Chromium against a real server', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let consolePage: Page;
  let hostedPage: Page;
  let hostedProblems: string[];
  let invitationUrl: string;
  let pass: { serialNumber: string; authenticationToken: string; passTypeIdentifier: string; webServiceURL: string };

  /** Whether the server has the SSE status stream; until it does, widgets poll and its 404 is expected. */
  let sseMissing = false;
  /** Every request the phone's pages made, as a proxy in front of Keyway would log it. */
  const requests: { url: string; authorization?: string }[] = [];
  /** The page problems that count: all of them, less the expected SSE 404 while the stream is missing. */
  const real = (problems: string[]) => {
    if (!sseMissing) return problems;
    const sse = problems.filter((p) => /\/status\/stream\?/.test(p)).length;
    let console404 = 0;
    // Chromium logs each failed EventSource as an anonymous "Failed to load resource" line.
    return problems.filter(
      (p) =>
        !/\/status\/stream\?/.test(p) && !(/^console: Failed to load resource: .* 404/.test(p) && ++console404 <= sse),
    );
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-e2e-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYWAY_BRAND_NAME: 'Acme Offices',
    });
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    sseMissing = !openapi.paths['/api/3/credentials/{cid}/status/stream'];
    browser = await launch();
    context = await phone(browser);
    context.on('request', (request) =>
      requests.push({ url: request.url(), authorization: request.headers().authorization }),
    );
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the demo loads without console errors; the operator console issues a wallet pass with its code, QR and link', async () => {
    consolePage = await context.newPage();
    const problems = watchProblems(consolePage);
    await consolePage.goto(`${server.url}/`);
    await consolePage.getByRole('heading', { name: 'Welcome to the development demo' }).waitFor();
    await consolePage.locator('#person-form input[name=first_name]').fill('Amira');
    await consolePage.locator('#person-form input[name=last_name]').fill('Haddad');
    await consolePage.locator('#person-form input[name=phone]').fill(PHONE);
    await consolePage.getByRole('button', { name: 'Create person' }).click();
    await consolePage.getByRole('heading', { name: /Amira Haddad/ }).waitFor();
    await consolePage.getByRole('button', { name: 'Issue wallet pass' }).click();
    const link = consolePage.locator('a.invitation-link');
    await link.waitFor();
    invitationUrl = (await link.getAttribute('href'))!;
    assert.match(invitationUrl, /\/p#code=[0-9A-Z]{3}(-[0-9A-Z]{3}){3}$/);
    assert.match((await consolePage.locator('img.qr').getAttribute('src'))!, /^data:image\/svg\+xml/);
    await consolePage.locator('credential-status[status="invited"]').waitFor();
    await consolePage.getByText('credential.created').first().waitFor();
    await consolePage.locator('article.credential').scrollIntoViewIfNeeded();
    await screenshot(consolePage, 'console-issued');
    assert.deepEqual(real(problems), []);
  });

  test('the invitation link opens /p (step 1 of 3), the fragment is cleared, and the code redeems (no failing request)', async () => {
    hostedPage = await context.newPage();
    hostedProblems = watchProblems(hostedPage);
    await hostedPage.goto(invitationUrl);
    await hostedPage.getByText('Step 1 of 3').waitFor();
    await hostedPage.waitForFunction(() => !location.hash);
    const code = decodeURIComponent(invitationUrl.split('#code=')[1]);
    assert.equal(await hostedPage.getByLabel('Invitation code').inputValue(), code);
    await screenshot(hostedPage, 'hosted-step1-code');
    await hostedPage.getByRole('button', { name: 'Redeem code' }).click();
    await hostedPage.getByText('Step 2 of 3').waitFor();
    await hostedPage.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await screenshot(hostedPage, 'hosted-step2-wallet');
    assert.deepEqual(real(hostedProblems), []);
  });

  test('Add to Apple Wallet downloads a .pkpass that openssl cms -verify accepts against the dev chain', async () => {
    const [download] = await Promise.all([
      hostedPage.waitForEvent('download'),
      hostedPage.getByRole('button', { name: 'Add to Apple Wallet' }).click(),
    ]);
    assert.match(new URL(download.url()).pathname, /^\/passes\/dl_[A-Za-z0-9]+\.pkpass$/);
    const file = path.join(dataDir, 'downloaded.pkpass');
    await download.saveAs(file);
    const files = unzipSync(fs.readFileSync(file));
    for (const name of ['pass.json', 'manifest.json', 'signature', 'icon.png'])
      assert.ok(files[name], `${name} in the .pkpass`);
    const dir = fs.mkdtempSync(path.join(dataDir, 'pkpass-'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), files['manifest.json']);
    fs.writeFileSync(path.join(dir, 'signature'), files.signature);
    const certs = path.join(dataDir, 'certs');
    const verified = spawnSync(
      'openssl',
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        path.join(dir, 'signature'),
        '-content',
        path.join(dir, 'manifest.json'),
        '-CAfile',
        path.join(certs, 'apple-root.pem'),
        '-certfile',
        path.join(certs, 'apple-wwdr.pem'),
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stderr, /Verification successful/);
    pass = JSON.parse(Buffer.from(files['pass.json']).toString('utf8'));
    assert.equal(pass.webServiceURL, `${server.url}/wallet/apple`);

    // The page moved on to the live status without leaving /p.
    await hostedPage.getByText('Step 3 of 3').waitFor();
    await hostedPage.locator('credential-status[status="provisioning"]').waitFor();
    assert.equal(new URL(hostedPage.url()).pathname, '/p');
    await screenshot(hostedPage, 'hosted-step3-status');
    assert.deepEqual(real(hostedProblems), []);
  });

  test('the SMS flow on /p, with the code read off the dev phone', async () => {
    const smsPage = await context.newPage();
    const problems = watchProblems(smsPage);
    await smsPage.goto(`${server.url}/p`);
    await smsPage.getByRole('button', { name: 'No invitation code? Use your mobile number' }).click();
    await smsPage.getByLabel('Mobile number').fill(PHONE);
    await screenshot(smsPage, 'sms-phone');
    await smsPage.getByRole('button', { name: 'Send code' }).click();
    await smsPage.getByLabel('Security code').waitFor();

    // The dev phone (the demo's message list over /dev/outbox) shows the text message.
    const sms = consolePage.locator(`.message[data-channel="sms"][data-to="${PHONE_E164}"] .body`).first();
    await sms.waitFor({ timeout: 10_000 });
    await consolePage.locator('#dev-phone').scrollIntoViewIfNeeded();
    await screenshot(consolePage, 'dev-phone-sms');
    const text = (await sms.textContent()) ?? '';
    const code = /\b(\d{6})\b/.exec(text)?.[1];
    assert.ok(code, `a 6-digit code in: ${text}`);
    assert.match(text, /\/v\/[A-Za-z0-9_-]+/, 'the SMS carries the secure link too');

    await smsPage.getByLabel('Security code').fill(code);
    await screenshot(smsPage, 'sms-code');
    await smsPage.getByRole('button', { name: 'Continue' }).click();
    await smsPage.getByText('Step 2 of 3').waitFor();
    await smsPage.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await screenshot(smsPage, 'sms-verified-wallet');
    assert.deepEqual(real(problems), []);
    await smsPage.close();
  });

  test('the SMS link from the dev phone opens /p#ps=…, which continues at step 2 and clears the fragment', async () => {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/p`);
    await page.getByRole('button', { name: 'No invitation code? Use your mobile number' }).click();
    await page.getByLabel('Mobile number').fill(PHONE);
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Security code').waitFor();
    // The newest text on the dev phone; its link is the other way to verify.
    const link = consolePage.locator(`.message[data-channel="sms"][data-to="${PHONE_E164}"]`).first().locator('a');
    await consolePage.waitForFunction(
      (count) => document.querySelectorAll('.message[data-channel="sms"]').length >= count,
      2,
      { timeout: 10_000 },
    );
    const href = (await link.getAttribute('href'))!;
    assert.match(href, /\/v\/[A-Za-z0-9_-]+$/);
    await page.goto(href);
    await page.getByRole('button').first().click();
    await page.waitForURL(/\/p$/);
    await page.getByText('Step 2 of 3').waitFor();
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await screenshot(page, 'sms-link-step2');
    assert.deepEqual(real(problems), []);
    await page.close();
  });

  test('on a computer /p shows a hand-off QR code; its link continues on the phone (#h=)', async () => {
    const keys = { secretKey: demoSecretKey(dataDir) };
    const credentialId = (await consolePage.locator('article.credential').first().getAttribute('data-credential-id'))!;
    // A second phone for the same credential: the operator re-issues, the code admits one more device.
    const reissued = await fetch(`${server.url}/api/3/people/1/credentials/${credentialId}/invitation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.secretKey}` },
    });
    assert.equal(reissued.status, 200);
    const { person_credential: credential } = (await reissued.json()) as {
      person_credential: { invitation_url: string };
    };

    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const computer = await desktop.newPage();
    const problems = watchProblems(computer);
    await computer.goto(credential.invitation_url);
    await computer.getByRole('button', { name: 'Redeem code' }).click();
    const handoffLink = computer.locator('[part="handoff-link"]');
    await handoffLink.waitFor();
    await computer.locator('[part="qr"] img').waitFor();
    const handoffUrl = (await handoffLink.getAttribute('href'))!;
    assert.match(handoffUrl, /\/p#h=/);
    fs.mkdirSync(path.join(ARTIFACTS), { recursive: true });
    await computer.screenshot({ path: path.join(ARTIFACTS, 'desktop-handoff.png') });
    assert.deepEqual(real(problems), []);
    await desktop.close();

    const page = await context.newPage();
    const phoneProblems = watchProblems(page);
    await page.goto(handoffUrl);
    await page.getByText('Step 2 of 3').waitFor();
    await page.waitForFunction(() => !location.hash);
    await page.getByRole('button', { name: 'Add to Apple Wallet' }).waitFor();
    await screenshot(page, 'handoff-on-phone');
    assert.deepEqual(real(phoneProblems), []);
    await page.close();
  });

  test('the PassKit web service registers the device and <credential-status> on /p turns active without a reload', async (t) => {
    const base = pass.webServiceURL.replace(/\/$/, '');
    const url = `${base}/v1/devices/e2edevice0001/registrations/${pass.passTypeIdentifier}/${pass.serialNumber}`;
    const registration = await fetch(url, {
      method: 'POST',
      headers: { authorization: `ApplePass ${pass.authenticationToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: 'e2e-push-token' }),
    });
    if (registration.status === 404) {
      t.skip('the PassKit web service (/wallet/apple/v1/…) is not on this server yet: it answered 404');
      return;
    }
    assert.ok(
      registration.status === 201 || registration.status === 200,
      `registration answered ${registration.status}`,
    );
    await hostedPage.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 1));
    await hostedPage.locator('credential-status[status="active"]').waitFor({ timeout: 20_000 });
    await hostedPage.getByText(/Your pass is in Apple Wallet/).waitFor({ timeout: 10_000 });
    assert.equal(
      await hostedPage.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker),
      1,
      'no reload',
    );
    await screenshot(hostedPage, 'hosted-pass-active');

    // The operator revokes that one phone from the console.
    await consolePage.getByRole('button', { name: 'Revoke device' }).first().click();
    await consolePage.getByText(/apple · revoked/).waitFor({ timeout: 10_000 });
  });

  test('revoking the credential in the console changes <credential-status> on /p without a reload', async () => {
    await hostedPage.evaluate(() => ((window as unknown as { e2eMarker: number }).e2eMarker = 2));
    await consolePage.getByRole('button', { name: 'Revoke', exact: true }).click();
    await consolePage
      .locator('credential-status[status="revoking"], credential-status[status="revoked"]')
      .first()
      .waitFor({ timeout: 15_000 });
    // /p polls (or streams) the status: it must change in place.
    await hostedPage
      .locator('credential-status[status="revoking"], credential-status[status="revoked"]')
      .waitFor({ timeout: 20_000 });
    assert.equal(
      await hostedPage.evaluate(() => (window as unknown as { e2eMarker?: number }).e2eMarker),
      2,
      'no reload',
    );
    await hostedPage.locator('#step-wallet').waitFor({ state: 'hidden', timeout: 5_000 }); // no "add" buttons for a removed pass
    await hostedPage.locator('credential-status').scrollIntoViewIfNeeded();
    await screenshot(hostedPage, 'hosted-revoked');
    await consolePage.locator('article.credential').scrollIntoViewIfNeeded();
    await screenshot(consolePage, 'console-revoked');
    assert.deepEqual(real(hostedProblems), []);
  });

  test('/p in Arabic is right-to-left under a strict CSP and never framed', async () => {
    const res = await fetch(`${server.url}/p`, { headers: { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' } });
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.match(await res.text(), /<html lang="ar" dir="rtl">/);
    // A phone set to Arabic.
    const arabic = await phone(browser, 'ar-EG');
    const page = await arabic.newPage();
    const problems = watchProblems(page);
    await page.goto(`${server.url}/p`);
    await page.getByText('الخطوة 1 من 3').waitFor();
    assert.equal(await page.locator('html').getAttribute('dir'), 'rtl');
    await screenshot(page, 'hosted-arabic');
    assert.deepEqual(real(problems), []);
    await arabic.close();
  });

  test('no request URL carried a token: the status stream was read with the Authorization header (docs/api.md)', () => {
    const streams = requests.filter((r) => /\/status\/stream/.test(r.url));
    assert.ok(streams.length > 0, 'the pages opened a status stream');
    for (const stream of streams) assert.match(stream.authorization ?? '', /^Bearer (ps|cs)_/, stream.url);
    assert.deepEqual(
      requests.filter((r) => /[?&]token=|(ps|cs)_[A-Za-z0-9]{8,}/.test(r.url)).map((r) => r.url),
      [],
    );
  });

  test('the demo at desktop width: the snippet is not cut off, and every scrollable region is keyboard-reachable (axe)', async () => {
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await desktop.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Copy-paste snippet' }).waitFor();
    const snippet = await page
      .locator('pre.snippet')
      .evaluate((pre) => ({ scroll: pre.scrollWidth, client: pre.clientWidth, text: pre.textContent ?? '' }));
    assert.ok(snippet.scroll <= snippet.client, `snippet ${snippet.scroll} px wide in a ${snippet.client} px box`);
    assert.ok(snippet.text.indexOf('<invite-redeem') < snippet.text.indexOf('<add-to-wallet'), 'redeem comes first');
    assert.deepEqual(await axeViolations(page, ['scrollable-region-focusable']), []);
    await desktop.close();
  });
});
