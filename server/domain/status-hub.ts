import { notifyInstances, type Writes } from '../storage/db.js';
import type { Ctx } from './context.js';
import type { CredentialStatus } from './credentials/lifecycle.js';
import type { DeviceView } from './credentials/types.js';
import { HID_BADGE, HID_MOBILE } from './credentials/types.js';

/** One `event: status` of the live stream (docs/lifecycle.md). */
export interface StatusEvent {
  credential_id: string;
  old_status: CredentialStatus | null;
  new_status: CredentialStatus;
  enabled: boolean;
  devices: DeviceView[];
  updated_at: string;
  /**
   * Only on HID Mobile Access credentials (8), so `<credential-status>` shows the HID app's help, and
   * on HID badges (10), so `<add-to-wallet>` asks which wallets the badge's template supports; other
   * credentials keep docs/lifecycle.md's exact fields.
   */
  credential_type_id?: 8 | 10;
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

/** One change a subscriber has not seen: the event and the version a client resumes from (`Last-Event-ID`). */
export interface StatusUpdate {
  version: number;
  event: StatusEvent;
}

/**
 * A live status subscription (the http layer's stream). The hub sends each change once, the same
 * `StatusUpdate` object to every subscriber that had the same previous status.
 */
export interface StatusSubscriber {
  credentialId: string;
  lastStatus: CredentialStatus | null;
  /** The content last sent (`contentKey`); '' while the subscriber is still reading its first state itself. */
  lastKey: string;
  send(update: StatusUpdate): void;
  /** This instance is shutting down: end the subscription, so its client reconnects to another one. */
  end(): void;
}

const CHANNEL = 'keyway_status';

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
 * so any instance can resume it) must replay, one per change, in order: each status change and
 * each enabling or disabling since then. The last one carries the current snapshot and its version.
 */
export async function replaySince(
  ctx: Ctx,
  credentialId: string,
  since: number,
  snap: StatusSnapshot,
): Promise<StatusUpdate[]> {
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
  const updates: StatusUpdate[] = [];
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
    updates.push(statusUpdate(state, credentialId, old));
  });
  // Only devices (or nothing the stream shows) changed: one event with the state now.
  if (updates.length === 0) updates.push(statusUpdate(snap, credentialId, status));
  return updates;
}

export const contentKey = (s: StatusSnapshot) =>
  `${s.status}|${s.enabled}|${s.updated_at}|${s.devices.map((d) => `${d.id}:${d.status}`).join(',')}`;

export function statusUpdate(
  s: StatusSnapshot,
  credentialId: string,
  oldStatus: CredentialStatus | null,
): StatusUpdate {
  const event: StatusEvent = {
    credential_id: credentialId,
    old_status: oldStatus,
    new_status: s.status,
    enabled: s.enabled,
    devices: s.devices,
    updated_at: s.updated_at,
  };
  if (s.credential_type_id === HID_MOBILE || s.credential_type_id === HID_BADGE)
    event.credential_type_id = s.credential_type_id;
  return { version: s.version, event };
}

/** Declares, in a change, the notification other instances' status streams hear when it commits (PostgreSQL). */
export const announceStatus = (w: Writes, credentialId: string): void => w.notify(CHANNEL, credentialId);

/**
 * Fans credential changes out to this process's subscribers: one snapshot query per change,
 * whatever the number of subscribers. On PostgreSQL, LISTEN/NOTIFY carries other instances' changes.
 */
export class StatusHub {
  private subs = new Map<string, Set<StatusSubscriber>>();
  private refreshing = new Map<string, { again: boolean }>();
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
    // Other instances' subscribers hear of it through the database (unless the change's own statement announced it).
    if (!announced) notifyInstances(this.ctx.store, CHANNEL, credentialId).catch(() => undefined);
  };

  subscribe(sub: StatusSubscriber): () => void {
    let set = this.subs.get(sub.credentialId);
    if (!set) this.subs.set(sub.credentialId, (set = new Set()));
    set.add(sub);
    if (this.ctx.store.dialect === 'postgres') this.listen();
    return () => {
      set.delete(sub);
      if (set.size === 0 && this.subs.get(sub.credentialId) === set) this.subs.delete(sub.credentialId);
    };
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
        // One update per previous status, not one per subscriber (the transport serialises each once).
        const updates = new Map<CredentialStatus | null, StatusUpdate>();
        for (const s of this.subs.get(credentialId) ?? []) {
          // '' = still writing its first event; it reads the state itself.
          if (s.lastKey === key || s.lastKey === '') continue;
          let update = updates.get(s.lastStatus);
          if (update === undefined)
            updates.set(s.lastStatus, (update = statusUpdate(snap, credentialId, s.lastStatus)));
          s.send(update);
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
   * Shutdown (docs/deploy.md): every subscription ends, so its client reconnects (through the load
   * balancer, to another instance) with its Last-Event-ID.
   */
  endSubscriptions(): void {
    for (const set of this.subs.values()) for (const s of set) s.end();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ctx.bus.off('credential', this.onLocalChange);
    this.endSubscriptions();
    this.subs.clear();
    if (this.listened) this.ctx.store.listener?.unlisten(CHANNEL);
  }
}
