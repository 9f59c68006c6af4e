// The connections of a store (SQLite or PostgreSQL), and how every statement they run reaches the store's read cache.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type KyselyPlugin,
  LimitNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver,
  type QueryResult,
  type RootOperationNode,
  SelectQueryNode,
  type SqliteDatabase,
  SqliteDialect,
  type UnknownRow,
  ValueNode,
} from 'kysely';
import pg from 'pg';
import { type Channel, Listener } from './listener.js';
import { type ForeignWrites, ReadCache } from './read-cache.js';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

// int8 (count(*), bigserial) as a JS number: our counts and ids stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

/**
 * How long a request may wait on PostgreSQL (docs/deploy.md: a 503 within 5 s, never a hang): for a
 * pooled connection (also the wait for a free one), and for each statement's answer.
 */
export const PG_CONNECT_TIMEOUT_MS = 2000;
export const PG_QUERY_TIMEOUT_MS = 3000;

export interface StoreOptions {
  /** Per-statement timeout on PostgreSQL; false for migrations, which may rewrite big tables. */
  queryTimeout?: boolean;
  log?: (record: Record<string, unknown>) => void;
  /** SQLite syncs FULL unless told `normal` (KEYWAY_SQLITE_SYNC): NORMAL may lose the last answered commits on power loss (docs/security.md, "durability"). */
  sqliteSync?: 'full' | 'normal';
}

/**
 * What a store keeps beside Kysely, one record per store, found from the database or any of its
 * transactions through the dialect adapter they all share (`recordOf`).
 */
export interface StoreRecord {
  readonly dialect: Dialect;
  readonly url: string;
  readonly cache: ReadCache;
  /**
   * SQLite: the one connection Kysely writes through (statements cached, see `withStatementCache`),
   * and for a file a second, read-only one for compiled hot reads: synchronous, and in WAL mode it
   * sees only committed data, never the half of a transaction the writer connection has open.
   */
  sqlite?: { writer: SqliteDatabase; connection: SQLite.Database; reader?: SqliteDatabase };
  /** PostgreSQL: the one LISTEN connection (read cache, status streams). */
  listener?: Listener;
  /** SQLite: write transactions sharing one commit (commit-group.ts), set by `openStore`. */
  group?: { add<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> };
}

const records = new WeakMap<object, StoreRecord>();

/** The record of the store `db` (a database or a transaction of it) belongs to; none for a Kysely made elsewhere. */
export const recordOf = (db: Kysely<Database>): StoreRecord | undefined => records.get(db.getExecutor().adapter);

export interface OpenedStore {
  db: Kysely<Database>;
  record: StoreRecord;
  pool?: pg.Pool;
  close(): Promise<void>;
}

export const isPostgresUrl = (url: string) => url.startsWith('postgres://') || url.startsWith('postgresql://');

export function openPostgres(url: string, options: StoreOptions): OpenedStore {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    ...(options.queryTimeout === false ? {} : { query_timeout: PG_QUERY_TIMEOUT_MS }),
    keepAlive: true,
  });
  const log = options.log ?? ((r) => console.error(JSON.stringify(r)));
  watchPoolErrors(pool, log);
  const cache = new ReadCache();
  const listener = new Listener(url, log);
  cache.hearForeignWrites(notifiedWrites(listener));
  const db = new Kysely<Database>({ dialect: new WatchedPostgresDialect({ pool }, cache) });
  const record: StoreRecord = { dialect: 'postgres', url, cache, listener };
  records.set(db.getExecutor().adapter, record);
  return {
    db,
    record,
    pool,
    close: async () => {
      await listener.close();
      await db.destroy();
    },
  };
}

/** The channel the `keyway_readcache_notify` triggers (migration 0009) tell every committed write on, as `<schema>.<table>`. */
export const WRITES_CHANNEL = 'keyway_writes';
const NOTIFY_TRIGGER = 'keyway_readcache_notify';

/**
 * Commits made through any connection to the PostgreSQL database (other instances, the CLI, psql),
 * heard through LISTEN: statement-level triggers on the cached tables notify at commit. Listening
 * starts with the first cached read. While the listener is down, and until it has listened again,
 * nothing is answered from memory (docs/architecture.md, "the read cache"); when it has, everything kept before is stale, since
 * notifications sent meanwhile were lost. A query reading a table without the trigger is never
 * answered from memory here.
 */
function notifiedWrites(listener: Listener): ForeignWrites {
  /** The tables this store's queries name (as the connection's search_path resolves them) that have the trigger, and their payloads. */
  let notified = new Set<string>();
  let payloads = new Map<string, string>();
  let cache: ReadCache | undefined;
  const channel: Channel = {
    notify(payload) {
      const table = payloads.get(payload);
      if (table) cache?.invalidate([table]);
    },
    async ready(client) {
      // Asked again on each connection: a migration may have added triggers meanwhile.
      const { rows } = await client.query<{ schema: string; table: string }>(
        `select n.nspname as schema, c.relname::text as table
           from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
          where t.tgname = $1 and to_regclass(quote_ident(c.relname)) = c.oid`,
        [NOTIFY_TRIGGER],
      );
      notified = new Set(rows.map((r) => r.table));
      payloads = new Map(rows.map((r) => [`${r.schema}.${r.table}`, r.table]));
      cache?.invalidate('all');
    },
  };
  return {
    hearing(readCache, tables) {
      if (!cache) {
        cache = readCache;
        listener.listen(WRITES_CHANNEL, channel);
      }
      if (!listener.hearing(WRITES_CHANNEL)) return false;
      for (const t of tables) if (!notified.has(t)) return false;
      return true;
    },
  };
}

/**
 * The database file is created 0600 before SQLite opens it (SQLite gives its WAL and SHM the
 * database's mode), and one an older version left readable is narrowed, with its WAL and SHM
 * (docs/security.md). A file owned by someone else is left as it is.
 */
function keepPrivate(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
    } catch {
      /* absent, or not ours to change */
    }
  }
}

export function openSqlite(url: string, options: StoreOptions): OpenedStore {
  const file = url.replace(/^sqlite:/, '');
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    keepPrivate(file);
  }
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${options.sqliteSync === 'normal' ? 'NORMAL' : 'FULL'}`);
  connection.pragma('busy_timeout = 5000');
  connection.pragma('foreign_keys = ON');
  const cache = new ReadCache();
  cache.hearForeignWrites(foreignCommits(connection));
  const writer = withStatementCache(connection, new TransactionWrites(cache, () => connection.inTransaction));
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: writer }),
    plugins: [new SqliteSelects()],
  });
  const record: StoreRecord = { dialect: 'sqlite', url, cache, sqlite: { writer, connection } };
  records.set(db.getExecutor().adapter, record);
  if (file === ':memory:') return { db, record, close: () => db.destroy() };
  const reader = new SQLite(file, { readonly: true });
  reader.pragma('busy_timeout = 5000');
  record.sqlite!.reader = withStatementCache(reader);
  return {
    db,
    record,
    close: async () => {
      record.sqlite!.reader = undefined;
      reader.close();
      await db.destroy();
    },
  };
}

/**
 * A dropped connection makes a `pg` client emit 'error', and an 'error' nobody listens to ends the
 * process. The pool listens on its idle clients only; a client checked out for a query or a
 * transaction needs its own listener (the query in flight rejects anyway and the pool drops the client).
 */
function watchPoolErrors(pool: pg.Pool, log: (record: Record<string, unknown>) => void): void {
  let lastLogged = 0;
  const note = (err: Error) => {
    // One line a second at most: an outage makes every pooled connection fail at once.
    if (Date.now() - lastLogged < 1000) return;
    lastLogged = Date.now();
    log({ level: 'warn', msg: 'database connection lost', error: err.message });
  };
  pool.on('error', note);
  pool.on('connect', (client) => client.on('error', note));
}

/**
 * Transactions begin IMMEDIATE: with several processes on one file (KEYWAY_WORKERS, a second
 * server, the CLI), a deferred transaction that read first and then writes cannot wait for the
 * lock — SQLite answers "database is locked" at once instead of honouring busy_timeout.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/**
 * What a query says it needs, in SQLite's terms, so the domain writes one query for both backends:
 * row locks (`forUpdate`, `forShare`) are dropped (the one writer connection already serialises
 * every write transaction), and a numeric LIMIT is written into the SQL, which lets SQLite skip a
 * full sort for `ORDER BY … LIMIT ?` (measured: 16 → 4 µs for the phone lookup, 8 → 2 µs for a queue
 * claim). Only the top-level SELECT is looked at: no walk of the tree on every query.
 */
class SqliteSelects implements KyselyPlugin {
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (!SelectQueryNode.is(node)) return node;
    let out = node;
    const limit = node.limit?.limit;
    if (limit && ValueNode.is(limit) && typeof limit.value === 'number' && !limit.immediate)
      out = { ...out, limit: LimitNode.create(ValueNode.createImmediate(limit.value)) };
    if (node.endModifiers?.some(isRowLock))
      out = { ...out, endModifiers: node.endModifiers.filter((m) => !isRowLock(m)) };
    return out;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

const ROW_LOCKS = new Set(['ForUpdate', 'ForNoKeyUpdate', 'ForShare', 'ForKeyShare', 'NoWait', 'SkipLocked']);
const isRowLock = (m: { modifier?: string }) => m.modifier !== undefined && ROW_LOCKS.has(m.modifier);

/** What running a statement does to cached reads: nothing, writes these tables, opens or ends a transaction, or anything. */
type WriteEffect = null | string[] | 'begin' | 'end' | 'all';

export function writeEffectOf(sql: string): WriteEffect {
  const text = sql.trimStart().toLowerCase();
  if (/^(begin|start\s+transaction)\b/.test(text)) return 'begin';
  if (/^(select|savepoint|release|rollback\s+to|pragma\s+data_version)\b/.test(text)) return null;
  if (/^(commit|end|rollback)\b/.test(text)) return 'end';
  const written =
    /^(?:insert(?:\s+or\s+\w+)?\s+into|replace\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+"?(\w+)"?/.exec(text);
  if (written) return [written[1]];
  if (/^with\b/.test(text)) {
    // A CTE-led statement (the status change with its history row): every table any of its parts
    // inserts into, updates or deletes from. Values are parameters, so the text holds only SQL;
    // a `for update of` lock clause adds a harmless extra name.
    const tables = new Set<string>();
    for (const m of text.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?/g))
      if (m[1] !== 'set') tables.add(m[1]);
    if (tables.size > 0) return [...tables].sort();
  }
  return 'all'; // schema changes and the like: assume everything
}

/**
 * The writes of one connection, told to the read cache as they happen. A table written inside a
 * transaction is invalidated once more when the transaction ends, since readers on other
 * connections may have read (and kept) the old rows meanwhile.
 */
class TransactionWrites {
  private readonly written = new Set<string>();

  constructor(
    private readonly cache: ReadCache,
    private readonly inTransaction: () => boolean,
  ) {}

  note(effect: Exclude<WriteEffect, null | 'begin'>): void {
    if (effect === 'all') this.cache.invalidate('all');
    else if (effect === 'end') {
      this.cache.invalidate([...this.written]);
      this.written.clear();
    } else {
      this.cache.invalidate(effect);
      if (this.inTransaction()) for (const t of effect) this.written.add(t);
    }
  }
}

/**
 * better-sqlite3 compiles SQL on every prepare(); Kysely prepares per query. Our queries come
 * from a small fixed set of shapes, so keeping their statements makes each query several times cheaper.
 */
function withStatementCache(sqlite: SQLite.Database, writes?: TransactionWrites): SqliteDatabase {
  const cache = new Map<string, { statement: SQLite.Statement; effect: WriteEffect }>();
  return {
    prepare(sql: string) {
      let entry = cache.get(sql);
      if (!entry) {
        if (cache.size >= 2000) cache.clear(); // a runaway of distinct shapes must not grow memory
        entry = { statement: sqlite.prepare(sql), effect: writeEffectOf(sql) };
        cache.set(sql, entry);
      }
      // Every run of a statement prepares it (Kysely and our runners alike), so this sees each write;
      // better-sqlite3 runs it synchronously, so no read can start between this and its commit.
      if (writes && entry.effect && entry.effect !== 'begin') writes.note(entry.effect);
      return entry.statement;
    },
    close: () => sqlite.close(),
  };
}

/**
 * Commits by other connections to the SQLite file (another process, `keyway keys revoke`), through
 * `PRAGMA data_version`, looked at most once a millisecond: the pragma cost ~10 % of a cached read,
 * and a commit elsewhere is not ordered with our reads anyway.
 */
function foreignCommits(connection: SQLite.Database) {
  const dataVersion = connection.prepare('pragma data_version').pluck();
  let last: unknown;
  let lastLooked = -Infinity;
  return {
    hearing(cache: ReadCache): boolean {
      const now = performance.now();
      if (now - lastLooked >= 1) {
        lastLooked = now;
        const version = dataVersion.get();
        if (version !== last) {
          last = version;
          cache.invalidate('all');
        }
      }
      return true;
    },
  };
}

/**
 * PostgreSQL through `pg`, with every statement's writes told to the read cache: before it runs,
 * and again once it has run (another connection may read the old rows until it commits), or for a
 * transaction once it ends.
 */
class WatchedPostgresDialect extends PostgresDialect {
  constructor(
    private readonly watchedConfig: PostgresDialectConfig,
    private readonly cache: ReadCache,
  ) {
    super(watchedConfig);
  }

  override createDriver(): Driver {
    return new WatchedPostgresDriver(this.watchedConfig, this.cache);
  }
}

class WatchedPostgresDriver extends PostgresDriver {
  private readonly watched = new WeakMap<DatabaseConnection, WatchedConnection>();

  constructor(
    config: PostgresDialectConfig,
    private readonly cache: ReadCache,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    let connection = this.watched.get(inner);
    if (!connection) this.watched.set(inner, (connection = new WatchedConnection(inner, this.cache)));
    return connection;
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await super.releaseConnection(
      (connection as WatchedConnection).inner as Parameters<PostgresDriver['releaseConnection']>[0],
    );
  }
}

const effects = new Map<string, WriteEffect>();
const effectOf = (sql: string): WriteEffect => {
  let effect = effects.get(sql);
  if (effect === undefined) {
    if (effects.size >= 2000) effects.clear();
    effects.set(sql, (effect = writeEffectOf(sql)));
  }
  return effect;
};

class WatchedConnection implements DatabaseConnection {
  private open = false;
  private readonly writes: TransactionWrites;

  constructor(
    readonly inner: DatabaseConnection,
    cache: ReadCache,
  ) {
    this.writes = new TransactionWrites(cache, () => this.open);
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const effect = effectOf(query.sql);
    if (effect === null) return this.inner.executeQuery<R>(query);
    if (effect === 'begin') {
      this.open = true;
      return this.inner.executeQuery<R>(query);
    }
    if (effect !== 'end') this.writes.note(effect);
    try {
      return await this.inner.executeQuery<R>(query);
    } finally {
      if (effect === 'end') {
        this.open = false;
        this.writes.note('end');
      } else if (!this.open) this.writes.note(effect);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}
