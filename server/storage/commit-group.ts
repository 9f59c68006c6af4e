// Write transactions of one SQLite store sharing their commit.
import type { Kysely } from 'kysely';
import { recordOf } from './connection.js';
import type { Database } from './schema.js';
import { directWriter } from './statements.js';

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
  const group = recordOf(db)?.group;
  return group ? group.add(work) : db.transaction().execute(work);
}

/**
 * One statement as its own write: on PostgreSQL it commits by itself (BEGIN and COMMIT would be two
 * more round trips for nothing), on SQLite it joins the grouped commit like any transaction.
 */
export function commitStatement<T>(db: Kysely<Database>, statement: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const group = recordOf(db)?.group;
  return group ? group.add(statement) : statement(db);
}

interface GroupedWork {
  work: (tx: Kysely<Database>) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class CommitGroup {
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
      group.forEach((item, i) => {
        if (outcomes[i].ok) item.resolve(outcomes[i].value);
        else item.reject(outcomes[i].value);
      });
    } catch (error) {
      for (const item of group) item.reject(error); // the commit failed (or the one transaction threw): nothing was written
    } finally {
      this.committing = false;
      if (this.waiting.length) this.start();
    }
  }
}
