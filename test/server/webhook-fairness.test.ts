import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness, issueWalletPass, TestClock } from '../helpers/harness.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

// Issue 25 point 3: stuck webhook endpoints do not starve a healthy one (docs/lifecycle.md).

/** An endpoint that accepts the connection and the request and never answers. */
async function startHangingEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    req.resume();
    open.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/stuck`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`webhook fairness (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let healthy: Receiver;
    const stuck: { url: string; close: () => Promise<void> }[] = [];
    before(async () => {
      if (skip) return;
      healthy = await startReceiver();
      for (let i = 0; i < 5; i++) stuck.push(await startHangingEndpoint());
      h = await createHarness({ backend, clock: new TestClock(Date.now()) });
    });
    after(async () => {
      await h?.close();
      await healthy?.close();
      for (const s of stuck) await s.close();
    });

    test('five endpoints that never answer and one healthy: each of its 40 deliveries arrives within 3 s of its event', {
      skip,
    }, async () => {
      for (const url of [...stuck.map((s) => s.url), healthy.url]) {
        const r = await h.request('POST', '/api/3/webhooks', {
          token: h.sk,
          body: { webhook: { url, events: ['credential.created'] } },
        });
        assert.equal(r.status, 201, r.text);
        h.secrets.add(r.body.webhook.secret);
      }
      h.keyway.startTimers();
      const committed = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const { credentialId } = await issueWalletPass(h, { first_name: `Fair${i}` });
        committed.set(credentialId, performance.now());
      }
      const t0 = Date.now();
      while (healthy.received.length < 40 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      assert.equal(healthy.received.length, 40, `${healthy.received.length} of 40 delivered to the healthy endpoint`);
      const lags = healthy.received.map((r) => {
        const id = JSON.parse(r.body).credential_id;
        const at = committed.get(id);
        assert.ok(at !== undefined, `a delivery for an event of this test: ${r.body.slice(0, 200)}`);
        return r.at - at;
      });
      const worst = Math.max(...lags);
      assert.ok(worst < 3000, `the slowest delivery came ${Math.round(worst)} ms after its event`);
    });
  });
}
