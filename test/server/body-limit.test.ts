// docs/security.md "bodies": ≤ KEYWAY_BODY_LIMIT (64 KiB), enforced while reading, before authentication,
// on every route (the unauthenticated PassKit /log included) → 413 payload_too_large.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { serve } from '@hono/node-server';
import { createHarness, type Harness } from '../helpers/harness.js';

const MiB = 1024 * 1024;

/**
 * Streams `total` bytes of a JSON-looking body in 16 KiB chunks (chunked, or with a declared
 * length) and reports how much had been written when the answer came.
 */
function streamBody(
  port: number,
  path: string,
  total: number,
  opts: { declareLength?: boolean; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; body: string; writtenWhenAnswered: number }>((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(opts.declareLength ? { 'content-length': String(total) } : {}),
        ...opts.headers,
      },
    });
    let written = 0;
    let answered = false;
    const chunk = Buffer.alloc(16 * 1024, 'a');
    req.on('response', (res) => {
      answered = true;
      const at = written;
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, writtenWhenAnswered: at }));
      res.on('error', reject);
    });
    req.on('error', () => {
      /* the server may close the connection on us once it answered: expected */
    });
    req.write('{"logs":["');
    const pump = () => {
      while (!answered && written < total) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', () => setTimeout(pump, 1));
      }
      if (!answered) req.end('"]}');
    };
    pump();
  });
}

describe('request bodies are limited to 64 KiB', () => {
  let h: Harness;
  let server: ReturnType<typeof serve>;
  let port: number;
  before(async () => {
    h = await createHarness();
    server = serve({ fetch: h.keyway.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((r) => server.once('listening', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.close();
    await h.close();
  });

  test('20 MB streamed (chunked) to the unauthenticated PassKit /log: 413 before the body is read whole, memory flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    const res = await streamBody(port, '/wallet/apple/v1/log', 20 * MiB);
    assert.equal(res.status, 413, res.body);
    assert.equal(JSON.parse(res.body).error.code, 'payload_too_large');
    assert.ok(
      res.writtenWhenAnswered < 4 * MiB,
      `answered after ${res.writtenWhenAnswered} bytes: the server read far past the limit`,
    );
    assert.ok(process.memoryUsage().rss - rssBefore < 30 * MiB, 'the body was not buffered');
  });

  test('a declared Content-Length over the limit is refused before any byte of the body, before authentication', async () => {
    const res = await streamBody(port, '/api/3/people', 20 * MiB, {
      declareLength: true,
      headers: { authorization: 'Bearer sk_wrong_wrong_wrong_wrong' },
    });
    assert.equal(res.status, 413, 'not 401: the size is checked first');
    assert.ok(res.writtenWhenAnswered < 4 * MiB);
  });

  test('a body just under the limit is read as before; one byte over is 413 on an admin route too', async () => {
    const pad = (n: number) => JSON.stringify({ first_name: 'Ada', last_name: 'x'.repeat(n) });
    const fits = await h.request('POST', '/api/3/people', { token: h.sk, raw: pad(60 * 1024) });
    assert.equal(fits.status, 400, 'a too-long name is a field error, not a size error');
    const base = pad(0).length;
    const over = await h.request('POST', '/api/3/people', { token: h.sk, raw: pad(64 * 1024 - base + 1) });
    assert.equal(over.status, 413);
    assert.equal(over.body.error.code, 'payload_too_large');
  });

  test('/log writes a bounded number of lines however many requests come', async () => {
    const before = h.logs.filter((l) => l.includes('passkit log')).length;
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    for (let i = 0; i < 20; i++)
      assert.equal((await h.request('POST', '/wallet/apple/v1/log', { body: { logs: lines } })).status, 200);
    const written = h.logs.filter((l) => l.includes('passkit log')).length - before;
    assert.ok(written <= 60, `${written} log lines from 20 requests`);
  });
});
