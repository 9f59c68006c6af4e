// Minimal X.509 v3 certificate issuing for throwaway dev chains, with our DER encoder and crypto.sign.
import { createHash, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  algorithm,
  bitString,
  boolean,
  children,
  content,
  derToPem,
  explicit,
  implicit,
  integer,
  namedBits,
  OID,
  octetString,
  oid,
  printableString,
  readNode,
  sequence,
  setOf,
  time,
  utf8String,
} from './der.js';

/** Distinguished-name parts in the order they are written. */
export interface DistinguishedName {
  country?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName?: string;
  userId?: string;
}

export function encodeName(name: DistinguishedName): Buffer {
  const rdns: Buffer[] = [];
  const add = (type: string, value: Buffer) => rdns.push(setOf(sequence(oid(type), value)));
  // Apple's pass certificates put UID first; keep that order so subjects look familiar.
  if (name.userId !== undefined) add(OID.userId, utf8String(name.userId));
  if (name.commonName !== undefined) add(OID.commonName, utf8String(name.commonName));
  if (name.organizationalUnit !== undefined) add(OID.organizationalUnit, utf8String(name.organizationalUnit));
  if (name.organization !== undefined) add(OID.organization, utf8String(name.organization));
  if (name.country !== undefined) add(OID.country, printableString(name.country));
  return sequence(...rdns);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const [, bits] = children(spki, readNode(spki));
  return createHash('sha1').update(content(spki, bits).subarray(1)).digest();
}

export interface IssueOptions {
  subject: DistinguishedName;
  subjectKey: KeyObject;
  issuer: DistinguishedName;
  issuerKey: KeyObject;
  /** The issuer's public key, for the authority key identifier (self-signed: the subject's). */
  issuerPublicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  extKeyUsage?: string[];
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** Issues one certificate signed with sha256WithRSAEncryption; returns it as PEM. */
export function issueCertificate(options: IssueOptions): string {
  const subjectPublicKey =
    options.subjectKey.type === 'private' ? createPublicKey(options.subjectKey) : options.subjectKey;
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive and at most 20 octets
  const extensions = [
    extension(OID.basicConstraints, true, options.ca ? sequence(boolean(true)) : sequence()),
    extension(OID.keyUsage, true, namedBits(options.ca ? [5, 6] : [0])),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(subjectPublicKey))),
    extension(
      OID.authorityKeyIdentifier,
      false,
      sequence(implicit(0, octetString(keyIdentifier(options.issuerPublicKey)))),
    ),
  ];
  if (options.extKeyUsage?.length) {
    extensions.push(extension(OID.extKeyUsage, false, sequence(...options.extKeyUsage.map((id) => oid(id)))));
  }
  const signatureAlgorithm = algorithm(OID.sha256WithRSA);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    signatureAlgorithm,
    encodeName(options.issuer),
    sequence(time(options.notBefore), time(options.notAfter)),
    encodeName(options.subject),
    subjectPublicKey.export({ format: 'der', type: 'spki' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, options.issuerKey);
  return derToPem(sequence(tbs, signatureAlgorithm, bitString(signature)), 'CERTIFICATE');
}
