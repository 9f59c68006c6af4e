import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresAdapter, PostgresDialect, sql, SqliteDialect, type Compilable, type CompiledQuery, type Insertable, type QueryResult, type SelectQueryBuilder, type SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/** A database or an open transaction on it: repositories take either. */
export type Tx = Kysely<Database>;

/** A JSON text column (SQLite has no JSON type), or `fallback` when empty. */
export const json = <T>(text: string | null | undefined, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// int8 (count(*), bigserial) as a JS number: our counts and ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/** Opens the database named by DATABASE_URL: `sqlite:<path>` (WAL) or `postgres://…`. */
export function openStore(url: string): Store {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const clock = new WriteClock(sqlite);
  const statements = withStatementCache(sqlite, clock);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  writers.set(db.getExecutor().adapter, { statements, connection: sqlite });
  clocks.set(db, clock);
  groups.set(db, new CommitGroup(db));
  if (file === ':memory:') return { db, dialect: 'sqlite', close: () => db.destroy() };
  // A second, read-only connection for compiled hot reads: synchronous, and in WAL mode it sees
  // only committed data, never the half of a transaction the writer connection has open.
  const reader = new SQLite(file, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  readers.set(db, withStatementCache(reader));
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      readers.delete(db);
      reader.close();
      await db.destroy();
    },
  };
}

/**
 * A constant LIMIT written into the SQL. SQLite plans `ORDER BY … LIMIT ?` with a full sort that a
 * literal limit lets it skip (measured: 16 → 4 µs for the phone lookup, 8 → 2 µs for a queue claim).
 */
export const fixedLimit = (n: number) => sql.lit(n);

/** Whether `db` speaks PostgreSQL (for the few queries whose SQL differs, such as JSON aggregation). */
export const isPostgres = (db: Kysely<Database>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/** Row lock for read-modify-write inside a transaction; SQLite's writer lock already serialises. */
export function forUpdate<DB, TB extends keyof DB, O>(
  dialect: Dialect,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate() : query;
}

/**
 * better-sqlite3 compiles SQL on every prepare(); Kysely prepares per query. Our queries come
 * from a small fixed set of shapes, so keeping their statements makes each query several times cheaper.
 */
function withStatementCache(sqlite: SQLite.Database, clock?: WriteClock): SqliteDatabase {
  const cache = new Map<string, { statement: SQLite.Statement; effect: WriteEffect }>();
  return {
    prepare(sql: string) {
      let entry = cache.get(sql);
      if (!entry) {
        if (cache.size >= 2000) cache.clear(); // a runaway of distinct shapes must not grow memory
        entry = { statement: sqlite.prepare(sql), effect: writeEffectOf(sql) };
        cache.set(sql, entry);
      }
      // Every run of a statement prepares it (Kysely and our runners alike), so this sees each write.
      if (clock && entry.effect) clock.note(entry.effect);
      return entry.statement;
    },
    close: () => sqlite.close(),
  };
}

/** What running a statement does to cached reads: nothing, writes these tables, ends a transaction, or anything. */
type WriteEffect = null | string[] | 'end' | 'all';

function writeEffectOf(sql: string): WriteEffect {
  const text = sql.trimStart().toLowerCase();
  if (/^(select|begin|savepoint|release|rollback\s+to|pragma\s+data_version)\b/.test(text)) return null;
  if (/^(commit|end|rollback)\b/.test(text)) return 'end';
  const written = /^(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?(\w+)"?/.exec(text);
  return written ? [written[1]] : 'all'; // schema changes, CTE-led writes and the like: assume everything
}

/**
 * A per-table clock of the writes to one SQLite database, so a cached read knows whether its
 * tables changed since it was read. Writes of this process are seen as their statements are
 * prepared (and once more when their transaction ends, since the read-only connection may have
 * read the old rows meanwhile); commits by other processes through `PRAGMA data_version`.
 */
class WriteClock {
  tick = 0;
  private everything = 0;
  private readonly tables = new Map<string, number>();
  private readonly inTransaction = new Set<string>();
  private readonly dataVersion: SQLite.Statement;
  private lastDataVersion: unknown;
  private lastSync = -Infinity;

  constructor(private readonly connection: SQLite.Database) {
    this.dataVersion = connection.prepare('pragma data_version').pluck();
  }

  note(effect: Exclude<WriteEffect, null>): void {
    if (effect === 'all') this.everything = ++this.tick;
    else if (effect === 'end') {
      for (const t of this.inTransaction) this.tables.set(t, ++this.tick);
      this.inTransaction.clear();
    } else {
      for (const t of effect) {
        this.tables.set(t, ++this.tick);
        if (this.connection.inTransaction) this.inTransaction.add(t);
      }
    }
  }

  /**
   * Takes note of commits by other connections (another process, `keyway keys revoke`), at most
   * once a millisecond: the pragma cost ~10 % of a cached read, and a commit elsewhere is not
   * ordered with our reads anyway.
   */
  syncForeign(): void {
    const now = performance.now();
    if (now - this.lastSync < 1) return;
    this.lastSync = now;
    const version = this.dataVersion.get();
    if (version !== this.lastDataVersion) {
      this.lastDataVersion = version;
      this.everything = ++this.tick;
    }
  }

  unchangedSince(tables: readonly string[], stamp: number): boolean {
    if (this.everything > stamp) return false;
    for (const t of tables) if ((this.tables.get(t) ?? 0) > stamp) return false;
    return true;
  }
}
const clocks = new WeakMap<Kysely<Database>, WriteClock>();

const SENTINEL = '\u0000keyway-param-';
const readers = new WeakMap<Kysely<Database>, SqliteDatabase>();
/**
 * The SQLite connection behind Kysely, found through the adapter a database and all its
 * transactions share. better-sqlite3 runs every statement synchronously, so a compiled statement
 * may run on it at once — skipping Kysely's connection queue and per-query machinery — in two
 * cases: given the database while no transaction is open there (it cannot interleave with
 * anything, and reads from a page cache this connection's own writes keep warm), or given the
 * transaction that holds it (Kysely's SQLite driver has just the one connection).
 */
const writers = new WeakMap<object, { statements: SqliteDatabase; connection: SQLite.Database }>();

/** The writer connection when a statement of `db` may run on it synchronously now. */
const directWriter = (db: Kysely<Database>): SqliteDatabase | undefined => {
  const writer = writers.get(db.getExecutor().adapter);
  return writer && db.isTransaction === writer.connection.inTransaction ? writer.statements : undefined;
};

interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  slots: (number | { value: unknown })[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- placeholders stand in for any column type
type Build<Row> = (db: Kysely<Database>, ...placeholders: any[]) => Compilable<Row>;

/**
 * Compiles `build` once per dialect and returns a runner that fills in the arguments. The cache
 * is keyed by the dialect adapter, which a database and all its transactions share.
 */
function compileOnce<Row>(build: Build<Row>, arity: number) {
  const cache = new WeakMap<object, Compiled>();
  const placeholders = Array.from({ length: arity }, (_, i) => `${SENTINEL}${i}`);
  return (db: Kysely<Database>, args: unknown[]): CompiledQuery<Row> => {
    const adapter = db.getExecutor().adapter;
    let compiled = cache.get(adapter);
    if (!compiled) {
      const c = build(db, ...placeholders).compile();
      compiled = {
        sql: c.sql,
        query: c.query,
        slots: c.parameters.map((p) => {
          const i = typeof p === 'string' && p.startsWith(SENTINEL) ? Number(p.slice(SENTINEL.length)) : -1;
          return i >= 0 ? i : { value: p };
        }),
      };
      cache.set(adapter, compiled);
    }
    const parameters = compiled.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return { sql: compiled.sql, query: compiled.query, parameters, queryId: { queryId: 'prepared' } } as unknown as CompiledQuery<Row>;
  };
}

/**
 * A read compiled once and run with new parameters: Kysely's per-call building and compiling
 * costs several times the SQLite lookup itself on hot paths. `build` receives placeholders
 * (opaque strings) where the run-time values go; the SQL stays dialect-portable. On SQLite it
 * runs synchronously: inside a transaction on its connection; given the database, on the writer
 * connection when no transaction is open there, else on the read-only one (committed data only).
 */
export function preparedQuery<Row, Args extends unknown[]>(build: Build<Row>, arity: Args['length']): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const compile = compileOnce(build, arity);
  return async (db, ...args) => {
    const query = compile(db, args);
    const direct = directWriter(db) ?? readers.get(db);
    if (direct) return direct.prepare(query.sql).all(query.parameters as unknown[]) as Row[];
    return (await db.executeQuery<Row>(query)).rows;
  };
}

/** An INSERT of one row into `table`, compiled once; `columns` lists every column it writes. */
export function preparedInsert<T extends keyof Database & string>(table: T, columns: readonly (keyof Database[T] & string)[]) {
  const write = preparedWrite<never, unknown[]>(
    (db, ...p) => db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, p[i]])) as never),
    columns.length,
  );
  return (db: Kysely<Database>, values: Insertable<Database[T]>) => write(db, ...columns.map((c) => (values as Record<string, unknown>)[c] ?? null));
}

/**
 * A write (or a read inside a transaction) compiled once: runs on `db` or the transaction `tx`
 * it is given, and answers Kysely's result (`rows` for RETURNING, `numAffectedRows`).
 */
export function preparedWrite<Row, Args extends unknown[]>(build: Build<Row>, arity: Args['length']): (db: Kysely<Database>, ...args: Args) => Promise<QueryResult<Row>> {
  const compile = compileOnce(build, arity);
  return async (db, ...args) => {
    const query = compile(db, args);
    const writer = directWriter(db);
    if (!writer) return db.executeQuery<Row>(query);
    // What Kysely's SQLite driver answers, without its queue.
    const statement = writer.prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as Row[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  };
}

/**
 * A compiled read whose answers are kept until a table it reads is written (SQLite; on
 * PostgreSQL, where other instances write unseen, it reads every time). `tables` must name
 * every table the query reads. The rows handed out are shared: frozen, never to be changed.
 */
export function cachedQuery<Row, Args extends (string | number)[]>(build: Build<Row>, arity: Args['length'], tables: readonly (keyof Database & string)[]): (db: Kysely<Database>, ...args: Args) => Promise<readonly Row[]> {
  const read = preparedQuery<Row, Args>(build, arity);
  const answers = new Map<string, { stamp: number; rows: readonly Row[] }>();
  return async (db, ...args) => {
    const clock = clocks.get(db);
    if (!clock) return read(db, ...args);
    clock.syncForeign();
    const key = args.length === 1 ? String(args[0]) : args.join('\u0000');
    const kept = answers.get(key);
    if (kept && clock.unchangedSince(tables, kept.stamp)) return kept.rows;
    const stamp = clock.tick; // taken before the read: a write during it makes the answer stale at once
    const rows = Object.freeze((await read(db, ...args)).map((r) => Object.freeze(r)));
    if (answers.size >= 10_000) answers.clear(); // bounded: a scan of many ids must not grow memory
    answers.set(key, { stamp, rows });
    return rows;
  };
}

/**
 * A write transaction that shares its commit with the others begun while the previous group was
 * committing (SQLite; PostgreSQL runs each on its own connection). A SQLite commit writes every
 * page the transaction touched to the WAL — ~30 pages for an SMS start, most of its cost — and
 * transactions of one group touch mostly the same pages. Each runs in its own savepoint, so one
 * that throws undoes only its own writes and gets its own error; none answers before the commit.
 * `work` must do only database work on `tx`: no network waits, and never a transaction or
 * groupCommit of its own (it would wait for the group it is in).
 */
export function groupCommit<T>(db: Kysely<Database>, work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  const group = groups.get(db);
  return group ? group.add(work) : db.transaction().execute(work);
}

interface GroupedWork {
  work: (tx: Kysely<Database>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class CommitGroup {
  private waiting: GroupedWork[] = [];
  private committing = false;

  constructor(private readonly db: Kysely<Database>) {}

  add<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.committing) this.start();
    });
  }

  private start(): void {
    this.committing = true;
    setImmediate(() => void this.commit());
  }

  private async commit(): Promise<void> {
    const group = this.waiting;
    this.waiting = [];
    const outcomes: { ok: boolean; value: unknown }[] = [];
    try {
      await this.db.transaction().execute(async (tx) => {
        if (group.length === 1) {
          outcomes.push({ ok: true, value: await group[0].work(tx) }); // alone: exactly a plain transaction
          return;
        }
        // The transaction holds the one writer connection: its savepoints run there directly.
        const writer = directWriter(tx);
        if (!writer) throw new Error('a grouped commit runs on the SQLite writer connection');
        const run = (statement: string) => void writer.prepare(statement).run([]);
        for (const item of group) {
          run('savepoint grouped');
          try {
            outcomes.push({ ok: true, value: await item.work(tx) });
            run('release grouped');
          } catch (error) {
            run('rollback to grouped');
            run('release grouped');
            outcomes.push({ ok: false, value: error });
          }
        }
      });
      group.forEach((item, i) => (outcomes[i].ok ? item.resolve(outcomes[i].value) : item.reject(outcomes[i].value)));
    } catch (error) {
      for (const item of group) item.reject(error); // the commit failed (or the one transaction threw): nothing was written
    } finally {
      this.committing = false;
      if (this.waiting.length) this.start();
    }
  }
}
const groups = new WeakMap<Kysely<Database>, CommitGroup>();
