/**
 * `npm run lint` is what CI runs after the typecheck: it must fail on an unused import, and the
 * same file without it must pass (so the failure is the import's, not the file's place).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

async function lint(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'lint', '--', file], { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

test('npm run lint fails on a planted unused import and passes the same file without it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-lint-'));
  try {
    const source = fs.readFileSync(path.join(ROOT, 'server/clock.ts'), 'utf8');
    const clean = path.join(dir, 'clock.ts');
    fs.writeFileSync(clean, source);
    const planted = path.join(dir, 'planted.ts');
    fs.writeFileSync(planted, `import { readFileSync } from 'node:fs';\n${source}`);

    const ok = await lint(clean);
    assert.equal(ok.code, 0, ok.output);
    const bad = await lint(planted);
    assert.notEqual(bad.code, 0, 'an unused import fails the lint');
    assert.match(bad.output, /noUnusedImports/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
