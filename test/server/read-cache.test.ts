/**
 * The read cache (server/storage/read-cache.ts): the tables a cached query reads come from the
 * query itself, so a write to a table it reads only through a join or a subquery invalidates it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { jsonArrayFrom as pgJsonArrayFrom } from 'kysely/helpers/postgres';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import { writeEffectOf } from '../../server/storage/connection.js';
import { defineCachedRead as cachedQuery, isPostgres, openStore, readCacheStats } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';
import { tablesRead } from '../../server/storage/read-cache.js';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

test('the tables a query reads are found in its joins, subqueries and raw SQL parameters, not in aliases or CTE names', async () => {
  const store = openStore('sqlite::memory:');
  const { db } = store;
  try {
    const tablesOf = (q: { compile(): { query: Parameters<typeof tablesRead>[0] } }) => tablesRead(q.compile().query);
    assert.deepEqual(tablesOf(db.selectFrom('api_keys').select('id').where('key_hash', '=', 'x')), ['api_keys']);
    assert.deepEqual(
      tablesOf(db.selectFrom('credentials as c').innerJoin('people as p', 'p.id', 'c.person_id').select('c.id')),
      ['credentials', 'people'],
    );
    assert.deepEqual(
      tablesOf(
        db
          .selectFrom('credentials')
          .select((eb) => [
            jsonArrayFrom(
              eb.selectFrom('devices').select('devices.id').whereRef('devices.credential_id', '=', 'credentials.id'),
            ).as('devices'),
          ])
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('invitations')
                .select('invitations.id')
                .whereRef('invitations.credential_id', '=', 'credentials.id'),
            ),
          )
          .where('person_id', 'in', (eb) =>
            eb.selectFrom('people').select('people.id').where('people.deleted_at', 'is', null),
          ),
      ),
      ['credentials', 'devices', 'invitations', 'people'],
    );
    assert.deepEqual(
      tablesOf(
        db
          .with('live', (w) => w.selectFrom('tokens').select('token_hash').where('used_at', 'is', null))
          .selectFrom('live')
          .select(sql<number>`count(*)`.as('n')),
      ),
      ['tokens'],
    );
  } finally {
    await store.close();
  }
});

test('what a statement writes, for the cache: CTE-led writes name every table they change', () => {
  assert.deepEqual(writeEffectOf('update "credentials" set "status" = $1 where "id" = $2'), ['credentials']);
  assert.deepEqual(
    writeEffectOf(
      'with "changed" as (update "credentials" set "status" = $1, "updated_at" = $2 where "id" = $3 returning "id") insert into "credential_history" ("credential_id", "status", "at") select "id", $4, $5 from "changed"',
    ),
    ['credential_history', 'credentials'],
  );
  assert.deepEqual(
    writeEffectOf('with x as (delete from "tokens" where "id" = $1 returning 1) select count(*) from x'),
    ['tokens'],
  );
  assert.equal(writeEffectOf('select "id" from "api_keys" where "key_hash" = $1'), null);
  assert.equal(
    writeEffectOf('with x as (select 1) select * from x'),
    'all',
    'nothing recognisable: everything, to be safe',
  );
  assert.equal(writeEffectOf('create table t (id int)'), 'all');
});

function readCacheSuite(backend: 'sqlite' | 'postgres', skip: () => Promise<string | false>) {
  describe(`the read cache on ${backend}`, async () => {
    const reason = await skip();
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      h = await createHarness({ backend });
    });
    after(async () => {
      h.assertLogsClean();
      await h.close();
    });

    test('a cached query is invalidated by a write to a table it reads only through a join or a subquery', async () => {
      const { personId, credentialId } = await issueWalletPass(h);
      // No table is named: `people` is read only through the join, `devices` only in a subquery.
      const credentialOfLivePerson = cachedQuery<{ id: string; devices: string | { id: string }[] }, [string]>(
        (db, id) =>
          db
            .selectFrom('credentials')
            .innerJoin('people', 'people.id', 'credentials.person_id')
            .select('credentials.id')
            .select((eb) => [
              (isPostgres(db) ? pgJsonArrayFrom : jsonArrayFrom)(
                eb.selectFrom('devices').select('devices.id').whereRef('devices.credential_id', '=', 'credentials.id'),
              ).as('devices'),
            ])
            .where('credentials.id', '=', id)
            .where('people.deleted_at', 'is', null),
        1,
      );
      const read = () => credentialOfLivePerson(h.store.db, credentialId);
      const ids = (rows: readonly { devices: string | { id: string }[] }[]) => {
        const d = rows[0].devices;
        return (typeof d === 'string' ? (JSON.parse(d) as { id: string }[]) : d).map((x) => x.id);
      };

      assert.deepEqual(ids(await read()), []);
      // On PostgreSQL the first cached read starts the LISTEN connection; answers are kept once it is up.
      for (let i = 0; i < 200 && !h.store.readCache.serving(['credentials', 'people', 'devices']); i++)
        await new Promise((r) => setTimeout(r, 10));
      await read();
      const hits = readCacheStats.hits;
      const first = await read();
      assert.equal(readCacheStats.hits, hits + 1, 'a repeated read is answered from memory');
      assert.equal(await read(), first, 'the same frozen rows while nothing changed');

      // A write to the subquery's table only.
      const at = '2026-11-23T10:00:01.000Z';
      await h.store.db
        .insertInto('devices')
        .values({
          id: 'dev_readcache',
          credential_id: credentialId,
          platform: 'apple',
          status: 'pending',
          serial_number: 'readcache-1',
          auth_token_hash: 'readcache-1',
          auth_token_enc: null,
          value_hash: null,
          value_enc: null,
          added_at: at,
          updated_at: at,
          confirmed_at: null,
          revoked_at: null,
        })
        .execute();
      assert.deepEqual(ids(await read()), ['dev_readcache'], 'a device added is read');

      // A write to the joined table only.
      await h.store.db.updateTable('people').set({ deleted_at: at }).where('id', '=', personId).execute();
      assert.deepEqual(await read(), [], 'a person deleted hides the credential');
    });

    test('a write led by a CTE invalidates the tables it writes, and only those', {
      skip: backend === 'sqlite' && 'SQLite has no data-modifying CTEs',
    }, async () => {
      const { credentialId } = await issueWalletPass(h);
      const enabledOf = cachedQuery<{ enabled: number }, [string]>(
        (db, id) => db.selectFrom('credentials').select('enabled').where('id', '=', id),
        1,
      );
      const keyCount = cachedQuery<{ id: string }, [string]>(
        (db, kind) => db.selectFrom('api_keys').select('id').where('kind', '=', kind),
        1,
      );
      for (let i = 0; i < 200 && !h.store.readCache.serving(['credentials', 'api_keys']); i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal((await enabledOf(h.store.db, credentialId))[0].enabled, 1);
      await keyCount(h.store.db, 'secret');
      // The shape of a status change: the credential updated and its history row written in one statement.
      await sql`with changed as (update credentials set enabled = 0 where id = ${credentialId} returning id) insert into credential_history (credential_id, status, at) select id, 'invited', '2026-11-23T10:00:04.000Z' from changed`.execute(
        h.store.db,
      );
      const hits = readCacheStats.hits;
      await keyCount(h.store.db, 'secret');
      assert.equal(readCacheStats.hits, hits + 1, 'a table the statement does not write stays answered from memory');
      assert.equal(
        (await enabledOf(h.store.db, credentialId))[0].enabled,
        0,
        'the table it updates inside the CTE is read again',
      );
    });

    test('the API reads (credential view, status) see writes to the tables they join or aggregate', async () => {
      const { personId, credentialId } = await issueWalletPass(h);
      const view = () => h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
      const cs = await h.request('POST', '/api/3/client_sessions', { token: h.sk, body: { person_id: personId } });
      const status = () => h.request('GET', `/api/3/credentials/${credentialId}/status`, { token: cs.body.token });
      assert.equal((await view()).status, 200);
      assert.equal((await view()).status, 200, 'answered from memory where the cache serves');
      assert.deepEqual(
        (await status()).body.history.map((x: { status: string }) => x.status),
        ['invited'],
      );
      assert.deepEqual(
        (await status()).body.history.map((x: { status: string }) => x.status),
        ['invited'],
      );

      // credential_history is read only in the status read's subquery.
      await h.store.db
        .insertInto('credential_history')
        .values({ credential_id: credentialId, status: 'provisioning', at: '2026-11-23T10:00:02.000Z' })
        .execute();
      assert.deepEqual(
        (await status()).body.history.map((x: { status: string }) => x.status),
        ['invited', 'provisioning'],
      );
      // people is read only in the admin read's join.
      await h.store.db
        .updateTable('people')
        .set({ deleted_at: '2026-11-23T10:00:03.000Z' })
        .where('id', '=', personId)
        .execute();
      assert.equal((await view()).status, 404, 'the credential of a deleted person is not found');
    });
  });
}

readCacheSuite('sqlite', async () => false);
readCacheSuite('postgres', skipWithoutPostgres);

test('each store has its own read cache: answers of one are never served by another', async () => {
  const stores = [openStore('sqlite::memory:'), openStore('sqlite::memory:')];
  try {
    for (const [i, s] of stores.entries()) {
      await migrateToLatest(s.db, s.dialect);
      await s.db.insertInto('rate_counters').values({ bucket: 'same', window_start: 1, count: i }).execute();
    }
    const countOf = cachedQuery<{ count: number }, [string]>(
      (db, bucket) => db.selectFrom('rate_counters').select('count').where('bucket', '=', bucket),
      1,
    );
    assert.equal((await countOf(stores[0].db, 'same'))[0].count, 0);
    assert.equal((await countOf(stores[1].db, 'same'))[0].count, 1);
    assert.equal((await countOf(stores[0].db, 'same'))[0].count, 0);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});
