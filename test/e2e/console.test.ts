// The staff console in Chromium against a real dev server (docs/console.md), with a virtual WebAuthn
// authenticator from the DevTools protocol: enrol from a CLI-made link, sign out, sign in; find a
// person, issue a wallet pass by email and find it in the dev outbox, revoke it and see `revoked`
// arrive live in a second tab; axe on every page. Always on localhost: WebAuthn refuses IP addresses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { freePort, launch, screenshot, watchProblems } from './browser.js';
import { addVirtualAuthenticator, axe } from './console-helpers.js';

describe('the staff console in Chromium', { timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let env: Record<string, string>;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-console-e2e-'));
    const port = await freePort();
    env = {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      KEYWAY_BRAND_NAME: 'Acme Offices',
    };
    server = await startServerProcess(env);
    base = `http://localhost:${port}`;
    browser = await launch();
    // axe is injected as a script: the console's own CSP would refuse it (and rightly so).
    context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'en-GB', bypassCSP: true });
    page = await context.newPage();
    problems = watchProblems(page);
    await addVirtualAuthenticator(context, page);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('opened on 127.0.0.1, the console says to use localhost', async () => {
    const ip = await context.newPage();
    await ip.goto(`${server.url}/console`);
    await ip.getByRole('alert').filter({ hasText: 'localhost' }).waitFor();
    await ip.close();
  });

  test('enrol from a CLI-made link, sign out, sign in again', async () => {
    const invited = await runCli(['staff', 'invite', 'ada@example.com', '--role', 'admin', '--name', 'Ada'], env);
    assert.equal(invited.code, 0, invited.stderr);
    const token = invited.stdout.trim().split('#')[1];
    await page.goto(`${base}/console/enrol#${token}`);
    await page.getByRole('heading', { name: 'Create your passkey' }).waitFor();
    await axe(page, 'enrol');
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/people');
    const cookies = await context.cookies(base);
    const session = cookies.find((c) => c.name === '__Host-keyway_console');
    assert.ok(session, 'the session cookie is set on localhost');
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Strict');
    await axe(page, 'people');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await axe(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
    await screenshot(page, 'console-people');
  });

  test('find a person, issue a wallet pass by email, revoke it and see revoked live in a second tab', async () => {
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Email').last().fill('grace@example.com');
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    const personUrl = page.url();

    // Found again by search (the address carries it).
    await page.goto(`${base}/console/people`);
    await page.getByRole('searchbox', { name: 'Search by name, email or phone' }).fill('hopp');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=hopp/);
    await page.getByRole('link', { name: 'Grace Hopper' }).click();
    await page.getByRole('heading', { name: 'Grace Hopper' }).waitFor();
    assert.equal(page.url(), personUrl);

    await page.getByLabel('Credential type').selectOption('9');
    await page.getByLabel('Email the invitation').check();
    await page.getByRole('button', { name: 'Issue', exact: true }).click();
    const card = page.locator('article[data-credential]');
    await card.waitFor();
    await card.getByText('invited').waitFor();
    await axe(page, 'person');
    await screenshot(page, 'console-person');

    // The invitation email reached the dev outbox.
    let mail: { subject?: string; body: string } | undefined;
    for (let i = 0; i < 40 && !mail; i++) {
      const outbox = (await (await fetch(`${server.url}/dev/outbox?to=grace@example.com`)).json()) as {
        messages: { subject?: string; body: string }[];
      };
      mail = outbox.messages[0];
      if (!mail) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(mail, 'an invitation email in the dev outbox');

    const second = await context.newPage();
    await second.goto(personUrl);
    const watched = second.locator('article[data-credential] .status');
    await watched.getByText('invited').waitFor();

    await card.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Yes, revoke' }).click();
    // No reload in the second tab: the status stream brings it.
    await watched.getByText('revoked').waitFor({ timeout: 15_000 });
    await second.close();
  });

  test('the console answers carry the strict CSP, no-store and frame-ancestors none', async () => {
    const res = await fetch(`${base}/console/people`);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(problems, []);
  });
});
