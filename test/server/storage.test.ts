import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { beginIdempotent } from '../../server/domain/callers/idempotency.js';
import { ApiError } from '../../server/domain/errors.js';
import { consumeRate } from '../../server/domain/rate-limits.js';
import { migrateToLatest, migrationsApplied } from '../../server/storage/migrations.js';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

/**
 * One storage suite, run against every backend (SQLite here, PostgreSQL when reachable;
 * CI requires it). Everything that must hold across instances is exercised here.
 */
function storageSuite(backend: 'sqlite' | 'postgres', skip: () => Promise<string | false>) {
  describe(`storage on ${backend}`, async () => {
    const reason = await skip();
    if (reason) {
      test(`${backend} suite`, { skip: reason }, () => undefined);
      return;
    }
    let h: Harness;
    before(async () => {
      h = await createHarness({ backend, env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000' } });
    });
    after(async () => {
      h.assertLogsClean();
      await h.close();
    });

    test('migrations are versioned and re-running them is a no-op', async () => {
      assert.deepEqual(await migrateToLatest(h.store.db, h.store.dialect), []);
      assert.equal(await migrationsApplied(h.store.db, h.store.dialect), true);
    });

    test('people, credentials and the audit log round-trip', async () => {
      const { personId, credentialId } = await issueWalletPass(h, {
        first_name: 'Zoë',
        last_name: 'Ångström',
        phone: '+4915123456789',
        group_ids: [3, 4],
      });
      const person = await h.request('GET', `/api/3/people/${personId}`, { token: h.sk });
      assert.equal(person.body.person.first_name, 'Zoë');
      assert.deepEqual(person.body.person.group_ids, [3, 4]);
      const cred = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
      assert.equal(cred.body.person_credential.status, 'invited');
      assert.deepEqual(cred.body.person_credential.devices, []);
      assert.match(
        cred.body.person_credential.invitation_code,
        /^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$/,
        'the live invitation, for the write scope',
      );
      const readOnly = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, {
        token: h.skRead,
      });
      assert.equal(readOnly.body.person_credential.invitation_code, undefined, 'never for the read-only scope');
      // The single read fetches devices in the same statement (JSON aggregation differs per backend).
      const device = (id: string, platform: 'apple' | 'google', added_at: string) => ({
        id,
        credential_id: credentialId,
        platform,
        status: 'pending' as const,
        serial_number: `roundtrip-${id}`,
        auth_token_hash: `roundtrip-${id}`,
        auth_token_enc: null,
        value_hash: null,
        value_enc: null,
        added_at,
        updated_at: added_at,
        confirmed_at: null,
        revoked_at: null,
      });
      await h.store.db
        .insertInto('devices')
        .values([
          device(`dev_roundtripB`, 'google', '2026-11-23T10:00:02.000Z'),
          device(`dev_roundtripA`, 'apple', '2026-11-23T10:00:01.000Z'),
        ])
        .execute();
      const withDevices = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, {
        token: h.sk,
      });
      assert.deepEqual(withDevices.body.person_credential.devices, [
        { id: `dev_roundtripA`, platform: 'apple', status: 'pending', added_at: '2026-11-23T10:00:01.000Z' },
        { id: `dev_roundtripB`, platform: 'google', status: 'pending', added_at: '2026-11-23T10:00:02.000Z' },
      ]);
      // The widget's status read aggregates devices and history in one statement as well.
      const cs = await h.request('POST', '/api/3/client_sessions', { token: h.sk, body: { person_id: personId } });
      const status = await h.request('GET', `/api/3/credentials/${credentialId}/status`, { token: cs.body.token });
      assert.equal(status.status, 200, status.text);
      assert.equal(status.body.status, 'invited');
      assert.deepEqual(
        status.body.devices.map((d: { id: string }) => d.id),
        ['dev_roundtripA', 'dev_roundtripB'],
      );
      assert.deepEqual(
        status.body.history.map((x: { status: string }) => x.status),
        ['invited'],
      );
      const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}`, { token: h.sk });
      assert.deepEqual(events.body.events.map((e: { type: string }) => e.type).sort(), [
        'credential.created',
        'invitation.issued',
      ]);
    });

    test('cached reads (keys, credential views) see every write: this process, an open transaction, another connection', async () => {
      const { personId, credentialId } = await issueWalletPass(h);
      const read = () => h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
      assert.equal((await read()).body.person_credential.enabled, true);
      assert.equal(
        (await read()).body.person_credential.enabled,
        true,
        'a second read, answered from the cache on SQLite',
      );

      // A write through the API is seen at once.
      await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
        token: h.sk,
        body: { enabled: false },
      });
      assert.equal((await read()).body.person_credential.enabled, false);

      // A transaction still open: readers see the committed row; once it commits, the new one.
      await h.store.db.transaction().execute(async (tx) => {
        await tx.updateTable('credentials').set({ enabled: 1 }).where('id', '=', credentialId).execute();
        if (h.store.dialect === 'sqlite')
          assert.equal((await read()).body.person_credential.enabled, false, 'uncommitted: not visible');
      });
      assert.equal((await read()).body.person_credential.enabled, true, 'committed: visible');

      // Another connection (a second instance, or `keyway keys revoke` in its own process).
      const { openStore } = await import('../../server/storage/db.js');
      const { createKey } = await import('../../server/domain/callers/keys.js');
      const other = openStore(h.databaseUrl);
      try {
        const { key: sk2, view } = await createKey(h.keyway.ctx, { kind: 'secret', scopes: ['account.person'] });
        h.secrets.add(sk2);
        assert.equal((await h.request('GET', `/api/3/people/${personId}`, { token: sk2 })).status, 200);
        await other.db.updateTable('credentials').set({ enabled: 0 }).where('id', '=', credentialId).execute();
        await other.db
          .updateTable('api_keys')
          .set({ revoked_at: new Date().toISOString() })
          .where('id', '=', view.id)
          .execute();
        // SQLite looks for another connection's commits at most once a millisecond; PostgreSQL hears
        // them through LISTEN/NOTIFY, within docs/deploy.md's 100 ms. Asked again until that bound.
        const bound = h.store.dialect === 'sqlite' ? 5 : 100;
        const seenWithin = async (ok: () => Promise<boolean>) => {
          const until = Date.now() + bound;
          for (;;) {
            if (await ok()) return true;
            if (Date.now() >= until) return false;
            await new Promise((r) => setTimeout(r, 2));
          }
        };
        assert.ok(
          await seenWithin(
            async () => (await h.request('GET', `/api/3/people/${personId}`, { token: sk2 })).status === 401,
          ),
          `a key revoked elsewhere stops working within ${bound} ms`,
        );
        assert.ok(
          await seenWithin(async () => (await read()).body.person_credential.enabled === false),
          `a change made elsewhere is read within ${bound} ms`,
        );
      } finally {
        await other.close();
      }
    });

    test('grouped commits: each transaction of a group stands or falls alone, and answers only once committed', async () => {
      const { transaction: groupCommit, openStore } = await import('../../server/storage/db.js');
      const bucket = (i: number) => `grouped-test:${i}`;
      const insert = (i: number) => (tx: typeof h.store.db) =>
        tx
          .insertInto('rate_counters')
          .values({ bucket: bucket(i), window_start: 1, count: i })
          .execute();
      const other = openStore(h.databaseUrl); // what another instance (or a crash right after) would see
      try {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            groupCommit(h.store.db, async (tx) => {
              await insert(i)(tx);
              if (i % 4 === 3) throw new Error(`transaction ${i} fails`);
              const seen = await other.db
                .selectFrom('rate_counters')
                .select('bucket')
                .where('bucket', '=', bucket(i))
                .executeTakeFirst();
              assert.equal(seen, undefined, 'not visible before its commit');
              return i * 10;
            }).then(async (value) => {
              const seen = await other.db
                .selectFrom('rate_counters')
                .select('count')
                .where('bucket', '=', bucket(i))
                .executeTakeFirst();
              assert.equal(seen?.count, i, 'committed by the time it answers');
              return value;
            }),
          ),
        );
        outcomes.forEach((o, i) => {
          if (i % 4 === 3)
            assert.equal(o.status === 'rejected' && (o.reason as Error).message, `transaction ${i} fails`);
          else assert.deepEqual(o, { status: 'fulfilled', value: i * 10 });
        });
        const rows = await other.db
          .selectFrom('rate_counters')
          .select('bucket')
          .where('bucket', 'like', 'grouped-test:%')
          .orderBy('count')
          .execute();
        assert.deepEqual(
          rows.map((r) => r.bucket),
          [0, 1, 2, 4, 5, 6, 8, 9, 10].map(bucket),
          'the failed ones left nothing behind',
        );
        // One alone that fails is a plain rolled-back transaction.
        await assert.rejects(
          groupCommit(h.store.db, async (tx) => {
            await insert(99)(tx);
            throw new Error('alone');
          }),
          /alone/,
        );
        assert.equal(
          await other.db
            .selectFrom('rate_counters')
            .select('bucket')
            .where('bucket', '=', bucket(99))
            .executeTakeFirst(),
          undefined,
        );
      } finally {
        await other.close();
      }
    });

    test('100 concurrent redemptions of one code: exactly one succeeds, the rest are invitation_used', async () => {
      const { code, credentialId } = await issueWalletPass(h);
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } }),
        ),
      );
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${[...new Set(statuses)].join(',')}`);
      assert.equal(statuses.filter((s) => s === 409).length, 99);
      const history = await h.store.db
        .selectFrom('credential_history')
        .select('status')
        .where('credential_id', '=', credentialId)
        .execute();
      assert.deepEqual(
        history.map((x) => x.status),
        ['invited', 'provisioning'],
        'one transition, not a hundred',
      );
      const tokens = await h.store.db
        .selectFrom('tokens')
        .select('token_hash')
        .where('credential_id', '=', credentialId)
        .execute();
      assert.equal(tokens.length, 1, 'one provisioning token minted');
    });

    test('a failed transaction leaves nothing half-written', async () => {
      const { personId, credentialId } = await issueWalletPass(h);
      const before = await h.store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      await assert.rejects(
        h.store.db.transaction().execute(async (tx) => {
          await tx.updateTable('credentials').set({ status: 'revoked' }).where('id', '=', credentialId).execute();
          await tx.insertInto('events').values({ type: 'x', at: 'x', actor: 'x', subject: 'x', data: '{}' }).execute();
          throw new Error('boom');
        }),
      );
      const after = await h.store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.n), Number(before.n));
      const cred = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
      assert.equal(cred.body.person_credential.status, 'invited');
    });

    test('rate counters are atomic under concurrency', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, () => consumeRate(h.keyway.ctx, `test:${backend}`, 25, 3600)),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 25);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(rejected.length, 15);
      assert.ok(
        rejected.every(
          (r) => r.reason instanceof ApiError && r.reason.code === 'rate_limited' && r.reason.retryAfter! > 0,
        ),
      );
    });

    test('idempotency records: one request claims the key, a concurrent twin is told it is in progress', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => beginIdempotent(h.keyway.ctx, `rk-${backend}`, 'hash-a')),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(
        results.every(
          (r) =>
            r.status === 'fulfilled' || (r.reason instanceof ApiError && r.reason.code === 'idempotency_in_progress'),
        ),
      );
      await assert.rejects(
        beginIdempotent(h.keyway.ctx, `rk-${backend}`, 'hash-b'),
        (e: unknown) => e instanceof ApiError && e.code === 'idempotency_mismatch',
      );
    });

    test('concurrent lifecycle changes serialise: disable and revoke race, the result is consistent', async () => {
      const { personId, credentialId } = await issueWalletPass(h);
      await Promise.all([
        h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
          token: h.sk,
          body: { enabled: false },
        }),
        h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk }),
        h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
          token: h.sk,
          body: { enabled: true },
        }),
      ]);
      const cred = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
      assert.equal(cred.body.person_credential.status, 'revoked');
      const outbox = await h.store.db
        .selectFrom('outbox')
        .select('payload')
        .where('credential_id', '=', credentialId)
        .orderBy('seq')
        .execute();
      const seqs = outbox.map((o) => JSON.parse(o.payload).sequence);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
        'sequence strictly increases without gaps',
      );
    });
  });
}

storageSuite('sqlite', async () => false);
storageSuite('postgres', skipWithoutPostgres);

test('SQLite durability (docs/security.md): synchronous=FULL by default on the start path, NORMAL only when KEYWAY_SQLITE_SYNC=normal', async () => {
  const { loadConfig } = await import('../../server/config.js');
  const { openMigratedStore } = await import('../../server/runtime.js');
  const { sql } = await import('kysely');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-sync-'));
  try {
    const level = async (env: Record<string, string>) => {
      const { store } = await openMigratedStore(loadConfig({ KEYWAY_DATA_DIR: dir, ...env }, 'development'));
      try {
        const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
        const { rows: mode } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
        return { synchronous: rows[0].synchronous, journal: mode[0].journal_mode };
      } finally {
        await store.close();
      }
    };
    assert.deepEqual(
      await level({}),
      { synchronous: 2, journal: 'wal' },
      'FULL: an answered write survives power loss',
    );
    assert.deepEqual(await level({ KEYWAY_SQLITE_SYNC: 'normal' }), { synchronous: 1, journal: 'wal' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
