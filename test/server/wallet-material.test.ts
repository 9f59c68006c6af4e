import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pemToDer } from '../../server/crypto/der.js';
import { issueCertificate } from '../../server/crypto/x509.js';
import { WalletConfigError } from '../../server/messages/wallet.js';
import { type AppleSigningConfig, loadAppleSigningMaterial } from '../../server/wallet/apple/material.js';
import { devChain, openssl, tempDir } from '../fixtures/wallet/dev-chain.js';

function configFromPaths(): AppleSigningConfig {
  const chain = devChain();
  return {
    cert: chain.paths.cert,
    key: chain.paths.key,
    wwdr: chain.paths.wwdr,
    passTypeId: 'pass.dev.keyway',
    teamId: 'KEYWAYDEV1',
  };
}

/** Asserts a WalletConfigError naming `variable` with a message matching `pattern`. */
function rejects(config: AppleSigningConfig, variable: string, pattern: RegExp) {
  assert.throws(
    () => loadAppleSigningMaterial(config),
    (error: unknown) => {
      assert.ok(error instanceof WalletConfigError, String(error));
      assert.equal(error.variable, variable);
      assert.match(error.message, pattern);
      assert.ok(error.message.startsWith(`${variable}: `));
      return true;
    },
  );
}

describe('loadAppleSigningMaterial', () => {
  it('loads from file paths and signs', () => {
    const material = loadAppleSigningMaterial(configFromPaths());
    assert.equal(material.passTypeId, 'pass.dev.keyway');
    assert.equal(material.teamId, 'KEYWAYDEV1');
    assert.equal(material.digest, 'sha1');
    assert.deepEqual(material.warnings, []);
    assert.ok(material.signer.sign(Buffer.from('{}'), new Date()).length > 1000);
    assert.match(material.tls.key, /BEGIN PRIVATE KEY/);
  });

  it('loads from PEM contents, including one-line values with \\n escapes, and takes ids from the certificate', () => {
    const chain = devChain();
    const material = loadAppleSigningMaterial({
      cert: chain.pem.cert,
      key: chain.pem.key.replace(/\n/g, '\\n'),
      wwdr: chain.pem.wwdr,
      digest: 'SHA-256',
    });
    assert.equal(material.passTypeId, 'pass.dev.keyway');
    assert.equal(material.teamId, 'KEYWAYDEV1');
    assert.equal(material.digest, 'sha256');
  });

  it('accepts a DER WWDR file as Apple ships it (.cer)', () => {
    const dir = tempDir();
    const cer = join(dir, 'AppleWWDRCAG4.cer');
    writeFileSync(cer, pemToDer(devChain().pem.wwdr, 'CERTIFICATE'));
    assert.doesNotThrow(() => loadAppleSigningMaterial({ ...configFromPaths(), wwdr: cer }));
  });

  it('loads an encrypted PEM key with its passphrase, and names the passphrase variable when it is missing or wrong', () => {
    const dir = tempDir();
    const chain = devChain();
    const pkcs8 = join(dir, 'key-pkcs8.pem');
    writeFileSync(
      pkcs8,
      createPrivateKey(chain.pem.key).export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 's3cret!',
      }),
    );
    const legacy = join(dir, 'key-legacy.pem');
    const made = openssl([
      'rsa',
      '-in',
      chain.paths.key,
      '-aes128',
      '-traditional',
      '-passout',
      'pass:s3cret!',
      '-out',
      legacy,
    ]);
    assert.equal(made.status, 0, made.stderr);

    for (const key of [pkcs8, legacy]) {
      const material = loadAppleSigningMaterial({ ...configFromPaths(), key, keyPassphrase: 's3cret!' });
      assert.ok(material.signer.sign(Buffer.from('{}'), new Date()).length > 0);
      rejects(
        { ...configFromPaths(), key },
        'KEYWAY_APPLE_KEY_PASSPHRASE',
        /is not set, but the private key in KEYWAY_APPLE_KEY is encrypted/,
      );
      rejects({ ...configFromPaths(), key, keyPassphrase: 'wrong' }, 'KEYWAY_APPLE_KEY_PASSPHRASE', /wrong passphrase/);
    }
  });

  it('stops on a key that does not belong to the certificate', () => {
    const dir = tempDir();
    const other = join(dir, 'other-key.pem');
    writeFileSync(
      other,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    rejects(
      { ...configFromPaths(), key: other },
      'KEYWAY_APPLE_KEY',
      /does not belong to the certificate in KEYWAY_APPLE_CERT/,
    );
  });

  it('explains a path where PEM was expected, PEM of the wrong kind, and a .p12 given directly', () => {
    const chain = devChain();
    rejects(
      { ...configFromPaths(), cert: '/etc/keyway/missing-cert.pem' },
      'KEYWAY_APPLE_CERT',
      /"\/etc\/keyway\/missing-cert.pem" is neither PEM contents nor an existing file/,
    );
    rejects(
      { ...configFromPaths(), cert: chain.pem.key },
      'KEYWAY_APPLE_CERT',
      /holds a private key where a certificate was expected/,
    );
    rejects(
      { ...configFromPaths(), key: chain.paths.cert },
      'KEYWAY_APPLE_KEY',
      /holds a certificate where a private key was expected/,
    );
    rejects(
      { ...configFromPaths(), cert: chain.pem.cert.slice(0, 300) },
      'KEYWAY_APPLE_CERT',
      /no matching -----END line/,
    );
    const body = chain.pem.cert.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
    rejects({ ...configFromPaths(), cert: body }, 'KEYWAY_APPLE_CERT', /base64 without its -----BEGIN/);
    rejects({ ...configFromPaths(), key: '' }, 'KEYWAY_APPLE_KEY', /is not set/);

    const dir = tempDir();
    const p12 = join(dir, 'pass.p12');
    const made = openssl([
      'pkcs12',
      '-export',
      '-in',
      chain.paths.cert,
      '-inkey',
      chain.paths.key,
      '-out',
      p12,
      '-passout',
      'pass:x',
    ]);
    assert.equal(made.status, 0, made.stderr);
    rejects({ ...configFromPaths(), cert: p12 }, 'KEYWAY_APPLE_CERT', /PKCS#12.*npx keyway certs import/);
  });

  it('checks the issuer, pass type id and team id against the certificate', () => {
    const chain = devChain();
    rejects(
      { ...configFromPaths(), wwdr: chain.paths.root },
      'KEYWAY_APPLE_WWDR',
      /not issued by the certificate in KEYWAY_APPLE_WWDR/,
    );
    rejects(
      { ...configFromPaths(), passTypeId: 'pass.com.other' },
      'KEYWAY_APPLE_PASS_TYPE_ID',
      /"pass.com.other" but the certificate is for pass type "pass.dev.keyway"/,
    );
    rejects({ ...configFromPaths(), teamId: 'ABCDE12345' }, 'KEYWAY_APPLE_TEAM_ID', /belongs to team "KEYWAYDEV1"/);
    rejects({ ...configFromPaths(), digest: 'md5' }, 'KEYWAY_APPLE_SIGNATURE_DIGEST', /"sha1" or "sha256"/);
  });

  it('warns when the WWDR certificate expires within 90 days, and stops when it has expired', () => {
    const now = new Date();
    const day = 24 * 3600 * 1000;
    const rootKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wwdrKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const passKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const rootName = { commonName: 'Soon Root' };
    const wwdrName = { commonName: 'Soon WWDR', organizationalUnit: 'G4' };
    const wwdr = issueCertificate({
      subject: wwdrName,
      subjectKey: wwdrKey,
      issuer: rootName,
      issuerKey: rootKey,
      issuerPublicKey: createPublicKey(rootKey),
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 30 * day),
      ca: true,
    });
    const cert = issueCertificate({
      subject: {
        userId: 'pass.dev.keyway',
        commonName: 'Pass Type ID: pass.dev.keyway',
        organizationalUnit: 'KEYWAYDEV1',
      },
      subjectKey: passKey,
      issuer: wwdrName,
      issuerKey: wwdrKey,
      issuerPublicKey: createPublicKey(wwdrKey),
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + 365 * day),
      ca: false,
    });
    const key = passKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const material = loadAppleSigningMaterial({ cert, key, wwdr, now });
    assert.equal(material.warnings.length, 1);
    assert.match(
      material.warnings[0],
      /^KEYWAY_APPLE_WWDR: the WWDR intermediate certificate expires on .* \(in (29|30) days\)/,
    );

    rejects(
      { cert, key, wwdr, now: new Date(now.getTime() + 31 * day) },
      'KEYWAY_APPLE_WWDR',
      /WWDR intermediate certificate expired/,
    );
  });
});
