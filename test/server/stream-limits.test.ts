// docs/security.md "streams": ≤ 5 open status streams per token, ≤ 100 per client IP, ≤ KEYWAY_MAX_STREAMS
// per process → 429 too_many_streams with Retry-After.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerType } from '@hono/node-server';
import { createHarness, type Harness, serveHarness } from '../helpers/harness.js';
import { redeemedCredential } from '../helpers/passes.js';

describe('status stream caps', () => {
  let h: Harness;
  let server: ServerType;
  let base: string;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_MAX_STREAMS: '8' } });
    ({ server, url: base } = await serveHarness(h));
  });
  after(async () => {
    (server as import('node:http').Server).closeAllConnections();
    server.close();
    await h.close();
  });

  const open = async (token: string, credentialId: string) => {
    const ac = new AbortController();
    const res = await fetch(`${base}/api/3/credentials/${credentialId}/status/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: ac.signal,
    });
    return { res, close: () => ac.abort() };
  };

  test('6 streams on one token: the 6th is 429 too_many_streams; closing one frees its place; the process cap holds too', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    const streams = [];
    for (let i = 0; i < 5; i++) {
      const s = await open(ps, credentialId);
      assert.equal(s.res.status, 200);
      streams.push(s);
    }
    const sixth = await open(ps, credentialId);
    assert.equal(sixth.res.status, 429);
    const body = (await sixth.res.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'too_many_streams');
    assert.ok(Number(sixth.res.headers.get('retry-after')) >= 1);

    streams.shift()!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open(ps, credentialId);
    assert.equal(again.res.status, 200, 'a closed stream gives its place back');
    streams.push(again);

    // Another token: 3 more reach the process cap of 8, the 4th is refused.
    const other = await redeemedCredential(h);
    for (let i = 0; i < 3; i++) {
      const s = await open(other.ps, other.credentialId);
      assert.equal(s.res.status, 200);
      streams.push(s);
    }
    const over = await open(other.ps, other.credentialId);
    assert.equal(over.res.status, 429, 'KEYWAY_MAX_STREAMS per process');
    for (const s of streams) s.close();
  });
});
