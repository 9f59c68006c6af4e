/**
 * docs/deploy.md on PostgreSQL: the read cache across instances. A change committed through one instance
 * (or the CLI) is read on another within 100 ms; an instance whose LISTEN connection is down serves
 * nothing from its cache until it hears the others again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, PG_URL, skipWithoutPostgres } from '../helpers/pg.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const SK = 'sk_demo_readcache_0123456789abcdef';
const PK = 'pk_demo_readcache_0123456789abcdef';

async function call(base: string, method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

/** The instance's read-cache hits so far (GET /metrics, open in development). */
async function hits(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^keyway_read_cache_lookups\{outcome="hit"\} (\d+)/m.exec(text)?.[1] ?? NaN);
}

/**
 * Reads until `read` answers true, or fails after `within` ms. Answers how long after `since` the
 * last read that still answered false began (0 when the first read answered true): docs/deploy.md's bound
 * is on when a read begins, and a loaded machine may take longer than that to answer it.
 */
async function readUntil(read: () => Promise<boolean>, since: number, within: number, what: string): Promise<number> {
  let staleBegan = since;
  for (;;) {
    const began = performance.now();
    if (await read()) return staleBegan - since;
    staleBegan = began;
    if (performance.now() - since > within) assert.fail(`${what}: not seen within ${within} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('the read cache across instances on one PostgreSQL database', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('read cache across instances', { skip: reason }, () => undefined);
    return;
  }
  let a: ServerProcess;
  let b: ServerProcess;
  let proxy: TcpProxy;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-readcache-'));
  before(async () => {
    schema = await freshSchema();
    const target = new URL(PG_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    env = {
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
    };
    // A reaches the database through the proxy, so a test can cut its LISTEN connection alone.
    a = await startServerProcess({ ...env, DATABASE_URL: proxy.url(schema.url) });
    b = await startServerProcess(env);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let credentialPath: string;
  const enabledOnA = async () => {
    const r = await call(a.url, 'GET', credentialPath, SK);
    assert.equal(r.status, 200, r.text);
    return r.body.person_credential.enabled as boolean;
  };
  const setEnabledOnB = async (enabled: boolean) => {
    const r = await call(b.url, 'PUT', credentialPath, SK, { person_credential: { enabled } });
    assert.equal(r.status, 200, r.text);
    return performance.now();
  };

  test('A answers a repeated read from memory, and reads a change committed through B within 100 ms', async () => {
    const person = await call(a.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Cached', last_name: 'Twice' },
    });
    const cred = await call(a.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    credentialPath = `/api/3/people/${person.body.person.id}/credentials/${cred.body.person_credential.id}`;
    // A's first cached read starts its LISTEN; once in place, repeated reads are hits.
    await readUntil(
      async () => {
        const before = await hits(a.url);
        await enabledOnA();
        return (await hits(a.url)) > before;
      },
      performance.now(),
      5000,
      'a read answered from memory on A',
    );
    const before = await hits(a.url);
    assert.equal(await enabledOnA(), true);
    assert.ok((await hits(a.url)) >= before + 2, 'the key and the credential read both answered from memory');

    for (const enabled of [false, true, false]) {
      const t0 = await setEnabledOnB(enabled);
      const ms = await readUntil(async () => (await enabledOnA()) === enabled, t0, 1000, `enabled=${enabled} on A`);
      assert.ok(ms < 100, `a read on A begun ${Math.round(ms)} ms after B answered still had the old value`);
    }
  });

  test('a key created and revoked with the CLI: A and B refuse it within 100 ms of the CLI exiting', async () => {
    const created = await runCli(['keys', 'create', '--scope', 'account.person', '--name', 'cached then revoked'], env);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    const id = /Created (\S+)/.exec(created.stderr)![1];
    // Each instance keeps the key's row in memory.
    for (const s of [a, b])
      for (let i = 0; i < 3; i++) assert.equal((await call(s.url, 'GET', '/api/3/people', key)).status, 200);
    const revoked = await runCli(['keys', 'revoke', id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const t0 = performance.now();
    for (const s of [a, b]) {
      const ms = await readUntil(
        async () => (await call(s.url, 'GET', '/api/3/people', key)).status === 401,
        t0,
        1000,
        'the revoked key refused',
      );
      assert.ok(ms < 100, `a request begun ${Math.round(ms)} ms after the CLI exited was still let in`);
    }
  });

  test('while A cannot hear the others (its LISTEN connection cut) it serves nothing from memory, and reads stay right; once it hears again, it caches again', async () => {
    const before = await hits(a.url);
    assert.equal(await enabledOnA(), false);
    assert.ok((await hits(a.url)) > before, 'answered from memory before the cut');

    proxy.cutSending('LISTEN'); // A's pool connections run through the proxy too, and keep working
    await new Promise((r) => setTimeout(r, 300));
    const deaf = await hits(a.url);
    for (const enabled of [true, false, true]) {
      await setEnabledOnB(enabled);
      assert.equal(await enabledOnA(), enabled, 'read from the database while deaf');
      assert.equal(await enabledOnA(), enabled);
    }
    assert.equal(await hits(a.url), deaf, 'no read answered from memory while the LISTEN connection is down');
    assert.match(a.output(), /database listener lost its connection/);

    proxy.restore();
    const restored = performance.now();
    await readUntil(
      async () => {
        const h = await hits(a.url);
        await enabledOnA();
        return (await hits(a.url)) > h;
      },
      restored,
      5000,
      'A caching again',
    );
    assert.equal(await enabledOnA(), true);
    const t0 = await setEnabledOnB(false);
    const ms = await readUntil(
      async () => (await enabledOnA()) === false,
      t0,
      1000,
      'a change after the listener came back',
    );
    assert.ok(
      ms < 100,
      `once listening again, a read on A begun ${Math.round(ms)} ms after B answered still had the old value`,
    );
  });
});
