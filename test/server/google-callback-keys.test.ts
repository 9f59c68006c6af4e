// The callback keys fetched from a URL (Google's published keys in production): cached for the
// Cache-Control max-age, refetched when no cached key verifies (at most once a minute), the last
// good copy kept when a fetch fails, and one deadline for the whole fetch. Real HTTP to a local peer.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { CallbackKeysUnavailableError, cacheSeconds, urlKeySource } from '../../server/wallet/google/callback-keys.js';
import { GoogleCallbackSigner, spki, startKeysPeer } from '../helpers/google.js';

describe('Google callback keys from a URL', () => {
  const peers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const p of peers) await p.close();
  });
  const keyValues = async (keys: Promise<{ key: import('node:crypto').KeyObject }[]>) =>
    (await keys).map((k) => spki(k.key));

  test('Cache-Control max-age decides how long the copy serves; bounded to 60 s … 24 h, 1 h without one', () => {
    assert.equal(cacheSeconds('public, max-age=7200'), 7200);
    assert.equal(cacheSeconds('max-age=5'), 60);
    assert.equal(cacheSeconds('max-age=99999999'), 86400);
    assert.equal(cacheSeconds(null), 3600);
    assert.equal(cacheSeconds('no-cache'), 3600);
  });

  test('cached until max-age; a refresh right after a fetch is refused, a minute later it fetches the rotated keys', async () => {
    const a = new GoogleCallbackSigner();
    const b = new GoogleCallbackSigner();
    const peer = await startKeysPeer(a.keysJson(), 'public, max-age=300');
    peers.push(peer);
    let t = 1_000_000;
    const source = urlKeySource(peer.url, { now: () => t });
    assert.deepEqual(await keyValues(source.keys()), [spki(a.root.publicKey)]);
    t += 200_000;
    await source.keys();
    assert.equal(peer.fetches, 1, 'within max-age the copy serves');
    peer.serve.body = b.keysJson();
    t += 10_000; // 210 s after the fetch
    assert.deepEqual(
      await keyValues(source.keys({ refresh: true })),
      [spki(b.root.publicKey)],
      'a refresh a few minutes after the fetch gets the rotated key',
    );
    assert.equal(peer.fetches, 2);
    t += 1000;
    await source.keys({ refresh: true });
    assert.equal(
      peer.fetches,
      2,
      'a second refresh within a minute of a fetch is not sent (forged signatures cannot make us hammer Google)',
    );
    t += 301_000;
    await source.keys();
    assert.equal(peer.fetches, 3, 'after max-age it fetches again');
  });

  test('a failed fetch keeps the last good copy (and waits a minute before trying again); never fetched → unavailable', async () => {
    const a = new GoogleCallbackSigner();
    const peer = await startKeysPeer(a.keysJson(), 'max-age=60');
    peers.push(peer);
    let t = 5_000_000;
    const source = urlKeySource(peer.url, { now: () => t });
    await source.keys();
    peer.serve.status = 503;
    t += 61_000;
    const logs: Record<string, unknown>[] = [];
    assert.deepEqual(await keyValues(source.keys({ log: (r) => logs.push(r) })), [spki(a.root.publicKey)]);
    assert.equal(peer.fetches, 2);
    assert.equal(logs[0]?.kept_last_copy, true);
    t += 30_000;
    await source.keys();
    assert.equal(peer.fetches, 2, 'no retry within a minute of the failure');

    const fresh = urlKeySource(peer.url, { now: () => t });
    await assert.rejects(fresh.keys(), CallbackKeysUnavailableError);
    peer.serve.body = '{"keys":[]}';
    peer.serve.status = 200;
    await assert.rejects(
      urlKeySource(peer.url).keys(),
      CallbackKeysUnavailableError,
      'a document without an ECv2SigningOnly key is a failure, not an empty key set',
    );
  });

  test('one deadline for the whole fetch: a peer that trickles its body does not hold the caller', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      const t = setInterval(() => res.write(' '), 50); // never finishes
      res.on('close', () => clearInterval(t));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    peers.push({
      close: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    });
    const started = Date.now();
    await assert.rejects(
      urlKeySource(`http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`, { deadlineMs: 400 }).keys(),
      CallbackKeysUnavailableError,
    );
    assert.ok(Date.now() - started < 2000, `gave up after ${Date.now() - started} ms`);
  });
});
