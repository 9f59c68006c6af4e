import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TEST_SECRET } from '../helpers/harness.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { sseReader } from '../helpers/sse.js';

const SK = 'sk_demo_instances_0123456789abcdef';
const PK = 'pk_demo_instances_0123456789abcdef';

async function call(
  base: string,
  method: string,
  p: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('two instances on one PostgreSQL database are one system', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('instances', { skip: reason }, () => undefined);
    return;
  }
  let a: ServerProcess;
  let b: ServerProcess;
  let receiver: Receiver;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-instances-'));
  before(async () => {
    schema = await freshSchema();
    receiver = await startReceiver();
    env = {
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000',
      KEYWAY_OUTBOX_LEASE: '3', // a killed instance's claims are taken over after 3 s, not 60
    };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await receiver?.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('a write through A is read through B; a change on A reaches a stream on B', async () => {
    const person = await call(a.url, 'POST', '/api/3/people', SK, { person: { first_name: 'Ada', last_name: 'Two' } });
    assert.equal(person.status, 201);
    const read = await call(b.url, 'GET', `/api/3/people/${person.body.person.id}`, SK);
    assert.equal(read.status, 200);
    assert.equal(read.body.person.first_name, 'Ada');
    const cred = await call(b.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    const cid = cred.body.person_credential.id;
    const session = await call(a.url, 'POST', '/api/3/client_sessions', SK, { person_id: person.body.person.id });
    const stream = sseReader(
      (await fetch(`${b.url}/api/3/credentials/${cid}/status/stream?token=${session.body.token}`)).body!,
    );
    assert.equal((await stream.next()).data.enabled, true);
    const t0 = performance.now();
    assert.equal(
      (
        await call(a.url, 'PUT', `/api/3/people/${person.body.person.id}/credentials/${cid}`, SK, {
          person_credential: { enabled: false },
        })
      ).status,
      200,
    );
    const ev = await stream.next(2000);
    assert.equal(ev.data.enabled, false);
    assert.ok(performance.now() - t0 < 1000, `B's stream heard A's change in ${Math.round(performance.now() - t0)} ms`);
    assert.equal(
      (await call(b.url, 'GET', `/api/3/people/${person.body.person.id}/credentials/${cid}`, SK)).body.person_credential
        .enabled,
      false,
    );
    await stream.cancel();
  });

  test('a key revoked with `npx keyway keys revoke` is refused by both within 100 ms', async () => {
    const created = await runCli(['keys', 'create', '--scope', 'account.person', '--name', 'to revoke'], {
      ...env,
      DATABASE_URL: schema.url,
    });
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    const id = /Created (\S+)/.exec(created.stderr)![1];
    for (const s of [a, b]) assert.equal((await call(s.url, 'GET', '/api/3/people', key)).status, 200);
    const revoked = await runCli(['keys', 'revoke', id], { ...env, DATABASE_URL: schema.url });
    assert.equal(revoked.code, 0, revoked.stderr);
    const t0 = performance.now();
    const answers = await Promise.all([a, b].map((s) => call(s.url, 'GET', '/api/3/people', key)));
    assert.ok(performance.now() - t0 < 100, `answered ${Math.round(performance.now() - t0)} ms after the CLI exited`);
    assert.deepEqual(
      answers.map((r) => r.status),
      [401, 401],
    );
  });

  test('kill -9 of A during a burst of redemptions through both: every 200 has its effect, no code twice, every webhook delivered; a stream cut with A resumes on B', async () => {
    const hook = await call(b.url, 'POST', '/api/3/webhooks', SK, {
      webhook: { url: receiver.url, events: ['credential.status_changed'] },
    });
    assert.equal(hook.status, 201, hook.text);
    const person = await call(a.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Burst', last_name: 'Kill' },
    });
    const pid = person.body.person.id;
    const creds = await Promise.all(
      Array.from({ length: 40 }, () =>
        call(b.url, 'POST', `/api/3/people/${pid}/credentials`, SK, { person_credential: { credential_type_id: 9 } }),
      ),
    );
    const codes = creds.map((c) => ({
      id: c.body.person_credential.id as string,
      code: c.body.person_credential.invitation_code as string,
    }));

    // A stream on A, about to be cut.
    const watched = codes[0].id;
    const session = await call(b.url, 'POST', '/api/3/client_sessions', SK, { person_id: pid });
    const onA = sseReader(
      (await fetch(`${a.url}/api/3/credentials/${watched}/status/stream?token=${session.body.token}`)).body!,
    );
    const last = await onA.next();

    // Each code redeemed through A and through B at once; A is killed in the middle.
    const outcomes: { code: string; via: 'a' | 'b'; status?: number }[] = [];
    const burst = codes.flatMap(({ code }, i) =>
      (['a', 'b'] as const).map(async (via) => {
        await new Promise((r) => setTimeout(r, i * 3));
        const server = via === 'a' ? a : b;
        // Two clients per code (each <invite-redeem> sends its own key): a keyless repeat from one
        // client within a minute would get its lost answer back (redeem-recovery.test.ts), not a 409.
        const r = await call(
          server.url,
          'POST',
          '/api/3/invitations/redeem',
          PK,
          { invitation_code: code },
          { 'idempotency-key': `${via}-${i}` },
        ).catch(() => undefined);
        outcomes.push({ code, via, status: r?.status });
      }),
    );
    await new Promise((r) => setTimeout(r, 40));
    a.child.kill('SIGKILL');
    await Promise.all(burst);
    assert.ok(
      outcomes.some((o) => o.via === 'a' && o.status === undefined) || outcomes.every((o) => o.via === 'b' || o.status),
      'A died during the burst',
    );
    assert.equal((await onA.rest(2000)).ended, true, 'the stream on A was cut');

    // Meanwhile, through B: the watched credential is disabled, enabled and revoked.
    for (const body of [{ enabled: false }, { enabled: true }])
      assert.equal(
        (await call(b.url, 'PUT', `/api/3/people/${pid}/credentials/${watched}`, SK, { person_credential: body }))
          .status,
        200,
      );
    assert.equal((await call(b.url, 'DELETE', `/api/3/people/${pid}/credentials/${watched}`, SK)).status, 202);
    const onB = sseReader(
      (
        await fetch(`${b.url}/api/3/credentials/${watched}/status/stream?token=${session.body.token}`, {
          headers: { 'last-event-id': last.id! },
        })
      ).body!,
    );
    const seen = [];
    for (;;) {
      const ev = await onB.next(1500).catch(() => undefined);
      if (!ev) break;
      seen.push(ev);
    }
    await onB.cancel();
    const ids = seen.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => x - y),
      'in order',
    );
    assert.equal(new Set(ids).size, ids.length, 'none twice');
    assert.ok(ids[0] > Number(last.id));
    // The redemption (if the burst reached it), the disable, the enable and the revocation, each once.
    const steps = seen.map((e) => `${e.data.new_status}/${e.data.enabled}`);
    const tail = steps.slice(-3);
    assert.ok(tail[0].endsWith('/false') && tail[1].endsWith('/true'), `steps: ${steps.join(' → ')}`);
    assert.match(tail[2], /^revok/);

    // Every 200 has its effect, and no code succeeded twice.
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    const { rows } = await db.query<{ id: string; status: string }>(
      'select id, status from credentials where id = any($1)',
      [codes.map((c) => c.id)],
    );
    await db.end();
    const statusOf = new Map(rows.map((r) => [r.id, r.status]));
    for (const { id, code } of codes) {
      const ok = outcomes.filter((o) => o.code === code && o.status === 200);
      assert.ok(ok.length <= 1, `code of ${id} succeeded ${ok.length} times`);
      if (ok.length === 1 && id !== watched)
        assert.equal(statusOf.get(id), 'provisioning', `${id} answered 200 but is ${statusOf.get(id)}`);
    }
    const answered = outcomes.filter((o) => o.status === 200).length;
    assert.ok(answered >= 20, `B redeemed its share: ${answered} 200s`);

    // Every status change committed (answered or not) reaches the webhook receiver, A's claims taken over by B.
    const changed = new Set(rows.filter((r) => r.status !== 'invited').map((r) => r.id));
    const deadline = Date.now() + 20_000;
    const delivered = () =>
      new Set(
        receiver.received
          .map((w) => JSON.parse(w.body))
          .filter((w) => w.event === 'credential.status_changed' || w.type === 'credential.status_changed')
          .map((w) => w.credential_id ?? w.data?.credential_id),
      );
    while (Date.now() < deadline && [...changed].some((id) => !delivered().has(id)))
      await new Promise((r) => setTimeout(r, 200));
    const missing = [...changed].filter((id) => !delivered().has(id));
    assert.deepEqual(missing, [], `credential.status_changed delivered for each of ${changed.size}`);
  });
});
