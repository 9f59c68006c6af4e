// Statements compiled once and run with new parameters: prepared reads and writes, and cached reads.
import {
  type Compilable,
  type CompiledQuery,
  type Insertable,
  type Kysely,
  PostgresAdapter,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';
import { type Dialect, recordOf } from './connection.js';
import { tablesRead } from './read-cache.js';
import type { Database } from './schema.js';

const SENTINEL = '\u0000keyway-param-';

/**
 * The SQLite writer connection when a statement of `db` may run on it synchronously now, skipping
 * Kysely's connection queue and per-query machinery: given the database while no transaction is
 * open there (it cannot interleave with anything, and reads from a page cache this connection's
 * own writes keep warm), or given the transaction that holds it (Kysely's SQLite driver has just
 * the one connection). better-sqlite3 runs every statement synchronously.
 */
export const directWriter = (db: Kysely<Database>): SqliteDatabase | undefined => {
  const sqlite = recordOf(db)?.sqlite;
  return sqlite && db.isTransaction === sqlite.connection.inTransaction ? sqlite.writer : undefined;
};

interface Compiled {
  sql: string;
  query: CompiledQuery['query'];
  slots: (number | { value: unknown })[];
  /** The tables the query reads, from its operation tree (cached reads). */
  tables: readonly string[];
}

// biome-ignore lint/suspicious/noExplicitAny: each build declares its own parameter types; the placeholders stand in for all of them
type Build<Row> = (db: Kysely<Database>, ...placeholders: any[]) => Compilable<Row>;

const dialectOf = (db: Kysely<Database>): Dialect =>
  recordOf(db)?.dialect ?? (db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');

/** Compiles `build` once per dialect and returns a runner that fills in the arguments. */
function compileOnce<Row>(build: Build<Row>, arity: number) {
  const compiledFor: Partial<Record<Dialect, Compiled>> = {};
  const placeholders = Array.from({ length: arity }, (_, i) => `${SENTINEL}${i}`);
  const compile = (db: Kysely<Database>, dialect = dialectOf(db)): Compiled => {
    let compiled = compiledFor[dialect];
    if (!compiled) {
      const c = build(db, ...placeholders).compile();
      compiled = compiledFor[dialect] = {
        sql: c.sql,
        query: c.query,
        slots: c.parameters.map((p) => {
          const i = typeof p === 'string' && p.startsWith(SENTINEL) ? Number(p.slice(SENTINEL.length)) : -1;
          return i >= 0 ? i : { value: p };
        }),
        tables: tablesRead(c.query),
      };
    }
    return compiled;
  };
  const run = (compiled: Compiled, args: unknown[]): CompiledQuery<Row> => {
    const parameters = compiled.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return {
      sql: compiled.sql,
      query: compiled.query,
      parameters,
      queryId: { queryId: 'prepared' },
    } as unknown as CompiledQuery<Row>;
  };
  return { compile, run };
}

/** Runs a compiled read: synchronously on SQLite (see `preparedQuery`), through Kysely on PostgreSQL. */
async function readRows<Row>(db: Kysely<Database>, query: CompiledQuery<Row>): Promise<Row[]> {
  const direct = directWriter(db) ?? (db.isTransaction ? undefined : recordOf(db)?.sqlite?.reader);
  if (direct) return direct.prepare(query.sql).all(query.parameters as unknown[]) as Row[];
  return (await db.executeQuery<Row>(query)).rows;
}

/**
 * A read compiled once and run with new parameters: Kysely's per-call building and compiling
 * costs several times the SQLite lookup itself on hot paths. `build` receives placeholders
 * (opaque strings) where the run-time values go; the SQL stays dialect-portable. On SQLite it
 * runs synchronously: inside a transaction on its connection; given the database, on the writer
 * connection when no transaction is open there, else on the read-only one (committed data only).
 */
export function preparedQuery<Row, Args extends unknown[]>(
  build: Build<Row>,
  arity: Args['length'],
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const { compile, run } = compileOnce(build, arity);
  return (db, ...args) => readRows(db, run(compile(db), args));
}

/** A write compiled once: run it on `db` or a transaction (`preparedWrite`), or hand it to a change (writes.ts). */
export interface WriteStatement<Row, Args extends unknown[]> {
  (db: Kysely<Database>, ...args: Args): Promise<QueryResult<Row>>;
  /** The statement with these arguments, for `db`'s dialect. */
  query(db: Kysely<Database>, args: Args): CompiledQuery<Row>;
}

/** An INSERT of one row into `table`, compiled once; `columns` lists every column it writes. */
export function preparedInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Database[T] & string)[],
): WriteStatement<never, [Insertable<Database[T]>]> {
  const write = preparedWrite<never, unknown[]>(
    (db, ...p) => db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, p[i]])) as never),
    columns.length,
  );
  const argsOf = (values: Insertable<Database[T]>) =>
    columns.map((c) => (values as Record<string, unknown>)[c] ?? null);
  const insert = (db: Kysely<Database>, values: Insertable<Database[T]>) => write(db, ...argsOf(values));
  insert.query = (db: Kysely<Database>, [values]: [Insertable<Database[T]>]) => write.query(db, argsOf(values));
  return insert;
}

/**
 * A write (or a read inside a transaction) compiled once: runs on `db` or the transaction `tx`
 * it is given, and answers Kysely's result (`rows` for RETURNING, `numAffectedRows`).
 */
export function preparedWrite<Row, Args extends unknown[]>(
  build: Build<Row>,
  arity: Args['length'],
): WriteStatement<Row, Args> {
  const { compile, run } = compileOnce(build, arity);
  const write = async (db: Kysely<Database>, ...args: Args): Promise<QueryResult<Row>> => {
    const query = run(compile(db), args);
    const writer = directWriter(db);
    if (!writer) return db.executeQuery<Row>(query);
    return runOnWriter(writer, query);
  };
  write.query = (db: Kysely<Database>, args: Args) => run(compile(db), args);
  return write;
}

/** What Kysely's SQLite driver answers, without its queue: synchronous (better-sqlite3). */
export function runOnWriter<Row>(writer: SqliteDatabase, query: CompiledQuery<Row>): QueryResult<Row> {
  const statement = writer.prepare(query.sql);
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(parameters) as Row[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/**
 * A compiled read answered from the store's read cache (read-cache.ts): kept until a table it reads
 * is written — the tables taken from the query itself, joins and subqueries included. Given a
 * transaction, it reads through it every time (its own writes are not committed yet). The rows
 * handed out are shared: frozen, never to be changed.
 */
export function cachedQuery<Row extends object, Args extends (string | number)[]>(
  build: Build<Row>,
  arity: Args['length'],
): (db: Kysely<Database>, ...args: Args) => readonly Row[] | Promise<readonly Row[]> {
  const { compile, run } = compileOnce(build, arity);
  const id = {}; // this query's answers in each store's cache
  // Not async: a kept answer comes back as it is (ReadCache.answer); callers await either.
  return (db, ...args) => {
    const record = recordOf(db);
    const compiled = compile(db, record?.dialect);
    if (!record || db.isTransaction) return readRows(db, run(compiled, args));
    const key = args.length === 1 ? String(args[0]) : args.join('\u0000');
    return record.cache.answer(id, key, compiled.tables, () => readRows(db, run(compiled, args)));
  };
}
