import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { createKeyRing, cryptoRandom, type KeyRing, type RandomSource } from '../crypto/secrets.js';
import { devMailer, devSms, type Mailer, type SmsSender } from '../delivery/senders.js';
import { jsonLog, type Log } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../storage/db.js';
import type { WalletRuntime } from '../wallet/runtime.js';

/** Tells listeners (live status streams) that a credential changed, after the change committed. */
export class StatusBus extends EventEmitter {
  /** `announced`: the change's own statement already told other instances (`announceStatus`). */
  credentialChanged(credentialId: string, announced = false): void {
    this.emit('credential', credentialId, announced);
  }
}

/** What every domain function runs against; built once by createContext and injected. */
export interface Ctx {
  store: Store;
  keys: KeyRing;
  clock: Clock;
  random: RandomSource;
  config: Config;
  bus: StatusBus;
  mailer: Mailer;
  sms: SmsSender;
  log: Log;
  /** Pass signing material; absent with KEYWAY_PASSES=off or when none was loaded. */
  wallet?: WalletRuntime | null;
  /** The server's instruments (GET /metrics); absent in one-shot commands. */
  metrics?: Metrics;
}

/** The parts a context is built from; everything but config, store and secret has a default. */
export interface ContextDeps {
  config: Config;
  store: Store;
  /** KEYWAY_SECRET (base64); tests pass a fixed one. */
  secret: string;
  secretPrevious?: string;
  clock?: Clock;
  random?: RandomSource;
  /** Default: the dev outbox (a table the dev phone page reads). */
  mailer?: Mailer;
  sms?: SmsSender;
  log?: Log;
  /** Pass signing material from loadWalletRuntime (main.ts) or made in a temp dir (tests). */
  wallet?: WalletRuntime | null;
}

/** The one way a context is made: the server (createApp) and the one-shot CLI commands share it. */
export function createContext(deps: ContextDeps): Ctx {
  const bus = new StatusBus();
  bus.setMaxListeners(0); // one listener per live status stream
  return {
    store: deps.store,
    keys: createKeyRing(deps.secret, deps.secretPrevious),
    clock: deps.clock ?? systemClock,
    random: deps.random ?? cryptoRandom,
    config: deps.config,
    bus,
    mailer: deps.mailer ?? devMailer(deps.store),
    sms: deps.sms ?? devSms(deps.store),
    log: deps.log ?? jsonLog,
    wallet: deps.wallet ?? null,
  };
}
