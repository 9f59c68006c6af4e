// The end-to-end tests' browser: playwright-core driving the system Chromium (TOOLCHAIN.md).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../chromium-args.mjs';
import { ROOT } from '../helpers/process.js';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');

export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A phone-sized context (390×844, iPhone user agent) that accepts downloads. */
export function phone(browser: Browser, locale = 'en-GB'): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    userAgent: IPHONE_UA,
    isMobile: true,
    hasTouch: true,
    locale,
    acceptDownloads: true,
  });
}

/** What went wrong on a page as a person would never see it: console errors, page errors, failed requests. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    const { pathname } = new URL(r.url());
    const error = r.failure()?.errorText;
    // A download that turns a navigation into a file is reported as an aborted request.
    if (/\.pkpass$/.test(pathname)) return;
    // An element closing its own status stream (its card re-rendered, its device turned active, the
    // page moved on) is reported as an aborted request too; a stream that fails answers an HTTP error.
    if (/\/status\/stream$/.test(pathname) && error === 'net::ERR_ABORTED') return;
    problems.push(`requestfailed: ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

/**
 * axe-core's violations on the page as it stands, shadow roots included, each as "rule (impact): targets";
 * `rules` runs only those. Injected as a script, so the page's context must bypass its CSP (`bypassCSP: true`).
 */
export async function axeViolations(page: Page, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ path: path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js') });
  return page.evaluate(async (only) => {
    type Result = { violations: { id: string; impact: string; nodes: { target: unknown }[] }[] };
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<Result> } }).axe;
    const result = await axe.run(
      document,
      only ? { runOnly: only, resultTypes: ['violations'] } : { resultTypes: ['violations'] },
    );
    return result.violations.map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  }, rules ?? null);
}

let shot = 0;
/** Saves a numbered 390×844 screenshot of what is on screen under test-artifacts/e2e (gitignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  shot += 1;
  await page.screenshot({
    path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`),
    fullPage: false,
  });
}

/** A port nobody listens on now, so PUBLIC_URL can name it before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
