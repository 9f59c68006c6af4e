// `keyway passes resign`'s rate: passes re-signed and pushed per second against a local APNs peer
// (h2c), SQLite and PostgreSQL, beside its peers measured in the same run: the same pushes with no
// database, and the same passes signed with no push.
import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.js';
import { sha256 } from '../server/crypto/secrets.js';
import { issueCertificate } from '../server/crypto/x509.js';
import { createContext } from '../server/domain/context.js';
import { resignPasses } from '../server/domain/wallets/resign.js';
import { openStore } from '../server/storage/db.js';
import { migrateToLatest } from '../server/storage/migrations.js';
import { createApnsClient } from '../server/wallet/apns.js';
import { buildPassJson, buildPkpass } from '../server/wallet/apple/pass.js';
import { loadWalletRuntime } from '../server/wallet/runtime.js';
import { pgSchema } from './lib.js';

const PASSES = Number(process.env.BENCH_PASSES ?? 500);
const SECRET = Buffer.alloc(32, 9).toString('base64');
const PG = process.env.KEYWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-resign-bench-'));

function chain() {
  const rsa = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const [rootKey, wwdrKey, a, b] = [rsa(), rsa(), rsa(), rsa()];
  const root = { commonName: 'Bench Root', organization: 'Bench CA', country: 'US' };
  const wwdr = { commonName: 'Bench WWDR', organizationalUnit: 'G4', organization: 'Bench CA', country: 'US' };
  const now = Date.now();
  const issue = (subject: typeof wwdr | Record<string, string>, key: KeyObject, ca: boolean) =>
    issueCertificate({
      subject,
      subjectKey: key,
      issuer: ca ? root : wwdr,
      issuerKey: ca ? rootKey : wwdrKey,
      issuerPublicKey: createPublicKey(ca ? rootKey : wwdrKey),
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 365 * 86_400_000),
      ca,
      ...(ca ? {} : { extKeyUsage: ['1.2.840.113635.100.4.14'] }),
    });
  const pass = {
    userId: 'pass.bench.resign',
    commonName: 'Pass Type ID',
    organizationalUnit: 'BENCHTEAM1',
    country: 'US',
  };
  const write = (name: string, text: string) => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
  const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }) as string;
  return {
    KEYWAY_APPLE_WWDR: write('wwdr.pem', issue(wwdr, wwdrKey, true)),
    KEYWAY_APPLE_CERT: write('cert.pem', issue(pass, a, false)),
    KEYWAY_APPLE_KEY: write('key.pem', pem(a)),
    KEYWAY_APPLE_NEXT_CERT: write('next.pem', issue(pass, b, false)),
    KEYWAY_APPLE_NEXT_KEY: write('next-key.pem', pem(b)),
  };
}

async function apnsPeer() {
  let count = 0;
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      count++;
      stream.respond({ ':status': 200 });
      stream.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function run(backend: 'sqlite' | 'postgres', material: Record<string, string>, apnsUrl: string) {
  const schema = backend === 'postgres' ? await pgSchema(PG) : undefined;
  const databaseUrl = schema?.url ?? `sqlite:${path.join(dir, `resign-${randomBytes(4).toString('hex')}.db`)}`;
  const config = loadConfig(
    {
      KEYWAY_ENV: 'development',
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      KEYWAY_SECRET: SECRET,
      PUBLIC_URL: 'https://keyway.example',
      KEYWAY_APNS_URL: apnsUrl,
      ...material,
    },
    'development',
  );
  const store = openStore(config.databaseUrl);
  await migrateToLatest(store.db, store.dialect);
  const wallet = loadWalletRuntime(config)!;
  wallet.apple!.material = wallet.apple!.next!; // as the command does: pushes go with the new certificate
  const ctx = createContext({ config, store, secret: SECRET, wallet, log: () => undefined });
  try {
    // One person, credential, Apple device and phone registration per pass.
    const at = new Date().toISOString();
    for (let i = 0; i < PASSES; i += 100) {
      await store.db.transaction().execute(async (tx) => {
        for (let j = i; j < Math.min(i + 100, PASSES); j++) {
          const person = await tx
            .insertInto('people')
            .values({
              first_name: `Holder${j}`,
              last_name: 'Bench',
              email: null,
              phone: null,
              enabled: 1,
              group_ids: '[]',
              created_at: at,
              updated_at: at,
              deleted_at: null,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          const credentialId = `cred_bench${String(j).padStart(6, '0')}`;
          const deviceId = `dev_bench${String(j).padStart(6, '0')}`;
          await tx
            .insertInto('credentials')
            .values({
              id: credentialId,
              person_id: person.id,
              credential_type_id: 9,
              status: 'active',
              enabled: 1,
              value_enc: ctx.keys.encrypt(`value-${j}`, credentialId),
              value_hash: null,
              value_mode: 'shared',
              sequence: 0,
              created_at: at,
              updated_at: at,
              revoking_at: null,
            } as never)
            .execute();
          const token = randomBytes(18).toString('base64url');
          await tx
            .insertInto('devices')
            .values({
              id: deviceId,
              credential_id: credentialId,
              platform: 'apple',
              status: 'active',
              serial_number: `serial${j}`,
              auth_token_hash: sha256(token),
              auth_token_enc: ctx.keys.encrypt(token, deviceId),
              value_hash: null,
              value_enc: null,
              added_at: at,
              updated_at: at,
              confirmed_at: at,
              revoked_at: null,
            })
            .execute();
          await tx
            .insertInto('apple_registrations')
            .values({
              device_library_id: `dli${j}`,
              pass_type_id: 'pass.bench.resign',
              serial_number: `serial${j}`,
              push_token_enc: ctx.keys.encrypt(`push-token-${j}`, 'push_token'),
              created_at: at,
              updated_at: at,
            })
            .execute();
        }
      });
    }
    const rates: string[] = [];
    // Roll to the next pair, then back to the first: each roll re-signs and pushes every pass.
    for (const [target, concurrency] of [
      [wallet.apple!.next!, 16],
      [wallet.apple!.configured, 1],
    ] as const) {
      const started = performance.now();
      const p = await resignPasses(ctx, target, { concurrency });
      const seconds = (performance.now() - started) / 1000;
      if (p.pushed !== PASSES || p.resigned !== PASSES) throw new Error(`incomplete: ${JSON.stringify(p)}`);
      rates.push(`--concurrency ${concurrency}: ${(PASSES / seconds).toFixed(0)} passes/s (${seconds.toFixed(2)} s)`);
    }
    return rates;
  } finally {
    ctx.stop();
    await store.close();
    await schema?.drop();
  }
}

const material = chain();
const peer = await apnsPeer();
try {
  // Peers: the same pushes with no database, the same passes signed with no push.
  const client = createApnsClient({ url: peer.url, cert: '', key: '', topic: 'pass.bench.resign' });
  let t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < PASSES) await client.push(`push-token-${next++}`);
    }),
  );
  const pushRate = PASSES / ((performance.now() - t) / 1000);
  client.close();
  const config = loadConfig({ KEYWAY_ENV: 'development', KEYWAY_DATA_DIR: dir, ...material }, 'development');
  const apple = loadWalletRuntime(config)!.apple!;
  t = performance.now();
  for (let i = 0; i < PASSES; i++)
    buildPkpass({
      passJson: buildPassJson({
        passTypeIdentifier: apple.material.passTypeId,
        teamIdentifier: apple.material.teamId,
        serialNumber: `serial${i}`,
        organizationName: 'Bench',
        description: 'Door pass',
        holderName: `Holder${i}`,
        credentialTypeLabel: 'Wallet pass',
        readerValue: `value-${i}`,
        webServiceURL: 'https://keyway.example/wallet/apple',
        authenticationToken: 'a'.repeat(24),
      }),
      images: apple.images,
      signer: apple.material.signer,
    });
  const signRate = PASSES / ((performance.now() - t) / 1000);
  console.log(
    `peers: APNs pushes alone ${pushRate.toFixed(0)}/s (16 at once); passes signed alone ${signRate.toFixed(0)}/s`,
  );
  for (const backend of ['sqlite', 'postgres'] as const) {
    try {
      for (const line of await run(backend, material, peer.url))
        console.log(`passes resign, ${PASSES} passes, ${backend}, ${line}`);
    } catch (error) {
      console.log(`passes resign, ${backend}: skipped (${(error as Error).message.split('\n')[0]})`);
    }
  }
} finally {
  await peer.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
