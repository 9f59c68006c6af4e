import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createApp } from '../../server/app.js';
import { openStore } from '../../server/storage/db.js';
import { isForbiddenAddress, resolveDestination } from '../../server/webhooks/destination.js';
import { dispatchWebhooks, nextDelay, RETRY_SCHEDULE, sendPinned } from '../../server/webhooks/dispatcher.js';
import { createHarness, type Harness, issueWalletPass, TEST_SECRET, TestClock } from '../helpers/harness.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

// The seed's snippet (seeds/hid-mobile-access-invitations.txt), as written there.
function verifyWebhook(payload: string, signature: string, secret: string) {
  const hmac = crypto.createHmac('sha256', secret);
  const digest = hmac.update(payload).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(digest));
}

const headersOf = (r: { headers: Record<string, unknown> }) =>
  Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

async function subscribe(
  h: Harness,
  url: string,
  events = ['credential.created', 'credential.status_changed', 'device.added', 'device.revoked'],
) {
  const r = await h.request('POST', '/api/3/webhooks', { token: h.sk, body: { webhook: { url, events } } });
  assert.equal(r.status, 201, r.text);
  h.secrets.add(r.body.webhook.secret);
  return r.body.webhook as { id: string; secret: string; failing_since: string | null };
}

describe('webhooks (SQLite)', () => {
  let h: Harness;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
    // Real time, so standardwebhooks' 5-minute timestamp tolerance holds.
    h = await createHarness({ clock: new TestClock(Date.now()) });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    await rx.close();
  });

  test('admin endpoints: create shows the secret once, list/read never, delete → 204, bad input → 400', async () => {
    const wh = await subscribe(h, rx.url);
    assert.match(wh.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(Buffer.from(wh.secret.slice(6), 'base64').length, 32);
    const read = await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.skRead });
    assert.equal(read.status, 200);
    assert.equal(read.body.webhook.secret, undefined);
    assert.equal(read.body.webhook.enabled, true);
    const list = await h.request('GET', '/api/3/webhooks', { token: h.skRead });
    assert.ok(
      list.body.webhooks.some((w: { id: string; secret?: string }) => w.id === wh.id && w.secret === undefined),
    );
    const row = await h.store.db
      .selectFrom('webhooks')
      .select('secret_enc')
      .where('id', '=', wh.id)
      .executeTakeFirstOrThrow();
    assert.ok(!row.secret_enc.includes(wh.secret.slice(6, 20)), 'stored encrypted');
    assert.equal(
      (
        await h.request('POST', '/api/3/webhooks', {
          token: h.sk,
          body: { url: 'ftp://x', events: ['credential.created'] },
        })
      ).status,
      400,
    );
    const badEvent = await h.request('POST', '/api/3/webhooks', {
      token: h.sk,
      body: { url: rx.url, events: ['nope'] },
    });
    assert.equal(badEvent.status, 400);
    assert.ok(badEvent.body.error.details.fields['events.0']);
    assert.equal(
      (
        await h.request('POST', '/api/3/webhooks', {
          token: h.skRead,
          body: { url: rx.url, events: ['credential.created'] },
        })
      ).status,
      403,
    );
    assert.equal((await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk })).status, 204);
    assert.equal((await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.sk })).status, 404);
    const audit = await h.request('GET', `/api/3/events?subject=webhook:${wh.id}`, { token: h.sk });
    assert.deepEqual(
      audit.body.events.map((e: { type: string }) => e.type),
      ['webhook.disabled', 'webhook.created'],
    );
  });

  test('a status change is delivered with Standard Webhooks headers and the seed’s hex signature', async () => {
    const wh = await subscribe(h, rx.url);
    rx.received.length = 0;
    const { credentialId, personId } = await issueWalletPass(h);
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 2);
    assert.equal(rx.received.length, 2);
    const bodies = rx.received.map((r) => JSON.parse(r.body));
    assert.deepEqual(
      bodies.map((b) => b.event),
      ['credential.created', 'credential.status_changed'],
    );
    const changed = bodies[1];
    assert.deepEqual(Object.keys(changed).sort(), [
      'credential_id',
      'event',
      'new_status',
      'old_status',
      'person_id',
      'sequence',
      'timestamp',
    ]);
    assert.equal(changed.old_status, 'invited');
    assert.equal(changed.new_status, 'revoked');
    assert.ok(changed.sequence > bodies[0].sequence);
    for (const r of rx.received) {
      assert.deepEqual(new Webhook(wh.secret).verify(r.body, headersOf(r)), JSON.parse(r.body));
      assert.equal(verifyWebhook(r.body, r.headers['x-keyway-signature'] as string, wh.secret), true);
      assert.match(r.headers['webhook-id'] as string, /^msg_/);
      assert.match(r.headers['webhook-timestamp'] as string, /^\d{10}$/);
    }
    assert.throws(() => new Webhook(wh.secret).verify(`${rx.received[0].body} `, headersOf(rx.received[0])));
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0, 'nothing twice');
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  test('killing the server between commit and dispatch loses nothing: a fresh instance over the same database delivers', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    rx.received.length = 0;
    const { credentialId } = await issueWalletPass(h);
    // A second instance, as after a restart: its own store and app, the same file.
    const config = h.keyway.ctx.config;
    const store = openStore(config.databaseUrl);
    const fresh = createApp({ config, store, secret: TEST_SECRET, clock: h.clock, log: () => {} });
    assert.equal(await dispatchWebhooks(fresh.ctx), 1);
    assert.equal(JSON.parse(rx.received[0].body).credential_id, credentialId);
    new Webhook(wh.secret).verify(rx.received[0].body, headersOf(rx.received[0]));
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0, 'the first instance finds nothing left to send');
    await fresh.stop();
    await store.close();
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  test('rotation: both secrets sign during the overlap; test event → 202 and delivered', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    const rotated = await h.request('POST', `/api/3/webhooks/${wh.id}/rotate_secret`, { token: h.sk });
    assert.equal(rotated.status, 200);
    const fresh = rotated.body.webhook.secret as string;
    h.secrets.add(fresh);
    assert.notEqual(fresh, wh.secret);
    rx.received.length = 0;
    const t = await h.request('POST', `/api/3/webhooks/${wh.id}/test`, { token: h.sk });
    assert.equal(t.status, 202);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(rx.received.length, 1);
    const r = rx.received[0];
    assert.equal(JSON.parse(r.body).event, 'webhook.test');
    assert.equal((r.headers['webhook-signature'] as string).split(' ').length, 2);
    new Webhook(fresh).verify(r.body, headersOf(r));
    new Webhook(wh.secret).verify(r.body, headersOf(r));
    assert.equal(verifyWebhook(r.body, r.headers['x-keyway-signature'] as string, fresh), true);
    assert.equal(verifyWebhook(r.body, r.headers['x-keyway-signature-previous'] as string, wh.secret), true);
    h.clock.advance(86400 + 1);
    await h.request('POST', `/api/3/webhooks/${wh.id}/test`, { token: h.sk });
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(
      (rx.received[1].headers['webhook-signature'] as string).split(' ').length,
      1,
      'the old secret stops after the overlap',
    );
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  test('destinations: private and loopback addresses are refused outside development, at delivery time', async () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0.0.0.0',
      '100.64.0.1',
    ]) {
      assert.equal(isForbiddenAddress(ip), true, ip);
    }
    for (const ip of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])
      assert.equal(isForbiddenAddress(ip), false, ip);
    await assert.rejects(resolveDestination(new URL('http://localhost:1/'), false), /non-public/);
    // Every notation of a forbidden address (docs/security.md "webhook destinations"): IPv4-compatible (the URL
    // parser turns [::127.0.0.1] into ::7f00:1), 6to4, NAT64, site-local, expanded and zero-padded forms.
    for (const ip of [
      '::7f00:1',
      '::127.0.0.1',
      '0:0:0:0:0:0:7f00:1',
      '0000:0000:0000:0000:0000:ffff:7f00:0001',
      '2002:7f00:1::1',
      '2002:c0a8:101::',
      '64:ff9b::a00:1',
      '64:ff9b:1::1',
      'fec0::1',
      'feff::1',
      '0:0:0:0:0:0:0:1',
      '2001:0:4136:e378::1',
    ]) {
      assert.equal(isForbiddenAddress(ip), true, ip);
    }
    await assert.rejects(resolveDestination(new URL('http://[::127.0.0.1]:1/'), false), /non-public/);
    await assert.rejects(resolveDestination(new URL('http://[2002:7f00:1::1]:1/'), false), /non-public/);
    await assert.rejects(resolveDestination(new URL('http://[fec0::1]:1/'), false), /non-public/);
    const refused = await sendPinned(rx.url, {}, '{}', false).catch((e: Error) => ({ error: e.message }));
    assert.match(String((refused as { error?: string }).error), /non-public/);
    const before = rx.received.length;
    assert.equal(rx.received.length, before, 'nothing was sent');
    assert.equal(RETRY_SCHEDULE.length, 10);
    assert.equal(
      nextDelay(1, undefined, () => 0.5),
      5,
    );
    assert.equal(
      nextDelay(9, undefined, () => 0.5),
      86400,
    );
  });

  test('a receiver failing 3 times then succeeding: delivered once, the same webhook-id each time, on the schedule', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    rx.received.length = 0;
    rx.script.push(
      { status: 500 },
      { status: 302, headers: { location: 'http://example.com/' } },
      { status: 503, headers: { 'retry-after': '120' } },
    );
    await issueWalletPass(h);
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0);
    assert.equal(rx.received.length, 1, 'first attempt at once (0 s)');
    h.clock.advance(4);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(rx.received.length, 1, 'not before ~5 s');
    h.clock.advance(2);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(rx.received.length, 2, 'second attempt after ~5 s; a 302 is a failure, not followed');
    h.clock.advance(300 * 1.1);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(rx.received.length, 3, 'third after ~5 min');
    const pending = await h.request('GET', `/api/3/webhooks/${wh.id}/deliveries`, { token: h.sk });
    const d = pending.body.deliveries[0];
    assert.equal(d.status, 'pending');
    assert.equal(d.attempts, 3);
    assert.equal(d.last_status, 503);
    const wait = (Date.parse(d.next_attempt_at) - h.clock.now().getTime()) / 1000;
    assert.ok(wait >= 1800 * 0.9 && wait <= 1800 * 1.1, `30 min ± jitter, got ${wait}`);
    h.clock.advance(1800 * 1.1);
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 1);
    assert.equal(rx.received.length, 4);
    assert.equal(new Set(rx.received.map((r) => r.headers['webhook-id'])).size, 1, 'webhook-id stable across retries');
    const done = await h.request('GET', `/api/3/webhooks/${wh.id}/deliveries`, { token: h.sk });
    assert.equal(done.body.deliveries.length, 1);
    assert.equal(done.body.deliveries[0].status, 'delivered');
    assert.equal(done.body.deliveries[0].attempts, 4);
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0);
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  // Review, round two, point 12: a partner reads last_error; the address its hostname resolved to is the operator's business.
  test('a failed attempt’s last_error names no resolved address', async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const wh = await subscribe(h, `http://localhost:${closed}/hook`, ['credential.created']);
    await issueWalletPass(h);
    await dispatchWebhooks(h.keyway.ctx);
    const d = (await h.request('GET', `/api/3/webhooks/${wh.id}/deliveries`, { token: h.sk })).body.deliveries[0];
    assert.equal(d.attempts, 1);
    assert.ok(d.last_error, 'the failure is described');
    assert.doesNotMatch(d.last_error, /127\.0\.0\.1|::1|\d+\.\d+\.\d+\.\d+/, d.last_error);
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  test('Retry-After beyond the schedule is honoured; 410 disables the endpoint', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    rx.received.length = 0;
    rx.script.push({ status: 429, headers: { 'retry-after': '600' } }, { status: 410 });
    await issueWalletPass(h);
    await dispatchWebhooks(h.keyway.ctx);
    const d = (await h.request('GET', `/api/3/webhooks/${wh.id}/deliveries`, { token: h.sk })).body.deliveries[0];
    assert.ok(Date.parse(d.next_attempt_at) - h.clock.now().getTime() >= 600_000, 'waits the 600 s asked');
    h.clock.advance(601);
    await dispatchWebhooks(h.keyway.ctx);
    const after410 = await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.sk });
    assert.equal(after410.body.webhook.enabled, false);
    assert.equal(after410.body.webhook.disabled_reason, 'gone');
    await issueWalletPass(h);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal(rx.received.length, 2, 'a disabled endpoint gets nothing more');
    const audit = await h.request('GET', `/api/3/events?type=webhook.disabled&subject=webhook:${wh.id}`, {
      token: h.sk,
    });
    assert.equal(audit.body.events[0].data.reason, 'gone');
  });

  test('a failing endpoint says so from its first failed attempt until one is delivered', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    rx.script.push({ status: 503 });
    await issueWalletPass(h);
    await dispatchWebhooks(h.keyway.ctx);
    const failedAt = h.clock.now().toISOString();
    const read = async () => (await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.sk })).body.webhook;
    assert.equal((await read()).failing_since, failedAt);
    const listed = await h.request('GET', '/api/3/webhooks', { token: h.sk });
    assert.equal(listed.body.webhooks.find((w: { id: string }) => w.id === wh.id).failing_since, failedAt);
    h.clock.advance(120);
    await dispatchWebhooks(h.keyway.ctx);
    assert.equal((await read()).failing_since, null, 'delivered: no longer failing');
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });

  test('five days of failures disable the endpoint', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    assert.equal(wh.failing_since, null);
    for (let i = 0; i < 30; i++) rx.script.push({ status: 500 });
    await issueWalletPass(h);
    await dispatchWebhooks(h.keyway.ctx);
    const failing = await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.sk });
    assert.equal(failing.body.webhook.failing_since, h.clock.now().toISOString(), 'the webhook says it is failing');
    assert.equal(failing.body.webhook.enabled, true);
    for (let day = 0; day < 6; day++) {
      h.clock.advance(86400);
      await issueWalletPass(h);
      await dispatchWebhooks(h.keyway.ctx);
    }
    const r = await h.request('GET', `/api/3/webhooks/${wh.id}`, { token: h.sk });
    assert.equal(r.body.webhook.enabled, false);
    assert.equal(r.body.webhook.disabled_reason, 'failing');
    rx.script.length = 0;
  });

  test('the background dispatcher delivers within 2 s of the commit', async () => {
    const wh = await subscribe(h, rx.url, ['credential.created']);
    rx.received.length = 0;
    h.keyway.startTimers();
    const t0 = Date.now();
    await issueWalletPass(h);
    while (rx.received.length === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(rx.received.length, 1);
    assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
    await h.request('DELETE', `/api/3/webhooks/${wh.id}`, { token: h.sk });
  });
});

describe('webhooks (PostgreSQL): two instances never send the same attempt', async () => {
  const skip = await skipWithoutPostgres();
  test('concurrent dispatchers over one database deliver each event exactly once', { skip }, async () => {
    const rx = await startReceiver();
    const h = await createHarness({ backend: 'postgres', clock: new TestClock(Date.now()) });
    try {
      const wh = await subscribe(h, rx.url, ['credential.created']);
      for (let i = 0; i < 12; i++) await issueWalletPass(h);
      const config = h.keyway.ctx.config;
      const store = openStore(config.databaseUrl);
      const other = createApp({ config, store, secret: TEST_SECRET, clock: h.clock, log: () => {} });
      const [a, b] = await Promise.all([dispatchWebhooks(h.keyway.ctx), dispatchWebhooks(other.ctx)]);
      assert.equal(a + b, 12);
      assert.equal(rx.received.length, 12);
      assert.equal(new Set(rx.received.map((r) => r.headers['webhook-id'])).size, 12);
      for (const r of rx.received) new Webhook(wh.secret).verify(r.body, headersOf(r));
      await other.stop();
      await store.close();
      h.assertLogsClean();
    } finally {
      await h.close();
      await rx.close();
    }
  });
});
