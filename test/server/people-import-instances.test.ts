// SPEC §14 "Import", docs/console.md: applies of one file through two server instances on one
// PostgreSQL database take turns, so an email-only row makes one person however many applies race,
// and a credential a row asks for is issued once per person.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { TEST_SECRET } from '../helpers/harness.js';
import { freshSchema, skipWithoutPostgres } from '../helpers/pg.js';
import { type ServerProcess, startServerProcess } from '../helpers/process.js';

const SK = 'sk_demo_import_race_0123456789abcdef';
const ROWS = 200;
const ROUNDS = 2;

describe('the CSV import applied through two instances at once (PostgreSQL)', async () => {
  const reason = await skipWithoutPostgres();
  if (reason) {
    test('import race', { skip: reason }, () => undefined);
    return;
  }
  let a: ServerProcess;
  let b: ServerProcess;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-import-race-'));
  before(async () => {
    schema = await freshSchema();
    const env = {
      KEYWAY_ENV: 'development',
      DATABASE_URL: schema.url,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dataDir,
      KEYWAY_DEMO_SECRET_KEY: SK,
    };
    // One first, so the migrations run once; then the second on the migrated schema.
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await schema?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const apply = async (base: string, csv: string) => {
    const res = await fetch(`${base}/api/3/people/import?dry_run=false&offset=0&limit=${ROWS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SK}`, 'content-type': 'text/csv' },
      body: csv,
    });
    return { status: res.status, body: await res.json() };
  };

  test(`${ROUNDS} rounds of ${ROWS} email-only rows with a wallet pass, applied through A and B at once: each email one person, each person one pass`, async () => {
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const problems: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const csv = [
          'first_name,last_name,email,credential_type_id,delivery',
          ...Array.from({ length: ROWS }, (_, i) => `Race${i},Round${round},r${round}-${i}@example.com,9,none`),
        ].join('\n');
        const answers = await Promise.all([apply(a.url, csv), apply(b.url, csv)]);
        for (const r of answers) assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
        const twice = await db.query(
          `select email, count(*)::int as n from people where last_name = $1 and deleted_at is null
           group by email having count(*) > 1`,
          [`Round${round}`],
        );
        const people = await db.query('select count(*)::int as n from people where last_name = $1', [`Round${round}`]);
        const passes = await db.query(
          `select p.id, count(c.id)::int as n from people p left join credentials c on c.person_id = p.id
           where p.last_name = $1 group by p.id having count(c.id) <> 1`,
          [`Round${round}`],
        );
        if (twice.rowCount) problems.push(`round ${round}: ${twice.rowCount} emails made into two people`);
        if (passes.rowCount) problems.push(`round ${round}: ${passes.rowCount} people without exactly one pass`);
        assert.equal(people.rows[0].n >= ROWS, true);
        const created = answers.reduce((n, r) => n + r.body.counts.create, 0);
        const issued = answers.flatMap((r) =>
          r.body.rows.filter((x: { credential_id: string | null }) => x.credential_id),
        );
        if (created !== ROWS) problems.push(`round ${round}: the answers say ${created} created`);
        if (issued.length !== ROWS) problems.push(`round ${round}: the answers say ${issued.length} passes issued`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await db.end();
    }
  });
});
