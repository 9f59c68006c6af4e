import crypto from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the suite runs against; CI sets KEYWAY_TEST_PG=required so a missing one fails. */
export const PG_URL = process.env.KEYWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRED = process.env.KEYWAY_TEST_PG === 'required';

let availability: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  availability ??= (async () => {
    let lastError: unknown;
    // A loaded CI machine can be slow to accept; try a few times before calling it absent.
    for (let attempt = 0; attempt < 3; attempt++) {
      const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch (err) {
        lastError = err;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    if (REQUIRED)
      throw new Error(
        `PostgreSQL is required (KEYWAY_TEST_PG=required) but ${PG_URL} is unreachable: ${(lastError as Error).message}`,
      );
    return false;
  })();
  return availability;
}

/** Why a PostgreSQL test is skipped, or false to run it. Said once per file in the output. */
export async function skipWithoutPostgres(): Promise<string | false> {
  return (await postgresAvailable()) ? false : `PostgreSQL not reachable at ${PG_URL}: PostgreSQL half skipped`;
}

/** A fresh schema per test run; the URL selects it through search_path. */
export async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `kw_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const sep = PG_URL.includes('?') ? '&' : '?';
  return {
    url: `${PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
