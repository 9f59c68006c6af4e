import { EventEmitter } from 'node:events';
import type { createRemoteJWKSet } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { createKeyRing, cryptoRandom, type KeyRing, type RandomSource } from '../crypto/secrets.js';
import { devMailer, devSms, type Mailer, type SmsSender } from '../delivery/senders.js';
import { createOrigoClient, type OrigoClient } from '../hid/origo-client.js';
import { createOrigoPassClient, type OrigoPassClient } from '../hid/origo-passes.js';
import { jsonLog, type Log } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../storage/db.js';
import { APNS_PRODUCTION_URL, type ApnsClient, createApnsClient } from '../wallet/apns.js';
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
  /** The clients and memory this context keeps between requests; made by createContext. */
  services: Services;
  /** Closes what the services hold open (the APNs connection); the store is its opener's to close. */
  stop(): void;
}

/**
 * What a context keeps for its whole life besides the store: clients with a token, a call budget or
 * a connection, and what this process remembers to avoid repeating work. One set per context, so two
 * contexts in one process (tests, a CLI command beside the server) never share them.
 */
export interface Services {
  /** HID Origo's client (one token and one call budget for every request); null without KEYWAY_HID_ORIGO_*. */
  readonly origo: OrigoClient | null;
  /** HID Origo's Credential Management API (type 10 badges), sharing `origo`'s token; null unless KEYWAY_HID_PASS_* too. */
  readonly origoPasses: OrigoPassClient | null;
  /** Google's ID-token keys for badge sign-in (jose's remote key set: fetched once, refreshed on an unknown key). */
  googleIdTokenKeys?: ReturnType<typeof createRemoteJWKSet>;
  /** APNs (one HTTP/2 connection, opened on the first push); null when pushes are not sent. */
  readonly apns: ApnsClient | null;
  /** Google Wallet's class, inserted once (ids are ours and stable); forgotten when the insert failed. */
  googleClass: Promise<unknown> | null;
  /** Google's `hasUsers` poll: when each pending device was last asked about, and whether a round is running. */
  readonly googlePoll: { lastAsked: Map<string, number>; running: boolean };
  /** When each API key's `last_used_at` was last written (at most once a minute per key). */
  readonly keyLastUsed: Map<string, number>;
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
  const clock = deps.clock ?? systemClock;
  const wallet = deps.wallet ?? null;
  const origo = origoClient(deps.config, clock);
  const services: Services = {
    origo,
    origoPasses: origoPassClient(deps.config, origo),
    apns: apnsClient(deps.config, wallet),
    googleClass: null,
    googlePoll: { lastAsked: new Map(), running: false },
    keyLastUsed: new Map(),
  };
  return {
    store: deps.store,
    keys: createKeyRing(deps.secret, deps.secretPrevious),
    clock,
    random: deps.random ?? cryptoRandom,
    config: deps.config,
    bus,
    mailer: deps.mailer ?? devMailer(deps.store),
    sms: deps.sms ?? devSms(deps.store),
    log: deps.log ?? jsonLog,
    wallet,
    services,
    stop() {
      services.apns?.close();
    },
  };
}

function origoClient(config: Config, clock: Clock): OrigoClient | null {
  const c = config.hidOrigo;
  if (!c) return null;
  return createOrigoClient({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    orgId: c.orgId,
    applicationId: c.applicationId,
    authUrl: c.authUrl,
    apiUrl: c.apiUrl,
    deadlineMs: c.deadlineMs,
    // The context's clock, so token lifetimes, the call budget and Origo's pauses follow the lifecycle's time.
    now: () => clock.now().getTime(),
  });
}

function origoPassClient(config: Config, origo: OrigoClient | null): OrigoPassClient | null {
  const passes = config.hidPasses;
  const c = config.hidOrigo;
  if (!passes || !c || !origo) return null;
  return createOrigoPassClient({
    orgId: c.orgId,
    passApiUrl: passes.passApiUrl,
    applicationId: c.applicationId,
    accessToken: (signal) => origo.accessToken(signal),
    deadlineMs: origo.deadlineMs,
    webProvisioningUrl: passes.webProvisioningUrl,
    webProvisioningAppId: passes.webProvisioningAppId,
  });
}

function apnsClient(config: Config, wallet: WalletRuntime | null): ApnsClient | null {
  const apple = wallet?.apple;
  if (!apple) return null;
  // Dev certificates cannot talk to Apple: without a configured URL, dev pushes are not sent.
  const url = config.raw.KEYWAY_APNS_URL ?? (apple.source === 'configured' ? APNS_PRODUCTION_URL : undefined);
  if (!url) return null;
  return createApnsClient({
    url,
    cert: apple.material.tls.cert,
    key: apple.material.tls.key,
    topic: apple.material.passTypeId,
    timeoutMs: config.timeouts.apns * 1000,
  });
}
