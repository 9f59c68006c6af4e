// Data files are private (review, round two, point 11): the data directory 0700; the SQLite database, its
// WAL and SHM, the dev secret, the demo keys and the dev certificates 0600 — from a real `keyway start`,
// and tightened at start when an older version left them readable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startServerProcess } from '../helpers/process.js';

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

function privacyProblems(dir: string): string[] {
  const problems: string[] = [];
  const want = (p: string, mode: number) => {
    if (!fs.existsSync(p)) problems.push(`${path.relative(dir, p) || '.'} missing`);
    else if (modeOf(p) !== mode)
      problems.push(`${path.relative(dir, p) || '.'} is ${modeOf(p).toString(8)}, want ${mode.toString(8)}`);
  };
  want(dir, 0o700);
  for (const f of ['keyway.db', 'keyway.db-wal', 'keyway.db-shm', 'secret']) want(path.join(dir, f), 0o600);
  want(path.join(dir, 'certs'), 0o700);
  for (const f of fs.readdirSync(path.join(dir, 'certs'))) want(path.join(dir, 'certs', f), 0o600);
  return problems;
}

test('a dev server’s data directory is 0700 and every file in it 0600, and a start tightens what was left open', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-modes-'));
  fs.chmodSync(dir, 0o755);
  const old = process.umask(0o022);
  try {
    const env = { KEYWAY_DATA_DIR: dir, KEYWAY_ENV: 'development', PUBLIC_URL: 'http://127.0.0.1:8787' };
    const first = await startServerProcess(env);
    try {
      // The WAL and SHM exist while the server holds the database open.
      assert.deepEqual(privacyProblems(dir), [], first.output());
    } finally {
      await first.stop();
    }
    // What an older version left behind: everything world-readable.
    fs.chmodSync(dir, 0o755);
    for (const f of ['keyway.db', 'secret']) fs.chmodSync(path.join(dir, f), 0o644);
    for (const f of fs.readdirSync(path.join(dir, 'certs'))) fs.chmodSync(path.join(dir, 'certs', f), 0o644);
    const second = await startServerProcess(env);
    try {
      assert.deepEqual(privacyProblems(dir), [], second.output());
    } finally {
      await second.stop();
    }
  } finally {
    process.umask(old);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
