// The status fan-out benchmark's server: a Keyway app on SQLite with one person, one card credential
// and a client session; answers memory questions over IPC.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createKey } from '../../server/domain/callers/keys.js';
import { openStore } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';

const secret = Buffer.alloc(32, 9).toString('base64');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-fanout-'));
// Behind a proxy (KEYWAY_TRUST_PROXY=1): the bench spreads its subscribers over client addresses, as the per-client stream limit asks.
const config = loadConfig(
  {
    KEYWAY_ENV: 'development',
    KEYWAY_DATA_DIR: dir,
    KEYWAY_SECRET: secret,
    KEYWAY_PASSES: 'off',
    KEYWAY_TRUST_PROXY: '1',
  },
  'development',
);
const store = openStore(config.databaseUrl, { sqliteSync: config.sqliteSync });
await migrateToLatest(store.db, store.dialect);
const keyway = createApp({ config, store, secret, log: () => {} });
const sk = (await createKey(keyway.ctx, { kind: 'secret', scopes: ['account.person'] })).key;
const server = serve({ fetch: keyway.app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise<void>((r) => server.once('listening', () => r()));
// Thousands of idle SSE sockets: no request or keep-alive timeout may cut them.
(server as unknown as { requestTimeout: number; keepAliveTimeout: number; headersTimeout: number }).requestTimeout = 0;
const { port } = server.address() as AddressInfo;
const base = `http://127.0.0.1:${port}`;
const call = async (method: string, p: string, body?: unknown) =>
  (
    await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    })
  ).json() as Promise<any>;
const person = (await call('POST', '/api/3/people', { person: { first_name: 'Bench', last_name: 'Mark' } })).person;
const cred = (
  await call('POST', `/api/3/people/${person.id}/credentials`, {
    person_credential: { credential_type_id: 1, value: 'BENCH-CARD-0001' },
  })
).person_credential;
// At most 5 open streams per token: one client session per 5 subscribers.
const tokens: string[] = [];
for (let i = 0; i < Math.ceil(Number(process.env.FANOUT_SUBSCRIBERS ?? 5000) / 5); i += 50) {
  tokens.push(
    ...(await Promise.all(
      Array.from(
        { length: 50 },
        async () => (await call('POST', '/api/3/client_sessions', { person_id: person.id })).token as string,
      ),
    )),
  );
}

const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, subscribers: keyway.hub.size };
};
process.on('message', (msg: string) => {
  if (msg === 'memory') process.send!({ memory: memory() });
});
process.send!({ ready: { base, sk, personId: person.id, credentialId: cred.id, tokens } });
process.on('disconnect', () => process.exit(0));
