/**
 * Issue 14 budget: Keyway on PostgreSQL beside the pg peer (bench/peers/pg.ts: Hono + pg, pool 10,
 * one prepared statement per request), measured in the same run, 32 connections, each in a fresh
 * schema of KEYWAY_BENCH_DATABASE_URL (default the machine's `test` database).
 * Targets (issue 28): credential read ≥ 100 % of the SELECT peer, p99 < 10 ms; invitation redeem ≥ 25 %
 * of the UPDATE peer with p99 < 50 ms; SMS start ≥ 25 %, wrong-code check ≥ 50 % of it; each write
 * ≥ 60 % of its round-trip floor: the peer sending as many sequential statements as the request does
 * (test/server/round-trips.test.ts counts them: redeem 3, SMS start 3, wrong-code check 1).
 * BENCH_ROUND_TRIPS=redeem,start,check sets those counts (an older build: 11,7,2 as `autocommit+tx`).
 * KEYWAY_WORKERS is passed through, so `KEYWAY_WORKERS=2 node --import tsx bench/postgres.bench.ts`
 * measures two workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, type LoadResult, load, pgSchema, spawnServer } from './lib.js';

const BASE_URL = process.env.KEYWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SK = 'sk_bench_0123456789abcdefghij';
const PK = 'pk_bench_0123456789abcdefghij';
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const N = Number(process.env.BENCH_REDEEMS ?? 3000);
const PHONES = 100;
const big = '1000000000';

const schema = () => pgSchema(BASE_URL);

// Statements in the request of each write, and how the peer's floor runs them (autocommitted ones, then in one transaction).
const [redeemTrips, startTrips, checkTrips] = (process.env.BENCH_ROUND_TRIPS ?? '3,3,1').split(',').map(Number);
const floorShape = (trips: number): string =>
  trips === 11 ? 'autocommit=2&inTx=7' : trips === 7 ? 'autocommit=2&inTx=3' : `autocommit=${trips}&inTx=0`;

// Setup calls retried: on a loaded machine a 503 (pool wait past its limit) must not end the run.
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

const workers = process.env.KEYWAY_WORKERS ?? '1';
console.log(
  `PostgreSQL: 32 connections, ${seconds} s per figure, KEYWAY_WORKERS=${workers} (Node ${process.version}, ${os.cpus().length} cores)`,
);
const peerSchema = await schema();
const keywaySchema = await schema();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-pg-'));
const peer = await spawnServer(['bench/peers/pg.ts'], { DATABASE_URL: peerSchema.url });
const keyway = await spawnServer(['server/main.ts', 'start'], {
  DATABASE_URL: keywaySchema.url,
  KEYWAY_DATA_DIR: dir,
  PORT: '0',
  KEYWAY_WORKERS: workers,
  KEYWAY_SECRET: Buffer.alloc(32, 9).toString('base64'),
  KEYWAY_DEMO_SECRET_KEY: SK,
  KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
  KEYWAY_LIMIT_REDEEM_PER_IP_MIN: big,
  KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: big,
  KEYWAY_LIMIT_SENDS_PER_IP_HOUR: big,
  KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: big,
  KEYWAY_LIMIT_SENDS_GLOBAL_HOUR: big,
});
const results: Record<string, LoadResult> = {};
try {
  const person = await api(keyway.url, 'POST', '/api/3/people', SK, {
    person: { first_name: 'Bench', last_name: 'Mark' },
  });
  const cred = await api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
    person_credential: { credential_type_id: 9 },
  });
  const readPath = `/api/3/people/${person.person.id}/credentials/${cred.person_credential.id}`;
  // Known phone numbers for the SMS starts, each with a credential waiting to be claimed.
  const phones = await inParallel(PHONES, 20, async (i) => {
    const phone = `+447400${String(300000 + i)}`;
    const p = await api(keyway.url, 'POST', '/api/3/people', SK, {
      person: { first_name: `P${i}`, last_name: 'Bench', phone },
    });
    await api(keyway.url, 'POST', `/api/3/people/${p.person.id}/credentials`, SK, {
      person_credential: { credential_type_id: 9, deliver: 'none' },
    });
    return phone;
  });
  const codes = await inParallel(
    N,
    16,
    async () =>
      (
        await api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
          person_credential: { credential_type_id: 9 },
        })
      ).person_credential.invitation_code as string,
  );

  results.peerRead = await load({ url: `${peer.url}/items/item_1`, duration: seconds });
  results.read = await load({
    url: keyway.url + readPath,
    headers: { authorization: `Bearer ${SK}` },
    duration: seconds,
  });
  let row = 0;
  results.peerWrite = await load({
    url: peer.url,
    duration: seconds,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, path: `/items/item_${(row++ % 20_000) + 1}` }) }],
  });
  // The round-trip floor of each write, same run: the peer running as many sequential statements as
  // Keyway's request does (redeem: the rate counter, the code's look-up, then its writes as one
  // statement; SMS start: the send counters, the phone's credential, its writes as one statement;
  // wrong-code check: one statement, the UPDATE peer itself).
  const floor = async (trips: number) => {
    if (trips === 1) return results.peerWrite;
    row = 0;
    return load({
      url: peer.url,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({ ...req, path: `/floor/item_${(row++ % 20_000) + 1}?${floorShape(trips)}` }),
        },
      ],
    });
  };
  results.redeemFloor = await floor(redeemTrips);
  results.startFloor = startTrips === redeemTrips ? results.redeemFloor : await floor(startTrips);
  results.checkFloor = await floor(checkTrips);
  let next = 0;
  results.redeem = await load({
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
  const auth = { authorization: `Bearer ${PK}`, 'content-type': 'application/json' };
  let n = 0;
  results.smsStart = await load({
    url: `${keyway.url}/api/3/verifications`,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: auth,
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ phone_number: phones[n++ % PHONES] }) }),
      },
    ],
  });
  // Live verifications, each taking up to 4 wrong codes (422) before it locks (429).
  const pool = await inParallel(
    Number(process.env.BENCH_CHECK_POOL ?? 4000),
    32,
    async (i) =>
      (await api(keyway.url, 'POST', '/api/3/verifications', PK, { phone_number: phones[i % PHONES] }))
        .verification_id as string,
  );
  let m = 0;
  results.check = await load({
    url: keyway.url,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ code: '000000' }),
        setupRequest: (req) => ({ ...req, path: `/api/3/verifications/${pool[m++ % pool.length]}/check` }),
      },
    ],
  });
  const fullPath = Math.min(results.check.non2xx, pool.length * 4);
  const pct = (r: LoadResult, p: LoadResult) => `${((r.rps / p.rps) * 100).toFixed(0)} %`;
  console.log(`peer SELECT:          ${fmt(results.peerRead)}`);
  console.log(
    `credential read:      ${fmt(results.read)}  → ${pct(results.read, results.peerRead)} of the SELECT peer (target ≥ 100 %, p99 < 10 ms)`,
  );
  console.log(`peer UPDATE:          ${fmt(results.peerWrite)}`);
  const floors = new Map<number, LoadResult>([
    [redeemTrips, results.redeemFloor],
    [startTrips, results.startFloor],
    [checkTrips, results.checkFloor],
  ]);
  for (const [trips, r] of [...floors].sort((a, b) => b[0] - a[0]))
    console.log(
      `peer, ${String(trips).padStart(2)} round trip${trips === 1 ? ': ' : 's:'} ${fmt(r)}  → ${pct(r, results.peerWrite)} of the UPDATE peer`,
    );
  console.log(
    `invitation redeem:    ${fmt(results.redeem)}  → ${pct(results.redeem, results.peerWrite)} of the UPDATE peer (target ≥ 25 %, p99 < 50 ms; ${codes.length} distinct codes), ${pct(results.redeem, results.redeemFloor)} of its ${redeemTrips}-statement floor (target ≥ 60 %)`,
  );
  console.log(
    `SMS start:            ${fmt(results.smsStart)}  → ${pct(results.smsStart, results.peerWrite)} of the UPDATE peer (target ≥ 25 %), ${pct(results.smsStart, results.startFloor)} of its ${startTrips}-statement floor (target ≥ 60 %)`,
  );
  console.log(
    `wrong-code check:     ${fmt(results.check)}  → ${pct(results.check, results.peerWrite)} of the UPDATE peer (target ≥ 50 %), ${pct(results.check, results.checkFloor)} of its ${checkTrips}-statement floor (target ≥ 60 %; ≤ ${fullPath} took the full 422 path, the rest met a locked verification)`,
  );
} finally {
  await Promise.all([peer.stop(), keyway.stop()]);
  await Promise.all([peerSchema.drop(), keywaySchema.drop()]);
  fs.rmSync(dir, { recursive: true, force: true });
}
