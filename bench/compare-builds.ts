/**
 * Two builds of Keyway on PostgreSQL in one run: this checkout and another one (`node --import tsx
 * bench/compare-builds.ts /path/to/other/checkout`), each in its own fresh schema, beside the pg peer
 * (bench/peers/pg.ts) and its round-trip floors, the workloads alternating between the builds so a
 * shared, noisy machine weighs on both alike. BENCH_ROUND_TRIPS / BENCH_OTHER_ROUND_TRIPS give each
 * build's statements per redeem, SMS start and wrong-code check (default 3,3,1 and 11,7,2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, type LoadResult, load, pgSchema, spawnServer } from './lib.js';

const other = process.argv[2];
if (!other || !fs.existsSync(path.join(other, 'server/main.ts'))) {
  console.error('usage: node --import tsx bench/compare-builds.ts <other checkout>');
  process.exit(2);
}
const BASE_URL = process.env.KEYWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SK = 'sk_bench_0123456789abcdefghij';
const PK = 'pk_bench_0123456789abcdefghij';
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const N = Number(process.env.BENCH_REDEEMS ?? 500);
const CHECKS = Number(process.env.BENCH_CHECK_POOL ?? 400);
const PHONES = 50;
const big = '1000000000';
const trips = (v: string) => v.split(',').map(Number);
const builds = [
  { name: 'this build', main: 'server/main.ts', trips: trips(process.env.BENCH_ROUND_TRIPS ?? '3,3,1') },
  {
    name: `other (${path.basename(other)})`,
    main: path.join(other, 'server/main.ts'),
    trips: trips(process.env.BENCH_OTHER_ROUND_TRIPS ?? '11,7,2'),
  },
];
const floorShape = (n: number): string =>
  n === 11 ? 'autocommit=2&inTx=7' : n === 7 ? 'autocommit=2&inTx=3' : `autocommit=${n}&inTx=0`;

async function api(base: string, method: string, p: string, token: string, body?: unknown) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status < 500 || attempt === 5) return res.json() as Promise<any>;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}
const inParallel = async <T>(n: number, width: number, make: (i: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = [];
  for (let i = 0; i < n; i += width)
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => make(i + j)))));
  return out;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-compare-'));
const peerSchema = await pgSchema(BASE_URL);
const peer = await spawnServer(['bench/peers/pg.ts'], { DATABASE_URL: peerSchema.url });
const running = await Promise.all(
  builds.map(async (b, i) => {
    const schema = await pgSchema(BASE_URL);
    const server = await spawnServer([b.main, 'start'], {
      DATABASE_URL: schema.url,
      KEYWAY_DATA_DIR: path.join(dir, String(i)),
      PORT: '0',
      KEYWAY_WORKERS: '1',
      KEYWAY_SECRET: Buffer.alloc(32, 9).toString('base64'),
      KEYWAY_DEMO_SECRET_KEY: SK,
      KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
      KEYWAY_LIMIT_REDEEM_PER_IP_MIN: big,
      KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_IP_HOUR: big,
      KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: big,
      KEYWAY_LIMIT_SENDS_GLOBAL_HOUR: big,
    });
    return { ...b, schema, server };
  }),
);
const pct = (r: LoadResult, p: LoadResult) => `${((r.rps / p.rps) * 100).toFixed(0)} %`;
try {
  const data = await Promise.all(
    running.map(async ({ server }) => {
      const url = server.url;
      const person = await api(url, 'POST', '/api/3/people', SK, {
        person: { first_name: 'Bench', last_name: 'Mark' },
      });
      const phones = await inParallel(PHONES, 10, async (i) => {
        const phone = `+447400${String(300000 + i)}`;
        const p = await api(url, 'POST', '/api/3/people', SK, {
          person: { first_name: `P${i}`, last_name: 'B', phone },
        });
        await api(url, 'POST', `/api/3/people/${p.person.id}/credentials`, SK, {
          person_credential: { credential_type_id: 9, deliver: 'none' },
        });
        return phone;
      });
      const codes = await inParallel(
        N,
        10,
        async () =>
          (
            await api(url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
              person_credential: { credential_type_id: 9 },
            })
          ).person_credential.invitation_code as string,
      );
      const pool = await inParallel(
        CHECKS,
        10,
        async (i) =>
          (await api(url, 'POST', '/api/3/verifications', PK, { phone_number: phones[i % PHONES] }))
            .verification_id as string,
      );
      return { phones, codes, pool };
    }),
  );
  const auth = { authorization: `Bearer ${PK}`, 'content-type': 'application/json' };
  let row = 0;
  const peerWrite = () =>
    load({
      url: peer.url,
      duration: seconds,
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, path: `/items/item_${(row++ % 20_000) + 1}` }) }],
    });
  const floor = (n: number) =>
    load({
      url: peer.url,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({ ...req, path: `/floor/item_${(row++ % 20_000) + 1}?${floorShape(n)}` }),
        },
      ],
    });
  const workloads = {
    redeem: (i: number) => {
      let next = 0;
      return load({
        url: running[i].server.url,
        amount: data[i].codes.length,
        requests: [
          {
            method: 'POST',
            path: '/api/3/invitations/redeem',
            headers: auth,
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ invitation_code: data[i].codes[next++] }) }),
          },
        ],
      });
    },
    'SMS start': (i: number) => {
      let n = 0;
      return load({
        url: `${running[i].server.url}/api/3/verifications`,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: auth,
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ phone_number: data[i].phones[n++ % PHONES] }) }),
          },
        ],
      });
    },
    'wrong-code check': (i: number) => {
      let m = 0;
      return load({
        url: running[i].server.url,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ code: '000000' }),
            setupRequest: (req) => ({
              ...req,
              path: `/api/3/verifications/${data[i].pool[m++ % data[i].pool.length]}/check`,
            }),
          },
        ],
      });
    },
  };
  console.log(
    `two builds on PostgreSQL, 32 connections, ${seconds} s a figure (Node ${process.version}, ${os.cpus().length} cores)`,
  );
  for (const [w, [name, run]] of Object.entries(workloads).entries()) {
    const before = await peerWrite();
    // Alternate which build goes first, so neither always meets the machine in the same state.
    const order = w % 2 === 0 ? [1, 0] : [0, 1];
    const figures: LoadResult[] = [];
    for (const i of order) figures[i] = await run(i);
    const after = await peerWrite();
    const peerRps = { rps: (before.rps + after.rps) / 2 } as LoadResult;
    console.log(`${name}: peer UPDATE ${fmt(before)} / ${fmt(after)} (mean ${peerRps.rps.toFixed(0)}/s)`);
    for (const i of [1, 0]) {
      const n = running[i].trips[w];
      const f = n === 1 ? peerRps : await floor(n);
      console.log(
        `  ${running[i].name.padEnd(24)} ${fmt(figures[i])}  → ${pct(figures[i], peerRps)} of the UPDATE peer; ${n}-statement floor ${f.rps.toFixed(0)}/s → ${pct(figures[i], f)} of it`,
      );
    }
  }
} finally {
  await Promise.all([peer.stop(), ...running.map((r) => r.server.stop())]);
  await Promise.all([peerSchema.drop(), ...running.map((r) => r.schema.drop())]);
  fs.rmSync(dir, { recursive: true, force: true });
}
