import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../server/app.js';
import { openStore } from '../../server/storage/db.js';
import { createHarness, type Harness, PARTNER_ORIGIN, serveHarness, TEST_SECRET } from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { parseSseFrame, type SseEvent } from '../helpers/sse.js';

/** Reads SSE frames from a fetch/app.request body. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const queue: SseEvent[] = [];
  async function next(timeoutMs = 3000, wantEvent = true): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((e) => !wantEvent || e.event);
      if (i >= 0) return queue.splice(0, i + 1).pop()!;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1, deadline - Date.now()))),
      ]);
      if (chunk === 'timeout') throw new Error('no SSE event in time');
      if (chunk.done) throw new Error('stream ended');
      buffer += decoder.decode(chunk.value, { stream: true });
      let sep: number;
      while ((sep = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        queue.push(parseSseFrame(frame));
      }
    }
  }
  return { next, cancel: () => reader.cancel() };
}

const streamPath = (cid: string) => `/api/3/credentials/${cid}/status/stream`;

describe('live status: GET /api/3/credentials/{cid}/status/stream', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  const open = async (cid: string, token: string, headers: Record<string, string> = {}) => {
    const res = await h.keyway.app.request(`${streamPath(cid)}?token=${token}`, {
      headers: { 'x-forwarded-for': '10.9.9.9', ...headers },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    return sseReader(res.body!);
  };

  test('snapshot first, then active, device changes, then revoking — and the stream outlives the terminal state', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const sse = await open(credentialId, ps);
    const snap = await sse.next();
    assert.equal(snap.event, 'status');
    assert.ok(Number(snap.id) > 0);
    assert.equal(snap.data.old_status, null);
    assert.equal(snap.data.new_status, 'provisioning');
    assert.deepEqual(Object.keys(snap.data).sort(), [
      'credential_id',
      'devices',
      'enabled',
      'new_status',
      'old_status',
      'updated_at',
    ]);

    const pass = await requestApplePass(h, ps);
    const added = await sse.next();
    assert.equal(added.data.devices.length, 1, 'a device change is an event');
    assert.equal(added.data.devices[0].status, 'pending');
    assert.equal(added.data.old_status, 'provisioning');
    assert.ok(Number(added.id) > Number(snap.id));

    const pj = (await fetchPass(h, pass.url)).passJson;
    h.secrets.add(pj.authenticationToken);
    h.secrets.add(pj.barcodes[0].message);
    h.secrets.add('stream-push-token-01');
    const ptid = h.keyway.ctx.wallet!.apple!.material.passTypeId;
    const reg = await h.keyway.app.request(
      `/wallet/apple/v1/devices/abcdefabcdefabcdefabcdefabcdef01/registrations/${ptid}/${pj.serialNumber}`,
      {
        method: 'POST',
        headers: { authorization: `ApplePass ${pj.authenticationToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ pushToken: 'stream-push-token-01' }),
      },
    );
    assert.equal(reg.status, 201);
    const active = await sse.next();
    assert.equal(active.data.old_status, 'provisioning');
    assert.equal(active.data.new_status, 'active');
    assert.equal(active.data.devices[0].status, 'active');

    await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    const revoking = await sse.next();
    assert.equal(revoking.data.old_status, 'active');
    assert.equal(revoking.data.new_status, 'revoking');

    // Still open after the terminal state: the confirmation arrives on the same stream.
    const { confirmVoided } = await import('../../server/domain/credentials/devices.js');
    await confirmVoided(h.keyway.ctx, pass.device_id, 'fetch');
    const revoked = await sse.next();
    assert.equal(revoked.data.new_status, 'revoked');
    await sse.cancel();
  });

  test('Last-Event-ID resumes: nothing when up to date, otherwise every change since, in order, none twice', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const first = await open(credentialId, ps);
    const snap = await first.next();
    await first.cancel();

    const same = await open(credentialId, ps, { 'last-event-id': snap.id! });
    await assert.rejects(same.next(300), /no SSE event/);
    await same.cancel();

    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    const resumed = await open(credentialId, ps, { 'last-event-id': snap.id! });
    const disabled = await resumed.next();
    assert.equal(disabled.data.old_status, 'provisioning');
    assert.equal(disabled.data.new_status, 'provisioning');
    assert.equal(disabled.data.enabled, false);
    assert.ok(Number(disabled.id) > Number(snap.id));
    const revoked = await resumed.next();
    assert.equal(revoked.data.old_status, 'provisioning');
    assert.match(revoked.data.new_status, /^revok/);
    assert.ok(Number(revoked.id) > Number(disabled.id));
    await assert.rejects(resumed.next(300), /no SSE event/, 'nothing twice');
    await resumed.cancel();
  });

  test('tokens: a ps_ for another credential → 404; a publishable key → 401; no token → 401', async () => {
    const a = await redeemedCredential(h);
    const b = await redeemedCredential(h);
    assert.equal((await h.request('GET', `${streamPath(b.credentialId)}?token=${a.ps}`)).status, 404);
    assert.equal((await h.request('GET', streamPath(a.credentialId), { token: h.pk })).status, 401);
    assert.equal((await h.request('GET', streamPath(a.credentialId))).status, 401);
  });

  test('over a real socket: a closed client leaves the hub', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    const { server, port } = await serveHarness(h);
    const res = await fetch(`http://127.0.0.1:${port}${streamPath(credentialId)}?token=${ps}`);
    const sse = sseReader(res.body!);
    assert.equal((await sse.next()).data.new_status, 'provisioning');
    const hub = h.keyway.hub;
    await sse.cancel();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hub.size, 0, 'the subscriber left when the client closed');
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('a stream opened from a listed origin carries the CORS headers the auth middleware set, in app.request and over a socket', async () => {
    const { ps, credentialId } = await redeemedCredential(h);
    const { server, port } = await serveHarness(h);
    const init = { headers: { origin: PARTNER_ORIGIN, 'x-forwarded-for': '10.9.9.8' } };
    for (const res of [
      await h.keyway.app.request(`${streamPath(credentialId)}?token=${ps}`, init),
      await fetch(`http://127.0.0.1:${port}${streamPath(credentialId)}?token=${ps}`, init),
    ]) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), PARTNER_ORIGIN);
      assert.equal(res.headers.get('access-control-expose-headers'), 'Date, Retry-After');
      assert.equal(res.headers.get('vary'), 'Origin');
      assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
      const sse = sseReader(res.body!);
      assert.equal((await sse.next()).data.new_status, 'provisioning');
      await sse.cancel();
    }
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('live status across instances (PostgreSQL LISTEN/NOTIFY)', async () => {
  const skip = await skipWithoutPostgres();
  test('a change made by another instance reaches this instance’s stream', { skip }, async () => {
    const h = await createHarness({ backend: 'postgres' });
    try {
      const { ps, personId, credentialId } = await redeemedCredential(h);
      const res = await h.keyway.app.request(`${streamPath(credentialId)}?token=${ps}`);
      const sse = sseReader(res.body!);
      assert.equal((await sse.next()).data.new_status, 'provisioning');
      await new Promise((r) => setTimeout(r, 300)); // LISTEN is in place
      const config = h.keyway.ctx.config;
      const store = openStore(config.databaseUrl);
      const other = createApp({ config, store, secret: TEST_SECRET, clock: h.clock, log: () => {} });
      const r = await other.app.request(`/api/3/people/${personId}/credentials/${credentialId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${h.sk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
      assert.equal(r.status, 200);
      const ev = await sse.next(5000);
      assert.equal(ev.data.enabled, false);
      await sse.cancel();
      await other.stop();
      await store.close();
      h.assertLogsClean();
    } finally {
      await h.close();
    }
  });
});
