// Detached CMS SignedData (RFC 5652) over a pass manifest, with Node's own crypto.
import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from 'node:crypto';
import {
  algorithm,
  explicit,
  implicit,
  integer,
  OID,
  octetString,
  oid,
  pemBlocks,
  readCertificate,
  sequence,
  setOf,
  Tag,
  time,
  tlv,
} from '../../crypto/der.js';

export type PassDigest = 'sha1' | 'sha256';

export interface PassSignerOptions {
  certPem: string;
  keyPem: string | KeyObject;
  keyPassphrase?: string;
  wwdrPem: string;
  /** SHA-1 is what every Wallet version accepts; SHA-256 by configuration. */
  digest?: PassDigest;
}

export interface PassSigner {
  readonly digest: PassDigest;
  /** DER of a detached SignedData over exactly these bytes. */
  sign(manifest: Uint8Array, signingTime: Date): Buffer;
}

const DIGEST_OID: Record<PassDigest, string> = { sha1: OID.sha1, sha256: OID.sha256 };

/** Parses the key and certificates once and precomputes every constant part of the signature. */
export function createPassSigner(options: PassSignerOptions): PassSigner {
  const digest = options.digest ?? 'sha1';
  if (digest !== 'sha1' && digest !== 'sha256') throw new TypeError(`unsupported digest ${String(digest)}`);
  const key =
    typeof options.keyPem === 'string'
      ? createPrivateKey({ key: options.keyPem, format: 'pem', passphrase: options.keyPassphrase })
      : options.keyPem;
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError('pass signing key must be RSA (PKCS#1 v1.5 signatures)');

  const [signerDer] = pemBlocks(options.certPem, 'CERTIFICATE');
  const [wwdrDer] = pemBlocks(options.wwdrPem, 'CERTIFICATE');
  if (!signerDer) throw new TypeError('certPem holds no CERTIFICATE');
  if (!wwdrDer) throw new TypeError('wwdrPem holds no CERTIFICATE');
  if (!new X509Certificate(signerDer).checkPrivateKey(key)) throw new TypeError('key does not match certificate');
  const signer = readCertificate(signerDer);

  const digestAlgorithm = algorithm(DIGEST_OID[digest]);
  const contentTypeAttr = sequence(oid(OID.contentType), setOf(oid(OID.data)));
  const messageDigestOid = oid(OID.messageDigest);
  const signingTimeOid = oid(OID.signingTime);
  // SignerInfo parts before and after the signed attributes never change.
  const signerInfoHead = Buffer.concat([integer(1), sequence(signer.issuerDer, signer.serialDer), digestAlgorithm]);
  const signatureAlgorithm = algorithm(OID.rsaEncryption);
  // SignedData parts before signerInfos never change either.
  const signedDataHead = Buffer.concat([
    integer(1),
    setOf(digestAlgorithm),
    sequence(oid(OID.data)),
    implicit(0, setOf(signerDer, wwdrDer)),
  ]);
  const contentInfoOid = oid(OID.signedData);

  return {
    digest,
    sign(manifest, signingTime) {
      const manifestDigest = createHash(digest).update(manifest).digest();
      const attrs = setOf(
        contentTypeAttr,
        sequence(messageDigestOid, setOf(octetString(manifestDigest))),
        sequence(signingTimeOid, setOf(time(signingTime))),
      );
      // RFC 5652 §5.4: the signature covers the attributes as a SET OF, stored as [0] IMPLICIT.
      const signature = sign(digest, attrs, key);
      const signerInfo = sequence(signerInfoHead, implicit(0, attrs), signatureAlgorithm, octetString(signature));
      const signedData = sequence(signedDataHead, tlv(Tag.SET, signerInfo));
      return sequence(contentInfoOid, explicit(0, signedData));
    },
  };
}
