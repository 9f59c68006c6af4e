// SPEC §15 "an audit log nobody can rewrite unseen": the hash chain, its sealer, its checkpoints, and
// `keyway audit verify|export`, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { auditSealer, verifyAudit } from '../../server/domain/audit/chain.js';
import { type Ctx, createContext } from '../../server/domain/context.js';
import { runHousekeeping } from '../../server/domain/housekeeping/background.js';
import { recordEvent } from '../../server/storage/audit.js';
import { chainHash, eventCanonicalJson, GENESIS_HASH } from '../../server/storage/audit-chain.js';
import { openStore } from '../../server/storage/db.js';
import { createHarness, type Harness, issueWalletPass, TEST_SECRET } from '../helpers/harness.js';
import { skipWithoutPostgres } from '../helpers/pg.js';
import { ROOT, runCli } from '../helpers/process.js';

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`the audit hash chain (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let h: Harness;
    let ctx: Ctx;
    before(async () => {
      if (skip) return;
      h = await createHarness({ backend });
      ctx = h.keyway.ctx;
    });
    after(async () => {
      if (!skip) await h.close();
    });

    /** A clean log of `n` events (and a checkpoint over them): the start of each tampering test. */
    async function freshChain(n: number): Promise<number[]> {
      await h.store.db.deleteFrom('audit_checkpoints').execute();
      await h.store.db.deleteFrom('events').execute();
      await h.store.db
        .updateTable('audit_seal')
        .set({ seq: 0, hash: GENESIS_HASH, sealed_at: null })
        .where('id', '=', 1)
        .execute();
      for (let i = 0; i < n; i++)
        await recordEvent(h.store.db, h.clock.now().toISOString(), {
          type: 'person.updated',
          actor: 'key:k1',
          subject: `person:${i}`,
          data: { i, nested: { b: 2, a: [1, 'x'] } },
        });
      h.clock.advance(3600); // a checkpoint is due
      const outcome = await auditSealer(ctx).seal();
      assert.equal(outcome.sealed, n);
      if (n > 0) assert.ok(outcome.checkpoint, 'the first sealing writes a checkpoint');
      const rows = await h.store.db.selectFrom('events').select('seq').orderBy('seq').execute();
      return rows.map((r) => Number(r.seq));
    }

    const verify = () => verifyAudit(ctx);

    test('events are written unsealed, sealed in sequence order by the sealer, shown with their hash, and verify', {
      skip,
    }, async () => {
      const { credentialId } = await issueWalletPass(h);
      const before = await h.request('GET', '/api/3/events', { token: h.sk });
      assert.equal(before.status, 200);
      assert.ok(before.body.events.length > 0);
      assert.ok(
        before.body.events.every((e: { hash: string | null }) => e.hash === null),
        'unsealed right after the write',
      );
      const outcome = await auditSealer(ctx).seal();
      assert.equal(outcome.sealed, before.body.events.length);
      const res = await h.request('GET', '/api/3/events', { token: h.sk });
      const events = [...res.body.events].reverse();
      let previous = GENESIS_HASH;
      for (const e of events) {
        const seq = Number(e.id.slice(4));
        const expected = chainHash(
          previous,
          eventCanonicalJson({
            seq,
            type: e.type,
            at: e.at,
            actor: e.actor,
            subject: e.subject,
            data: JSON.stringify(e.data),
          }),
        );
        assert.equal(e.hash, expected, `${e.id}: SHA-256(previous hash ‖ canonical JSON)`);
        previous = e.hash;
      }
      assert.ok(events.some((e: { subject: string }) => e.subject.includes(credentialId)));
      const report = await verify();
      assert.equal(report.ok, true, report.problem?.message);
      assert.equal(report.sealed, events.length);
      assert.equal((await auditSealer(ctx).seal()).sealed, 0, 'nothing is sealed twice');
    });

    test('retention never deletes audit events', { skip }, async () => {
      const count = async () =>
        Number(
          (
            await h.store.db
              .selectFrom('events')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const n = await count();
      assert.ok(n > 0);
      h.clock.advance(400 * 86400);
      await runHousekeeping(ctx);
      assert.equal(await count(), n);
    });

    test('an event changed is named', { skip }, async () => {
      const seqs = await freshChain(6);
      await h.store.db.updateTable('events').set({ actor: 'key:someone-else' }).where('seq', '=', seqs[2]).execute();
      const report = await verify();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'changed');
      assert.equal(report.problem?.event, `evt_${seqs[2]}`);
    });

    test('an event removed is named', { skip }, async () => {
      const seqs = await freshChain(6);
      await h.store.db.deleteFrom('events').where('seq', '=', seqs[3]).execute();
      const report = await verify();
      assert.equal(report.problem?.kind, 'removed');
      assert.equal(report.problem?.event, `evt_${seqs[3]}`);
      assert.match(report.problem.message, new RegExp(`evt_${seqs[4]}`));
    });

    test('the newest sealed event removed is named', { skip }, async () => {
      const seqs = await freshChain(4);
      await h.store.db.deleteFrom('events').where('seq', '=', seqs[3]).execute();
      const report = await verify();
      assert.equal(report.problem?.kind, 'removed');
      assert.equal(report.problem?.event, `evt_${seqs[3]}`);
    });

    test('an event inserted is named, unsealed or with a forged link', { skip }, async () => {
      const seqs = await freshChain(6);
      // A gap, as a rolled-back transaction leaves one: the sealer chained past it.
      await h.store.db.deleteFrom('events').where('seq', '>', seqs[2]).execute();
      await h.store.db.deleteFrom('audit_checkpoints').execute();
      await h.store.db.updateTable('audit_seal').set({ seq: 0, hash: GENESIS_HASH }).where('id', '=', 1).execute();
      await h.store.db.updateTable('events').set({ hash: null, prev_hash: null }).execute();
      const gap = seqs[2] + 5;
      await h.store.db
        .insertInto('events')
        .values({
          seq: gap + 1,
          type: 'person.updated',
          at: h.clock.now().toISOString(),
          actor: 'system',
          subject: 'person:9',
          data: '{}',
        })
        .execute();
      await auditSealer(ctx).seal();
      assert.equal((await verify()).ok, true, 'a gap left by a rollback is no fault');

      const row = {
        seq: gap,
        type: 'person.deleted',
        at: h.clock.now().toISOString(),
        actor: 'key:k1',
        subject: 'person:1',
        data: '{}',
      };
      await h.store.db.insertInto('events').values(row).execute();
      let report = await verify();
      assert.equal(report.problem?.kind, 'inserted');
      assert.equal(report.problem?.event, `evt_${gap}`, report.problem?.message);

      // The same row, chained as a forger would: its own hash checks, the next event's link does not.
      const last = await h.store.db
        .selectFrom('events')
        .select('hash')
        .where('seq', '=', seqs[2])
        .executeTakeFirstOrThrow();
      await h.store.db
        .updateTable('events')
        .set({ prev_hash: last.hash, hash: chainHash(last.hash!, eventCanonicalJson(row)) })
        .where('seq', '=', gap)
        .execute();
      report = await verify();
      assert.equal(report.problem?.kind, 'inserted');
      assert.equal(report.problem?.event, `evt_${gap}`, report.problem?.message);
    });

    test('an event inserted after the sealed head with a hash of its own is named', { skip }, async () => {
      const seqs = await freshChain(3);
      const last = await h.store.db
        .selectFrom('events')
        .select('hash')
        .where('seq', '=', seqs[2])
        .executeTakeFirstOrThrow();
      const row = {
        seq: seqs[2] + 1,
        type: 'person.deleted',
        at: h.clock.now().toISOString(),
        actor: 'key:k1',
        subject: 'person:1',
        data: '{}',
      };
      await h.store.db
        .insertInto('events')
        .values({ ...row, prev_hash: last.hash, hash: chainHash(last.hash!, eventCanonicalJson(row)) })
        .execute();
      const report = await verify();
      assert.equal(report.problem?.kind, 'inserted');
      assert.equal(report.problem?.event, `evt_${row.seq}`);
    });

    test('two events swapped are named', { skip }, async () => {
      const seqs = await freshChain(6);
      const [a, b] = [seqs[1], seqs[2]];
      await h.store.db.updateTable('events').set({ seq: -1 }).where('seq', '=', a).execute();
      await h.store.db.updateTable('events').set({ seq: a }).where('seq', '=', b).execute();
      await h.store.db.updateTable('events').set({ seq: b }).where('seq', '=', -1).execute();
      const report = await verify();
      assert.equal(report.problem?.kind, 'reordered');
      assert.equal(report.problem?.event, `evt_${a}`);
    });

    test('a chain rewritten wholesale (every hash recomputed) is caught by the signed checkpoint', {
      skip,
    }, async () => {
      const seqs = await freshChain(5);
      await h.store.db.updateTable('events').set({ data: '{"i":99}' }).where('seq', '=', seqs[1]).execute();
      const rows = await h.store.db.selectFrom('events').selectAll().orderBy('seq').execute();
      let previous = GENESIS_HASH;
      for (const r of rows) {
        const hash = chainHash(previous, eventCanonicalJson(r));
        await h.store.db.updateTable('events').set({ hash, prev_hash: previous }).where('seq', '=', r.seq).execute();
        previous = hash;
      }
      await h.store.db.updateTable('audit_seal').set({ hash: previous }).where('id', '=', 1).execute();
      let report = await verify();
      assert.equal(report.ok, false);
      assert.equal(report.problem?.kind, 'changed');
      assert.equal(report.problem?.event, `evt_${seqs[4]}`, report.problem?.message);

      // …and a checkpoint re-signed by someone without KEYWAY_SECRET does not help.
      await h.store.db.updateTable('audit_checkpoints').set({ hash: previous }).execute();
      report = await verify();
      assert.equal(report.problem?.kind, 'checkpoint');
    });

    test('checkpoints are hourly; one made under KEYWAY_SECRET_PREVIOUS still verifies after a rotation', {
      skip,
    }, async () => {
      await freshChain(2);
      await recordEvent(h.store.db, h.clock.now().toISOString(), { type: 'x', actor: 'system', subject: 's' });
      assert.equal((await auditSealer(ctx).seal()).checkpoint, false, 'within the hour: no new checkpoint');
      const rotated = createContext({
        config: ctx.config,
        store: h.store,
        secret: Buffer.alloc(32, 9).toString('base64'),
        secretPrevious: TEST_SECRET,
        clock: h.clock,
      });
      h.clock.advance(3600);
      await recordEvent(h.store.db, h.clock.now().toISOString(), { type: 'x', actor: 'system', subject: 's' });
      assert.equal((await auditSealer(rotated).seal()).checkpoint, true);
      const report = await verifyAudit(rotated);
      assert.equal(report.ok, true, report.problem?.message);
      assert.equal(report.checkpoints, 2);
      const stranger = createContext({
        config: ctx.config,
        store: h.store,
        secret: Buffer.alloc(32, 9).toString('base64'),
        clock: h.clock,
      });
      assert.equal((await verifyAudit(stranger)).problem?.kind, 'checkpoint', 'a key this configuration cannot derive');
    });

    test('two instances writing at once: every event sealed once, in sequence order', { skip }, async () => {
      await freshChain(0);
      const instance = (name: string) =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', 'test/helpers/audit-instance.ts', h.databaseUrl, TEST_SECRET, name, '60'],
            { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out).sealed) : reject(new Error(out))));
        });
      const sealed = await Promise.all([instance('a'), instance('b')]);
      const tail = (await auditSealer(ctx).seal()).sealed;
      assert.equal(sealed[0] + sealed[1] + tail, 120, `every event sealed exactly once (${sealed} + ${tail})`);
      assert.ok(sealed[0] + sealed[1] > 0, 'the instances sealed while they wrote');
      const report = await verify();
      assert.equal(report.ok, true, report.problem?.message);
      assert.equal(report.sealed, 120);
    });

    if (backend === 'postgres')
      test('a sequence value committed after a later one is sealed in its place, not skipped', { skip }, async () => {
        await freshChain(0);
        const second = openStore(h.databaseUrl, {});
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let taken!: () => void;
        const tookSeq = new Promise<void>((r) => (taken = r));
        const slow = second.db.transaction().execute(async (tx) => {
          await recordEvent(tx, h.clock.now().toISOString(), { type: 'slow', actor: 'system', subject: 's' });
          taken();
          await held;
        });
        await tookSeq;
        await recordEvent(h.store.db, h.clock.now().toISOString(), { type: 'fast', actor: 'system', subject: 'f' });
        const sealer = auditSealer(ctx);
        assert.equal((await sealer.seal()).sealed, 0, 'the later event waits for the earlier, still uncommitted');
        assert.equal((await sealer.seal()).sealed, 0);
        release();
        await slow;
        assert.equal((await sealer.seal()).sealed, 2);
        const rows = await h.store.db.selectFrom('events').select(['seq', 'type']).orderBy('seq').execute();
        assert.deepEqual(
          rows.map((r) => r.type),
          ['slow', 'fast'],
        );
        assert.equal((await verify()).ok, true);
        await second.close();
      });

    test('npx keyway audit verify exits 1 naming the event; export writes JSON lines with hashes', {
      skip,
    }, async () => {
      const seqs = await freshChain(4);
      const env = {
        KEYWAY_ENV: 'development',
        DATABASE_URL: h.databaseUrl,
        KEYWAY_SECRET: TEST_SECRET,
        KEYWAY_DATA_DIR: ctx.config.dataDir,
      };
      let r = await runCli(['audit', 'verify'], env);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^ok: 4 of 4 audit events sealed/);
      r = await runCli(['audit', 'export', '--since', '2000-01-01T00:00:00Z'], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        lines.map((l) => l.id),
        seqs.map((s) => `evt_${s}`),
      );
      assert.ok(lines.every((l) => /^[0-9a-f]{64}$/.test(l.hash) && typeof l.prev_hash === 'string'));
      r = await runCli(['audit', 'export', '--since', `evt_${seqs[1]}`], env);
      assert.equal(r.stdout.trim().split('\n').length, 2);
      // --out FILE (its --help names it): the same lines, in a file only its owner reads; never over another file.
      const file = path.join(ctx.config.dataDir, `audit-${seqs[0]}.jsonl`);
      r = await runCli(['audit', 'export', '--since', '2000-01-01T00:00:00Z', '--out', file], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.deepEqual(
        fs
          .readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).id),
        seqs.map((s) => `evt_${s}`),
      );
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      r = await runCli(['audit', 'export', '--out', file], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /exists; give a new file name/);
      await h.store.db.updateTable('events').set({ subject: 'person:tampered' }).where('seq', '=', seqs[1]).execute();
      r = await runCli(['audit', 'verify'], env);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`evt_${seqs[1]} was changed`));
      r = await runCli(['audit', 'verify', '--json'], env);
      assert.equal(JSON.parse(r.stdout).problem.event, `evt_${seqs[1]}`);
      r = await runCli(['audit', 'export', '--since', 'yesterday-ish'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /--since wants an ISO time/);
    });
  });
}

test('audit --help names its commands', async () => {
  const r = await runCli(['audit', 'verify', '--help'], {});
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: npx keyway audit verify/);
});
