/**
 * Issue 2 budget: reading a credential and redeeming invitations (SQLite, loopback, 32
 * connections), beside Hono's hello-world measured in the same run. Targets: credential read
 * ≥ 40 % of hello-world's requests/s, p99 < 25 ms. The read and hello-world alternate for
 * BENCH_ROUNDS rounds (3) and the round with the median ratio is reported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, type LoadResult, load, spawnServer } from './lib.js';

const SK = 'sk_bench_0123456789abcdefghij';
const PK = 'pk_bench_0123456789abcdefghij';
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function api(base: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.json() as Promise<any>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-bench-'));
const keyway = await spawnServer(['server/main.ts', 'start'], {
  KEYWAY_DATA_DIR: dir,
  PORT: '0',
  KEYWAY_SECRET: Buffer.alloc(32, 9).toString('base64'),
  KEYWAY_DEMO_SECRET_KEY: SK,
  KEYWAY_DEMO_PUBLISHABLE_KEY: PK,
  KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000000',
});
const person = await api(keyway.url, 'POST', '/api/3/people', SK, {
  person: { first_name: 'Bench', last_name: 'Mark' },
});
const cred = await api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
  person_credential: { credential_type_id: 9 },
});
const readPath = `/api/3/people/${person.person.id}/credentials/${cred.person_credential.id}`;

// The machine is shared and noisy: hello-world and the read alternate, and the median round counts.
const hello = await spawnServer(['bench/peers/hello.ts']);
const rounds: { hello: LoadResult; read: LoadResult }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const h = await load({ url: hello.url, duration: seconds });
  const r = await load({ url: keyway.url + readPath, headers: { authorization: `Bearer ${SK}` }, duration: seconds });
  rounds.push({ hello: h, read: r });
  console.log(
    `  round ${i + 1}: hello-world ${Math.round(h.rps)} req/s, credential read ${Math.round(r.rps)} req/s (${((r.rps / h.rps) * 100).toFixed(0)} %), p99 ${r.p99} ms`,
  );
}
await hello.stop();
const { hello: helloResult, read: readResult } = [...rounds].sort(
  (a, b) => a.read.rps / a.hello.rps - b.read.rps / b.hello.rps,
)[Math.floor(ROUNDS / 2)];

// Fresh codes for every redemption, made before the clock starts.
const codes: string[] = [];
const N = Number(process.env.BENCH_REDEEMS ?? 3000);
for (let i = 0; i < N; i += 50) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(50, N - i) }, () =>
      api(keyway.url, 'POST', `/api/3/people/${person.person.id}/credentials`, SK, {
        person_credential: { credential_type_id: 9 },
      }),
    ),
  );
  codes.push(...batch.map((b) => b.person_credential.invitation_code as string));
}
let next = 0;
const redeemResult = await load({
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
// The audit sealer (SPEC §15) chained the redemptions' events beside the load: its last lag and count.
await new Promise((r) => setTimeout(r, 2500));
const metricsText = await (await fetch(`${keyway.url}/metrics`)).text();
const auditLine = (name: string) =>
  /\s([\d.e+-]+)$/m.exec(metricsText.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1];
await keyway.stop();
fs.rmSync(dir, { recursive: true, force: true });

const ratio = (r: number) => `${((r / helloResult.rps) * 100).toFixed(0)} %`;
console.log(`median round of ${ROUNDS}:`);
console.log(`hello-world (peer):  ${fmt(helloResult)}`);
console.log(
  `credential read:     ${fmt(readResult)}  → ${ratio(readResult.rps)} of hello-world (target ≥ 40 %, p99 < 25 ms)`,
);
console.log(
  `invitation redeem:   ${fmt(redeemResult)}  → ${ratio(redeemResult.rps)} of hello-world (${codes.length} distinct codes)`,
);
console.log(
  `audit sealer:        last lag ${auditLine('keyway_audit_seal_lag_seconds') ?? 'n/a'} s, ${auditLine('keyway_audit_events_sealed_total') ?? 0} events sealed`,
);
console.log(
  `server: read ${Math.round(readResult.rps)}/s (${ratio(readResult.rps)}), redeem ${Math.round(redeemResult.rps)}/s (${ratio(redeemResult.rps)}), hello ${Math.round(helloResult.rps)}/s`,
);
