// SPEC §15: the audit log as a hash chain. The write path (audit.ts) inserts an event as before;
// a background sealer chains what committed, in the order of the sequence the database assigned:
//   hash = SHA-256(previous hash ‖ the event's canonical JSON)
// One sealer at a time: an advisory lock on PostgreSQL, SQLite's one writer. Checkpoints sign the
// chain's head; `keyway audit verify` walks both (docs/operations.md).
import crypto from 'node:crypto';
import { sql } from 'kysely';
import { groupCommit } from './commit-group.js';
import type { Store, Tx } from './db.js';

/** The hash the first event is chained to. */
export const GENESIS_HASH = '0'.repeat(64);
/** Events sealed per transaction. */
export const SEAL_BATCH = 500;
/** A checkpoint at most this often, when the chain has grown since the last. */
export const CHECKPOINT_SECONDS = 3600;

/** JSON with object keys sorted at every depth and no whitespace (RFC 8785's shape for our values). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

interface EventRow {
  seq: number;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: string;
}

/** What is hashed of an event: every column the log shows, its sequence included. */
export function eventCanonicalJson(row: EventRow): string {
  let data: unknown;
  try {
    data = JSON.parse(row.data);
  } catch {
    data = row.data; // an edited row may hold anything; it still hashes (and then mismatches)
  }
  return canonicalJson({
    seq: Number(row.seq),
    type: row.type,
    at: row.at,
    actor: row.actor,
    subject: row.subject,
    data,
  });
}

export function chainHash(previousHex: string, canonical: string): string {
  return crypto.createHash('sha256').update(Buffer.from(previousHex, 'hex')).update(canonical, 'utf8').digest('hex');
}

/** The message a checkpoint's signature covers. */
export const checkpointMessage = (c: { seq: number; hash: string; at: string }) =>
  `keyway-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.at}`;

export interface CheckpointSigner {
  kid: string;
  sign(message: string): string;
}

export interface SealOutcome {
  /** Events chained by this call. */
  sealed: number;
  /** The chain's head after it. */
  seq: number;
  /** Seconds between the oldest event it sealed being written (its `at`) and now; null when none. */
  lagSeconds: number | null;
  checkpoint: boolean;
  /** False when another sealer held the lock (PostgreSQL). */
  ran: boolean;
}

/**
 * A sealer for one store. On PostgreSQL sequence values are taken before commit, so a later value
 * may be visible before an earlier one: the sealer seals only up to a `horizon` below which no
 * transaction still writing `events` can add a row. It notes the highest visible seq and the
 * transactions then holding a write lock on `events` (each got its seq under that lock); once all
 * of those have ended, every seq up to the noted one is either visible or never will be (rolled
 * back). On SQLite a write transaction holds the database: what is visible is final.
 */
export function createAuditSealer(store: Store, opts: { signer?: CheckpointSigner } = {}) {
  let candidate: { seq: number; holders: string[] } | undefined;

  async function horizonPostgres(tx: Tx): Promise<number | null> {
    const lock = await sql<{ ok: boolean }>`
      select pg_try_advisory_xact_lock(hashtext(current_schema() || '.keyway_audit_sealer')) as ok`.execute(tx);
    if (!lock.rows[0]?.ok) return null;
    let horizon = 0;
    if (candidate) {
      const still = await sql<{ n: string }>`
        select count(*) as n from pg_locks where virtualtransaction = any(${candidate.holders}::text[])`.execute(tx);
      if (Number(still.rows[0]?.n ?? 0) === 0) horizon = candidate.seq;
    }
    const max = await sql<{ m: number | null }>`select max(seq) as m from events`.execute(tx);
    const holders = await sql<{ v: string }>`
      select distinct virtualtransaction as v from pg_locks
      where relation = 'events'::regclass and mode = 'RowExclusiveLock' and pid <> pg_backend_pid()`.execute(tx);
    const top = Number(max.rows[0]?.m ?? 0);
    if (holders.rows.length === 0) {
      candidate = undefined;
      return top;
    }
    if (horizon > 0 || !candidate) candidate = { seq: top, holders: holders.rows.map((r) => r.v) };
    return horizon;
  }

  /** Chains up to SEAL_BATCH events in one transaction; `more` when there may be others to seal now. */
  async function sealBatch(now: string): Promise<SealOutcome & { more: boolean }> {
    const work = async (tx: Tx) => {
      let horizon: number | null = Number.MAX_SAFE_INTEGER;
      if (store.dialect === 'postgres') horizon = await horizonPostgres(tx);
      else await tx.updateTable('audit_seal').set({ id: 1 }).where('id', '=', 1).execute(); // the writer lock first: what is read next is final
      if (horizon === null) return { sealed: 0, seq: 0, lagSeconds: null, checkpoint: false, ran: false, more: false };
      const state = await tx.selectFrom('audit_seal').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
      const rows = await tx
        .selectFrom('events')
        .select(['seq', 'type', 'at', 'actor', 'subject', 'data'])
        .where('seq', '>', state.seq)
        .where('seq', '<=', horizon)
        .orderBy('seq')
        .limit(SEAL_BATCH)
        .execute();
      let previous = state.hash;
      const sealed: { seq: number; hash: string; prev: string }[] = [];
      for (const row of rows) {
        const hash = chainHash(previous, eventCanonicalJson(row));
        sealed.push({ seq: Number(row.seq), hash, prev: previous });
        previous = hash;
      }
      let head = Number(state.seq);
      if (sealed.length) {
        const values = sql.join(
          sealed.map((s) => sql`(cast(${s.seq} as integer), cast(${s.hash} as text), cast(${s.prev} as text))`),
        );
        // A CTE with named columns: the one form of a multi-row UPDATE both SQLite and PostgreSQL accept.
        await sql`with v(seq, hash, prev) as (values ${values})
          update events set hash = v.hash, prev_hash = v.prev from v where events.seq = v.seq`.execute(tx);
        head = sealed[sealed.length - 1].seq;
        await tx
          .updateTable('audit_seal')
          .set({ seq: head, hash: previous, sealed_at: now })
          .where('id', '=', 1)
          .execute();
      }
      const checkpoint = opts.signer ? await checkpointIfDue(tx, opts.signer, now, head, previous) : false;
      const oldest = rows[0]?.at;
      return {
        sealed: sealed.length,
        seq: head,
        lagSeconds: oldest ? Math.max(0, (Date.parse(now) - Date.parse(oldest)) / 1000) : null,
        checkpoint,
        ran: true,
        more: sealed.length === SEAL_BATCH,
      };
    };
    return store.dialect === 'sqlite' ? groupCommit(store.db, work) : store.db.transaction().execute(work);
  }

  return {
    /** Seals everything that may be sealed now (several batches when behind). */
    async seal(now: string): Promise<SealOutcome> {
      const total: SealOutcome = { sealed: 0, seq: 0, lagSeconds: null, checkpoint: false, ran: false };
      for (;;) {
        const batch = await sealBatch(now);
        total.sealed += batch.sealed;
        total.seq = batch.seq;
        total.ran ||= batch.ran;
        total.checkpoint ||= batch.checkpoint;
        total.lagSeconds ??= batch.lagSeconds;
        if (!batch.more) return total;
      }
    },
  };
}

async function checkpointIfDue(
  tx: Tx,
  signer: CheckpointSigner,
  now: string,
  seq: number,
  hash: string,
): Promise<boolean> {
  if (seq === 0) return false;
  const last = await tx
    .selectFrom('audit_checkpoints')
    .select(['seq', 'at'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last && (Number(last.seq) >= seq || Date.parse(now) - Date.parse(last.at) < CHECKPOINT_SECONDS * 1000))
    return false;
  await tx
    .insertInto('audit_checkpoints')
    .values({ seq, hash, at: now, kid: signer.kid, signature: signer.sign(checkpointMessage({ seq, hash, at: now })) })
    .execute();
  return true;
}

export type ChainProblemKind = 'changed' | 'removed' | 'inserted' | 'reordered' | 'checkpoint';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The first event affected, as the API names it (`evt_<seq>`); absent for a checkpoint's own fault. */
  event?: string;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  /** Events read, sealed among them, the sealed head and the checkpoints checked. */
  events: number;
  sealed: number;
  head: number;
  checkpoints: number;
  problem?: ChainProblem;
}

/** `valid`, `invalid`, or `unknown` (signed by a key this configuration cannot derive). */
export type CheckpointCheck = (message: string, kid: string, signature: string) => 'valid' | 'invalid' | 'unknown';

/**
 * Walks the chain in sequence order and then the checkpoints; the first fault found is named.
 * A row changed breaks its own hash; one removed leaves the next pointing at a hash nobody has;
 * one inserted leaves the next pointing past it (or sits unsealed below the sealed head); two
 * swapped leave a row pointing at a hash that comes later. Rewriting the chain wholesale (every
 * hash recomputed) is caught by the signed checkpoints up to the last one.
 */
export async function verifyAuditChain(db: Tx, checkCheckpoint: CheckpointCheck): Promise<ChainReport> {
  const state = await db.selectFrom('audit_seal').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  const sealedHead = Number(state.seq);
  const report: ChainReport = { ok: true, events: 0, sealed: 0, head: sealedHead, checkpoints: 0 };
  const fail = (kind: ChainProblemKind, seq: number | undefined, message: string): ChainReport => ({
    ...report,
    ok: false,
    problem: { kind, ...(seq !== undefined ? { event: `evt_${seq}` } : {}), message },
  });
  const seen = new Map<string, number>([[GENESIS_HASH, 0]]);
  let previous = { seq: 0, hash: GENESIS_HASH };
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('events')
      .select(['seq', 'type', 'at', 'actor', 'subject', 'data', 'hash', 'prev_hash'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      after = seq;
      report.events++;
      if (row.hash === null) {
        if (seq <= sealedHead)
          return fail(
            'inserted',
            seq,
            `evt_${seq} was inserted: it is unsealed below the sealed head evt_${sealedHead}`,
          );
        continue; // written after the sealer's last pass
      }
      if (seq > sealedHead)
        return fail(
          'inserted',
          seq,
          `evt_${seq} was inserted: it carries a hash beyond the sealed head evt_${sealedHead}`,
        );
      if (row.prev_hash !== previous.hash) {
        const chainedTo = row.prev_hash === null ? undefined : seen.get(row.prev_hash);
        if (chainedTo !== undefined) {
          const first = await db
            .selectFrom('events')
            .select('seq')
            .where('seq', '>', chainedTo)
            .orderBy('seq')
            .limit(1)
            .executeTakeFirst();
          const inserted = Number(first?.seq ?? seq);
          return fail(
            'inserted',
            inserted,
            `evt_${inserted} was inserted: evt_${seq} is chained to evt_${chainedTo}, not to what now stands before it`,
          );
        }
        const later = row.prev_hash
          ? await db.selectFrom('events').select('seq').where('hash', '=', row.prev_hash).executeTakeFirst()
          : undefined;
        if (later && Number(later.seq) > seq)
          return fail(
            'reordered',
            seq,
            `evt_${seq} is out of order: it was chained after the event now at evt_${later.seq} (rows swapped)`,
          );
        // The first missing sequence value after the last intact event (a rolled-back one may sit between).
        const removed = previous.seq + 1;
        return fail(
          'removed',
          removed,
          seq - previous.seq === 2
            ? `evt_${removed} was removed: evt_${seq} is chained to a hash no event has`
            : `an event between evt_${previous.seq} and evt_${seq} was removed: evt_${seq} is chained to a hash no event has`,
        );
      }
      if (chainHash(row.prev_hash, eventCanonicalJson(row)) !== row.hash)
        return fail('changed', seq, `evt_${seq} was changed: its content no longer matches its hash`);
      seen.set(row.hash, seq);
      previous = { seq, hash: row.hash };
      report.sealed++;
    }
  }
  if (sealedHead > 0 && (previous.seq !== sealedHead || previous.hash !== state.hash))
    return fail(
      'removed',
      previous.seq + 1,
      `the events after evt_${previous.seq} were removed: the sealer had sealed through evt_${sealedHead}`,
    );
  const checkpoints = await db.selectFrom('audit_checkpoints').selectAll().orderBy('id').execute();
  for (const c of checkpoints) {
    const check = checkCheckpoint(
      checkpointMessage({ seq: Number(c.seq), hash: c.hash, at: c.at }),
      c.kid,
      c.signature,
    );
    if (check !== 'valid')
      return fail(
        'checkpoint',
        undefined,
        check === 'unknown'
          ? `the checkpoint of ${c.at} was signed by key ${c.kid}, which neither KEYWAY_SECRET nor KEYWAY_SECRET_PREVIOUS derives`
          : `the checkpoint of ${c.at} (evt_${c.seq}) has a bad signature: it was forged or edited`,
      );
    if (seen.get(c.hash) !== Number(c.seq))
      return fail(
        'changed',
        Number(c.seq),
        `the chain through evt_${c.seq} was rewritten: it no longer ends in the hash the checkpoint of ${c.at} signed`,
      );
    report.checkpoints++;
  }
  return report;
}

export interface ExportedEvent {
  id: string;
  seq: number;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: unknown;
  prev_hash: string | null;
  hash: string | null;
}

/** Every event at or after `since` (an ISO time) in sequence order, a page at a time. */
export async function* exportEvents(
  db: Tx,
  opts: { since?: string; afterSeq?: number },
): AsyncGenerator<ExportedEvent> {
  let after = opts.afterSeq ?? 0;
  for (;;) {
    let q = db.selectFrom('events').selectAll().where('seq', '>', after).orderBy('seq').limit(1000);
    if (opts.since) q = q.where('at', '>=', opts.since);
    const rows = await q.execute();
    if (rows.length === 0) return;
    for (const r of rows) {
      after = Number(r.seq);
      yield {
        id: `evt_${r.seq}`,
        seq: Number(r.seq),
        type: r.type,
        at: r.at,
        actor: r.actor,
        subject: r.subject,
        data: JSON.parse(r.data),
        prev_hash: r.prev_hash,
        hash: r.hash,
      };
    }
  }
}
