// Status fan-out across instances (issue 14 budget): 5,000 SSE subscribers split over two Keyway
// processes on one PostgreSQL database; a change made through one of them (alternately A and B)
// must reach the last subscriber on both within p99 < 250 ms. Prints, per instance, commit → first
// and last subscriber's event, for changes made on it and on the other (LISTEN/NOTIFY). The floor,
// measured the same way in the same run: bench/peers/sse-fanout.ts (node:http + pg LISTEN/NOTIFY).
// Streams are limited per token (5) and per client (100): Keyway's subscribers use 1,000 client
// sessions and come "through a proxy" (KEYWAY_TRUST_PROXY=1) from 50 client addresses.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pgSchema, type Spawned, spawnServer } from './lib.js';

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 5000);
const ROUNDS = Number(process.env.FANOUT_ROUNDS ?? 20);
const OPEN_AT_ONCE = 250;
const BASE_URL = process.env.KEYWAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SK = 'sk_bench_0123456789abcdefghij';

interface Pair {
  name: string;
  instances: Spawned[];
  streamUrl(at: number, i: number): URL;
  change(via: number, round: number): Promise<void>;
}

/** Opens the subscribers (even on A, odd on B), makes ROUNDS changes and returns commit → first/last event per [changedOn][subscribersOn]. */
async function measure(pair: Pair) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SUBSCRIBERS + 10 });
  let waiting = [0, 0];
  let roundDone: (() => void) | undefined;
  const arrivals: number[][] = [];
  const requests: http.ClientRequest[] = [];
  let refused = 0;
  const subscribe = (i: number, tries = 5): Promise<void> =>
    new Promise((resolve, reject) => {
      const at = i % 2;
      const req = http.get(
        pair.streamUrl(at, i),
        { agent, headers: { 'x-forwarded-for': `10.0.${Math.floor(i / 100)}.1` } },
        (res) => {
          // A loaded machine can make opening streams wait too long for the database (503): come back, as EventSource does.
          if (res.statusCode === 503 && tries > 1) {
            refused++;
            res.resume();
            return void setTimeout(() => subscribe(i, tries - 1).then(resolve, reject), 250);
          }
          if (res.statusCode !== 200)
            return reject(new Error(`${pair.name} subscriber ${i}: status ${res.statusCode}`));
          res.setEncoding('utf8');
          let buffer = '';
          arrivals[i] = [];
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let sep: number;
            while ((sep = buffer.indexOf('\n\n')) >= 0) {
              const frame = buffer.slice(0, sep);
              buffer = buffer.slice(sep + 2);
              if (!frame.includes('event: status')) continue;
              arrivals[i].push(performance.now());
              if (arrivals[i].length === 1) resolve();
              else if (--waiting[at] === 0 && waiting[1 - at] === 0) roundDone?.();
            }
          });
        },
      );
      req.on('error', reject);
      requests.push(req);
    });
  const t0 = performance.now();
  for (let i = 0; i < SUBSCRIBERS; i += OPEN_AT_ONCE)
    await Promise.all(Array.from({ length: Math.min(OPEN_AT_ONCE, SUBSCRIBERS - i) }, (_, k) => subscribe(i + k)));
  const openMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 500));
  const counts = [Math.ceil(SUBSCRIBERS / 2), Math.floor(SUBSCRIBERS / 2)];
  const grid = () =>
    [
      [[], []],
      [[], []],
    ] as number[][][];
  const first = grid();
  const last = grid();
  for (let round = 1; round <= ROUNDS; round++) {
    const via = round % 2; // odd rounds through B, even through A
    waiting = [...counts];
    const all = new Promise<void>((r) => (roundDone = r));
    const start = performance.now();
    await pair.change(via, round);
    await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
    for (const at of [0, 1]) {
      const got = arrivals.flatMap((ts, i) => (i % 2 === at && ts[round] !== undefined ? [ts[round]] : []));
      if (got.length < counts[at])
        console.log(
          `${pair.name} round ${round}: only ${got.length}/${counts[at]} subscribers on ${'AB'[at]} got the event`,
        );
      last[via][at].push(Math.max(...got) - start);
      first[via][at].push(Math.min(...got) - start);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const r of requests) r.destroy();
  agent.destroy();
  return { openMs, first, last, refused };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const show = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms`;
const bothOf = (r: Awaited<ReturnType<typeof measure>>) =>
  [0, 1].flatMap((via) => r.last[via][0].map((x, k) => Math.max(x, r.last[via][1][k])));

const freshSchema = () => pgSchema(BASE_URL);

console.log(
  `status fan-out over two instances (PostgreSQL): ${SUBSCRIBERS} SSE subscribers, half on A and half on B; ${ROUNDS} changes, alternately through A and B (Node ${process.version}, ${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`,
);

// The floor: the peer pair.
const peerSchema = await freshSchema();
const peers = [
  await spawnServer(['bench/peers/sse-fanout.ts'], { DATABASE_URL: peerSchema.url }),
  await spawnServer(['bench/peers/sse-fanout.ts'], { DATABASE_URL: peerSchema.url }),
];
const floor = await measure({
  name: 'peer',
  instances: peers,
  streamUrl: (at) => new URL(`${peers[at].url}/`),
  change: async (via) => void (await (await fetch(`${peers[via].url}/`, { method: 'POST' })).arrayBuffer()),
});
await Promise.all(peers.map((p) => p.stop()));
await peerSchema.drop();

// Keyway: two instances, one credential, its status streams.
const schema = await freshSchema();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-fanout2-'));
const env = {
  DATABASE_URL: schema.url,
  KEYWAY_DATA_DIR: dir,
  PORT: '0',
  KEYWAY_SECRET: Buffer.alloc(32, 9).toString('base64'),
  KEYWAY_DEMO_SECRET_KEY: SK,
  KEYWAY_TRUST_PROXY: '1',
  KEYWAY_PASSES: 'off',
};
// FANOUT_PROFILE=<dir>: both servers write a CPU profile there when they stop.
const profile = process.env.FANOUT_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FANOUT_PROFILE}`] : [];
const keyway = [
  await spawnServer([...profile, 'server/main.ts', 'start'], env),
  await spawnServer([...profile, 'server/main.ts', 'start'], env),
];
const api = async (method: string, p: string, body?: unknown) =>
  (
    await fetch(keyway[0].url + p, {
      method,
      headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
  ).json() as Promise<any>;
const person = (await api('POST', '/api/3/people', { person: { first_name: 'Bench', last_name: 'Fanout' } })).person;
const cred = (
  await api('POST', `/api/3/people/${person.id}/credentials`, {
    person_credential: { credential_type_id: 1, value: 'BENCH-CARD-0002' },
  })
).person_credential;
const tokens: string[] = [];
for (let i = 0; i < Math.ceil(SUBSCRIBERS / 5); i += 50)
  tokens.push(
    ...(await Promise.all(
      Array.from(
        { length: 50 },
        async () => (await api('POST', '/api/3/client_sessions', { person_id: person.id })).token as string,
      ),
    )),
  );
const result = await measure({
  name: 'keyway',
  instances: keyway,
  streamUrl: (at, i) =>
    new URL(`${keyway[at].url}/api/3/credentials/${cred.id}/status/stream?token=${tokens[Math.floor(i / 5)]}`),
  change: async (via, round) => {
    const res = await fetch(`${keyway[via].url}/api/3/people/${person.id}/credentials/${cred.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SK}`, 'content-type': 'application/json' },
      body: JSON.stringify({ person_credential: { enabled: round % 2 === 0 } }),
    });
    if (res.status !== 200) throw new Error(`PUT answered ${res.status}`);
    await res.arrayBuffer();
  },
});
await Promise.all(keyway.map((k) => k.stop()));
await schema.drop();
fs.rmSync(dir, { recursive: true, force: true });

console.log(
  `  subscribers opened in: peer ${(floor.openMs / 1000).toFixed(1)} s, Keyway ${(result.openMs / 1000).toFixed(1)} s (${result.refused} opening attempts answered 503 and retried)`,
);
for (const via of [0, 1])
  for (const at of [0, 1]) {
    const how = `change on ${'AB'[via]} → subscribers on ${'AB'[at]} (${via === at ? 'same instance' : 'LISTEN/NOTIFY'})`;
    console.log(
      `  ${how.padEnd(55)} first: Keyway ${show(result.first[via][at])} | peer ${show(floor.first[via][at])}`,
    );
    console.log(`  ${''.padEnd(55)} last:  Keyway ${show(result.last[via][at])} | peer ${show(floor.last[via][at])}`);
  }
console.log(
  `  change on either → last subscriber on both: Keyway ${show(bothOf(result))} (target p99 < 250 ms) | peer ${show(bothOf(floor))}`,
);
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exit(0);
