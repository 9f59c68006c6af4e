import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCertsCommand } from '../../server/cli/certs.js';
import { CertificateImportError } from '../../server/messages/wallet.js';
import { loadAppleSigningMaterial } from '../../server/wallet/apple/material.js';
import { importP12, makeDevCertificates } from '../../server/wallet/certs.js';
import { devChain, openssl, tempDir } from '../fixtures/wallet/dev-chain.js';

/** Captures what a CLI call writes, so tests can check it and keep the output quiet. */
async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await run(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

describe('makeDevCertificates', () => {
  it('writes a chain openssl verifies, with Apple pass EKU, UID and OU, as 0600 files', () => {
    const chain = devChain();
    for (const path of Object.values(chain.paths)) assert.equal(statSync(path).mode & 0o777, 0o600, path);

    const verified = openssl([
      'verify',
      '-CAfile',
      chain.paths.root,
      '-untrusted',
      chain.paths.wwdr,
      '-purpose',
      'any',
      chain.paths.cert,
    ]);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /OK/);

    const text = openssl([
      'x509',
      '-in',
      chain.paths.cert,
      '-noout',
      '-subject',
      '-ext',
      'extendedKeyUsage,basicConstraints',
    ]).stdout;
    assert.match(text, /UID = pass\.dev\.keyway/);
    assert.match(text, /OU = KEYWAYDEV1/);
    assert.match(text, /1\.2\.840\.113635\.100\.4\.14/);
    assert.match(text, /CA:FALSE/);
    assert.match(openssl(['x509', '-in', chain.paths.wwdr, '-noout', '-ext', 'basicConstraints']).stdout, /CA:TRUE/);
  });

  it('writes a dev Google service account with an RS256 key', () => {
    const sa = JSON.parse(readFileSync(devChain().paths.googleServiceAccount, 'utf8'));
    assert.equal(sa.type, 'service_account');
    assert.match(sa.client_email, /@.*\.iam\.gserviceaccount\.com$/);
    const key = createPrivateKey(sa.private_key);
    assert.equal(key.asymmetricKeyType, 'rsa');
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.ok(sa.private_key_id && sa.token_uri);
  });

  it('keeps existing files and refuses a partial set', () => {
    const chain = devChain();
    const before = readFileSync(chain.paths.cert, 'utf8');
    const again = makeDevCertificates(chain.dir);
    assert.deepEqual(again.created, []);
    assert.equal(readFileSync(chain.paths.cert, 'utf8'), before);

    const dir = tempDir();
    const made = makeDevCertificates(dir);
    unlinkSync(made.paths.wwdr);
    assert.throws(() => makeDevCertificates(dir), /incomplete \(missing apple-wwdr\.pem\)/);
  });
});

describe('importP12', () => {
  const variants: Array<[string, string[]]> = [
    ['modern (AES-256, PBKDF2, SHA-256 MAC)', []],
    ['legacy (RC2-40 certificates, 3DES key)', ['-legacy']],
  ];
  for (const [label, flags] of variants) {
    it(`converts a ${label} .p12 into PEM files (0600) that load as signing material`, () => {
      const chain = devChain();
      const dir = tempDir();
      const p12 = join(dir, 'pass.p12');
      const made = openssl([
        'pkcs12',
        '-export',
        ...flags,
        '-in',
        chain.paths.cert,
        '-inkey',
        chain.paths.key,
        '-certfile',
        chain.paths.wwdr,
        '-name',
        'Pass Type ID: pass.dev.keyway',
        '-out',
        p12,
        '-passout',
        'pass:correct horse',
      ]);
      assert.equal(made.status, 0, made.stderr);
      if (flags.includes('-legacy')) {
        const info = openssl(['pkcs12', '-in', p12, '-info', '-noout', '-legacy', '-passin', 'pass:correct horse']);
        assert.match(info.stderr + info.stdout, /RC2|3DES|pbeWithSHA1And/);
      }

      const out = join(dir, 'out');
      const imported = importP12(p12, { password: 'correct horse', outDir: out });
      assert.equal(imported.passTypeId, 'pass.dev.keyway');
      assert.equal(imported.teamId, 'KEYWAYDEV1');
      assert.ok(imported.wwdrPath);
      for (const path of [imported.certPath, imported.keyPath, imported.wwdrPath!])
        assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(readFileSync(imported.certPath, 'utf8'), chain.pem.cert);
      assert.deepEqual(
        createPublicKey(readFileSync(imported.keyPath, 'utf8')).export({ format: 'der', type: 'spki' }),
        createPublicKey(chain.pem.key).export({ format: 'der', type: 'spki' }),
      );
      const material = loadAppleSigningMaterial({
        cert: imported.certPath,
        key: imported.keyPath,
        wwdr: imported.wwdrPath,
      });
      assert.equal(material.passTypeId, 'pass.dev.keyway');

      assert.throws(
        () => importP12(p12, { password: 'correct horse', outDir: out }),
        /already exists; remove it or pass --force/,
      );
      assert.doesNotThrow(() => importP12(p12, { password: 'correct horse', outDir: out, force: true }));
    });
  }

  it('says the password is wrong', () => {
    const chain = devChain();
    const dir = tempDir();
    const p12 = join(dir, 'pass.p12');
    openssl([
      'pkcs12',
      '-export',
      '-in',
      chain.paths.cert,
      '-inkey',
      chain.paths.key,
      '-out',
      p12,
      '-passout',
      'pass:right',
    ]);
    assert.throws(
      () => importP12(p12, { password: 'wrong', outDir: join(dir, 'out') }),
      (error: unknown) =>
        error instanceof CertificateImportError && /wrong password for ".*pass\.p12"/.test(error.message),
    );
    assert.equal(existsSync(join(dir, 'out', 'apple-pass-key.pem')), false);
  });
});

describe('keyway certs CLI', () => {
  it('certs dev writes to $KEYWAY_DATA_DIR/certs by default, then keeps the files', async () => {
    const data = tempDir();
    const first = await capture(() => runCertsCommand(['dev'], { KEYWAY_DATA_DIR: data }));
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Dev certificates written to .*certs/);
    assert.ok(existsSync(join(data, 'certs', 'apple-pass-cert.pem')));
    assert.ok(!/PRIVATE KEY/.test(first.stdout));
    const second = await capture(() => runCertsCommand(['certs', 'dev', '--dir', join(data, 'certs')], {}));
    assert.equal(second.code, 0);
    assert.match(second.stdout, /already present/);
  });

  it('certs import reports the paths, and a wrong password with exit code 1', async () => {
    const chain = devChain();
    const dir = tempDir();
    const p12 = join(dir, 'pass.p12');
    openssl([
      'pkcs12',
      '-export',
      '-legacy',
      '-in',
      chain.paths.cert,
      '-inkey',
      chain.paths.key,
      '-certfile',
      chain.paths.wwdr,
      '-out',
      p12,
      '-passout',
      'pass:pw',
    ]);
    const ok = await capture(() => runCertsCommand(['import', p12, '--password', 'pw', '--out', join(dir, 'o')], {}));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /KEYWAY_APPLE_CERT=.*apple-pass-cert\.pem/);
    const bad = await capture(() =>
      runCertsCommand(['import', p12, '--password', 'nope', '--out', join(dir, 'p')], {}),
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /wrong password/);
  });

  it('prints help', async () => {
    for (const argv of [['--help'], ['dev', '--help'], ['import', '--help']]) {
      const result = await capture(() => runCertsCommand(argv, {}));
      assert.equal(result.code, 0);
      assert.match(result.stdout, /Usage: keyway certs/);
    }
    const unknown = await capture(() => runCertsCommand(['frobnicate'], {}));
    assert.equal(unknown.code, 1);
  });
});

describe('two processes making the dev certificates at once', () => {
  it('one chain: the key belongs to the certificate whichever process wrote last', async () => {
    const { spawn } = await import('node:child_process');
    for (let round = 0; round < 3; round++) {
      const dir = tempDir();
      const script = `import('./server/wallet/certs.ts').then((m) => m.makeDevCertificates(${JSON.stringify(dir)}))`;
      const codes = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<number | null>((resolve) => {
              const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: 'ignore' });
              child.once('exit', resolve);
            }),
        ),
      );
      assert.deepEqual(codes, [0, 0, 0, 0]);
      const certKey = new (await import('node:crypto')).X509Certificate(readFileSync(join(dir, 'apple-pass-cert.pem')))
        .publicKey;
      const key = createPublicKey(createPrivateKey(readFileSync(join(dir, 'apple-pass-key.pem'))));
      assert.ok(certKey.equals(key), `round ${round}: the key does not belong to the certificate`);
      assert.ok(!existsSync(join(dir, '.dev-certificates.lock')), 'the lock is gone');
    }
  });
});
