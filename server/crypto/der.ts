// A small DER encoder and reader: just what CMS signatures and X.509 certificates need.

/** Universal and context tag bytes used below. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value element around already-encoded content. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SEQUENCE, Buffer.concat(items));
}

/** X.690 §11.6: SET OF elements in ascending order of their encodings, shorter ones padded with zeros. */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/** SET OF, DER-sorted. */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(Tag.SET, Buffer.concat([...items].sort(compareDer)));
}

export function boolean(value: boolean): Buffer {
  return tlv(Tag.BOOLEAN, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue(): Buffer {
  return Buffer.from([Tag.NULL, 0x00]);
}

/** INTEGER from a number, bigint, or unsigned big-endian bytes (a leading zero is added when needed). */
export function integer(value: number | bigint | Uint8Array): Buffer {
  if (value instanceof Uint8Array) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0 && (value[start + 1] & 0x80) === 0) start++;
    const bytes = value.subarray(start);
    const content = bytes.length > 0 && bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : Buffer.from(bytes);
    return tlv(Tag.INTEGER, content.length ? content : Buffer.from([0]));
  }
  let n = BigInt(value);
  if (n < 0n) throw new RangeError('negative INTEGER values are not needed here');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(Tag.INTEGER, Buffer.from(bytes));
}

function base128(value: number): number[] {
  const out = [value & 0x7f];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) out.unshift(0x80 | (rest & 0x7f));
  return out;
}

const oidCache = new Map<string, Buffer>();

/** OBJECT IDENTIFIER from dotted form; cached since the same few OIDs come up on every signature. */
export function oid(dotted: string): Buffer {
  const cached = oidCache.get(dotted);
  if (cached) return cached;
  const arcs = dotted.split('.').map((arc) => {
    const n = Number(arc);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad OID arc in ${dotted}`);
    return n;
  });
  if (arcs.length < 2) throw new RangeError(`OID needs two arcs: ${dotted}`);
  const bytes = [...base128(arcs[0] * 40 + arcs[1]), ...arcs.slice(2).flatMap(base128)];
  const encoded = tlv(Tag.OID, Buffer.from(bytes));
  oidCache.set(dotted, encoded);
  return encoded;
}

export function octetString(content: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, content);
}

/** BIT STRING of whole bytes (public keys, signatures). */
export function bitString(content: Uint8Array, unusedBits = 0): Buffer {
  return tlv(Tag.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** Named-bit BIT STRING (KeyUsage): bit 0 is the most significant; trailing zero bits dropped as DER requires. */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return bitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  return bitString(bytes, 7 - (highest & 7));
}

export function utf8String(text: string): Buffer {
  return tlv(Tag.UTF8_STRING, Buffer.from(text, 'utf8'));
}

export function printableString(text: string): Buffer {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new RangeError(`not a PrintableString: ${text}`);
  return tlv(Tag.PRINTABLE_STRING, Buffer.from(text, 'latin1'));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** UTCTime `YYMMDDHHMMSSZ` (years 1950–2049). */
export function utcTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError('UTCTime covers 1950–2049; use GeneralizedTime');
  const text =
    pad(year % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return tlv(Tag.UTC_TIME, Buffer.from(text, 'latin1'));
}

/** GeneralizedTime `YYYYMMDDHHMMSSZ` (no fractions, as DER wants). */
export function generalizedTime(date: Date): Buffer {
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return tlv(Tag.GENERALIZED_TIME, Buffer.from(text, 'latin1'));
}

/** RFC 5280 / 5652 Time: UTCTime through 2049, GeneralizedTime after. */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? utcTime(date) : generalizedTime(date);
}

/** [n] EXPLICIT: a constructed context tag wrapping one whole element. */
export function explicit(n: number, element: Uint8Array): Buffer {
  return tlv(0xa0 | n, element);
}

/** [n] IMPLICIT: re-tags an encoded element, keeping its content (and constructed bit). */
export function implicit(n: number, element: Uint8Array): Buffer {
  const constructed = (element[0] & 0x20) !== 0;
  const copy = Buffer.from(element);
  copy[0] = (constructed ? 0xa0 : 0x80) | n;
  return copy;
}

/** AlgorithmIdentifier with NULL parameters (RSA and its digests). */
export function algorithm(dotted: string, withNull = true): Buffer {
  return withNull ? sequence(oid(dotted), nullValue()) : sequence(oid(dotted));
}

// ---- Reading ----

/** A decoded element: positions index into the buffer it was read from. */
export interface DerNode {
  tag: number;
  /** Start of the tag byte. */
  start: number;
  /** Start of the content. */
  contentStart: number;
  /** End of the content (exclusive). */
  end: number;
}

export class DerError extends Error {
  override name = 'DerError';
}

/** Reads one element at `offset`; throws on truncated or indefinite-length input. */
export function readNode(buf: Uint8Array, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new DerError('truncated DER');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let length = buf[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[contentStart + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > buf.length) throw new DerError('truncated DER');
  return { tag, start: offset, contentStart, end };
}

/** The child elements of a constructed element. */
export function children(buf: Uint8Array, node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let at = node.contentStart; at < node.end; ) {
    const child = readNode(buf, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export const whole = (buf: Uint8Array, node: DerNode): Buffer => Buffer.from(buf.subarray(node.start, node.end));
export const content = (buf: Uint8Array, node: DerNode): Buffer =>
  Buffer.from(buf.subarray(node.contentStart, node.end));

/** Dotted form of an OID element. */
export function readOid(buf: Uint8Array, node: DerNode): string {
  if (node.tag !== Tag.OID) throw new DerError('expected an OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (let i = node.contentStart; i < node.end; i++) {
    value = value * 128 + (buf[i] & 0x7f);
    if ((buf[i] & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** Text of a string element (UTF8String, PrintableString, IA5String, …). */
export function readString(buf: Uint8Array, node: DerNode): string {
  if (node.tag === 0x1e) return content(buf, node).swap16().toString('utf16le'); // BMPString
  return content(buf, node).toString(node.tag === Tag.UTF8_STRING ? 'utf8' : 'latin1');
}

/** A Date from UTCTime or GeneralizedTime. */
export function readTime(buf: Uint8Array, node: DerNode): Date {
  const text = content(buf, node).toString('latin1');
  const m =
    node.tag === Tag.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new DerError(`unsupported time ${text}`);
  let year = Number(m[1]);
  if (node.tag === Tag.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** One attribute of a distinguished name. */
export interface NameAttribute {
  oid: string;
  value: string;
}

/** The parts of an X.509 certificate that signing and start-up checks need. */
export interface CertificateFields {
  /** The whole certificate, DER. */
  der: Buffer;
  /** The serial number INTEGER, whole element (tag included), as CMS copies it. */
  serialDer: Buffer;
  /** The issuer Name, whole element. */
  issuerDer: Buffer;
  /** The subject Name, whole element. */
  subjectDer: Buffer;
  subject: NameAttribute[];
  issuer: NameAttribute[];
  notBefore: Date;
  notAfter: Date;
  /** Extension OIDs → their extnValue content (the inner DER). */
  extensions: Map<string, Buffer>;
}

function readName(buf: Uint8Array, node: DerNode): NameAttribute[] {
  const out: NameAttribute[] = [];
  for (const rdn of children(buf, node)) {
    for (const atv of children(buf, rdn)) {
      const [type, value] = children(buf, atv);
      out.push({ oid: readOid(buf, type), value: readString(buf, value) });
    }
  }
  return out;
}

/** Reads issuer, serial, subject, validity and extensions out of a DER certificate. */
export function readCertificate(der: Uint8Array): CertificateFields {
  const cert = readNode(der);
  if (cert.tag !== Tag.SEQUENCE) throw new DerError('a certificate is a SEQUENCE');
  const [tbs] = children(der, cert);
  const fields = children(der, tbs);
  let i = 0;
  if (fields[0].tag === 0xa0) i++; // explicit version
  const serial = fields[i];
  const issuer = fields[i + 2];
  const validity = children(der, fields[i + 3]);
  const subject = fields[i + 4];
  const extensions = new Map<string, Buffer>();
  for (const field of fields.slice(i + 6)) {
    if (field.tag !== 0xa3) continue;
    const [list] = children(der, field);
    for (const ext of children(der, list)) {
      const parts = children(der, ext);
      extensions.set(readOid(der, parts[0]), content(der, parts[parts.length - 1]));
    }
  }
  return {
    der: Buffer.from(der),
    serialDer: whole(der, serial),
    issuerDer: whole(der, issuer),
    subjectDer: whole(der, subject),
    subject: readName(der, subject),
    issuer: readName(der, issuer),
    notBefore: readTime(der, validity[0]),
    notAfter: readTime(der, validity[1]),
    extensions,
  };
}

/** DER bytes of the first PEM block with the given label (or any label when omitted). */
export function pemToDer(pem: string, label?: string): Buffer {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (label === undefined || m[1] === label) return Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
  }
  throw new DerError(label ? `no ${label} PEM block` : 'no PEM block');
}

/** Every PEM block with the label, in order. */
export function pemBlocks(pem: string, label: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (m[1] === label) out.push(Buffer.from(m[2].replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

export function derToPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** OIDs used across the wallet code. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  userId: '0.9.2342.19200300.100.1.1',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  applePassTypeIdEku: '1.2.840.113635.100.4.14',
} as const;
