import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts `keyway <command>` as its own process on a free port and waits until it listens. */
export async function startServerProcess(
  env: Record<string, string>,
  command = 'start',
  args: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', command, ...args], {
    cwd: ROOT,
    // No demo people unless a test asks (KEYWAY_DEMO_PEOPLE=on): tests count the people they make.
    env: { ...process.env, PORT: '0', KEYWAY_DEMO_PEOPLE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on [\d.]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // a SIGKILLed child has no exit code, only a signal
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a CLI command to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/keyway.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The demo secret key a development server keeps under its data folder (`demo-keys.json`). */
export const demoSecretKey = (dataDir: string): string =>
  (JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-keys.json'), 'utf8')) as { secretKey: string }).secretKey;

/** A call as a partner backend: the secret key, JSON both ways; a non-2xx fails the test; 204 answers null. */
export type SecretKeyCall = (method: string, route: string, body?: unknown) => Promise<unknown>;
export function secretKeyCaller(baseUrl: string, secretKey: string): SecretKeyCall {
  return async (method, route, body) => {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${route} answered ${res.status}`);
    return res.status === 204 ? null : res.json();
  };
}
