import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, PG_URL, skipWithoutPostgres } from '../helpers/pg.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';
import { sseReader } from '../helpers/sse.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const SK = 'sk_demo_outage_0123456789abcdefgh';
const PK = 'pk_demo_outage_0123456789abcdefgh';

let serverOutput = () => '';

async function call(base: string, method: string, p: string, token?: string, body?: unknown) {
  const started = performance.now();
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(20_000),
  }).catch((err: Error) => {
    throw new Error(
      `${method} ${p}: ${err.message} (${(err.cause as Error)?.message}); server output:\n${serverOutput().slice(-1500)}`,
    );
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? JSON.parse(text) : undefined,
    text,
    ms: performance.now() - started,
  };
}

describe('a database outage under a running server (PostgreSQL behind a TCP proxy)', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('database outage', { skip: reason }, () => undefined);
    return;
  }
  let server: ServerProcess;
  let proxy: TcpProxy;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-outage-'));
  before(async () => {
    schema = await freshSchema();
    const target = new URL(PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    server = await startServerProcess({
      KEYWAY_ENV: 'development',
      DATABASE_URL: proxy.url(schema.url),
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
    });
    serverOutput = server.output;
  });
  after(async () => {
    await server?.stop();
    await proxy?.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('503 + Retry-After within 5 s while cut, /readyz 503, /healthz 200, streams kept, service again by itself, no acknowledged write lost', async () => {
    const acknowledged: number[] = [];
    const person = await call(server.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Before', last_name: 'Outage' },
    });
    assert.equal(person.status, 201, person.text);
    acknowledged.push(person.body.person.id);
    const cred = await call(server.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    assert.equal(cred.status, 201, cred.text);
    const cid = cred.body.person_credential.id;
    const session = await call(server.url, 'POST', '/api/3/client_sessions', SK, { person_id: person.body.person.id });
    const streamRes = await fetch(`${server.url}/api/3/credentials/${cid}/status/stream?token=${session.body.token}`);
    assert.equal(streamRes.status, 200);
    const stream = sseReader(streamRes.body!);
    assert.equal((await stream.next()).data.new_status, 'invited');

    // Writes in flight when the cut comes: each answers 201 (and must then be there) or 503.
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      call(server.url, 'POST', '/api/3/people', SK, { person: { first_name: `Flight${i}`, last_name: 'Outage' } }),
    );
    proxy.cut();
    const during = await Promise.all([
      ...inFlight,
      call(server.url, 'POST', '/api/3/people', SK, { person: { first_name: 'During', last_name: 'Outage' } }),
      call(server.url, 'GET', `/api/3/people/${person.body.person.id}/credentials/${cid}`, SK),
      call(server.url, 'GET', `/api/3/credentials/${cid}/status`, session.body.token),
    ]);
    for (const r of during) {
      if (r.status === 201) acknowledged.push(r.body.person.id);
      else {
        assert.equal(r.status, 503, `during the cut: ${r.status} ${r.text}`);
        assert.equal(r.body.error.code, 'service_unavailable');
        assert.match(r.headers.get('retry-after') ?? '', /^\d+$/, 'a 503 says when to retry');
        assert.ok(!/terminat|ECONN|pg|postgres/i.test(r.text), `no internals in the answer: ${r.text}`);
      }
      assert.ok(r.ms < 5000, `answered in ${Math.round(r.ms)} ms (≤ 5 s)`);
    }
    // Requests after the cut, when the pool knows its connections are gone.
    const later = await call(server.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Later', last_name: 'Outage' },
    });
    assert.equal(later.status, 503, later.text);
    assert.ok(later.ms < 5000, `answered in ${Math.round(later.ms)} ms`);
    const ready = await call(server.url, 'GET', '/readyz');
    assert.equal(ready.status, 503, ready.text);
    assert.ok(ready.ms < 5000);
    assert.equal((await call(server.url, 'GET', '/healthz')).status, 200);
    assert.equal(server.child.exitCode, null, `the server died:\n${server.output().slice(-2000)}`);

    proxy.restore();
    let again: Awaited<ReturnType<typeof call>> | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      again = await call(server.url, 'POST', '/api/3/people', SK, {
        person: { first_name: 'After', last_name: 'Outage' },
      });
      if (again.status === 201) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(again?.status, 201, `service again without a restart: ${again?.text}`);
    acknowledged.push(again!.body.person.id);
    assert.equal((await call(server.url, 'GET', '/readyz')).status, 200);

    // The stream opened before the outage is still open and hears the next change.
    const disabled = await call(server.url, 'PUT', `/api/3/people/${person.body.person.id}/credentials/${cid}`, SK, {
      person_credential: { enabled: false },
    });
    assert.equal(disabled.status, 200, disabled.text);
    const ev = await stream.next(5000);
    assert.equal(ev.data.enabled, false);
    await stream.cancel();

    const direct = new pg.Client({ connectionString: schema.url });
    await direct.connect();
    const { rows } = await direct.query('select id from people where id = any($1)', [acknowledged]);
    await direct.end();
    assert.equal(rows.length, acknowledged.length, 'every acknowledged write is in the database');
    assert.equal(server.child.exitCode, null);
  });
});
