import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { createApp, type KeywayApp } from '../../server/app.js';
import type { Clock } from '../../server/clock.js';
import { type Config, loadConfig } from '../../server/config.js';
import type { Mailer, SmsSender } from '../../server/delivery/senders.js';
import { createKey } from '../../server/domain/callers/keys.js';
import { deliverDueMessages } from '../../server/domain/housekeeping/background.js';
import { openStore, type Store } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';
import { loadWalletRuntime, type WalletRuntime } from '../../server/wallet/runtime.js';
import { devChain } from '../fixtures/wallet/dev-chain.js';
import { freshSchema } from './pg.js';

export const TEST_SECRET = Buffer.alloc(32, 7).toString('base64');
export const PARTNER_ORIGIN = 'https://partner.example';
export const OTHER_ORIGIN = 'https://evil.example';

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(private t = Date.parse('2026-11-23T10:00:00Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

export interface Harness {
  keyway: KeywayApp;
  store: Store;
  /** The harness's database, for a second connection (another instance, the CLI). */
  databaseUrl: string;
  clock: TestClock;
  /** Secret key with write scope, read-only secret key, publishable key for PARTNER_ORIGIN. */
  sk: string;
  skRead: string;
  pk: string;
  logs: string[];
  /** Every code, token, key and phone number this harness saw; none may appear in `logs`. */
  secrets: Set<string>;
  request(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string>; ip?: string },
  ): Promise<TestResponse>;
  assertLogsClean(): void;
  /** Runs the send queue's worker once (SMS and email are queued, docs/security.md); returns how many went out. */
  flushMessages(): Promise<number>;
  /** Messages the dev senders recorded for `to`, newest first. */
  outbox(to: string): Promise<{ channel: string; subject: string | null; body: string }[]>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

const SECRET_KEYS = new Set([
  'provisioning_token',
  'token',
  'invitation_code',
  'secret',
  'url',
  'invitation_url',
  'code',
  'phone',
  'phone_number',
]);

/** Collects secret-looking values from any JSON so the log check needs no bookkeeping in tests. */
export function collectSecrets(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectSecrets(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && SECRET_KEYS.has(k) && v.length >= 6) {
        into.add(v);
        if (k === 'invitation_code') into.add(v.replace(/-/g, ''));
        if (k === 'invitation_url') into.add(v.split('#')[1] ?? v);
      } else if (k === 'value' && typeof v === 'string' && v !== '******' && v.length >= 6) into.add(v);
      else collectSecrets(v, into);
    }
  }
}

/** The harness's app over real HTTP on a free loopback port (for what `h.request` cannot show: streams, sockets). */
export async function serveHarness(h: Harness): Promise<{ server: ServerType; port: number; url: string }> {
  const server = serve({ fetch: h.keyway.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}` };
}

export async function createHarness(
  opts: {
    backend?: 'sqlite' | 'postgres';
    env?: Record<string, string>;
    clock?: TestClock;
    wallet?: WalletRuntime | null;
    sms?: SmsSender;
    mailer?: Mailer;
    /** Settings no variable carries (e.g. a shorter HID Origo deadline), applied to the parsed config. */
    configure?: (config: Config) => void;
  } = {},
): Promise<Harness> {
  const backend = opts.backend ?? 'sqlite';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-test-'));
  let dropSchema: (() => Promise<void>) | undefined;
  let databaseUrl = `sqlite:${path.join(dir, 'keyway.db')}`;
  if (backend === 'postgres') {
    const s = await freshSchema();
    databaseUrl = s.url;
    dropSchema = s.drop;
  }
  const config = loadConfig(
    {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_TRUST_PROXY: '1',
      PUBLIC_URL: 'http://127.0.0.1:8787',
      ...opts.env,
    },
    'development',
  );
  opts.configure?.(config);
  const store = openStore(config.databaseUrl, { sqliteSync: config.sqliteSync });
  await migrateToLatest(store.db, store.dialect);
  const logs: string[] = [];
  const clock = opts.clock ?? new TestClock();
  // One dev chain per test process (RSA key generation is the slow part), loaded as `npm start` would.
  const wallet = opts.wallet !== undefined ? opts.wallet : loadWalletRuntime(config, { certsDir: devChain().dir });
  const keyway = createApp({
    config,
    store,
    secret: TEST_SECRET,
    clock,
    wallet,
    sms: opts.sms,
    mailer: opts.mailer,
    log: (r) => logs.push(JSON.stringify(r)),
  });
  const { ctx } = keyway;
  const sk = (await createKey(ctx, { kind: 'secret', scopes: ['account.person'] })).key;
  const skRead = (await createKey(ctx, { kind: 'secret', scopes: ['account.person.readonly'] })).key;
  const pk = (await createKey(ctx, { kind: 'publishable', origins: [PARTNER_ORIGIN, 'capacitor://localhost'] })).key;
  const secrets = new Set<string>([sk, skRead, pk, TEST_SECRET]);
  let ipCounter = 0;

  return {
    keyway,
    store,
    databaseUrl: config.databaseUrl,
    clock,
    sk,
    skRead,
    pk,
    logs,
    secrets,
    async request(method, p, o = {}) {
      const headers: Record<string, string> = {
        'x-forwarded-for': o.ip ?? `10.0.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`,
        ...o.headers,
      };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
        collectSecrets(o.body, secrets);
      }
      const res = await keyway.app.request(p, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : body,
      });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      collectSecrets(parsed, secrets);
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    assertLogsClean() {
      const all = logs.join('\n');
      for (const s of secrets) assert.ok(!all.includes(s), `a secret reached the log: ${s.slice(0, 4)}…`);
    },
    flushMessages: () => deliverDueMessages(ctx),
    async outbox(to) {
      return store.db
        .selectFrom('messages')
        .select(['channel', 'subject', 'body'])
        .where('recipient', '=', to)
        .orderBy('id', 'desc')
        .execute();
    },
    async close() {
      await keyway.stop();
      await store.close();
      await dropSchema?.();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a person and a wallet-pass credential; returns ids and the invitation code. */
export async function issueWalletPass(
  h: Harness,
  person: Record<string, unknown> = {},
  credential: Record<string, unknown> = {},
) {
  const p = await h.request('POST', '/api/3/people', {
    token: h.sk,
    body: { person: { first_name: 'Jane', last_name: 'Smith', ...person } },
  });
  assert.equal(p.status, 201, p.text);
  const c = await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
    token: h.sk,
    body: { person_credential: { credential_type_id: 9, enabled: true, ...credential } },
  });
  assert.equal(c.status, 201, c.text);
  return {
    personId: p.body.person.id as number,
    credentialId: c.body.person_credential.id as string,
    code: c.body.person_credential.invitation_code as string,
    credential: c.body.person_credential,
  };
}
