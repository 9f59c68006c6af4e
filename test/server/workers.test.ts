import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { ROOT, startServerProcess } from '../helpers/process.js';

const SK = 'sk_demo_workers_0123456789abcdefgh';
const run = promisify(execFile);

/** The worker processes a cluster primary runs now (async: the test process must keep serving nothing, but never block). */
async function workersOf(pid: number): Promise<number[]> {
  const { stdout } = await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}

/** People each with a credential (transactions that read, then write), `n` at once through both workers. */
async function createPeople(url: string, n: number): Promise<number[]> {
  const headers = { authorization: `Bearer ${SK}`, 'content-type': 'application/json', connection: 'close' };
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const person = await fetch(`${url}/api/3/people`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ person: { first_name: `W${i}`, last_name: 'Workers' } }),
      });
      if (person.status !== 201) return person.status;
      const { person: p } = (await person.json()) as { person: { id: number } };
      const cred = await fetch(`${url}/api/3/people/${p.id}/credentials`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ person_credential: { credential_type_id: 9 } }),
      });
      return cred.status;
    }),
  );
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`KEYWAY_WORKERS=2 on ${backend}`, async () => {
    const reason = backend === 'postgres' ? await skipWithoutPostgres() : false;
    test('two workers on one port; a dead worker is replaced; SIGTERM stops them all within the grace', {
      skip: reason || undefined,
    }, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-workers-'));
      const schema = backend === 'postgres' ? await freshSchema() : undefined;
      const server = await startServerProcess(
        {
          KEYWAY_ENV: 'development',
          KEYWAY_SECRET: TEST_SECRET,
          KEYWAY_DATA_DIR: dir,
          KEYWAY_DEMO_SECRET_KEY: SK,
          ...(schema ? { DATABASE_URL: schema.url } : {}),
        },
        'start',
        ['--workers', '2'],
      );
      try {
        assert.match(server.output(), /listening on [\d.]+:\d+ — \S+ \(2 workers\)/);
        const workers = await workersOf(server.child.pid!);
        assert.equal(workers.length, 2, `two worker processes: ${workers}`);
        assert.deepEqual([...new Set(await createPeople(server.url, 40))], [201]);

        process.kill(workers[0], 'SIGKILL');
        const deadline = Date.now() + 30_000;
        let now = workers;
        while (Date.now() < deadline) {
          now = await workersOf(server.child.pid!);
          if (now.length === 2 && !now.includes(workers[0])) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.equal(now.length, 2, 'the dead worker was replaced');
        assert.ok(!now.includes(workers[0]));
        await new Promise((r) => setTimeout(r, 1500)); // the replacement starts listening
        assert.deepEqual([...new Set(await createPeople(server.url, 20))], [201]);

        const t0 = performance.now();
        const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
        server.child.kill('SIGTERM');
        assert.equal(await exited, 0);
        assert.ok(performance.now() - t0 < 10_000);
        assert.deepEqual(await workersOf(server.child.pid!), []);
      } finally {
        await server.stop();
        await schema?.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

test('workers that cannot start (their port is taken) stop the primary with exit 1 and the reason, instead of being restarted forever', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-workers-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'start', '--workers', '2'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KEYWAY_ENV: 'development',
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dir,
      KEYWAY_DEMO_SECRET_KEY: SK,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(-1), 60_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 1, `the primary exits 1 (-1: still running after 60 s):\n${out.slice(-2000)}`);
    assert.match(out, /EADDRINUSE/);
    assert.match(out, /workers failed to start 3 times in a row/);
  } finally {
    child.kill('SIGKILL');
    taken.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Review, round two, point 12: a worker's environment (/proc/<pid>/environ) does not carry KEYWAY_SECRET;
// the primary hands it over on the IPC channel.
test('workers get KEYWAY_SECRET from the primary, not in their environment', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-wsecret-'));
  const server = await startServerProcess(
    { KEYWAY_DATA_DIR: dir, KEYWAY_SECRET: TEST_SECRET, KEYWAY_DEMO_SECRET_KEY: SK },
    'start',
    ['--workers', '2'],
  );
  try {
    const workers = await workersOf(server.child.pid!);
    assert.equal(workers.length, 2, server.output());
    for (const pid of workers) {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
      assert.ok(!environ.includes(TEST_SECRET), `worker ${pid} has the secret in its environment`);
    }
    // Both workers decrypt what the other wrote: they hold the same secret.
    const statuses = await createPeople(server.url, 6);
    assert.deepEqual(statuses, Array(6).fill(201));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
