import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { runCli, type ServerProcess, startServerProcess } from '../helpers/process.js';

const SK = 'sk_demo_processes_0123456789abcdef';
const PK = 'pk_demo_processes_0123456789abcdef';

async function call(base: string, method: string, p: string, token?: string, body?: unknown, idempotencyKey?: string) {
  const res = await fetch(base + p, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

describe('two server processes on one PostgreSQL database', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('two processes', { skip: reason }, () => undefined);
    return;
  }
  let servers: ServerProcess[] = [];
  let drop: () => Promise<void>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-procs-'));
  before(async () => {
    const schema = await freshSchema();
    drop = schema.drop;
    const env = {
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000',
    };
    // Both start at once: migrations and the demo keys must tolerate the race.
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await drop?.();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('100 concurrent redemptions of one code across both processes: exactly one succeeds', async () => {
    const [a, b] = servers;
    const person = await call(a.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Multi', last_name: 'Process', phone: '+447911123456' },
    });
    assert.equal(person.status, 201, person.text);
    const cred = await call(b.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    assert.equal(cred.status, 201, cred.text);
    const code = cred.body.person_credential.invitation_code;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        // Each its own client (as each <invite-redeem> sends its own Idempotency-Key): without keys, one
        // client's repeats within a minute get its lost answer back (redeem-recovery.test.ts).
        call(servers[i % 2].url, 'POST', '/api/3/invitations/redeem', PK, { invitation_code: code }, `tab-${i}`),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
    assert.equal(results.filter((r) => r.status === 409 && r.body.error.code === 'invitation_used').length, 99);

    // Whole-run log check for these processes: no code, token, key or full phone number.
    const logs = servers.map((s) => s.output()).join('\n');
    for (const secret of [
      code,
      code.replace(/-/g, ''),
      ok[0].body.provisioning_token,
      SK,
      PK,
      '+447911123456',
      '447911123456',
    ]) {
      assert.ok(!logs.includes(secret), `a secret reached a server log: ${secret.slice(0, 4)}…`);
    }
    assert.match(logs, /"path":"\/api\/3\/invitations\/redeem","status":409/, 'requests are logged, one line each');
  });
});

describe('the CLI', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-cli-'));
  const env = { KEYWAY_DATA_DIR: dir, KEYWAY_SECRET: TEST_SECRET, DATABASE_URL: `sqlite:${path.join(dir, 'k.db')}` };
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('migrate, then keys create|list|revoke; the key is printed once and only its hash is stored', async () => {
    const m = await runCli(['migrate'], env);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /Applied: 0001_core/);
    assert.match((await runCli(['migrate'], env)).stdout, /Already up to date/);

    const sk = await runCli(['keys', 'create', '--scope', 'account.person.readonly', '--name', 'reporting'], env);
    assert.equal(sk.code, 0, sk.stderr);
    const secretKey = sk.stdout.trim();
    assert.match(secretKey, /^sk_[A-Za-z0-9_]{16,128}$/);
    const pk = await runCli(
      [
        'keys',
        'create',
        '--publishable',
        '--origins',
        'https://shop.example,capacitor://localhost',
        '--countries',
        'GB,IE',
        '--default-country',
        'GB',
      ],
      env,
    );
    assert.equal(pk.code, 0, pk.stderr);
    assert.match(pk.stdout.trim(), /^pk_/);

    const list = await runCli(['keys', 'list', '--json'], env);
    const keys = JSON.parse(list.stdout) as {
      id: string;
      kind: string;
      scopes: string[];
      origins: string[];
      countries: string[];
      revoked_at: string | null;
    }[];
    assert.ok(!list.stdout.includes(secretKey), 'list never shows a key');
    const reporting = keys.find((k) => k.kind === 'secret')!;
    assert.deepEqual(reporting.scopes, ['account.person.readonly']);
    const publishable = keys.find((k) => k.kind === 'publishable')!;
    assert.deepEqual(publishable.origins, ['https://shop.example', 'capacitor://localhost']);
    assert.deepEqual(publishable.countries, ['GB', 'IE']);
    const db =
      fs.readFileSync(path.join(dir, 'k.db')).toString('latin1') +
      (fs.existsSync(path.join(dir, 'k.db-wal')) ? fs.readFileSync(path.join(dir, 'k.db-wal')).toString('latin1') : '');
    assert.ok(!db.includes(secretKey), 'the database holds no key in the clear');

    const rev = await runCli(['keys', 'revoke', reporting.id], env);
    assert.equal(rev.code, 0, rev.stderr);
    const after = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as {
      id: string;
      revoked_at: string | null;
    }[];
    assert.ok(after.find((k) => k.id === reporting.id)!.revoked_at);
  });

  test('bad input gets a clear message and a non-zero exit', async () => {
    const bad = await runCli(['keys', 'create', '--publishable'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--origins is required/);
    const scope = await runCli(['keys', 'create', '--scope', 'everything'], env);
    assert.match(scope.stderr, /--scope must be one of/);
    const conf = await runCli(['migrate'], { ...env, PORT: 'eighty' });
    assert.notEqual(conf.code, 0);
    assert.match(conf.stderr, /PORT/);
    const help = await runCli(['keys', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /keys create/);
  });

  test('production refuses to start without KEYWAY_SECRET, naming the variable', async () => {
    const res = await runCli(['serve'], { KEYWAY_DATA_DIR: dir, KEYWAY_SECRET: '', PORT: '0' });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /KEYWAY_SECRET/);
  });
});

describe('PORT=0', () => {
  test('links carry the port actually bound when PUBLIC_URL is not set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-port0-'));
    const server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
    });
    try {
      const person = await call(server.url, 'POST', '/api/3/people', SK, { first_name: 'Port', last_name: 'Zero' });
      const cred = await call(server.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
        credential_type_id: 9,
      });
      assert.ok(
        cred.body.person_credential.invitation_url.startsWith(`${server.url}/p#code=`),
        cred.body.person_credential.invitation_url,
      );
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live status over real HTTP', () => {
  test('the SSE stream answers on the socket: snapshot first, CORS for the listed origin, no double response', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-sse-'));
    const server = await startServerProcess({
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_DEMO_ORIGINS: 'https://partner.example',
    });
    try {
      const person = await call(server.url, 'POST', '/api/3/people', SK, { first_name: 'Live', last_name: 'Stream' });
      const cred = await call(server.url, 'POST', `/api/3/people/${person.body.person.id}/credentials`, SK, {
        credential_type_id: 9,
      });
      const grant = await call(server.url, 'POST', '/api/3/invitations/redeem', PK, {
        invitation_code: cred.body.person_credential.invitation_code,
      });
      const controller = new AbortController();
      const res = await fetch(
        `${server.url}/api/3/credentials/${grant.body.credential.id}/status/stream?token=${grant.body.provisioning_token}`,
        {
          headers: { origin: 'https://partner.example' },
          signal: controller.signal,
        },
      );
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://partner.example');
      const reader = res.body!.getReader();
      let text = '';
      while (!/event: status[\s\S]*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      assert.match(text, /"old_status":null/);
      assert.match(text, /"new_status":"provisioning"/);
      controller.abort();
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(server.output(), /ERR_HTTP_HEADERS_SENT|unhandled error/);
      assert.ok(!server.output().includes(grant.body.provisioning_token), 'the ?token= never reaches the log');
    } finally {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
