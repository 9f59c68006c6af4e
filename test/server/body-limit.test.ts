// docs/security.md "bodies": ≤ KEYWAY_BODY_LIMIT (64 KiB), enforced while reading, before authentication,
// on every route (the unauthenticated PassKit /log included) → 413 payload_too_large.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { startStaffSession } from '../../server/domain/callers/staff-sessions.js';
import { inviteStaff } from '../../server/domain/staff/staff.js';
import { transaction } from '../../server/storage/db.js';
import { createHarness, type Harness, serveHarness } from '../helpers/harness.js';

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
  let server: ServerType;
  let port: number;
  before(async () => {
    h = await createHarness();
    ({ server, port } = await serveHarness(h));
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

/**
 * Sends the headers and `first` bytes of a body, then holds the rest back (a body that never ends):
 * resolves with the answer if one comes within `waitMs` without the body being finished, else with
 * `status: 0`. The request is torn down either way.
 */
function holdBody(
  port: number,
  path: string,
  opts: { headers?: Record<string, string>; first: Buffer; declaredLength?: number; waitMs?: number },
) {
  return new Promise<{ status: number; body: string; connection: string | undefined; ms: number }>((resolve) => {
    const started = performance.now();
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        ...(opts.declaredLength !== undefined ? { 'content-length': String(opts.declaredLength) } : {}),
        ...opts.headers,
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: 0, body: '', connection: undefined, ms: performance.now() - started });
    }, opts.waitMs ?? 5000);
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({
          status: res.statusCode!,
          body,
          connection: res.headers.connection,
          ms: performance.now() - started,
        });
      });
    });
    req.on('error', () => {
      /* torn down by us, or closed by the server once it answered */
    });
    req.write(opts.first);
  });
}

describe('the CSV import (10 MB) reads its body only for a caller who may import', () => {
  let h: Harness;
  let server: ServerType;
  let port: number;
  const staffCookie = async (email: string, role: 'viewer' | 'operator') => {
    const ctx = h.keyway.ctx;
    const { staff } = await inviteStaff(ctx, { email, role }, 'system');
    const { token } = await transaction(ctx.store.db, (tx) => startStaffSession(ctx, tx, staff.id));
    return { cookie: `__Host-keyway_console=${token}`, origin: 'http://127.0.0.1:8787' };
  };
  const PATH = '/api/3/people/import?dry_run=true';
  const first = Buffer.from(`first_name,last_name,email\n${'Ada,Lovelace,ada@example.com\n'.repeat(2000)}`);
  before(async () => {
    h = await createHarness();
    ({ server, port } = await serveHarness(h));
  });
  after(async () => {
    server.close();
    await h.close();
  });

  test('no key, a chunked body that never ends: 401 at once, the connection closed, the body never waited for', async () => {
    const r = await holdBody(port, PATH, { first });
    assert.equal(r.status, 401, `no answer in ${Math.round(r.ms)} ms: the server waited for the body before auth`);
    assert.equal(JSON.parse(r.body).error.code, 'unauthorized');
    assert.equal(r.connection, 'close', 'the rest of the body is not read after the answer');
  });

  test('no key, 9 MB declared and held back after 60 KB: 401 at once', async () => {
    const r = await holdBody(port, PATH, { first, declaredLength: 9 * MiB });
    assert.equal(r.status, 401, `no answer in ${Math.round(r.ms)} ms`);
    assert.equal(r.connection, 'close');
  });

  test('a wrong key, and a viewer, with a body that never ends: 401 and 403 insufficient_scope at once', async () => {
    const wrong = await holdBody(port, PATH, {
      first,
      headers: { authorization: 'Bearer sk_wrong_wrong_wrong_wrong' },
    });
    assert.equal(wrong.status, 401, `no answer in ${Math.round(wrong.ms)} ms`);
    const viewer = await holdBody(port, PATH, { first, headers: await staffCookie('vera@example.com', 'viewer') });
    assert.equal(viewer.status, 403, `no answer in ${Math.round(viewer.ms)} ms`);
    assert.equal(JSON.parse(viewer.body).error.code, 'insufficient_scope');
  });

  test('an operator: a chunked file is read and classified; one streamed past 10 MB is 413; a declared 11 MB is 413 before auth', async () => {
    const operator = await staffCookie('otto@example.com', 'operator');
    const ok = await streamBody(port, PATH, 0, { headers: { ...operator, 'content-type': 'text/csv' } });
    assert.equal(ok.status, 422, 'read whole: the JSON-looking body is not a people CSV');
    const csv = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: PATH,
        method: 'POST',
        headers: { ...operator, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end(first);
    });
    assert.equal(csv.status, 200, csv.body);
    assert.equal(JSON.parse(csv.body).total_rows, 2000);
    const big = await streamBody(port, PATH, 11 * MiB, { headers: { ...operator, 'content-type': 'text/csv' } });
    assert.equal(big.status, 413, big.body);
    assert.equal(JSON.parse(big.body).error.code, 'payload_too_large');
    assert.ok(big.writtenWhenAnswered < 12 * MiB);
    const declared = await streamBody(port, PATH, 11 * MiB, { declareLength: true });
    assert.equal(declared.status, 413, 'not 401: a declared size over the limit is refused first');
  });
});
