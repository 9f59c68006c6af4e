import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { WalletConfigError } from '../../server/messages/wallet.js';
import { createPassSigner } from '../../server/wallet/apple/cms.js';
import {
  buildPassJson,
  buildPkpass,
  DEFAULT_PASS_STRINGS,
  formatW3cDate,
  loadPassImages,
  type PassJsonInput,
} from '../../server/wallet/apple/pass.js';
import { encodePng, isPng } from '../../server/wallet/apple/png.js';
import { devChain, openssl, tempDir } from '../fixtures/wallet/dev-chain.js';

const nfcKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  .publicKey.export({ format: 'der', type: 'spki' })
  .toString('base64');

const base: PassJsonInput = {
  passTypeIdentifier: 'pass.dev.keyway',
  teamIdentifier: 'KEYWAYDEV1',
  serialNumber: 'dev_01HZX3',
  organizationName: 'Acme Offices',
  description: 'Door pass',
  logoText: 'Acme',
  brandColor: '#1f4fd1',
  holderName: 'Ada Lovelace',
  credentialTypeLabel: 'Wallet pass',
  readerValue: 'KWV7Q2M9XR4T8ZP3',
  webServiceURL: 'https://keyway.example/wallet/apple',
  authenticationToken: 'tok_0123456789abcdef',
  relevantDate: new Date('2026-01-01T10:00:00.123Z'),
};

const W3C_NO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('buildPassJson', () => {
  it('writes the generic style with holder, credential type, colours and the QR reader value', () => {
    const pass = buildPassJson(base);
    assert.equal(pass.formatVersion, 1);
    assert.equal(pass.passTypeIdentifier, 'pass.dev.keyway');
    assert.equal(pass.teamIdentifier, 'KEYWAYDEV1');
    assert.equal(pass.generic.primaryFields[0].value, 'Ada Lovelace');
    assert.equal(pass.generic.secondaryFields[0].value, 'Wallet pass');
    assert.equal(pass.backgroundColor, 'rgb(31, 79, 209)');
    assert.equal(pass.foregroundColor, 'rgb(255, 255, 255)');
    assert.deepEqual(pass.barcodes, [
      { format: 'PKBarcodeFormatQR', message: 'KWV7Q2M9XR4T8ZP3', messageEncoding: 'iso-8859-1' },
    ]);
    assert.deepEqual(pass.barcode, pass.barcodes[0]);
    assert.equal(pass.webServiceURL, 'https://keyway.example/wallet/apple');
    assert.equal(pass.authenticationToken, 'tok_0123456789abcdef');
    assert.equal(pass.voided, undefined);
    assert.equal(pass.nfc, undefined);
  });

  it('writes W3C dates without milliseconds', () => {
    assert.equal(formatW3cDate(new Date('2026-01-01T10:00:00.999Z')), '2026-01-01T10:00:00Z');
    const pass = buildPassJson({ ...base, expiresAt: new Date('2027-02-03T04:05:06.700Z') });
    assert.equal(pass.relevantDate, '2026-01-01T10:00:00Z');
    assert.equal(pass.expirationDate, '2027-02-03T04:05:06Z');
    const text = JSON.stringify(
      buildPassJson({ ...base, state: 'revoked', endedAt: new Date('2026-05-05T05:05:05.555Z') }),
    );
    for (const m of text.matchAll(/"(relevantDate|expirationDate)":"([^"]+)"/g)) assert.match(m[2], W3C_NO_MS);
  });

  it('voids the pass with an expiration date when the credential ends', () => {
    const pass = buildPassJson({ ...base, state: 'revoked', endedAt: new Date('2026-05-05T05:05:05.555Z') });
    assert.equal(pass.voided, true);
    assert.equal(pass.expirationDate, '2026-05-05T05:05:05Z');
    assert.equal(pass.generic.auxiliaryFields[0].value, 'Revoked');
    const expired = buildPassJson({ ...base, state: 'expired', endedAt: new Date('2026-05-05T00:00:00Z') });
    assert.equal(expired.voided, true);
  });

  it('marks the status field with a changeMessage so suspend and revoke notify the holder', () => {
    const suspended = buildPassJson({ ...base, state: 'suspended' });
    const status = suspended.generic.auxiliaryFields.find((f) => f.key === 'status');
    assert.equal(status?.value, 'Suspended');
    assert.match(status?.changeMessage ?? '', /%@/);
    assert.equal(suspended.voided, undefined);
  });

  it('adds Apple VAS nfc with the reader value and refuses messages over 64 bytes', () => {
    const pass = buildPassJson({ ...base, nfc: { encryptionPublicKey: nfcKey } });
    assert.deepEqual(pass.nfc, { message: 'KWV7Q2M9XR4T8ZP3', encryptionPublicKey: nfcKey });
    assert.doesNotThrow(() =>
      buildPassJson({ ...base, nfc: { encryptionPublicKey: nfcKey, message: 'x'.repeat(64) } }),
    );
    assert.throws(
      () => buildPassJson({ ...base, nfc: { encryptionPublicKey: nfcKey, message: 'x'.repeat(65) } }),
      /65 bytes.*at most 64/,
    );
    // Multi-byte characters count as bytes, not characters.
    assert.throws(
      () => buildPassJson({ ...base, nfc: { encryptionPublicKey: nfcKey, message: 'é'.repeat(33) } }),
      /66 bytes/,
    );
  });

  it('refuses an NFC key that is not P-256 SPKI', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'der', type: 'spki' })
      .toString('base64');
    assert.throws(() => buildPassJson({ ...base, nfc: { encryptionPublicKey: rsa } }), /P-256/);
    assert.throws(() => buildPassJson({ ...base, nfc: { encryptionPublicKey: 'bm90IGEga2V5' } }), /P-256/);
  });

  it('refuses an authentication token shorter than 16 characters', () => {
    assert.throws(() => buildPassJson({ ...base, authenticationToken: 'short' }), /at least 16/);
  });
});

describe('buildPkpass', () => {
  const signingTime = new Date('2026-01-01T10:00:00Z');

  for (const digest of ['sha1', 'sha256'] as const) {
    it(`zips (STORE) every file with a manifest of SHA-1s and a ${digest} signature openssl accepts`, () => {
      const chain = devChain();
      const signer = createPassSigner({
        certPem: chain.pem.cert,
        keyPem: chain.pem.key,
        wwdrPem: chain.pem.wwdr,
        digest,
      });
      const pkpass = buildPkpass({ passJson: buildPassJson(base), images: loadPassImages(), signer, signingTime });

      const files = unzipSync(pkpass);
      const names = Object.keys(files).sort();
      for (const name of [
        'pass.json',
        'icon.png',
        'icon@2x.png',
        'icon@3x.png',
        'en.lproj/pass.strings',
        'de.lproj/pass.strings',
        'ar.lproj/pass.strings',
        'manifest.json',
        'signature',
      ]) {
        assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      }
      const manifest = JSON.parse(Buffer.from(files['manifest.json']).toString('utf8')) as Record<string, string>;
      assert.deepEqual(
        Object.keys(manifest).sort(),
        names.filter((n) => n !== 'manifest.json' && n !== 'signature'),
      );
      for (const [name, sha1] of Object.entries(manifest)) {
        assert.equal(createHash('sha1').update(files[name]).digest('hex'), sha1, name);
      }
      // STORE: every local header says compression method 0.
      for (let at = pkpass.indexOf('PK\x03\x04'); at >= 0; at = pkpass.indexOf('PK\x03\x04', at + 4)) {
        assert.equal(pkpass.readUInt16LE(at + 8), 0);
      }

      const dir = tempDir();
      writeFileSync(join(dir, 'manifest.json'), files['manifest.json']);
      writeFileSync(join(dir, 'signature'), files.signature);
      const verify = () =>
        openssl([
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          join(dir, 'signature'),
          '-content',
          join(dir, 'manifest.json'),
          '-CAfile',
          chain.paths.root,
          '-certfile',
          chain.paths.wwdr,
          '-purpose',
          'any',
          '-out',
          '/dev/null',
        ]);
      const ok = verify();
      assert.equal(ok.status, 0, ok.stderr);
      const tampered = Buffer.from(files['manifest.json']);
      tampered[tampered.length - 3] ^= 0x01;
      writeFileSync(join(dir, 'manifest.json'), tampered);
      assert.notEqual(verify().status, 0);
    });
  }

  it('localises labels in en, de and ar pass.strings', () => {
    const chain = devChain();
    const signer = createPassSigner({ certPem: chain.pem.cert, keyPem: chain.pem.key, wwdrPem: chain.pem.wwdr });
    const files = unzipSync(
      buildPkpass({ passJson: buildPassJson(base), images: loadPassImages(), signer, signingTime }),
    );
    const de = Buffer.from(files['de.lproj/pass.strings']).toString('utf8');
    const ar = Buffer.from(files['ar.lproj/pass.strings']).toString('utf8');
    const en = Buffer.from(files['en.lproj/pass.strings']).toString('utf8');
    assert.match(de, /^"Holder" = "Inhaber";$/m);
    assert.match(ar, /^"Holder" = "حامل البطاقة";$/m);
    assert.match(en, /^"Holder" = "Holder";$/m);
    const pass = JSON.parse(Buffer.from(files['pass.json']).toString('utf8'));
    for (const field of [...pass.generic.primaryFields, ...pass.generic.auxiliaryFields]) {
      assert.ok(field.label in DEFAULT_PASS_STRINGS.de, `${field.label} is translated`);
    }
  });

  it('makes valid PNG icons in the brand colour and takes KEYWAY_BRAND_LOGO as logo.png', () => {
    const images = loadPassImages({ brandColor: '#00aa55' });
    const icon = Buffer.from(images['icon@2x.png']);
    assert.ok(isPng(icon));
    assert.equal(icon.readUInt32BE(16), 58); // IHDR width
    const idat = icon.indexOf('IDAT');
    const pixels = inflateSync(icon.subarray(idat + 4, idat + 4 + icon.readUInt32BE(idat - 4)));
    assert.deepEqual([...pixels.subarray(1, 4)], [0x00, 0xaa, 0x55]); // top-left pixel after the filter byte
    for (let at = 8; at < icon.length; ) {
      const length = icon.readUInt32BE(at);
      const crc = crc32(icon.subarray(at + 4, at + 8 + length)) >>> 0;
      assert.equal(icon.readUInt32BE(at + 8 + length), crc, 'chunk CRC');
      at += 12 + length;
    }

    const dir = tempDir();
    const logoPath = join(dir, 'logo.png');
    writeFileSync(logoPath, encodePng(2, 1, new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255])));
    const withLogo = loadPassImages({ logoPath });
    assert.ok(withLogo['logo.png']);
    assert.equal(loadPassImages({ logoPath }), withLogo, 'cached');

    writeFileSync(join(dir, 'logo.txt'), 'not a png');
    assert.throws(
      () => loadPassImages({ logoPath: join(dir, 'logo.txt') }),
      (e: unknown) => e instanceof WalletConfigError && e.variable === 'KEYWAY_BRAND_LOGO',
    );
  });

  it('refuses images without icon.png', () => {
    const chain = devChain();
    const signer = createPassSigner({ certPem: chain.pem.cert, keyPem: chain.pem.key, wwdrPem: chain.pem.wwdr });
    assert.throws(() => buildPkpass({ passJson: buildPassJson(base), images: {}, signer }), /icon\.png/);
  });
});
