import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { type ReceivedWebhook, type Receiver, startReceiver } from '../helpers/peers.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { freshPhone } from '../helpers/sms.js';

// docs/deploy.md: the outbox rows and queued messages a killed instance had claimed are taken over by
// another instance once their lease (KEYWAY_OUTBOX_LEASE) runs out. A's attempts are held open by
// the receivers, so A provably holds the claims when it dies; B is paused (SIGSTOP) while A claims,
// so nothing but A can have claimed them. If claims were never taken over, nothing would arrive
// from B and the wait below fails; if B took them before the lease ran out, the lower bound fails.

const SK = 'sk_demo_lease_takeover_0123456789ab';
const PK = 'pk_demo_lease_takeover_0123456789ab';
const LEASE_S = Number(process.env.KEYWAY_TEST_LEASE_S ?? 3);
const SMS_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

async function call(base: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('kill -9 of an instance holding claims: another instance takes them over when the lease runs out', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('lease takeover', { skip: reason }, () => undefined);
    return;
  }
  let a: ServerProcess;
  let b: ServerProcess;
  let hooks: Receiver;
  let sms: Receiver;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-lease-'));
  before(async () => {
    schema = await freshSchema();
    [hooks, sms] = await Promise.all([startReceiver(), startReceiver()]);
    const env = {
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_OUTBOX_LEASE: String(LEASE_S),
      KEYWAY_SMS_PROVIDER: 'webhook',
      KEYWAY_SMS_WEBHOOK_URL: sms.url,
      KEYWAY_SMS_WEBHOOK_SECRET: SMS_SECRET,
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    b?.child.kill('SIGCONT');
    a?.child.kill('SIGKILL');
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([hooks?.close(), sms?.close()]);
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a webhook delivery and a queued SMS claimed by A are delivered by B after the lease, not before', async (t) => {
    const hook = await call(a.url, 'POST', '/api/3/webhooks', SK, {
      webhook: { url: hooks.url, events: ['credential.created'] },
    });
    assert.equal(hook.status, 201, hook.text);
    const phone = freshPhone();
    const person = await call(a.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Lea', last_name: 'Se', phone_number: phone },
    });
    assert.equal(person.status, 201, person.text);
    const invited = await call(a.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    assert.equal(invited.status, 201, invited.text); // the SMS goes out only to a phone with a credential waiting
    await waitFor('the first credential.created is delivered', () => hooks.received[0], 5000);
    hooks.received.length = 0;

    // A claims both and is stuck in both attempts; B is paused, so it cannot have claimed either.
    hooks.script.push({ status: 0, hold: true });
    sms.script.push({ status: 0, hold: true });
    b.child.kill('SIGSTOP');
    let held: [ReceivedWebhook, ReceivedWebhook];
    try {
      const cred = await call(a.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
        person_credential: { credential_type_id: 9 },
      });
      assert.equal(cred.status, 201, cred.text);
      const v = await call(a.url, 'POST', '/api/3/verifications', PK, { phone_number: phone });
      assert.equal(v.status, 202, v.text);
      held = [
        await waitFor('A sends the webhook', () => hooks.received[0], 5000),
        await waitFor('A sends the SMS', () => sms.received[0], 5000),
      ];
    } finally {
      b.child.kill('SIGCONT');
    }
    const killedAt = performance.now();
    a.child.kill('SIGKILL');

    for (const [name, rx, first] of [
      ['webhook', hooks, held[0]],
      ['SMS', sms, held[1]],
    ] as const) {
      await waitFor(`A's held ${name} connection closes with A`, () => first.closedAt, 2000);
      const again = await waitFor(`B delivers the ${name} A had claimed`, () => rx.received[1], LEASE_S * 1000 + 5000);
      assert.equal(again.headers['webhook-id'], first.headers['webhook-id'], `the same ${name} (webhook-id)`);
      assert.equal(again.body, first.body);
      const afterClaim = again.at - first.at;
      // A claims a moment before its request arrives (a read of the endpoint, signing, connecting): 1 s of slack for a loaded machine.
      assert.ok(
        afterClaim >= LEASE_S * 1000 - 1000,
        `${name}: B waited for the lease (${Math.round(afterClaim)} ms after A's claim, lease ${LEASE_S} s)`,
      );
      assert.ok(
        afterClaim < LEASE_S * 1000 + 3000,
        `${name}: taken over within lease + 3 s (${Math.round(afterClaim)} ms)`,
      );
      assert.ok(again.at - killedAt < 60_000);
      t.diagnostic(
        `${name}: B sent it ${Math.round(afterClaim)} ms after A's claim, ${Math.round(again.at - killedAt)} ms after the kill (lease ${LEASE_S} s)`,
      );
    }
    assert.equal(hooks.received.length, 2, 'the webhook reached the receiver twice in all: A (held) and B');
    assert.equal(sms.received.length, 2, 'the SMS reached the gateway twice in all: A (held) and B');
  });
});
