// End to end, as an operator meets HID Mobile Access (type 8, docs/hid.md): the demo console in
// Chromium against a server process whose KEYWAY_HID_ORIGO_* point at a local HID Origo peer
// (test/helpers/origo-peer.ts). The console issues the credential; the peer plays the phone (code
// entered, credential provisioned); the console follows it to active, revokes a phone, then the credential.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import { demoSecretKey, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { freePort, launch, screenshot, watchProblems } from './browser.js';

/** The server reads Origo back every second (its worker wakes every 5 s); the console polls every 4 s. */
const FOLLOW_MS = 20_000;

describe('the demo console issues HID Mobile Access through HID Origo (a local peer)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let peer: OrigoPeer;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let code: string;

  // Helpers named as the operator acts.
  const card = (): Locator => page.locator('article.credential[data-type="8"]');
  const cardIn = (status: string): Locator =>
    page.locator(`article.credential[data-type="8"][data-status="${status}"]`);
  async function createPerson(first: string, last: string) {
    await page.locator('#person-form input[name=first_name]').fill(first);
    await page.locator('#person-form input[name=last_name]').fill(last);
    await page.getByRole('button', { name: 'Create person' }).click();
    await page.getByRole('heading', { name: new RegExp(`${first} ${last}`) }).waitFor();
  }
  async function issueHidMobileAccess() {
    await page.getByLabel('Credential type').selectOption({ label: 'HID Mobile Access' });
    await page.getByRole('button', { name: 'Issue HID Mobile Access' }).click();
  }
  const shownCode = async () => (await card().locator('.code').textContent())!.trim();

  before(async () => {
    peer = await startOrigoPeer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-e2e-hid-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...peer.env,
      KEYWAY_HID_ORIGO_POLL_S: '1',
    });
    browser = await launch();
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    page = await desktop.newPage();
    problems = watchProblems(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await peer?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('GET /api/3/credential_types lists type 8, and the console offers the choice', async () => {
    const types = (await (await fetch(`${server.url}/api/3/credential_types`)).json()) as {
      credential_types: { id: number }[];
    };
    assert.ok(types.credential_types.some((t) => t.id === 8));
    await page.goto(`${server.url}/`);
    await createPerson('Hana', 'Novak');
    const options = await page.getByLabel('Credential type').locator('option').allTextContents();
    assert.deepEqual(options, ['HID Mobile Access', 'Wallet pass']);
    assert.equal(await page.getByLabel('Credential type').inputValue(), '9', 'the wallet pass stays the default');
    await page.getByRole('button', { name: 'Issue wallet pass' }).waitFor();
  });

  test('Origo down: the console shows the 503 message with when to retry, and nothing is issued', async () => {
    await peer.down();
    try {
      await issueHidMobileAccess();
      const error = page.locator('#credential-error');
      await error
        .filter({ hasText: /HID Origo did not answer in time\. Nothing was changed/ })
        .waitFor({ timeout: 15_000 });
      assert.match((await error.textContent())!, /Try again in \d+ s\./);
      assert.equal(await card().count(), 0);
      assert.equal(
        await page.getByRole('button', { name: 'Issue HID Mobile Access' }).isEnabled(),
        true,
        'the operator may try again',
      );
    } finally {
      await peer.up();
    }
    // The browser logged the 503 itself; it was expected.
    problems.splice(0, problems.length, ...problems.filter((p) => !/\b503\b/.test(p)));
  });

  test('issues type 8: Origo’s own code is shown as the API shows it, status invited, no link or QR', async () => {
    await issueHidMobileAccess();
    await cardIn('invited').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#credential-error').textContent(), '', 'the earlier error is gone');
    code = await shownCode();
    assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    assert.equal(peer.invitationByCode(code)?.status, 'PENDING', 'the code is Origo’s');
    // The same code the admin API gives the partner (seed Approach 2).
    const keys = { secretKey: demoSecretKey(dataDir) };
    const id = await card().getAttribute('data-credential-id');
    const api = (await (
      await fetch(`${server.url}/api/3/people/1/credentials/${id}`, {
        headers: { authorization: `Bearer ${keys.secretKey}` },
      })
    ).json()) as { person_credential: { invitation_code: string } };
    assert.equal(api.person_credential.invitation_code, code);
    assert.match(
      (await card().locator('.hid-state').textContent())!,
      /invited — Waiting for the person to enter the code in the HID Mobile Access app/,
    );
    assert.equal(await card().locator('a.invitation-link, img.qr').count(), 0, 'an HID code goes into the HID app');
    await card().locator('credential-status[status="invited"]').waitFor();
    await card().scrollIntoViewIfNeeded();
    await screenshot(page, 'hid-console-invited');
  });

  test('the phone enters the code → provisioning; Origo provisions it → active, with the phone as a device', async () => {
    peer.acknowledge(code);
    await cardIn('provisioning').waitFor({ timeout: FOLLOW_MS });
    assert.equal(await card().locator('.code').count(), 0, 'an entered code is spent and no longer shown');
    peer.provision(code, { model: 'Pixel 8' });
    await cardIn('active').waitFor({ timeout: FOLLOW_MS });
    await card()
      .getByText(/^phone · active · dev_/)
      .waitFor();
    await card().locator('credential-status[status="active"]').waitFor();
    await screenshot(page, 'hid-console-active');
  });

  test('a second phone by re-issue, then one phone revoked: only its Origo credential', async () => {
    await card().getByRole('button', { name: 'Re-issue (new phone)' }).click();
    await card().locator('.code').waitFor({ timeout: 10_000 });
    const second = await shownCode();
    assert.notEqual(second, code);
    assert.equal(peer.invitationByCode(second)?.status, 'PENDING');
    const phone2 = peer.provision(second, { model: 'iPhone 15' });
    await card()
      .getByText(/^phone · active/)
      .nth(1)
      .waitFor({ timeout: FOLLOW_MS });
    const phone1 = [...peer.credentials.values()].find((c) => c.id === peer.invitationByCode(code)!.credentialId)!;
    await card().getByRole('button', { name: 'Revoke phone' }).first().click();
    await card()
      .getByText(/^phone · revoked/)
      .waitFor({ timeout: 10_000 });
    await waitFor(() => phone1.status === 'REVOKE_INITIATED', FOLLOW_MS);
    assert.equal(phone2.credential.status, 'ACTIVE', 'the other phone keeps its credential');
    assert.equal(await cardIn('active').count(), 1);
  });

  test('revoking in the console: revoking until Origo confirms, then revoked', async () => {
    await card().getByRole('button', { name: 'Revoke', exact: true }).click();
    await cardIn('revoking').waitFor({ timeout: 10_000 });
    assert.match((await card().locator('.hid-state').textContent())!, /Revoking at HID Origo/);
    assert.equal(await card().getByRole('button', { name: 'Suspend' }).isDisabled(), true);
    const last = [...peer.credentials.values()].find((c) => c.containerId && c.status === 'ACTIVE');
    await waitFor(() => !last || last.status === 'REVOKE_INITIATED', FOLLOW_MS);
    // Accepted is not revoked: the console keeps showing revoking until Origo reports it done.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await cardIn('revoking').count(), 1);
    peer.completeRevocations();
    await cardIn('revoked').waitFor({ timeout: FOLLOW_MS });
    await card().locator('credential-status[status="revoked"]').waitFor();
    await screenshot(page, 'hid-console-revoked');
    assert.deepEqual(problems, []);
  });
});

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
