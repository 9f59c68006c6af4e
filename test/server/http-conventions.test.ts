// Review findings on HTTP conventions (docs/api.md): 405 with Allow, group ids, the phone_number alias.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

describe('HTTP conventions', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a known path with another method is 405 method_not_allowed with Allow; an unknown path stays 404', async () => {
    const put = await h.request('PUT', '/api/3/people', { token: h.sk, body: {} });
    assert.equal(put.status, 405, put.text);
    assert.equal(put.body.error.code, 'method_not_allowed');
    assert.deepEqual(put.headers.get('allow')!.split(', ').sort(), ['GET', 'POST']);
    const patch = await h.request('PATCH', '/api/3/people/12', { token: h.sk, body: {} });
    assert.equal(patch.status, 405);
    assert.deepEqual(patch.headers.get('allow')!.split(', ').sort(), ['DELETE', 'GET', 'PUT']);
    const log = await h.request('GET', '/wallet/apple/v1/log');
    assert.equal(log.status, 405);
    assert.equal(log.headers.get('allow'), 'POST');
    assert.equal((await h.request('GET', '/api/3/no-such-thing', { token: h.sk })).status, 404);
  });

  test('group_ids must be positive integers', async () => {
    for (const bad of [[-1], [0], [1.5]]) {
      const res = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: 'G', last_name: 'Ids', group_ids: bad },
      });
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
      assert.ok(res.body.error.details.fields['group_ids.0'], res.text);
    }
    const ok = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'G', last_name: 'Ids', group_ids: [3, 7] },
    });
    assert.deepEqual(ok.body.person.group_ids, [3, 7]);
  });

  test('POST /people accepts phone_number as an alias of phone (the seed docs use both); both different is 400', async () => {
    const res = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { person: { first_name: 'Al', last_name: 'Ias', phone_number: '+447911123499' } },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.person.phone, '+447911123499');
    h.secrets.add('+447911123499');
    const upd = await h.request('PUT', `/api/3/people/${res.body.person.id}`, {
      token: h.sk,
      body: { phone_number: '+447911123498' },
    });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.person.phone, '+447911123498');
    h.secrets.add('+447911123498');
    const both = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Al', last_name: 'Ias', phone: '+447911123497', phone_number: '+447911123496' },
    });
    assert.equal(both.status, 400);
    assert.ok(both.body.error.details.fields.phone_number);
  });
});

describe('development pages answer only a loopback Host (docs/security.md: no DNS rebinding)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
  });

  test('/, /demo/* and /dev/outbox: 404 for any other Host, served for localhost, 127.0.0.1 and [::1]', async () => {
    for (const path of ['/', '/demo/demo.js', '/dev/outbox']) {
      for (const host of [
        'rebind.attacker.example',
        'keys.example.com',
        '127.0.0.1.nip.io',
        'localhost.attacker.example',
      ]) {
        const res = await h.keyway.app.request(
          `http://${host}:8787${path}`,
          {},
          { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
        );
        assert.equal(res.status, 404, `${host}${path}`);
        assert.doesNotMatch(await res.text(), /sk_/);
      }
      for (const host of ['localhost', '127.0.0.1', '[::1]']) {
        const res = await h.keyway.app.request(
          `http://${host}:8787${path}`,
          {},
          { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
        );
        assert.equal(res.status, 200, `${host}${path}`);
      }
    }
  });
});

/** This machine's first non-loopback IPv4 address (`hostname -I`), or undefined when it has none. */
function outsideAddress(): string | undefined {
  try {
    return execFileSync('hostname', ['-I'], { encoding: 'utf8' })
      .split(/\s+/)
      .find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && !a.startsWith('127.'));
  } catch {
    return undefined;
  }
}

/** A GET to `address`:port, with the Host a browser on loopback would send and the headers given. */
function get(
  address: string,
  port: string,
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: address, port, path: p, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', reject);
  });
}

// A proxied client address is whatever the caller wrote in X-Forwarded-For: the /dev routes (which hand
// out codes and pass tokens) look at the socket's peer, which no header can change.
describe('the /dev routes answer a loopback peer only, whatever X-Forwarded-For says (KEYWAY_DEV_EXPOSE with KEYWAY_TRUST_PROXY)', () => {
  const outside = outsideAddress();
  let server: ServerProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-dev-peer-'));
  before(async () => {
    if (!outside) return;
    server = await startServerProcess({
      KEYWAY_DATA_DIR: dir,
      KEYWAY_ENV: 'development',
      KEYWAY_DEV_EXPOSE: '1',
      KEYWAY_TRUST_PROXY: '1',
      PUBLIC_URL: 'http://127.0.0.1:8787',
    });
  });
  after(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('from a non-loopback address with X-Forwarded-For: 127.0.0.1 → 404; from loopback → 200', {
    skip: outside ? false : 'this machine has no non-loopback IPv4 address (hostname -I) to call from',
  }, async () => {
    const port = new URL(server!.url).port;
    for (const p of ['/dev/outbox', '/dev/passes']) {
      const spoofed = await get(outside!, port, p, { 'x-forwarded-for': '127.0.0.1' });
      assert.equal(spoofed.status, 404, `${p} from ${outside} claiming 127.0.0.1: ${spoofed.body.slice(0, 200)}`);
      assert.equal((await get(outside!, port, p)).status, 404, `${p} from ${outside}`);
      assert.equal((await get('127.0.0.1', port, p)).status, 200, `${p} from loopback`);
      // Behind a trusted proxy on this machine the proxied address is not loopback, the peer is: still served.
      assert.equal((await get('127.0.0.1', port, p, { 'x-forwarded-for': '203.0.113.9' })).status, 200);
    }
    const save = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: outside,
          port,
          path: '/dev/passes/dev_x/google-save',
          method: 'POST',
          headers: { host: `127.0.0.1:${port}`, 'x-forwarded-for': '127.0.0.1' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(save, 404, 'the Google save from outside');
  });
});
