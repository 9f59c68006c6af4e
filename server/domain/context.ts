import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing, RandomSource } from '../crypto/secrets.js';
import type { Store } from '../storage/db.js';
import type { Mailer, SmsSender } from '../delivery/senders.js';
import type { WalletRuntime } from '../wallet/runtime.js';


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
}

