import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface Spawned {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a server script (through tsx). Not pinned to a core: pinning server and load generator apart changed nothing measurable here. */
export async function spawnServer(args: string[], env: Record<string, string> = {}): Promise<Spawned> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no start: ${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
  });
  child.stdout!.resume();
  child.stdout!.removeAllListeners('data');
  child.stdout!.on('data', () => undefined); // request logs are written (a real cost) and dropped
  process.once('exit', () => child.kill('SIGTERM')); // never leave a server behind
  return {
    url,
    child,
    stop: () =>
      new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))),
  };
}

export interface LoadResult {
  rps: number;
  p99: number;
  p50: number;
  errors: number;
  non2xx: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const o: autocannon.Options = { connections: 32, ...opts };
  if (o.amount) delete o.duration;
  else o.duration ??= 5;
  // Requests over the time until the last answer, timed here: autocannon's average is over
  // whole-second samples, and it ends a run of a fixed number of requests (the redemptions) only
  // at its next one-second tick, so every redeem run read ~1,000/s whatever its speed.
  const started = performance.now();
  let lastAnswer = started;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon(o, (err, result) => (err ? reject(err) : resolve(result)));
    run.on('response', () => (lastAnswer = performance.now()));
  });
  const elapsed = (lastAnswer - started) / 1000;
  return {
    rps: r.requests.total / elapsed,
    p99: r.latency.p99,
    p50: r.latency.p50,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

export const fmt = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.errors ? `, ${r.errors} errors` : ''}`;

/** A fresh PostgreSQL schema under `baseUrl` (its URL pins search_path to it), dropped with `drop()`. */
export async function pgSchema(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `kw_bench_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  await admin.end();
  return {
    url: `${baseUrl}${baseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`drop schema if exists ${name} cascade`);
      await c.end();
    },
  };
}
