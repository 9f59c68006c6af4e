import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

// jsonLog gathers lines and writes them at the end of the turn: none may be lost at exit, and
// each stays one JSON object per line, in order, with its time stamp first.
test('log lines gathered in a turn are all written, in order, even when the process exits at once', () => {
  const script = `
    const { jsonLog } = await import('./server/log.ts');
    jsonLog({ level: 'info', msg: 'first', n: 1 });
    jsonLog({ level: 'info', msg: 'second "quoted"\\nline', n: 2 });
    jsonLog({});
    process.exit(0);
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 3, out);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    records.map((r) => r.msg),
    ['first', 'second "quoted"\nline', undefined],
  );
  for (const [i, r] of records.entries()) {
    assert.equal(Object.keys(r)[0], 't', 'the time stamp comes first');
    assert.match(String(r.t), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    if (i < 2) assert.equal(r.n, i + 1);
  }
});
