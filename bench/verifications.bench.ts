// SMS verification start and check requests per second (one server process) beside a Hono
// hello-world measured in the same run, p99 at 32 connections, and the known/unknown timing gap.
// SQLite by default; BENCH_POSTGRES=1 runs the server on a fresh schema of KEYWAY_BENCH_DATABASE_URL
// (default the machine's `test` database), dropped afterwards.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { pgSchema } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const KNOWN = 100;

interface Ready {
  keyway: string;
  hello: string;
  pk: string;
  known: string[];
}

/** The child: Keyway (SQLite, dev SMS sender, the delivery worker running) and a Hono hello-world. */
async function serveChild(): Promise<void> {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const { createApp } = await import('../server/app.js');
  const { loadConfig } = await import('../server/config.js');
  const { createKey } = await import('../server/domain/callers/keys.js');
  const { createPerson } = await import('../server/domain/people/people.js');
  const { createCredential } = await import('../server/domain/credentials/issue.js');
  const { openStore } = await import('../server/storage/db.js');
  const { migrateToLatest } = await import('../server/storage/migrations.js');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-sms-'));
  const secret = Buffer.alloc(32, 9).toString('base64');
  const big = '1000000000';
  const config = loadConfig(
    {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      KEYWAY_SECRET: secret,
      PUBLIC_URL: 'https://access.example.com',
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_IP_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_IPV4_24_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_IPV6_56_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_IPV6_48_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: big,
      KEYWAY_LIMIT_SENDS_GLOBAL_HOUR: big,
      // FULL by default (every commit waits for the disk); `KEYWAY_SQLITE_SYNC=normal` measures without that wait.
      ...(process.env.KEYWAY_SQLITE_SYNC ? { KEYWAY_SQLITE_SYNC: process.env.KEYWAY_SQLITE_SYNC } : {}),
    },
    'development',
  );
  const store = openStore(config.databaseUrl, { sqliteSync: config.sqliteSync });
  await migrateToLatest(store.db, store.dialect);
  // Logging is part of the cost of a request; it goes to a file, not the terminal.
  const logFile = fs.createWriteStream(path.join(dir, 'requests.log'));
  const keyway = createApp({ config, store, secret, log: (r) => logFile.write(`${JSON.stringify(r)}\n`) });
  const { ctx } = keyway;
  const pk = (await createKey(ctx, { kind: 'publishable', origins: ['https://partner.example'] })).key;
  const known: string[] = [];
  for (let i = 0; i < KNOWN; i++) {
    const phone = `+447400${String(200000 + i)}`;
    const person = await createPerson(ctx, { first_name: `P${i}`, last_name: 'Bench', phone }, { actor: 'bench' });
    await createCredential(
      ctx,
      person.id,
      { credential_type_id: 9, deliver: 'none' },
      { actor: 'bench', showSecrets: false },
    );
    known.push(phone);
  }
  keyway.startTimers();

  // The peer, and a floor beside it: plain Hono reading a JSON body and answering 400.
  const hello = new Hono()
    .get('/', (c) => c.text('Hello Hono!'))
    .post('/json', async (c) =>
      c.json(
        { error: { code: 'invalid_request', message: String(((await c.req.json()) as { code?: unknown }).code) } },
        400,
      ),
    );
  const listen = (fetch: (r: Request) => Response | Promise<Response>) =>
    new Promise<string>((resolve) => {
      const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve(`http://127.0.0.1:${info.port}`),
      );
      void server;
    });
  const ready: Ready = { keyway: await listen(keyway.app.fetch), hello: await listen(hello.fetch), pk, known };
  process.send!(ready);
  process.on('disconnect', () => {
    void keyway
      .stop()
      .then(() => store.close())
      .finally(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
  });
}

type Result = autocannon.Result;

function run(opts: autocannon.Options): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/** Requests over elapsed time (autocannon's average is over whole-second samples). */
const rps = (r: Result) => r.requests.total / r.duration;

const line = (name: string, r: Result, peer?: Result) =>
  `${name.padEnd(22)} ${rps(r).toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms` +
  `   non-2xx ${String(r.non2xx).padStart(6)}${peer ? `   ratio ${((rps(r) / rps(peer)) * 100).toFixed(1)} % of hello-world` : ''}`;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const here = fileURLToPath(import.meta.url);
  const postgres = process.env.BENCH_POSTGRES
    ? await pgSchema(process.env.KEYWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test')
    : undefined;
  const child: ChildProcess = fork(here, ['--serve'], {
    env: { ...process.env, ...(postgres ? { BENCH_DATABASE_URL: postgres.url } : {}) },
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const auth = { authorization: `Bearer ${ready.pk}`, 'content-type': 'application/json' };
  try {
    console.log(
      `SMS verifications: ${CONNECTIONS} connections, ${SECONDS} s each, ${postgres ? 'PostgreSQL' : 'SQLite'}, one server process (Node ${process.version}, ${os.cpus().length} cores)`,
    );
    const hello = await run({ url: ready.hello });
    console.log(line('hono hello-world', hello));

    let n = 0;
    const start = await run({
      url: `${ready.keyway}/api/3/verifications`,
      requests: [
        {
          method: 'POST',
          headers: auth,
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ phone_number: ready.known[n++ % KNOWN] }) }),
        },
      ],
    });
    console.log(line('POST verifications', start, hello));

    // A pool of live verifications, each taking up to 4 wrong codes (422) before locking out (429);
    // large enough that the run's checks take the full wrong-code path (the line after says).
    const pool: string[] = [];
    const target = Number(process.env.BENCH_CHECK_POOL ?? 8000);
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (pool.length < target) {
          const res = await fetch(`${ready.keyway}/api/3/verifications`, {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ phone_number: ready.known[pool.length % KNOWN] }),
          });
          pool.push(((await res.json()) as { verification_id: string }).verification_id);
        }
      }),
    );
    let m = 0;
    const checks = await run({
      url: ready.keyway,
      requests: [
        {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ code: '000000' }),
          setupRequest: (req) => ({ ...req, path: `/api/3/verifications/${pool[m++ % pool.length]}/check` }),
        },
      ],
    });
    console.log(line('POST …/check (wrong)', checks, hello));
    const fullPath = Math.min(checks.requests.total, pool.length * 4);
    console.log(
      `  ${fullPath} of ${checks.requests.total} checks took the full wrong-code path (422); the rest met a locked verification (429)`,
    );

    // Floors: what a POST costs before any database work, so the targets can be read against them.
    const honoPost = await run({
      url: `${ready.hello}/json`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '12' }),
    });
    console.log(line('floor: hono POST → 400', honoPost, hello));
    const malformed = await run({
      url: `${ready.keyway}/api/3/verifications/ver_0123456789abcdefghij/check`,
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ code: '12' }),
    });
    console.log(line('floor: check → 400', malformed, hello));
    console.log('  (a malformed code: key, log and validation, answered before the database is touched)');

    // Enumeration (issue 25 point 6): one caller at a time, known and unknown numbers in a shuffled
    // order; each start is followed at once by the caller's next request (a wrong code), since the
    // text's send after a known number used to slow that one down.
    const times = { known: [] as number[], unknown: [] as number[] };
    const next = { known: [] as number[], unknown: [] as number[] };
    const order = Array.from({ length: 320 }, (_, i) => (i % 2 === 0 ? 'known' : 'unknown') as 'known' | 'unknown');
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let i = 0; i < order.length; i++) {
      const kind = order[i]!;
      const phone = kind === 'known' ? ready.known[i % KNOWN] : `+447400${String(800000 + i)}`;
      const t0 = performance.now();
      const res = await fetch(`${ready.keyway}/api/3/verifications`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ phone_number: phone }),
      });
      const { verification_id } = (await res.json()) as { verification_id: string };
      if (res.status !== 202) throw new Error(`start answered ${res.status}`);
      const t1 = performance.now();
      const wrong = await fetch(`${ready.keyway}/api/3/verifications/${verification_id}/check`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ code: '000000' }),
      });
      await wrong.arrayBuffer();
      const t2 = performance.now();
      if (i >= 20) {
        times[kind].push(t1 - t0); // the first 20 warm up
        next[kind].push(t2 - t1);
      }
    }
    const gap = (label: string, t: typeof times) => {
      const mk = median(t.known);
      const mu = median(t.unknown);
      return `${label}: median known ${mk.toFixed(2)} ms, unknown ${mu.toFixed(2)} ms, gap ${Math.abs(mk - mu).toFixed(2)} ms (target < 1 ms)`;
    };
    console.log(`enumeration (${times.known.length + times.unknown.length} shuffled starts, one at a time)`);
    console.log(`  ${gap('the start', times)}`);
    console.log(`  ${gap("the caller's next request", next)}`);
    console.log(`targets: start ≥ 25 % of hello-world, check ≥ 40 %, p99 < 25 ms — figures only, no assertions`);
  } finally {
    child.disconnect();
    if (postgres) {
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      await postgres.drop();
    }
  }
}

if (process.argv.includes('--serve')) await serveChild();
else await main();
