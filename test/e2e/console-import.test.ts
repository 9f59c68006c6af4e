// The console's CSV import and activity pages in Chromium against a real dev server (docs/console.md):
// an operator signs in with a virtual passkey, imports the fixture (BOM, `;`, a quoted newline, a bad
// phone, a missing name) — the dry run shows exactly the refused rows, apply shows its progress bar,
// the report downloads, applying again leaves every row unchanged — then the activity page filters,
// shows a new event live at the top and exports CSV; axe on each state.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT, runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { freePort, launch, screenshot, watchProblems } from './browser.js';
import { addVirtualAuthenticator, axe } from './console-helpers.js';

const FIXTURE = path.join(ROOT, 'test/fixtures/people-import.csv');

describe('the console’s import and activity in Chromium', { timeout: 240_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-import-e2e-'));
    const port = await freePort();
    const env = {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
    server = await startServerProcess(env);
    base = `http://localhost:${port}`;
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'en-GB', bypassCSP: true });
    page = await context.newPage();
    problems = watchProblems(page);
    await addVirtualAuthenticator(context, page);
    const invited = await runCli(['staff', 'invite', 'olive@example.com', '--role', 'operator'], env);
    assert.equal(invited.code, 0, invited.stderr);
    await page.goto(`${base}/console/enrol#${invited.stdout.trim().split('#')[1]}`);
    await page.getByRole('button', { name: 'Create passkey' }).click();
    await page.getByRole('heading', { name: 'People' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The four counts of the outcome shown, as "create 5, update 0, …". */
  const counts = async () =>
    (
      await page
        .locator('dl.counts > div')
        .evaluateAll((divs) =>
          divs.map((d) => `${d.getAttribute('data-action')} ${d.querySelector('dd')?.textContent}`),
        )
    ).join(', ');

  test('dry run shows exactly the refused rows; apply with a progress bar; report; apply again → unchanged', async () => {
    await page.getByRole('link', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import people' }).waitFor();
    await axe(page, 'import');
    await page.getByLabel('CSV file').setInputFiles(FIXTURE);
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    await page.getByRole('heading', { name: 'Dry run' }).waitFor();
    assert.equal(await counts(), 'create 6, update 0, unchanged 0, refused 2');
    const refused = page.locator('tr[data-line]');
    assert.deepEqual(await refused.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line'))), ['6', '7']);
    await refused.filter({ hasText: 'Not a valid phone number.' }).filter({ hasText: 'Linus Torvalds' }).waitFor();
    await refused.filter({ hasText: 'First and last name are both needed.' }).waitFor();
    await axe(page, 'import dry run');
    await screenshot(page, 'console-import-dry-run');

    // Each range waits a little, so the bar is seen moving as it would with 10,000 rows.
    await page.route(/\/api\/3\/people\/import\?dry_run=false/, async (route) => {
      await new Promise((r) => setTimeout(r, 600));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Apply 6 rows' }).click();
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    await bar.waitFor();
    assert.equal(await bar.getAttribute('max'), '8');
    assert.equal(await bar.getAttribute('aria-valuetext'), '0 of 8 rows applied');
    await axe(page, 'import applying');
    await page.getByRole('heading', { name: 'Applied' }).waitFor();
    assert.equal(await counts(), 'create 6, update 0, unchanged 0, refused 2');
    await page.getByRole('status').filter({ hasText: 'Import finished: 8 rows applied.' }).waitFor();
    await axe(page, 'import applied');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the report (CSV)' }).click(),
    ]);
    const report = fs.readFileSync((await download.path())!, 'utf8');
    const lines = report
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'line,action,person_id,first_name,last_name,email,external_id,changes,reason_code,reason');
    assert.equal(lines.length, 9);
    assert.match(lines[4], /^6,refused,,Linus,Torvalds,linus@example\.com,EMP-004,,invalid_phone_number,/);
    assert.match(lines[2], /^3,create,\d+,Ada,Lovelace,ada@example\.com,EMP-002,/);

    // The same file again: nothing to create or change.
    await page.getByRole('button', { name: 'Check file (dry run)' }).click();
    await page.getByRole('heading', { name: 'Dry run' }).waitFor();
    assert.equal(await counts(), 'create 0, update 0, unchanged 6, refused 2');
    await page.getByRole('button', { name: 'Apply 0 rows' }).click();
    await page.getByRole('heading', { name: 'Applied' }).waitFor();
    assert.equal(await counts(), 'create 0, update 0, unchanged 6, refused 2');
    await page.unroute(/\/api\/3\/people\/import\?dry_run=false/);

    // Found by the external id the import gave them.
    await page.goto(`${base}/console/people?q=emp-006`);
    await page.getByRole('link', { name: 'Jürgen Müller' }).click();
    await page.getByRole('heading', { name: 'Jürgen Müller' }).waitFor();
    await page.getByText('External id: EMP-006').waitFor();
    assert.equal(await page.getByLabel('Phone').inputValue(), '+4915123456789');
  });

  test('activity: filter by type, a new event live at the top, CSV export', async () => {
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity' }).waitFor();
    await page.getByLabel('Event type (e.g. person.*)').fill('people.imported');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/type=people\.imported/);
    const rows = page.locator('tr[data-event]');
    // The address changes at once; the filtered list replaces the unfiltered one when it arrives.
    await page.waitForFunction(() => {
      const host = document.querySelector('keyway-console')?.shadowRoot?.querySelector('console-activity');
      const types = [...(host?.shadowRoot?.querySelectorAll('tr[data-event] code') ?? [])].map((c) => c.textContent);
      return types.length > 0 && types.every((t) => t === 'people.imported');
    });
    assert.equal(await rows.count(), 2, 'one event per applied range');
    await axe(page, 'activity filtered');

    await page.goto(`${base}/console/activity?type=person.*`);
    await rows.first().waitFor();
    const before = await rows.count();
    // Someone else adds a person: it arrives at the top without a reload.
    const created = await page.evaluate(async () => {
      const res = await fetch('/api/3/people', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ person: { first_name: 'Hedy', last_name: 'Lamarr' } }),
      });
      return (await res.json()).person.id as number;
    });
    await rows
      .first()
      .filter({ hasText: `person:${created}` })
      .waitFor({ timeout: 15_000 });
    assert.equal(await rows.count(), before + 1);
    await page.getByRole('status').filter({ hasText: '1 new event.' }).waitFor();
    await axe(page, 'activity live');
    await screenshot(page, 'console-activity');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as CSV' }).click(),
    ]);
    const csv = fs
      .readFileSync((await download.path())!, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    assert.equal(csv[0], 'id,at,type,actor,subject,data');
    assert.equal(csv.length, before + 2);
    assert.ok(csv.every((l, i) => i === 0 || /,person\.(created|updated),staff:stf_/.test(l)));
    assert.deepEqual(problems, []);
  });

  test('both pages in Arabic, right to left, and German: axe-clean', async () => {
    await page.goto(`${base}/console/import?lang=ar`);
    await page.getByRole('heading', { name: 'استيراد الأشخاص' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await axe(page, 'import (ar)');
    await page.goto(`${base}/console/activity?lang=de`);
    await page.getByRole('heading', { name: 'Aktivität' }).waitFor();
    await page.locator('tr[data-event]').first().waitFor();
    await axe(page, 'activity (de)');
    assert.deepEqual(problems, []);
  });
});
