/**
 * Issue 14 budget: `KEYWAY_WORKERS=2` beside 1, on SQLite and on PostgreSQL, printed side by side
 * (32 connections, loopback). Each Keyway figure is taken right after a hello-world figure
 * (bench/peers/hello.ts) in the same run, and is reported as a ratio of it, since the machine is
 * shared; on PostgreSQL the one-statement peer (bench/peers/pg.ts) is measured too. Figures:
 * credential read (`GET …/credentials/{cid}` with `sk_`) and invitation redeem (BENCH_REDEEMS
 * distinct codes, default 2000). BENCH_BACKENDS=sqlite,postgres picks the backends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, type LoadResult, load, pgSchema, type Spawned, spawnServer } from './lib.js';

const BASE_URL = process.env.KEYWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SK = 'sk_bench_0123456789abcdefghij';
const PK = 'pk_bench_0123456789abcdefghij';
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const N = Number(process.env.BENCH_REDEEMS ?? 2000);
const backends = (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const big = '1000000000';

/** A set-up call, tried again (3 times in all) when the loaded machine resets a connection or a database wait times out (503). */
async function api(base: string, method: string, p: string, token: string, body?: unknown, tries = 3): Promise<any> {
  try {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await res.json();
    if (res.status >= 500) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  } catch (err) {
    if (tries <= 1) throw err;
    await new Promise((r) => setTimeout(r, 500));
    return api(base, method, p, token, body, tries - 1);
  }
}

const inParallel = async <T>(n: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < n; i += width)
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => make(i + j)))));
  return out;
};

interface Figures {
  helloRead: LoadResult;
  read: LoadResult;
  helloRedeem: LoadResult;
  redeem: LoadResult;
}

/** One Keyway (n workers) on a fresh database: read and redeem, each right after a hello-world figure. */
async function measure(backend: 'sqlite' | 'postgres', workers: number, hello: Spawned): Promise<Figures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-workers-'));
  const schema = backend === 'postgres' ? await pgSchema(BASE_URL) : undefined;
  const keyway = await spawnServer(['server/main.ts', 'start'], {
    ...(schema ? { DATABASE_URL: schema.url } : {}),
    KEYWAY_DATA_DIR: dir,
    PORT: '0',
    KEYWAY_WORKERS: String(workers),
    KEYWAY_SECRET: Buffer.alloc(32, 9).toString('base64'),
    KEYWAY_DEMO_SECRET_KEY: SK,
    KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
    KEYWAY_LIMIT_REDEEM_PER_IP_MIN: big,
  });
  try {
    const person = await api(keyway.url, 'POST', '/api/3/people', SK, {
      person: { first_name: 'Bench', last_name: 'Workers' },
    });
    const cred = await api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9 },
    });
    const readPath = `/api/3/people/${person.person.id}/credentials/${cred.person_credential.id}`;
    const codes = await inParallel(
      N,
      50,
      async () =>
        (
          await api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
            person_credential: { credential_type_id: 9 },
          })
        ).person_credential.invitation_code as string,
    );
    // Warm every worker's caches and statements before the clock starts.
    await load({ url: keyway.url + readPath, headers: { authorization: `Bearer ${SK}` }, duration: 1 });
    const helloRead = await load({ url: hello.url, duration: seconds });
    const read = await load({
      url: keyway.url + readPath,
      headers: { authorization: `Bearer ${SK}` },
      duration: seconds,
    });
    const helloRedeem = await load({ url: hello.url, duration: seconds });
    let next = 0;
    const redeem = await load({
      url: keyway.url,
      amount: codes.length,
      requests: [
        {
          method: 'POST',
          path: '/api/3/invitations/redeem',
          headers: { authorization: `Bearer ${PK}`, 'content-type': 'application/json' },
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ invitation_code: codes[next++ % codes.length] }) }),
        },
      ],
    });
    return { helloRead, read, helloRedeem, redeem };
  } finally {
    await keyway.stop();
    await schema?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (r: LoadResult, p: LoadResult) => `${((r.rps / p.rps) * 100).toFixed(0)} %`;
const cell = (r: LoadResult, p: LoadResult) =>
  `${Math.round(r.rps)}/s p99 ${r.p99} ms (${pct(r, p)} of hello)`.padEnd(40);

console.log(
  `KEYWAY_WORKERS=1 vs 2: 32 connections, ${seconds} s per figure, ${N} codes per redeem run (Node ${process.version}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`,
);
const hello = await spawnServer(['bench/peers/hello.ts']);
try {
  for (const backend of backends) {
    let peer: { read: LoadResult; write: LoadResult } | undefined;
    if (backend === 'postgres') {
      const s = await pgSchema(BASE_URL);
      const p = await spawnServer(['bench/peers/pg.ts'], { DATABASE_URL: s.url });
      let row = 0;
      peer = {
        read: await load({ url: `${p.url}/items/item_1`, duration: seconds }),
        write: await load({
          url: p.url,
          duration: seconds,
          requests: [
            { method: 'POST', setupRequest: (req) => ({ ...req, path: `/items/item_${(row++ % 20_000) + 1}` }) },
          ],
        }),
      };
      await p.stop();
      await s.drop();
    }
    const one = await measure(backend, 1, hello);
    const two = await measure(backend, 2, hello);
    console.log(`\n${backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}              ${'1 worker'.padEnd(40)} 2 workers`);
    console.log(
      `  hello-world (peer)  ${`${Math.round(one.helloRead.rps)}/s`.padEnd(40)} ${Math.round(two.helloRead.rps)}/s`,
    );
    console.log(
      `  credential read     ${cell(one.read, one.helloRead)} ${cell(two.read, two.helloRead)}  → 2 workers ${(two.read.rps / one.read.rps).toFixed(2)}×`,
    );
    console.log(
      `  invitation redeem   ${cell(one.redeem, one.helloRedeem)} ${cell(two.redeem, two.helloRedeem)}  → 2 workers ${(two.redeem.rps / one.redeem.rps).toFixed(2)}×`,
    );
    if (peer) {
      console.log(
        `  pg peer SELECT: ${fmt(peer.read)}; read ${pct(one.read, peer.read)} (1 worker), ${pct(two.read, peer.read)} (2 workers)`,
      );
      console.log(
        `  pg peer UPDATE: ${fmt(peer.write)}; redeem ${pct(one.redeem, peer.write)} (1 worker), ${pct(two.redeem, peer.write)} (2 workers)`,
      );
    }
    for (const [n, f] of [
      [1, one],
      [2, two],
    ] as const)
      console.log(`  detail ${n}: read ${fmt(f.read)}; redeem ${fmt(f.redeem)}`);
  }
} finally {
  await hello.stop();
}
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
