// One holder at a time for a long command (`keyway passes resign`): a row per named run, kept alive by
// its holder. A holder that died is taken over at once when it was a process on this machine (its pid
// is gone, as after kill -9), and otherwise once its lease has lapsed unrenewed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { Kysely } from 'kysely';
import { addSeconds } from '../clock.js';
import type { Database } from './schema.js';

export interface RunLease {
  /** True once another holder took the lease over (this one stopped renewing in time): stop before the next step. */
  readonly lost: boolean;
  release(): Promise<void>;
}

export class RunLeaseHeld extends Error {
  override name = 'RunLeaseHeld';
  constructor(
    readonly holder: { host: string; pid: number },
    readonly until: string,
  ) {
    super(`held by pid ${holder.pid} on ${holder.host} (its lease runs until ${until} unless renewed)`);
  }
}

const holderOf = (value: string) => {
  const [host = '', pid = '0'] = value.split(' ');
  return { host, pid: Number(pid) };
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process, alive
  }
}

/**
 * Where a process id means one process: the host name and, on Linux, the pid namespace — two containers
 * may share a host name but not their processes, and a pid probed in the wrong one would look dead.
 */
function thisMachine(): string {
  let ns = '';
  try {
    ns = `~${/\d+/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[0] ?? ''}`;
  } catch {
    // Not Linux: the host name alone.
  }
  return `${os.hostname().replace(/\s/g, '_')}${ns}`;
}

/**
 * Takes the lease `name` for `seconds`, renewed every third of that while held, or throws RunLeaseHeld
 * naming the live holder.
 */
export async function takeRunLease(
  db: Kysely<Database>,
  name: string,
  opts: { now: () => string; seconds?: number },
): Promise<RunLease> {
  const seconds = opts.seconds ?? 60;
  const me = `${thisMachine()} ${process.pid} ${crypto.randomBytes(6).toString('hex')}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = opts.now();
    const inserted = await db
      .insertInto('run_leases')
      .values({ name, holder: me, expires_at: addSeconds(now, seconds) })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return held(db, name, me, seconds, opts.now);
    const row = await db.selectFrom('run_leases').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) continue; // released in between
    const holder = holderOf(row.holder);
    const dead = holder.host === holderOf(me).host && !alive(holder.pid);
    if (row.expires_at > now && !dead) throw new RunLeaseHeld(holder, row.expires_at);
    // Taken over only from the holder read here: of two taking over at once, one wins.
    const taken = await db
      .updateTable('run_leases')
      .set({ holder: me, expires_at: addSeconds(now, seconds) })
      .where('name', '=', name)
      .where('holder', '=', row.holder)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return held(db, name, me, seconds, opts.now);
  }
  const row = await db.selectFrom('run_leases').selectAll().where('name', '=', name).executeTakeFirst();
  throw new RunLeaseHeld(holderOf(row?.holder ?? ''), row?.expires_at ?? opts.now());
}

function held(db: Kysely<Database>, name: string, me: string, seconds: number, now: () => string): RunLease {
  let lost = false;
  const renew = setInterval(
    () =>
      void db
        .updateTable('run_leases')
        .set({ expires_at: addSeconds(now(), seconds) })
        .where('name', '=', name)
        .where('holder', '=', me)
        .executeTakeFirst()
        .then((r) => {
          if (Number(r.numUpdatedRows) === 0) lost = true;
        })
        .catch(() => undefined), // a database blip: the next renewal tries again
    (seconds * 1000) / 3,
  );
  renew.unref();
  return {
    get lost() {
      return lost;
    },
    async release() {
      clearInterval(renew);
      await db.deleteFrom('run_leases').where('name', '=', name).where('holder', '=', me).execute();
    },
  };
}
