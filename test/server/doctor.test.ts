// SPEC §15 `keyway doctor`: each check seen failing on a broken configuration and passing on a good
// one, in production mode; the server's start-up refusal names the same cause.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CheckResult, runDoctor } from '../../server/cli/doctor.js';
import { loadConfig } from '../../server/config.js';
import { issueCertificate } from '../../server/crypto/x509.js';
import { openStore } from '../../server/storage/db.js';
import { migrateToLatest } from '../../server/storage/migrations.js';
import { tempDir } from '../fixtures/wallet/dev-chain.js';
import { TEST_SECRET } from '../helpers/harness.js';
import { type ApnsPeer, startApnsPeer } from '../helpers/peers.js';
import { runCli } from '../helpers/process.js';

const PASS_TYPE = 'pass.example.doctor';
const TEAM = 'TEAM123456';
const EKU = '1.2.840.113635.100.4.14';
const DAY = 86_400_000;
const rsa = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/** An Apple-like chain that is not the dev chain (production refuses that one), with variants to break. */
function chain(dir: string) {
  const now = Date.now();
  const rootKey = rsa();
  const wwdrKey = rsa();
  const passKey = rsa();
  const rootName = { commonName: 'Doctor Test Root', organization: 'Doctor Test CA', country: 'US' };
  const wwdrName = (ou: string) => ({
    commonName: 'Doctor Test WWDR',
    organizationalUnit: ou,
    organization: 'Doctor Test CA',
    country: 'US',
  });
  const wwdr = (ou: string, notAfter: Date) =>
    issueCertificate({
      subject: wwdrName(ou),
      subjectKey: wwdrKey,
      issuer: rootName,
      issuerKey: rootKey,
      issuerPublicKey: createPublicKey(rootKey),
      notBefore: new Date(now - 400 * DAY),
      notAfter,
      ca: true,
    });
  const pass = (opts: { passType?: string; eku?: boolean; ou?: string } = {}) =>
    issueCertificate({
      subject: {
        userId: opts.passType ?? PASS_TYPE,
        commonName: `Pass Type ID: ${opts.passType ?? PASS_TYPE}`,
        organizationalUnit: TEAM,
        organization: 'Example',
        country: 'US',
      },
      subjectKey: passKey,
      issuer: wwdrName(opts.ou ?? 'G4'),
      issuerKey: wwdrKey,
      issuerPublicKey: createPublicKey(wwdrKey),
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 365 * DAY),
      ca: false,
      extKeyUsage: opts.eku === false ? [] : [EKU],
    });
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  const keyPem = passKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const files = {
    cert: write('cert.pem', pass()),
    key: write('key.pem', keyPem),
    wwdr: write('wwdr.pem', wwdr('G4', new Date(now + 3000 * DAY))),
    wwdrExpired: write('wwdr-expired.pem', wwdr('G4', new Date(now - DAY))),
    wwdrG3: write('wwdr-g3.pem', wwdr('G3', new Date(now + 3000 * DAY))),
    certG3: write('cert-g3.pem', pass({ ou: 'G3' })),
    certNoEku: write('cert-no-eku.pem', pass({ eku: false })),
    certOther: write('cert-other.pem', pass({ passType: 'pass.example.other' })),
    otherKey: write('other-key.pem', rsa().export({ format: 'pem', type: 'pkcs8' }) as string),
    encryptedKey: write(
      'key-enc.pem',
      passKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'right' }) as string,
    ),
  };
  const p12 = path.join(dir, 'pass.p12');
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-in',
    files.cert,
    '-inkey',
    files.key,
    '-out',
    p12,
    '-passout',
    'pass:secret',
  ]);
  return { files, keyPem, p12 };
}

describe('keyway doctor', () => {
  let dir: string;
  let c: ReturnType<typeof chain>;
  let apns: ApnsPeer;
  let sms: http.Server;
  let good: Record<string, string>;
  before(async () => {
    dir = tempDir('keyway-doctor-');
    c = chain(dir);
    apns = await startApnsPeer();
    sms = http.createServer((_, res) => res.end('{}'));
    await new Promise<void>((r) => sms.listen(0, '127.0.0.1', r));
    const databaseUrl = `sqlite:${path.join(dir, 'keyway.db')}`;
    const store = openStore(databaseUrl);
    await migrateToLatest(store.db, store.dialect);
    await store.close();
    good = {
      KEYWAY_ENV: 'production',
      KEYWAY_SECRET: TEST_SECRET,
      KEYWAY_DATA_DIR: dir,
      DATABASE_URL: databaseUrl,
      PUBLIC_URL: 'https://127.0.0.1:1',
      KEYWAY_SMS_PROVIDER: 'webhook',
      KEYWAY_SMS_WEBHOOK_URL: `http://127.0.0.1:${(sms.address() as AddressInfo).port}/sms`,
      KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
      KEYWAY_APPLE_CERT: c.files.cert,
      KEYWAY_APPLE_KEY: c.files.key,
      KEYWAY_APPLE_WWDR: c.files.wwdr,
      KEYWAY_APPLE_PASS_TYPE_ID: PASS_TYPE,
      KEYWAY_APPLE_TEAM_ID: TEAM,
      KEYWAY_APNS_URL: apns.url,
    };
  });
  after(async () => {
    await apns.close();
    sms.close();
  });

  const doctor = async (env: Record<string, string>) => (await runDoctor(env, 'production')).checks;
  const find = (checks: CheckResult[], name: string) => {
    const found = checks.find((x) => x.check === name);
    assert.ok(found, `${name} in ${checks.map((x) => x.check)}`);
    return found;
  };
  const failing = (checks: CheckResult[]) => checks.filter((x) => x.status === 'fail');

  test('a good production configuration: no failure, every listed check present', async () => {
    const checks = await doctor(good);
    assert.deepEqual(failing(checks), []);
    for (const name of [
      'config',
      'secret',
      'database',
      'migrations',
      'apple.material',
      'apple.usage',
      'apple.wwdr',
      'apple.cert_expiry',
      'apple.wwdr_expiry',
      'apple.test_pass',
      'apple.nfc',
      'apns',
      'sms',
      'email',
      'public_url',
    ])
      assert.equal(find(checks, name).status, 'ok', `${name}: ${find(checks, name).detail}`);
    assert.match(find(checks, 'apple.cert_expiry').detail, /^36[45] days to expiry/);
  });

  test('PUBLIC_URL must answer /healthz with this deployment’s instance id: another Keyway behind it fails', async () => {
    const { createKeyRing, instanceIdOf } = await import('../../server/crypto/secrets.js');
    let answer: unknown = {};
    const other = http.createServer((_, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const env = { ...good, PUBLIC_URL: `http://127.0.0.1:${(other.address() as AddressInfo).port}` };
    try {
      answer = { ok: true, instance_id: '0123456789abcdef' };
      const wrong = find((await runDoctor(env, 'development')).checks, 'public_url.healthz');
      assert.equal(wrong.status, 'fail', wrong.detail);
      assert.match(wrong.detail, /another Keyway/);
      answer = { ok: true, instance_id: instanceIdOf(createKeyRing(TEST_SECRET)) };
      const right = find((await runDoctor(env, 'development')).checks, 'public_url.healthz');
      assert.equal(right.status, 'ok', right.detail);
      // An instance from before the field: a warning, not a failure.
      answer = { ok: true };
      const unnamed = find((await runDoctor(env, 'development')).checks, 'public_url.healthz');
      assert.equal(unnamed.status, 'warn', unnamed.detail);
    } finally {
      other.close();
    }
  });

  test('a short KEYWAY_METRICS_TOKEN starts (SPEC sets no length) and the doctor warns about it', async () => {
    const checks = await doctor({ ...good, KEYWAY_METRICS_TOKEN: 'test-token' });
    assert.deepEqual(failing(checks), []);
    const warned = find(checks, 'metrics_token');
    assert.equal(warned.status, 'warn');
    assert.match(warned.detail, /10 characters/);
    assert.equal(loadConfig({ ...good, KEYWAY_METRICS_TOKEN: 'test-token' }).metricsToken, 'test-token');
  });

  test('the webhook SMS gateway without a signing secret: a warning with the fix, not a failure', async () => {
    const { KEYWAY_SMS_WEBHOOK_SECRET: _signed, ...unsigned } = good;
    const checks = await doctor(unsigned);
    assert.deepEqual(failing(checks), []);
    const warned = checks.filter((x) => x.check === 'sms' && x.status === 'warn');
    assert.equal(warned.length, 1, JSON.stringify(checks.filter((x) => x.check === 'sms')));
    assert.match(warned[0].detail, /requests to the SMS gateway are unsigned/);
    assert.match(warned[0].fix ?? '', /KEYWAY_SMS_WEBHOOK_SECRET=whsec_/);
  });

  const broken: [string, Record<string, string>, string, RegExp, RegExp][] = [
    [
      'an encrypted key with the wrong passphrase',
      { KEYWAY_APPLE_KEY: '', KEYWAY_APPLE_KEY_PASSPHRASE: 'wrong' },
      'apple.material',
      /KEYWAY_APPLE_KEY_PASSPHRASE: does not decrypt the private key \(wrong passphrase\)/,
      /KEYWAY_APPLE_KEY_PASSPHRASE/,
    ],
    ['a .p12 where PEM belongs', { KEYWAY_APPLE_CERT: '' }, 'apple.material', /PKCS#12/, /certs import/],
    [
      'a PEM whose line breaks were lost in an environment variable',
      { KEYWAY_APPLE_KEY: '' },
      'apple.material',
      /KEYWAY_APPLE_KEY: holds PEM whose line breaks were lost/,
      /in a file/,
    ],
    [
      'a key that does not match the certificate',
      { KEYWAY_APPLE_KEY: '' },
      'apple.material',
      /does not belong to the certificate/,
      /same \.p12/,
    ],
    [
      'a certificate for another pass type',
      { KEYWAY_APPLE_CERT: '' },
      'apple.material',
      /KEYWAY_APPLE_PASS_TYPE_ID: is "pass\.example\.doctor" but the certificate is for pass type "pass\.example\.other"/,
      /KEYWAY_APPLE_PASS_TYPE_ID/,
    ],
    [
      'an expired WWDR',
      { KEYWAY_APPLE_WWDR: '' },
      'apple.material',
      /KEYWAY_APPLE_WWDR: the WWDR intermediate certificate expired/,
      /WWDR G4/,
    ],
    [
      'a WWDR that is not G4',
      { KEYWAY_APPLE_CERT: '', KEYWAY_APPLE_WWDR: '' },
      'apple.wwdr',
      /generation G3, not G4/,
      /G4/,
    ],
    [
      'a certificate without the Pass Type ID key usage',
      { KEYWAY_APPLE_CERT: '' },
      'apple.usage',
      /lacks the Pass Type ID extended key usage/,
      /Pass Type ID certificate/,
    ],
    [
      'an NFC key that is not P-256',
      { KEYWAY_APPLE_NFC_PUBLIC_KEY: '' },
      'apple.nfc',
      /not a P-256 public key/,
      /P-256/,
    ],
    [
      'the database unreachable',
      { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      'database',
      /does not answer/,
      /DATABASE_URL/,
    ],
    ['migrations pending', { DATABASE_URL: '' }, 'migrations', /pending/, /npx keyway migrate/],
    ['APNs unreachable', { KEYWAY_APNS_URL: 'http://127.0.0.1:1' }, 'apns', /not reachable/, /KEYWAY_APNS_URL/],
    [
      'the SMS webhook unreachable',
      { KEYWAY_SMS_WEBHOOK_URL: 'http://127.0.0.1:1/sms' },
      'sms',
      /not reachable/,
      /KEYWAY_SMS_WEBHOOK_URL/,
    ],
    ['PUBLIC_URL over http', { PUBLIC_URL: 'http://keyway.example' }, 'public_url', /is not https/, /PUBLIC_URL/],
    ['a variable that does not parse', { PORT: 'eighty' }, 'config', /PORT/, /PORT/],
  ];
  const fill = (name: string, env: Record<string, string>): Record<string, string> => {
    const f = c.files;
    const filled: Record<string, Record<string, string>> = {
      'an encrypted key with the wrong passphrase': { KEYWAY_APPLE_KEY: f.encryptedKey },
      'a .p12 where PEM belongs': { KEYWAY_APPLE_CERT: c.p12 },
      'a PEM whose line breaks were lost in an environment variable': {
        KEYWAY_APPLE_KEY: c.keyPem.trim().replace(/\n/g, ' '),
      },
      'a key that does not match the certificate': { KEYWAY_APPLE_KEY: f.otherKey },
      'a certificate for another pass type': { KEYWAY_APPLE_CERT: f.certOther },
      'an expired WWDR': { KEYWAY_APPLE_WWDR: f.wwdrExpired },
      'a WWDR that is not G4': { KEYWAY_APPLE_CERT: f.certG3, KEYWAY_APPLE_WWDR: f.wwdrG3 },
      'a certificate without the Pass Type ID key usage': { KEYWAY_APPLE_CERT: f.certNoEku },
      'an NFC key that is not P-256': {
        KEYWAY_APPLE_NFC_PUBLIC_KEY: (
          generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
            format: 'der',
            type: 'spki',
          }) as Buffer
        ).toString('base64'),
      },
      'migrations pending': { DATABASE_URL: `sqlite:${path.join(dir, 'empty.db')}` },
    };
    return { ...good, ...env, ...(filled[name] ?? {}) };
  };

  for (const [name, env, check, cause, fix] of broken)
    test(`fails on ${name}, naming the cause and the fix`, async () => {
      const checks = await doctor(fill(name, env));
      const result = find(checks, check);
      assert.equal(result.status, 'fail', `${check}: ${result.detail}`);
      assert.match(result.detail, cause);
      assert.match(result.fix ?? '', fix);
    });

  test('PEM given inline with \\n escapes loads, and says so', async () => {
    const checks = await doctor({ ...good, KEYWAY_APPLE_KEY: c.keyPem.trim().replace(/\n/g, '\\n') });
    const material = find(checks, 'apple.material');
    assert.equal(material.status, 'ok');
    assert.match(material.detail, /KEYWAY_APPLE_KEY inline with \\n escapes/);
  });

  test('a development configuration passes with warnings naming what is development-only', async () => {
    const devDir = tempDir('keyway-doctor-dev-');
    const databaseUrl = `sqlite:${path.join(devDir, 'keyway.db')}`;
    const store = openStore(databaseUrl);
    await migrateToLatest(store.db, store.dialect);
    await store.close();
    fs.writeFileSync(path.join(devDir, 'secret'), `${TEST_SECRET}\n`);
    const { mode, checks } = await runDoctor({ KEYWAY_DATA_DIR: devDir, DATABASE_URL: databaseUrl });
    assert.equal(mode, 'development', 'npm start ran here: checked as development');
    assert.deepEqual(failing(checks), []);
    for (const name of ['secret', 'apple.material', 'sms', 'email', 'public_url'])
      assert.match(find(checks, name).detail, /development only/, name);
  });

  test('the CLI prints one line per check, exits 1 on a failure, and the server refuses to start with the same cause', async () => {
    const env = fill('an encrypted key with the wrong passphrase', {
      KEYWAY_APPLE_KEY: '',
      KEYWAY_APPLE_KEY_PASSPHRASE: 'wrong',
    });
    const r = await runCli(['doctor'], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    // SPEC §15: one line per check, `ok`/`warn`/`fail` first, the fix on the same line; the tally goes to stderr.
    const lines = r.stdout.trimEnd().split('\n');
    const json = await runCli(['doctor', '--json'], env);
    const { ok, checks } = JSON.parse(json.stdout) as { ok: boolean; checks: CheckResult[] };
    assert.equal(ok, false);
    assert.equal(lines.length, checks.length, r.stdout);
    for (const l of lines) assert.match(l, /^(ok|warn|fail) {2}/, l);
    const line = lines.find((l) => l.startsWith('fail  apple.material'));
    assert.ok(line, r.stdout);
    assert.match(line, /wrong passphrase.* — fix: set KEYWAY_APPLE_KEY_PASSPHRASE/);
    assert.match(r.stderr, /checked as production .* \d+ fail/);
    const serve = await runCli(['serve'], { ...env, PORT: '0' });
    assert.equal(serve.code, 1);
    assert.match(serve.stderr, /KEYWAY_APPLE_KEY_PASSPHRASE: does not decrypt the private key \(wrong passphrase\)/);
    assert.match(serve.stderr, /fix: set KEYWAY_APPLE_KEY_PASSPHRASE/);
  });
});
