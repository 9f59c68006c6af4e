import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  children,
  compareDer,
  generalizedTime,
  integer,
  namedBits,
  OID,
  oid,
  pemToDer,
  readCertificate,
  readNode,
  readOid,
  readTime,
  setOf,
  time,
  utcTime,
} from '../../server/crypto/der.js';
import { createPassSigner } from '../../server/wallet/apple/cms.js';
import { devChain, openssl, tempDir } from '../fixtures/wallet/dev-chain.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('DER encoder', () => {
  it('encodes INTEGERs minimally with a sign byte when needed', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(256)), '02020100');
    assert.equal(hex(integer(Buffer.from([0x00, 0x00, 0x81]))), '02020081');
  });

  it('encodes OIDs and reads them back', () => {
    assert.equal(hex(oid('1.2.840.113549.1.7.2')), '06092a864886f70d010702');
    assert.equal(hex(oid('2.5.4.3')), '0603550403');
    for (const dotted of Object.values(OID)) assert.equal(readOid(oid(dotted), readNode(oid(dotted))), dotted);
  });

  it('sorts SET OF members by their encodings (X.690 11.6)', () => {
    const a = Buffer.from('0403010203', 'hex');
    const b = Buffer.from('040101', 'hex');
    const c = Buffer.from('0201ff', 'hex');
    assert.equal(hex(setOf(a, b, c)), '310b' + '0201ff' + '040101' + '0403010203');
    assert.ok(compareDer(Buffer.from([1]), Buffer.from([1, 0])) === 0);
  });

  it('writes UTCTime before 2050 and GeneralizedTime after, without fractions', () => {
    const d = new Date('2026-01-01T10:00:00.789Z');
    assert.equal(utcTime(d).subarray(2).toString(), '260101100000Z');
    assert.equal(generalizedTime(d).subarray(2).toString(), '20260101100000Z');
    assert.equal(time(new Date('2051-06-01T00:00:00Z'))[0], 0x18);
    assert.equal(readTime(utcTime(d), readNode(utcTime(d))).toISOString(), '2026-01-01T10:00:00.000Z');
  });

  it('drops trailing zero bits of named BIT STRINGs', () => {
    assert.equal(hex(namedBits([0])), '03020780');
    assert.equal(hex(namedBits([5, 6])), '03020106');
  });

  it('reads issuer, serial and subject out of a certificate', () => {
    const chain = devChain();
    const fields = readCertificate(pemToDer(chain.pem.cert, 'CERTIFICATE'));
    assert.equal(fields.subject.find((a) => a.oid === OID.userId)?.value, 'pass.dev.keyway');
    assert.equal(
      fields.issuer.find((a) => a.oid === OID.commonName)?.value,
      'Keyway Dev Worldwide Developer Relations CA',
    );
    assert.equal(fields.serialDer[0], 0x02);
    assert.ok(fields.extensions.has(OID.extKeyUsage));
  });
});

describe('CMS pass signer', () => {
  const manifest = Buffer.from(
    '{"pass.json":"0123456789abcdef0123456789abcdef01234567","icon.png":"89abcdef0123456789abcdef0123456789abcdef"}',
  );

  for (const digest of ['sha1', 'sha256'] as const) {
    it(`produces a detached ${digest} signature openssl cms -verify accepts, and rejects a changed manifest`, () => {
      const chain = devChain();
      const signer = createPassSigner({
        certPem: chain.pem.cert,
        keyPem: chain.pem.key,
        wwdrPem: chain.pem.wwdr,
        digest,
      });
      const dir = tempDir();
      const sig = join(dir, 'signature');
      const content = join(dir, 'manifest.json');
      writeFileSync(sig, signer.sign(manifest, new Date('2026-03-04T05:06:07Z')));
      writeFileSync(content, manifest);
      const verify = () =>
        openssl([
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          sig,
          '-content',
          content,
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
      assert.match(ok.stderr, /Verification successful/);

      const tampered = Buffer.from(manifest);
      tampered[20] ^= 0x01;
      writeFileSync(content, tampered);
      assert.notEqual(verify().status, 0);
    });
  }

  it('carries both certificates, issuerAndSerialNumber and sorted signed attributes', () => {
    const chain = devChain();
    const signer = createPassSigner({ certPem: chain.pem.cert, keyPem: chain.pem.key, wwdrPem: chain.pem.wwdr });
    const dir = tempDir();
    const sig = join(dir, 'signature');
    writeFileSync(sig, signer.sign(manifest, new Date('2026-03-04T05:06:07Z')));
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sig]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, /d\.issuerAndSerialNumber/);
    assert.match(printed.stdout, /algorithm: sha1 \(1\.3\.14\.3\.2\.26\)/);
    assert.match(printed.stdout, /UTCTIME:Mar {2}4 05:06:07 2026 GMT/);
    assert.equal(printed.stdout.match(/subject: /g)?.length, 2); // pass certificate and WWDR
    assert.match(printed.stdout, /eContent: <ABSENT>/);

    // DER-sorted attribute SET: read it back and compare neighbours.
    const der = signer.sign(manifest, new Date());
    const [, wrapped] = children(der, readNode(der));
    const signedData = readNode(der, wrapped.contentStart);
    const signerInfos = children(der, signedData).at(-1)!;
    const signerInfo = children(der, signerInfos)[0];
    const attrs = children(der, signerInfo).find((n) => n.tag === 0xa0)!;
    const encoded = children(der, attrs).map((n) => der.subarray(n.start, n.end));
    assert.equal(encoded.length, 3);
    for (let i = 1; i < encoded.length; i++) assert.ok(compareDer(encoded[i - 1], encoded[i]) <= 0);
  });

  it('refuses a key that does not match the certificate', () => {
    const chain = devChain();
    assert.throws(
      () => createPassSigner({ certPem: chain.pem.wwdr, keyPem: chain.pem.key, wwdrPem: chain.pem.wwdr }),
      /key does not match/,
    );
  });
});
