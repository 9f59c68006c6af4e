import type { OperationNode } from 'kysely';

/** Cached reads answered from memory and read from the database since start, over every store (GET /metrics). */
export const readCacheStats = { hits: 0, misses: 0 };

/**
 * How a store hears of commits made through other connections (another process, another instance,
 * `keyway keys revoke`). Asked before every cached read: it may invalidate tables itself (SQLite
 * polls `PRAGMA data_version`) and answers whether such commits can be heard now. While it answers
 * false (PostgreSQL: the LISTEN connection is down, or not up yet), the cache serves nothing from memory.
 */
export interface ForeignWrites {
  /** `tables`: those the read at hand would be answered for (a source may hear of some tables only). */
  hearing(cache: ReadCache, tables: readonly string[]): boolean;
}

interface Answer {
  stamp: number;
  rows: readonly object[];
}

const freezeRows = <Row extends object>(rows: Row[]): readonly Row[] =>
  Object.freeze(rows.map((r) => Object.freeze(r)));

/** Answers kept per cached query: a scan of many ids must not grow memory without bound. */
const MAX_ANSWERS = 10_000;

/**
 * The read cache of one store (docs/architecture.md, "the read cache"): answers of cached queries
 * kept until a table they read is written, and what is rendered from those answers (`memo`). Every
 * write this process makes is noted as its statement runs (`invalidate`, called by the connection
 * layer); writes made elsewhere come through `ForeignWrites`. One clock orders both: an answer is
 * stamped with the tick before it was read, and is good while none of its tables was written since.
 */
export class ReadCache {
  private tick = 0;
  /** When everything was last invalidated (a schema change, a commit elsewhere on SQLite, hearing again). */
  private everything = 0;
  private readonly written = new Map<string, number>();
  private readonly answers = new Map<object, Map<string, Answer>>();
  private memos = new WeakMap<object, Map<string, unknown>>();
  private foreign: ForeignWrites | undefined;

  /** Sets how commits made elsewhere are heard (SQLite's poll, PostgreSQL's LISTEN). */
  hearForeignWrites(foreign: ForeignWrites): void {
    this.foreign = foreign;
  }

  /** Whether answers for `tables` may be served from memory now (with no `ForeignWrites`, nothing else writes unseen). */
  serving(tables: readonly string[] = []): boolean {
    return this.foreign ? this.foreign.hearing(this, tables) : true;
  }

  /** Tables written (by this process as its statements run, or heard of from elsewhere): their answers are stale. `'all'` for anything at all. */
  invalidate(tables: readonly string[] | 'all'): void {
    if (tables === 'all') {
      this.everything = ++this.tick;
      return;
    }
    for (const t of tables) this.written.set(t, ++this.tick);
  }

  /**
   * The rows of `query` for `key`: kept ones when none of `tables` was written since they were
   * read, otherwise what `read` answers (then kept). The rows handed out are shared: frozen.
   * A kept answer is handed back as it is, not in a promise: most reads are answered so, and
   * the promise and its turn of the microtask queue were most of their cost.
   */
  answer<Row extends object>(
    query: object,
    key: string,
    tables: readonly string[],
    read: () => Promise<Row[]>,
  ): readonly Row[] | Promise<readonly Row[]> {
    if (!this.serving(tables)) {
      readCacheStats.misses++;
      return read().then(freezeRows);
    }
    let kept = this.answers.get(query);
    if (!kept) this.answers.set(query, (kept = new Map()));
    const answer = kept.get(key);
    if (answer && this.unchangedSince(tables, answer.stamp)) {
      readCacheStats.hits++;
      return answer.rows as readonly Row[];
    }
    readCacheStats.misses++;
    const stamp = this.tick; // taken before the read: a write during it makes the answer stale at once
    const answers = kept;
    return read().then((read) => {
      const rows = freezeRows(read);
      if (answers.size >= MAX_ANSWERS) answers.clear();
      answers.set(key, { stamp, rows });
      return rows;
    });
  }

  /**
   * What `make` renders from `row` (a row this cache answered), kept as long as that row is: a
   * write to the tables it came from makes the next read answer a new row, and so a new rendering.
   * `key` tells apart renderings of one row (a view with secrets, one without).
   */
  memo<T>(row: object, key: string, make: () => T): T {
    let made = this.memos.get(row);
    if (!made) this.memos.set(row, (made = new Map()));
    const kept = made.get(key);
    if (kept !== undefined || made.has(key)) return kept as T;
    const value = make();
    made.set(key, value);
    return value;
  }

  /** Forgets every answer and rendering (tests, and a store being closed). */
  clear(): void {
    this.answers.clear();
    this.memos = new WeakMap();
    this.invalidate('all');
  }

  private unchangedSince(tables: readonly string[], stamp: number): boolean {
    if (this.everything > stamp) return false;
    for (const t of tables) if ((this.written.get(t) ?? 0) > stamp) return false;
    return true;
  }
}

/**
 * The tables a query reads, from its operation tree (Kysely's `compile().query`): every table in a
 * FROM or a JOIN, in subqueries (selected, in WHERE, in EXISTS) and in the parameters of raw SQL
 * such as `jsonArrayFrom(subquery)`. Raw SQL text itself is not parsed: a table named only in
 * a `sql` fragment is not seen, so a cached query must name its tables through the query builder.
 * Names of common table expressions are not tables.
 */
export function tablesRead(node: OperationNode): string[] {
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const n = value as OperationNode & Record<string, unknown>;
    switch (n.kind) {
      case 'TableNode':
        tables.add((n as unknown as { table: { identifier: { name: string } } }).table.identifier.name);
        return;
      case 'CommonTableExpressionNameNode':
        ctes.add((n as unknown as { table: { table: { identifier: { name: string } } } }).table.table.identifier.name);
        return;
      // A column reference names a table already read (or an alias), and a value holds no query.
      case 'ReferenceNode':
      case 'ValueNode':
      case 'PrimitiveValueListNode':
        return;
    }
    for (const key in n) if (key !== 'kind') visit(n[key]);
  };
  visit(node);
  for (const c of ctes) tables.delete(c);
  return [...tables].sort();
}
