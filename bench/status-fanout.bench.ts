// Status fan-out: 5,000 concurrent SSE subscribers on one server process. Prints memory per
// subscriber against the idle process (baseline, same run) and commit-to-last-event latency.
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { ROOT } from './lib.js';

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 5000);
const ROUNDS = Number(process.env.FANOUT_ROUNDS ?? 20);
const OPEN_AT_ONCE = 250;

interface Ready {
  base: string;
  sk: string;
  personId: number;
  credentialId: string;
  tokens: string[];
}
interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  subscribers: number;
}

const child = fork(path.join(ROOT, 'bench/peers/status-server.ts'), [], {
  execArgv: ['--import', 'tsx', '--expose-gc'],
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
process.once('exit', () => child.kill('SIGTERM'));
const ask = <T>(key: string, msg?: string): Promise<T> =>
  new Promise((resolve) => {
    const on = (m: Record<string, T>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m[key]);
      }
    };
    child.on('message', on);
    if (msg) child.send(msg);
  });

const ready = await ask<Ready>('ready');
// At most 5 streams per token and 100 per client: 5 subscribers a token, 100 an address (through the proxy header).
const url = (i: number) =>
  new URL(
    `${ready.base}/api/3/credentials/${ready.credentialId}/status/stream?token=${ready.tokens[Math.floor(i / 5)]}`,
  );
// Keep-alive agents, bounded: every subscriber is one long-lived socket, opened OPEN_AT_ONCE at a time.
const agent = new http.Agent({ keepAlive: true, maxSockets: SUBSCRIBERS + 10 });

await new Promise((r) => setTimeout(r, 300));
const baseline = await ask<Memory>('memory', 'memory');

let waiting = 0;
let roundDone: (() => void) | undefined;
/** Per subscriber: when it received its n-th status event. */
const arrivals: number[][] = [];
const requests: http.ClientRequest[] = [];
function subscribe(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get(url(i), { agent, headers: { 'x-forwarded-for': `10.0.${Math.floor(i / 100)}.1` } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      arrivals[i] = [];
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let sep: number;
        while ((sep = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, sep);
          buffer = buffer.slice(sep + 2);
          if (frame.includes('event: status')) {
            arrivals[i].push(performance.now());
            if (arrivals[i].length === 1) resolve();
            else if (--waiting === 0) roundDone?.();
          }
        }
      });
    });
    req.on('error', reject);
    requests.push(req);
  });
}

const t0 = performance.now();
for (let i = 0; i < SUBSCRIBERS; i += OPEN_AT_ONCE) {
  await Promise.all(Array.from({ length: Math.min(OPEN_AT_ONCE, SUBSCRIBERS - i) }, (_, k) => subscribe(i + k)));
}
const openMs = performance.now() - t0;
await new Promise((r) => setTimeout(r, 500));
const loaded = await ask<Memory>('memory', 'memory');

const put = (enabled: boolean) =>
  fetch(`${ready.base}/api/3/people/${ready.personId}/credentials/${ready.credentialId}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ready.sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ enabled }),
  }).then((r) => r.json());

const lastLatencies: number[] = [];
const allLatencies: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  waiting = SUBSCRIBERS;
  const all = new Promise<void>((r) => (roundDone = r));
  const start = performance.now();
  await put(round % 2 === 0);
  // Until every subscriber has its (round+1)-th event (the snapshot was the first), or 10 s.
  await Promise.race([all, new Promise((r) => setTimeout(r, 10_000))]);
  const got = arrivals.map((a) => a[round]).filter((t) => t !== undefined);
  if (got.length < SUBSCRIBERS)
    console.log(`round ${round}: only ${got.length}/${SUBSCRIBERS} subscribers got the event`);
  for (const t of got) allLatencies.push(t - start);
  lastLatencies.push(Math.max(...got) - start);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const mib = (b: number) => (b / 1048576).toFixed(1);
const perSubKiB = (loaded.rss - baseline.rss) / SUBSCRIBERS / 1024;
const perSubHeapKiB = (loaded.heapUsed - baseline.heapUsed) / SUBSCRIBERS / 1024;

console.log(
  `status fan-out: ${SUBSCRIBERS} SSE subscribers on one process (server in a child process, ${loaded.subscribers} in its hub), opened in ${(openMs / 1000).toFixed(1)} s`,
);
console.log(`  baseline (idle server, same run): RSS ${mib(baseline.rss)} MiB, heap ${mib(baseline.heapUsed)} MiB`);
console.log(
  `  with subscribers:                 RSS ${mib(loaded.rss)} MiB, heap ${mib(loaded.heapUsed)} MiB → ${perSubKiB.toFixed(1)} KiB RSS and ${perSubHeapKiB.toFixed(1)} KiB heap per subscriber; ${(loaded.rss / baseline.rss).toFixed(2)}× the idle RSS`,
);
console.log(
  `  commit → last subscriber's event over ${ROUNDS} changes: p50 ${pct(lastLatencies, 50).toFixed(1)} ms, p99 ${pct(lastLatencies, 99).toFixed(1)} ms (target < 250 ms)`,
);
console.log(
  `  commit → each subscriber's event (${allLatencies.length} events): p50 ${pct(allLatencies, 50).toFixed(1)} ms, p99 ${pct(allLatencies, 99).toFixed(1)} ms`,
);

for (const r of requests) r.destroy();
agent.destroy();
child.disconnect();
child.kill('SIGTERM');
process.exit(0);
