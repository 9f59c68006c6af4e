// The one LISTEN connection of a PostgreSQL store, shared by everything that listens (read cache, status streams),
// and the sending half: a NOTIFY to every instance.
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/** Delays before making a dropped LISTEN connection again, growing with each failure in a row. */
const RELISTEN_MS = [100, 250, 500, 1000, 2000];
/**
 * A connection that drops with a reset is noticed at once; one whose peer went silent (a network
 * partition, a paused host) only by asking: a ping every second, and the channels count as unheard
 * when nothing answered for PING_DEAF_MS, and the connection is made again after PING_DEAD_MS.
 */
const PING_MS = 1000;
const PING_DEAF_MS = 2500;
const PING_DEAD_MS = 10_000;

export interface Channel {
  /** A notification on this channel. */
  notify(payload: string): void;
  /**
   * Run on each connection once `LISTEN` is in place and before the channel counts as heard: the
   * first time, and again after every reconnection (notifications sent meanwhile were lost).
   */
  ready?(client: pg.ClientBase): Promise<void> | void;
}

/**
 * LISTEN for a store: one connection, made when a channel is first listened to, made again with a
 * growing delay when it drops. A channel is heard from once its `LISTEN` (and `ready`) succeeded on
 * the current connection until that connection is lost.
 */
export class Listener {
  private readonly channels = new Map<string, Channel>();
  private readonly heard = new Set<string>();
  private client: pg.Client | undefined;
  private connecting = false;
  private adding: Promise<void> = Promise.resolve();
  private relisten: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private lastAnswer = 0;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: (record: Record<string, unknown>) => void,
  ) {}

  /** Listens on `channel` from now on (connecting if need be). */
  listen(name: string, channel: Channel): void {
    if (this.closed) return;
    this.channels.set(name, channel);
    if (this.client) this.addChannels(this.client);
    else this.connect();
  }

  unlisten(name: string): void {
    this.channels.delete(name);
    this.heard.delete(name);
    this.client?.query(`UNLISTEN ${name}`).catch(() => undefined);
  }

  /** Whether notifications on `name` reach this process now. */
  hearing(name: string): boolean {
    return this.heard.has(name) && performance.now() - this.lastAnswer < PING_DEAF_MS;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    clearInterval(this.ping);
    this.heard.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): void {
    if (this.connecting || this.client || this.relisten || this.closed || this.channels.size === 0) return;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000, keepAlive: true });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      this.connecting = false;
      if (this.client === client) {
        this.client = undefined;
        this.heard.clear();
        clearInterval(this.ping);
      }
      client.end().catch(() => undefined);
      if (this.closed) return;
      // Once per outage, not once per failed attempt.
      if (this.failures === 0)
        this.log({ level: 'warn', msg: 'database listener lost its connection', error: err?.message ?? 'ended' });
      this.scheduleRelisten();
    };
    client.on('notification', (msg) => {
      this.lastAnswer = performance.now();
      this.channels.get(msg.channel)?.notify(msg.payload ?? '');
    });
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.connect().then(
      () => {
        this.connecting = false;
        if (this.closed) return void client.end().catch(() => undefined);
        this.client = client;
        this.lastAnswer = performance.now();
        this.watch(client, onLost);
        this.addChannels(client, onLost);
      },
      (err: Error) => onLost(err),
    );
  }

  /** LISTENs every channel not heard yet on `client`, one at a time. */
  private addChannels(client: pg.Client, onLost?: (err?: Error) => void): void {
    this.adding = this.adding.then(async () => {
      for (const [name, channel] of this.channels) {
        if (this.heard.has(name) || this.client !== client) continue;
        try {
          await client.query(`LISTEN ${name}`);
          await channel.ready?.(client);
        } catch (err) {
          // A failed connection reports itself; anything else (a failing `ready`) is tried again on a new one.
          this.log({
            level: 'warn',
            msg: 'database listener could not listen',
            channel: name,
            error: (err as Error).message,
          });
          if (onLost) onLost(err as Error);
          else void client.end().catch(() => undefined);
          return;
        }
        if (this.client === client && this.channels.get(name) === channel) this.heard.add(name);
      }
      this.failures = 0;
    });
  }

  private watch(client: pg.Client, onLost: (err?: Error) => void): void {
    clearInterval(this.ping);
    let asking = false;
    this.ping = setInterval(() => {
      if (performance.now() - this.lastAnswer > PING_DEAD_MS)
        return onLost(new Error('no answer to the listener’s ping'));
      if (asking) return;
      asking = true;
      client.query('select 1').then(
        () => {
          asking = false;
          this.lastAnswer = performance.now();
        },
        () => (asking = false),
      );
    }, PING_MS);
    this.ping.unref();
  }

  private scheduleRelisten(): void {
    if (this.relisten || this.closed) return;
    const delay = RELISTEN_MS[Math.min(this.failures++, RELISTEN_MS.length - 1)];
    this.relisten = setTimeout(() => {
      this.relisten = undefined;
      this.connect();
    }, delay);
    this.relisten.unref();
  }
}

/**
 * Tells every instance listening on `channel` (this one too): a PostgreSQL NOTIFY through the
 * store's pool. Nothing on SQLite, where the one process already knows. Best effort: an instance
 * that misses it reads again once its LISTEN connection is back (`Channel.ready`).
 */
export async function notifyInstances(
  store: { dialect: 'sqlite' | 'postgres'; db: Kysely<Database> },
  channel: string,
  payload: string,
): Promise<void> {
  if (store.dialect !== 'postgres') return;
  await sql`select pg_notify(${channel}, ${payload})`.execute(store.db);
}
