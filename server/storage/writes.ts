// A change of state as the domain states it: the writes that follow a decision, declared and not awaited.
// storage decides how they reach the database: on SQLite each runs at once on the writer, inside
// the grouped commit; on PostgreSQL all of them leave as one statement (data-modifying CTEs), which
// commits by itself — one round trip, however many rows the change writes.
import { CompiledQuery, type Kysely } from 'kysely';
import { recordOf } from './connection.js';
import type { Database } from './schema.js';
import { directWriter, runOnWriter, type WriteStatement } from './statements.js';

/**
 * What a change's body declares. The body is synchronous (`change` refuses a body that returns a
 * promise), so it can await nothing: no network call, no read, no other transaction inside a commit.
 */
export interface Writes {
  /** A write whose outcome nobody waits for (an insert, an update whose rows are known). */
  run<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void;
  /**
   * A compare-and-set: the statement (a write, or a read that locks) must touch exactly one row, or
   * none of the change is written and `change` throws `WriteConflict` (read again, decide again).
   */
  expect<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void;
  /** A PostgreSQL notification sent when the change commits (nothing on SQLite: one process hears itself). */
  notify(channel: string, payload: string): void;
}

/** What was read before the change is no longer so: nothing of the change was written. */
export class WriteConflict extends Error {
  constructor() {
    super('the rows a change was decided on changed before it was written');
  }
}

/** SQLSTATE raised by `keyway_expect_one` (migration 0015_write_guard) when a compare-and-set misses. */
const CONFLICT_SQLSTATE = 'KW409';

// A body that returns a promise is a type error: it would be awaiting something inside the commit.
type NotAPromise<T> = T extends PromiseLike<unknown> ? never : T;

/**
 * One change of state: `body` declares its writes on `w` and returns what the caller answers.
 * SQLite: a grouped commit (commit-group.ts). PostgreSQL: one statement, its own commit.
 */
export async function change<T>(db: Kysely<Database>, body: (w: Writes) => NotAPromise<T>): Promise<T> {
  const record = recordOf(db);
  if (record?.dialect === 'postgres') {
    const batch = new Batch(db);
    const out = body(batch);
    await batch.flush(db);
    return out;
  }
  const run = async (tx: Kysely<Database>) => body(new Immediate(tx));
  return record?.group ? record.group.add(run) : db.transaction().execute(run);
}

/**
 * The same declared writes inside a transaction already open (a read-modify-write that locked its
 * rows first): at once on SQLite, as one statement on PostgreSQL. Given the database instead of a
 * transaction, the writes are a `change` of their own.
 */
export async function changeIn<T>(tx: Kysely<Database>, body: (w: Writes) => NotAPromise<T>): Promise<T> {
  if (!tx.isTransaction) return change(tx, body); // given the database: a change of its own
  if (recordOf(tx)?.dialect !== 'postgres') return body(new Immediate(tx));
  const batch = new Batch(tx);
  const out = body(batch);
  await batch.flush(tx);
  return out;
}

/** SQLite (and a database with no writer of its own): each write runs as it is declared. */
class Immediate implements Writes {
  constructor(private readonly tx: Kysely<Database>) {}

  run<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void {
    this.exec(statement.query(this.tx, args));
  }

  expect<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void {
    const result = this.exec(statement.query(this.tx, args));
    const touched = result.numAffectedRows !== undefined ? Number(result.numAffectedRows) : result.rows.length;
    if (touched !== 1) throw new WriteConflict();
  }

  notify(): void {}

  private exec(query: CompiledQuery<unknown>) {
    const writer = directWriter(this.tx);
    if (!writer) throw new Error('a change runs on the SQLite writer connection, in its transaction');
    return runOnWriter(writer, query);
  }
}

/** PostgreSQL: the declared writes gathered, then sent as one statement. */
class Batch implements Writes {
  private readonly parts: { query: CompiledQuery<unknown>; expect: boolean }[] = [];
  private readonly notes: [string, string][] = [];

  constructor(private readonly db: Kysely<Database>) {}

  run<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void {
    this.parts.push({ query: statement.query(this.db, args), expect: false });
  }

  expect<Args extends unknown[]>(statement: WriteStatement<unknown, Args>, ...args: Args): void {
    this.parts.push({ query: statement.query(this.db, args), expect: true });
  }

  notify(channel: string, payload: string): void {
    this.notes.push([channel, payload]);
  }

  async flush(db: Kysely<Database>): Promise<void> {
    if (this.parts.length === 0 && this.notes.length === 0) return;
    const { sql, parameters } = batchStatement(this.parts, this.notes);
    try {
      await db.executeQuery(CompiledQuery.raw(sql, parameters));
    } catch (err) {
      if ((err as { code?: unknown }).code === CONFLICT_SQLSTATE) throw new WriteConflict();
      throw err;
    }
  }
}

/**
 * `with w0 as (…), w1 as (…), n0 as (select pg_notify(…)) select keyway_expect_one(…), …`:
 * each write a data-modifying CTE (PostgreSQL runs every one to completion, on one snapshot), each
 * compare-and-set counted by `keyway_expect_one`, which raises — undoing the whole statement —
 * when one touched no row or several. The notifications are sent at commit, as any NOTIFY.
 */
export function batchStatement(
  parts: { query: CompiledQuery<unknown>; expect: boolean }[],
  notes: [string, string][] = [],
): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const ctes: string[] = [];
  const outputs: string[] = [];
  const shift = (sql: string, params: readonly unknown[]) => {
    const offset = parameters.length;
    parameters.push(...params);
    return offset === 0 ? sql : sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  };
  parts.forEach(({ query, expect }, i) => {
    let text = shift(query.sql, query.parameters);
    if (expect && !/\breturning\b/i.test(text) && !/^\s*select\b/i.test(text)) text += ' returning 1';
    ctes.push(`w${i} as (${text})`);
    if (expect) outputs.push(`keyway_expect_one((select count(*) from w${i}))`);
  });
  notes.forEach(([channel, payload], i) => {
    ctes.push(`n${i} as (select pg_notify(${shift('$1, $2', [channel, payload])}))`);
    outputs.push(`(select count(*) from n${i})`);
  });
  if (outputs.length === 0) outputs.push('1');
  return { sql: `with ${ctes.join(', ')} select ${outputs.join(', ')}`, parameters };
}
