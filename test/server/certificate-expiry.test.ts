// SPEC §15 "certificates never lapse unseen", with a pass certificate valid for two minutes: days to
// expiry in /readyz (detail behind the metrics token) and /metrics, the `certificate.expiring`
// webhook and log warning once, and an expired signer refused.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { issueCertificate } from '../../server/crypto/x509.js';
import { announceExpiringCertificates } from '../../server/domain/wallets/certificate-expiry.js';
import { WalletConfigError } from '../../server/messages/wallet.js';
import { loadWalletRuntime } from '../../server/wallet/runtime.js';
import { dispatchWebhooks } from '../../server/webhooks/dispatcher.js';
import { tempDir } from '../fixtures/wallet/dev-chain.js';
import { createHarness, type Harness, TestClock } from '../helpers/harness.js';
import { type Receiver, startReceiver } from '../helpers/peers.js';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

/** Files for a chain whose pass certificate lapses `lifetimeMs` from now (and a next pair lapsing `nextLifetimeMs` from now). */
function shortLivedChain(lifetimeMs: number, nextLifetimeMs?: number): Record<string, string> {
  const dir = tempDir('keyway-expiry-');
  const now = Date.now();
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const [rootKey, wwdrKey, passKey] = [rsa(), rsa(), rsa()];
  const root = { commonName: 'Expiry Test Root', organization: 'Expiry Test', country: 'US' };
  const wwdr = { commonName: 'Expiry Test WWDR', organizationalUnit: 'G4', organization: 'Expiry Test', country: 'US' };
  const wwdrPem = issueCertificate({
    subject: wwdr,
    subjectKey: wwdrKey,
    issuer: root,
    issuerKey: rootKey,
    issuerPublicKey: createPublicKey(rootKey),
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 400 * 86_400_000),
    ca: true,
  });
  const passCert = (key: typeof passKey, life: number) =>
    issueCertificate({
      subject: {
        userId: 'pass.example.expiry',
        commonName: 'Pass Type ID',
        organizationalUnit: 'TEAM1',
        country: 'US',
      },
      subjectKey: key,
      issuer: wwdr,
      issuerKey: wwdrKey,
      issuerPublicKey: createPublicKey(wwdrKey),
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + life),
      ca: false,
      extKeyUsage: ['1.2.840.113635.100.4.14'],
    });
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const pem = (key: typeof passKey) => key.export({ format: 'pem', type: 'pkcs8' }) as string;
  const nextKey = nextLifetimeMs === undefined ? undefined : rsa();
  return {
    KEYWAY_APPLE_CERT: write('cert.pem', passCert(passKey, lifetimeMs)),
    KEYWAY_APPLE_KEY: write('key.pem', pem(passKey)),
    KEYWAY_APPLE_WWDR: write('wwdr.pem', wwdrPem),
    ...(nextKey && nextLifetimeMs !== undefined
      ? {
          KEYWAY_APPLE_NEXT_CERT: write('next-cert.pem', passCert(nextKey, nextLifetimeMs)),
          KEYWAY_APPLE_NEXT_KEY: write('next-key.pem', pem(nextKey)),
        }
      : {}),
  };
}

describe('a pass certificate valid for two minutes', () => {
  let h: Harness;
  let receiver: Receiver;
  let files: Record<string, string>;
  before(async () => {
    files = shortLivedChain(2 * 60_000);
    const env = { KEYWAY_METRICS_TOKEN: METRICS_TOKEN, ...files };
    const config = loadConfig({ KEYWAY_ENV: 'development', KEYWAY_DATA_DIR: tempDir(), ...env }, 'development');
    h = await createHarness({ env, clock: new TestClock(Date.now()), wallet: loadWalletRuntime(config) });
    receiver = await startReceiver();
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test('/readyz carries its days to expiry with the metrics token only; /metrics exposes them', async () => {
    const bare = await h.request('GET', '/readyz');
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.body.certificates, undefined, 'no detail without the metrics token');
    const ready = await h.request('GET', '/readyz', { token: METRICS_TOKEN });
    assert.deepEqual(
      ready.body.certificates.map((c: { certificate: string; days: number }) => [c.certificate, c.days]),
      [
        ['pass', 0],
        ['wwdr', 399],
      ],
    );
    const metrics = await h.request('GET', '/metrics', { token: METRICS_TOKEN });
    assert.match(metrics.text, /keyway_certificate_expiry_days\{certificate="pass"\} 0/);
    assert.match(metrics.text, /keyway_certificate_expiry_days\{certificate="wwdr"\} 399/);
  });

  test('a certificate.expiring webhook and a log warning, once', async () => {
    const hook = await h.request('POST', '/api/3/webhooks', {
      token: h.sk,
      body: { webhook: { url: receiver.url, events: ['certificate.expiring'] } },
    });
    assert.equal(hook.status, 201, hook.text);
    h.secrets.add(hook.body.webhook.secret);
    const announced = await announceExpiringCertificates(h.keyway.ctx);
    assert.deepEqual(
      announced.map((c) => c.certificate),
      ['pass'],
    );
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 1);
    const body = JSON.parse(receiver.received[0].body);
    assert.equal(body.event, 'certificate.expiring');
    assert.equal(body.certificate, 'pass');
    assert.equal(body.threshold_days, 1);
    assert.equal(body.days_left, 0);
    assert.ok(h.logs.some((l) => /"level":"warn".*pass certificate expires in 0 days/.test(l)));

    assert.deepEqual(await announceExpiringCertificates(h.keyway.ctx), [], 'once: not again on the next sweep');
    assert.equal(await dispatchWebhooks(h.keyway.ctx), 0);
    const events = await h.request('GET', '/api/3/events?type=certificate.expiring', { token: h.sk });
    assert.equal(events.body.events.length, 1);
  });

  test('once it has lapsed /readyz is not ready, and the server refuses to start with it', async () => {
    h.clock.advance(3 * 60);
    const ready = await h.request('GET', '/readyz', { token: METRICS_TOKEN });
    assert.equal(ready.status, 503);
    assert.equal(ready.body.checks.signer, 'pass certificate expired');
    const config = loadConfig(
      {
        KEYWAY_ENV: 'production',
        KEYWAY_SECRET: Buffer.alloc(32, 1).toString('base64'),
        KEYWAY_SMS_PROVIDER: 'webhook',
        KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example/x',
        KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_URL: 'https://keyway.example',
        ...files,
      },
      'production',
    );
    assert.throws(
      () => loadWalletRuntime(config, { now: h.clock.now() }),
      (e: unknown) =>
        e instanceof WalletConfigError && /KEYWAY_APPLE_CERT: the pass certificate expired/.test(e.message),
    );
  });
});

// Issue 27: the renewed pair waiting in KEYWAY_APPLE_NEXT_CERT lapses too; its days to expiry are shown beside
// the current pair's until it is rolled in.
describe('a next pair beside the current one', () => {
  let h: Harness;
  before(async () => {
    const env = { KEYWAY_METRICS_TOKEN: METRICS_TOKEN, ...shortLivedChain(20 * 86_400_000, 90.5 * 86_400_000) };
    const config = loadConfig({ KEYWAY_ENV: 'development', KEYWAY_DATA_DIR: tempDir(), ...env }, 'development');
    h = await createHarness({ env, clock: new TestClock(Date.now()), wallet: loadWalletRuntime(config) });
  });
  after(async () => {
    await h.close();
  });

  test('/readyz (with the metrics token) and /metrics carry its days to expiry as `next`', async () => {
    const ready = await h.request('GET', '/readyz', { token: METRICS_TOKEN });
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(
      ready.body.certificates.map((c: { certificate: string; days: number }) => [c.certificate, c.days]),
      [
        ['pass', 19],
        ['wwdr', 399],
        ['next', 90],
      ],
    );
    assert.equal((await h.request('GET', '/readyz')).body.certificates, undefined);
    const metrics = await h.request('GET', '/metrics', { token: METRICS_TOKEN });
    assert.match(metrics.text, /keyway_certificate_expiry_days\{certificate="next"\} 90\n/);
  });

  test('the sweep announces the certificates in use, not the one waiting', async () => {
    // The current pair is within 30 days; the next one is not announced whatever its date.
    assert.deepEqual(
      (await announceExpiringCertificates(h.keyway.ctx)).map((c) => c.certificate),
      ['pass'],
    );
  });
});
