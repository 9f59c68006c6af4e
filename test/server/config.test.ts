import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, GOOGLE_CALLBACK_KEYS_URL, loadConfig } from '../../server/config.js';
import { createKeyRing, cryptoRandom } from '../../server/crypto/secrets.js';
import { resolveSecret } from '../../server/runtime.js';

const SECRET = Buffer.alloc(32, 1).toString('base64');

test('defaults follow the README’s configuration', () => {
  const c = loadConfig({ KEYWAY_SECRET: SECRET }, 'development');
  assert.equal(c.port, 8787);
  assert.equal(c.publicUrl, 'http://127.0.0.1:8787');
  assert.equal(c.host, '127.0.0.1', 'development binds loopback');
  assert.match(c.databaseUrl, /^sqlite:.*data\/keyway\.db$/);
  assert.equal(c.unknownNumberPolicy, 'conceal');
  assert.equal(c.inviteTtlSeconds, 7 * 86400);
  assert.equal(c.limits.redeemPerIpMinute, 30);
  assert.equal(c.limits.sendsPerPhoneHour, 5);
});

test('a bad value stops start-up with a message naming the variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ KEYWAY_INVITE_TTL: 'soon' }, 'KEYWAY_INVITE_TTL'],
    [{ KEYWAY_UNKNOWN_NUMBER_POLICY: 'shout' }, 'KEYWAY_UNKNOWN_NUMBER_POLICY'],
    [{ KEYWAY_SECRET: 'short' }, 'KEYWAY_SECRET'],
    [{ KEYWAY_DEMO_SECRET_KEY: 'pk_0123456789abcdef0123' }, 'KEYWAY_DEMO_SECRET_KEY'],
    [{ KEYWAY_DEMO_COUNTRIES: 'GB,Germany' }, 'KEYWAY_DEMO_COUNTRIES'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ KEYWAY_SMS_PROVIDER: 'twilio' }, 'KEYWAY_TWILIO_ACCOUNT_SID'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(
      () => loadConfig(env, 'development'),
      (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(variable),
      variable,
    );
  }
});

test('production refuses to start without a secret, a real SMS sender, and signing material or passes off', () => {
  assert.throws(() => loadConfig({}, 'production'), /KEYWAY_SECRET/);
  assert.throws(() => loadConfig({ KEYWAY_SECRET: SECRET }, 'production'), /PUBLIC_URL/);
  assert.throws(
    () => loadConfig({ KEYWAY_SECRET: SECRET, PUBLIC_URL: 'https://keys.example' }, 'production'),
    /KEYWAY_SMS_PROVIDER/,
  );
  const sms = {
    KEYWAY_SECRET: SECRET,
    PUBLIC_URL: 'https://keys.example',
    KEYWAY_SMS_PROVIDER: 'webhook',
    KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example/hook',
    KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${'A'.repeat(43)}=`,
  };
  assert.throws(() => loadConfig(sms, 'production'), /KEYWAY_PASSES=off/);
  const ok = loadConfig({ ...sms, KEYWAY_PASSES: 'off' }, 'production');
  assert.equal(ok.host, '0.0.0.0');
  assert.equal(loadConfig({ KEYWAY_DEV_EXPOSE: '1' }, 'development').host, '0.0.0.0');
});

test('the dev secret is generated once into $KEYWAY_DATA_DIR/secret with mode 0600', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-secret-'));
  try {
    const c = loadConfig({ KEYWAY_DATA_DIR: dir }, 'development');
    const s1 = resolveSecret(c);
    const s2 = resolveSecret(c);
    assert.equal(s1, s2);
    assert.ok(Buffer.from(s1, 'base64').length >= 32);
    assert.equal(fs.statSync(path.join(dir, 'secret')).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('HKDF-derived keys: ciphertexts carry a key id, KEYWAY_SECRET_PREVIOUS keeps old data readable', () => {
  const old = createKeyRing(SECRET);
  const next = Buffer.alloc(32, 2).toString('base64');
  const ct = old.encrypt('7KX-9QM-2HR-4TD', 'cred_1');
  assert.ok(ct.startsWith(`${old.kid}.`));
  assert.equal(old.decrypt(ct, 'cred_1'), '7KX-9QM-2HR-4TD');
  assert.throws(() => old.decrypt(ct, 'cred_2'), 'bound to its record');
  const rotated = createKeyRing(next, SECRET);
  assert.equal(rotated.decrypt(ct, 'cred_1'), '7KX-9QM-2HR-4TD');
  assert.ok(rotated.lookupHashes('invite', 'X').includes(old.lookupHash('invite', 'X')));
  assert.throws(() => createKeyRing(next).decrypt(ct, 'cred_1'), /KEYWAY_SECRET_PREVIOUS/);
  assert.notEqual(old.lookupHash('invite', 'X'), old.lookupHash('value', 'X'), 'distinct labels per purpose');
});

test('pooled random bytes: never handed out twice, never changed after they are given', () => {
  const first = cryptoRandom(12);
  const copy = Buffer.from(first);
  const seen = new Set<string>([first.toString('hex')]);
  // Far more than one 4 KiB pool, so refills happen while `first` is still held.
  for (let i = 0; i < 2000; i++) {
    const piece = cryptoRandom(1 + (i % 32));
    assert.equal(piece.length, 1 + (i % 32));
    if (piece.length >= 8) {
      const hex = piece.toString('hex');
      assert.ok(!seen.has(hex), 'no piece repeats');
      seen.add(hex);
    }
  }
  assert.deepEqual(first, copy, 'a refill does not overwrite bytes given out earlier');
  assert.equal(cryptoRandom(1024).length, 1024, 'large requests come straight from the CSPRNG');
});

test("Google callback keys: Google's published URL by default in production, none in development; https (or loopback http), a file, or off", () => {
  const prod = {
    KEYWAY_SECRET: SECRET,
    PUBLIC_URL: 'https://keys.example.com',
    KEYWAY_SMS_PROVIDER: 'webhook',
    KEYWAY_SMS_WEBHOOK_URL: 'https://sms.example.com/h',
    KEYWAY_SMS_WEBHOOK_SECRET: `whsec_${'A'.repeat(43)}=`,
    KEYWAY_PASSES: 'off',
  };
  assert.equal(loadConfig(prod, 'production').google.callbackKeys, GOOGLE_CALLBACK_KEYS_URL);
  assert.equal(GOOGLE_CALLBACK_KEYS_URL, 'https://pay.google.com/gp/m/issuer/keys');
  assert.equal(loadConfig({ KEYWAY_SECRET: SECRET }, 'development').google.callbackKeys, undefined);
  assert.equal(
    loadConfig({ ...prod, KEYWAY_GOOGLE_CALLBACK_KEYS: 'off' }, 'production').google.callbackKeys,
    undefined,
  );
  assert.equal(
    loadConfig({ KEYWAY_GOOGLE_CALLBACK_KEYS: 'http://127.0.0.1:9/keys' }, 'development').google.callbackKeys,
    'http://127.0.0.1:9/keys',
  );
  assert.equal(
    loadConfig({ KEYWAY_GOOGLE_CALLBACK_KEYS: '/etc/keyway/google-keys.json' }, 'development').google.callbackKeys,
    '/etc/keyway/google-keys.json',
  );
  assert.equal(loadConfig({}, 'development').google.pollSeconds, 60);
  for (const bad of ['http://keys.example.com/keys', 'ftp://127.0.0.1/keys']) {
    assert.throws(
      () => loadConfig({ KEYWAY_GOOGLE_CALLBACK_KEYS: bad }, 'development'),
      (e: unknown) => e instanceof ConfigError && e.variable === 'KEYWAY_GOOGLE_CALLBACK_KEYS',
      bad,
    );
  }
});
