import type { Metrics } from '../metrics.js';
import { EventEmitter } from 'node:events';
import type { Config } from '../config.js';
import type { KeyRing, RandomSource } from '../crypto/secrets.js';
import type { Store } from '../storage/db.js';
import type { Mailer, SmsSender } from '../delivery/senders.js';
import type { WalletRuntime } from '../wallet/runtime.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** Tells listeners (live status streams) that a credential changed, after the change committed. */
export class StatusBus extends EventEmitter {
  credentialChanged(credentialId: string): void {
    this.emit('credential', credentialId);
  }
}

/** What every domain function runs against; built once by createApp and injected. */
export interface Ctx {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  random: RandomSource;
  config: Config;
  bus: StatusBus;
  mailer: Mailer;
  sms: SmsSender;
  log: (record: Record<string, unknown>) => void;
  /** Pass signing material; absent with KEYWAY_PASSES=off or when none was loaded. */
  wallet?: WalletRuntime | null;
  /** The server's instruments (GET /metrics); absent in one-shot commands. */
  metrics?: Metrics;
}

export const nowIso = (ctx: Pick<Ctx, 'clock'>): string => ctx.clock.now().toISOString();
export const addSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString();

export const json = <T>(text: string | null | undefined, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);
