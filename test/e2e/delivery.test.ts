// Delivery over real HTTP against a server process (the README’s packages section): text answers compressed by
// Accept-Encoding, /cdn/* cached by ETag and Cache-Control with 304 on revalidation, and the
// hosted page fetching the phone chunk only when the phone step shows (network log in Chromium).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { freePort, launch, phone } from './browser.js';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One GET with exactly these headers, body bytes as sent (node:http does not decode). */
function get(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('delivery over HTTP and in Chromium', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let cdnFiles: string[];
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-delivery-'));
    const port = await freePort();
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dataDir,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    cdnFiles = fs.readdirSync(path.join(import.meta.dirname, '..', '..', 'dist', 'cdn'));
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('text answers come as br or gzip by Accept-Encoding, and decode to the plain answer', async () => {
    for (const url of ['/cdn/keyway.js', '/p', '/openapi.json', '/p/page.js']) {
      const plain = await get(`${server.url}${url}`);
      assert.equal(plain.status, 200, url);
      assert.equal(plain.headers['content-encoding'], undefined, `${url} without Accept-Encoding`);
      const br = await get(`${server.url}${url}`, { 'accept-encoding': 'gzip, deflate, br' });
      assert.equal(br.headers['content-encoding'], 'br', url);
      assert.match(String(br.headers.vary), /accept-encoding/i);
      assert.ok(br.body.length < plain.body.length * 0.6, `${url}: ${br.body.length} of ${plain.body.length} bytes`);
      if (url !== '/p') assert.deepEqual(zlib.brotliDecompressSync(br.body), plain.body, url);
      const gz = await get(`${server.url}${url}`, { 'accept-encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip', url);
      if (url !== '/p') assert.deepEqual(zlib.gunzipSync(gz.body), plain.body, url);
      const refused = await get(`${server.url}${url}`, { 'accept-encoding': 'br;q=0, gzip;q=0' });
      assert.equal(refused.headers['content-encoding'], undefined, `${url}: q=0 refuses`);
    }
  });

  test('/cdn: hashed chunks immutable for a year, the entry revalidated, If-None-Match → 304 in every coding', async () => {
    const entry = await get(`${server.url}/cdn/keyway.js`, { 'accept-encoding': 'br' });
    assert.equal(entry.headers['cache-control'], 'no-cache');
    const etag = entry.headers.etag!;
    assert.match(etag, /^(W\/)?"[\w-]{16,}"$/);
    for (const coding of ['br', 'gzip', '']) {
      const again = await get(`${server.url}/cdn/keyway.js`, {
        'if-none-match': etag,
        ...(coding && { 'accept-encoding': coding }),
      });
      assert.equal(again.status, 304, coding);
      assert.equal(again.body.length, 0);
      assert.equal(again.headers['cache-control'], 'no-cache');
    }
    assert.equal((await get(`${server.url}/cdn/keyway.js`, { 'if-none-match': '"something-else"' })).status, 200);
    const chunk = cdnFiles.find((f) => /^phone-[\w-]+\.js$/.test(f))!;
    const hashed = await get(`${server.url}/cdn/${chunk}`, { 'accept-encoding': 'br' });
    assert.equal(hashed.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await get(`${server.url}/cdn/${chunk}`, { 'if-none-match': hashed.headers.etag! })).status, 304);
    const page = await get(`${server.url}/p/page.js`);
    assert.equal((await get(`${server.url}/p/page.js`, { 'if-none-match': page.headers.etag! })).status, 304);
  });

  test('/p on the code path never fetches the phone chunk; choosing the phone fetches it', async () => {
    const context = await phone(browser);
    try {
      const page = await context.newPage();
      const fetched: string[] = [];
      page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
      await page.goto(`${server.url}/p`);
      await page.getByRole('textbox', { name: /invitation code/i }).waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(500);
      assert.ok(fetched.includes('/cdn/keyway.js'), fetched.join(' '));
      assert.deepEqual(
        fetched.filter((p) => /\/cdn\/phone-/.test(p)),
        [],
        'no phone chunk on the code path',
      );
      const phoneChunk = page.waitForRequest((r) => /\/cdn\/phone-[\w-]+\.js$/.test(r.url()), { timeout: 10_000 });
      await page.getByRole('button', { name: /mobile number/i }).click();
      await phoneChunk;
    } finally {
      await context.close();
    }
  });
});
