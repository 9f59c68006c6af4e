import { sql } from 'kysely';
import type { Writes } from '../storage/db.js';
import type { Ctx } from './context.js';
import type { CredentialStatus } from './credentials/lifecycle.js';
import type { DeviceView } from './credentials/types.js';
import { HID_MOBILE } from './credentials/types.js';

/** One `event: status` of the live stream (docs/lifecycle.md). */
export interface StatusEvent {
  credential_id: string;
  old_status: CredentialStatus | null;
  new_status: CredentialStatus;
  enabled: boolean;
  devices: DeviceView[];
  updated_at: string;
  /**
   * Only on HID Mobile Access credentials (8), so `<credential-status>` shows the HID app's help;
   * other credentials keep docs/lifecycle.md's exact fields.
   */
  credential_type_id?: 8;
}

export interface StatusSnapshot {
  /** The newest audit event about the credential: the SSE `id`, so `Last-Event-ID` can resume. */
  version: number;
  status: CredentialStatus;
  enabled: boolean;
  devices: DeviceView[];
  updated_at: string;
  credential_type_id: number;
}

export interface StatusSubscriber {
  credentialId: string;
  lastStatus: CredentialStatus | null;
  lastKey: string;
  write(chunk: string): void;
}

const CHANNEL = 'keyway_status';
export const HEARTBEAT_MS = 15_000;
/** The reconnection delay a stream tells its client (`retry:`), and the shorter one when this instance shuts down. */
export const STREAM_RETRY_MS = 3000;
export const SHUTDOWN_RETRY_MS = 500;

export async function loadSnapshot(ctx: Ctx, credentialId: string): Promise<StatusSnapshot | null> {
  const [row, devices, version] = await Promise.all([
    ctx.store.db
      .selectFrom('credentials')
      .select(['status', 'enabled', 'updated_at', 'credential_type_id'])
      .where('id', '=', credentialId)
      .executeTakeFirst(),
    ctx.store.db
      .selectFrom('devices')
      .select(['id', 'platform', 'status', 'added_at'])
      .where('credential_id', '=', credentialId)
      .orderBy('added_at')
      .orderBy('id')
      .execute(),
    ctx.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('v'))
      .where('subject', '=', `credential:${credentialId}`)
      .executeTakeFirst(),
  ]);
  if (!row) return null;
  return {
    version: Number(version?.v ?? 0),
    status: row.status as CredentialStatus,
    enabled: row.enabled === 1,
    devices,
    updated_at: row.updated_at,
    credential_type_id: row.credential_type_id,
  };
}

/** The status a credential had when the client last heard of it (Last-Event-ID), from the audit log. */
export async function statusAt(ctx: Ctx, credentialId: string, version: number): Promise<CredentialStatus | null> {
  const ev = await ctx.store.db
    .selectFrom('events')
    .select(['type', 'data'])
    .where('subject', '=', `credential:${credentialId}`)
    .where('type', 'in', ['credential.status_changed', 'credential.created'])
    .where('seq', '<=', version)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!ev) return null;
  const data = JSON.parse(ev.data) as { new_status?: CredentialStatus; status?: CredentialStatus };
  return data.new_status ?? data.status ?? null;
}

/**
 * The events a stream resuming after `since` (its Last-Event-ID, a global event sequence number,
 * so any instance can resume it) must replay, one frame per change, in order: each status change
 * and each enabling or disabling since then. The last frame carries the current snapshot and its id.
 */
export async function replaySince(
  ctx: Ctx,
  credentialId: string,
  since: number,
  snap: StatusSnapshot,
): Promise<string[]> {
  const rows = await ctx.store.db
    .selectFrom('events')
    .select(['seq', 'type', 'at', 'data'])
    .where('subject', '=', `credential:${credentialId}`)
    .where('type', 'in', ['credential.status_changed', 'credential.enabled', 'credential.disabled'])
    .where('seq', '>', since)
    .orderBy('seq')
    .execute();
  let status = await statusAt(ctx, credentialId, since);
  const firstToggle = rows.find((r) => r.type !== 'credential.status_changed');
  let enabled = firstToggle ? firstToggle.type === 'credential.disabled' : snap.enabled; // what it was before the first toggle
  const frames: string[] = [];
  rows.forEach((row, i) => {
    const old = status;
    if (row.type === 'credential.status_changed')
      status = (JSON.parse(row.data) as { new_status: CredentialStatus }).new_status;
    else enabled = row.type === 'credential.enabled';
    const last = i === rows.length - 1;
    const state: StatusSnapshot = last
      ? snap
      : {
          version: Number(row.seq),
          status: status ?? snap.status,
          enabled,
          devices: snap.devices,
          updated_at: row.at,
          credential_type_id: snap.credential_type_id,
        };
    frames.push(formatStatusEvent(state, credentialId, old));
  });
  // Only devices (or nothing the stream shows) changed: one frame with the state now.
  if (frames.length === 0) frames.push(formatStatusEvent(snap, credentialId, status));
  return frames;
}

export const contentKey = (s: StatusSnapshot) =>
  `${s.status}|${s.enabled}|${s.updated_at}|${s.devices.map((d) => `${d.id}:${d.status}`).join(',')}`;

export function formatStatusEvent(s: StatusSnapshot, credentialId: string, oldStatus: CredentialStatus | null): string {
  const data: StatusEvent = {
    credential_id: credentialId,
    old_status: oldStatus,
    new_status: s.status,
    enabled: s.enabled,
    devices: s.devices,
    updated_at: s.updated_at,
  };
  if (s.credential_type_id === HID_MOBILE) data.credential_type_id = HID_MOBILE;
  return `id: ${s.version}\nevent: status\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Declares, in a change, the notification other instances' status streams hear when it commits (PostgreSQL). */
export const announceStatus = (w: Writes, credentialId: string): void => w.notify(CHANNEL, credentialId);

/**
 * Fans credential changes out to this process's SSE subscribers: one snapshot query per change,
 * whatever the number of subscribers. On PostgreSQL, LISTEN/NOTIFY carries other instances' changes.
 */
export class StatusHub {
  private subs = new Map<string, Set<StatusSubscriber>>();
  private enders = new Map<StatusSubscriber, () => void>();
  private refreshing = new Map<string, { again: boolean }>();
  private heartbeat: NodeJS.Timeout | undefined;
  private listened = false;
  private heardBefore = false;
  private closed = false;

  constructor(private ctx: Ctx) {
    ctx.bus.on('credential', this.onLocalChange);
  }

  get size(): number {
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }

  private onLocalChange = (credentialId: string, announced: boolean) => {
    void this.refresh(credentialId);
    if (this.ctx.store.dialect === 'postgres' && !announced) {
      // Other instances' subscribers hear of it through the database.
      sql`select pg_notify(${CHANNEL}, ${credentialId})`.execute(this.ctx.store.db).catch(() => undefined);
    }
  };

  subscribe(sub: StatusSubscriber): () => void {
    let set = this.subs.get(sub.credentialId);
    if (!set) this.subs.set(sub.credentialId, (set = new Set()));
    set.add(sub);
    this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref?.();
    if (this.ctx.store.dialect === 'postgres') this.listen();
    return () => {
      set.delete(sub);
      this.enders.delete(sub);
      if (set.size === 0 && this.subs.get(sub.credentialId) === set) this.subs.delete(sub.credentialId);
      if (this.subs.size === 0 && this.heartbeat) {
        clearInterval(this.heartbeat);
        this.heartbeat = undefined;
      }
    };
  }

  /** How to end a subscriber's stream when this instance shuts down. */
  onEnd(sub: StatusSubscriber, end: () => void): void {
    this.enders.set(sub, end);
  }

  private beat(): void {
    for (const set of this.subs.values()) for (const s of set) if (s.lastKey !== '') s.write(': heartbeat\n\n');
  }

  /**
   * Other instances' changes, through the store's LISTEN connection (kept while the instance runs,
   * made again when it drops): once it is back, every watched credential is read once more, since
   * notifications sent meanwhile were lost.
   */
  private listen(): void {
    const listener = this.ctx.store.listener;
    if (this.listened || this.closed || !listener) return;
    this.listened = true;
    listener.listen(CHANNEL, {
      notify: (credentialId) => {
        if (credentialId) void this.refresh(credentialId);
      },
      ready: () => {
        if (this.heardBefore) for (const id of this.subs.keys()) void this.refresh(id); // changes missed while deaf
        this.heardBefore = true;
      },
    });
  }

  /** Whether this instance hears other instances' changes now (always on SQLite: there are none unseen). */
  get hearing(): boolean {
    return this.ctx.store.dialect !== 'postgres' || !!this.ctx.store.listener?.hearing(CHANNEL);
  }

  /** Sends the new state to every subscriber of the credential that has not seen it; coalesces bursts. */
  async refresh(credentialId: string): Promise<void> {
    if (!this.subs.has(credentialId)) return;
    const running = this.refreshing.get(credentialId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.refreshing.set(credentialId, state);
    try {
      do {
        state.again = false;
        const snap = await loadSnapshot(this.ctx, credentialId);
        if (!snap) break;
        const key = contentKey(snap);
        // One serialisation per previous status, not one per subscriber.
        const frames = new Map<CredentialStatus | null, string>();
        for (const s of this.subs.get(credentialId) ?? []) {
          // '' = still writing its first event; it reads the state itself.
          if (s.lastKey === key || s.lastKey === '') continue;
          let frame = frames.get(s.lastStatus);
          if (frame === undefined)
            frames.set(s.lastStatus, (frame = formatStatusEvent(snap, credentialId, s.lastStatus)));
          s.write(frame);
          s.lastKey = key;
          s.lastStatus = snap.status;
        }
      } while (state.again);
    } catch (err) {
      this.ctx.log({ level: 'error', msg: 'status refresh failed', error: (err as Error).message });
    } finally {
      this.refreshing.delete(credentialId);
    }
  }

  /**
   * Shutdown (docs/deploy.md): every open stream gets a short `retry:` and ends, so its client reconnects
   * (through the load balancer, to another instance) with its Last-Event-ID.
   */
  endStreams(): void {
    for (const set of this.subs.values())
      for (const s of set) {
        s.write(`retry: ${SHUTDOWN_RETRY_MS}\n\n`);
        this.enders.get(s)?.();
      }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ctx.bus.off('credential', this.onLocalChange);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.endStreams();
    this.subs.clear();
    this.enders.clear();
    if (this.listened) this.ctx.store.listener?.unlisten(CHANNEL);
  }
}
