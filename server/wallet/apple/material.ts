// Loads and checks Apple pass signing material once at start-up, with messages naming the variable.
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { children, derToPem, OID, readCertificate, readNode, Tag } from '../../crypto/der.js';
import { messages, WalletConfigError } from '../../messages/wallet.js';
import { createPassSigner, type PassDigest, type PassSigner } from './cms.js';

export interface AppleSigningConfig {
  /** KEYWAY_APPLE_CERT: a file path or PEM contents. */
  cert?: string;
  /** KEYWAY_APPLE_KEY: a file path or PEM contents. */
  key?: string;
  keyPassphrase?: string;
  /** KEYWAY_APPLE_WWDR: a file path (PEM or DER, as Apple ships it) or PEM contents. */
  wwdr?: string;
  /** When unset, taken from the certificate. */
  passTypeId?: string;
  teamId?: string;
  digest?: string;
  /** For tests of expiry warnings. */
  now?: Date;
  /** The variables errors name for the certificate and key (the next pair: KEYWAY_APPLE_NEXT_CERT/KEY). */
  variables?: { cert: string; key: string };
}

export interface AppleSigningMaterial {
  signer: PassSigner;
  passTypeId: string;
  teamId: string;
  digest: PassDigest;
  certificate: { pem: string; notAfter: Date };
  /** SHA-256 of the pass certificate (DER), hex: how the database records which signer is current. */
  fingerprint: string;
  wwdr: { pem: string; notAfter: Date };
  /** For the APNs TLS client certificate; the key is decrypted, in memory only, never logged. */
  tls: { cert: string; key: string };
  /** Problems worth a loud log line but not a refusal to start. */
  warnings: string[];
}

const VARS = {
  cert: 'KEYWAY_APPLE_CERT',
  key: 'KEYWAY_APPLE_KEY',
  passphrase: 'KEYWAY_APPLE_KEY_PASSPHRASE',
  wwdr: 'KEYWAY_APPLE_WWDR',
  passTypeId: 'KEYWAY_APPLE_PASS_TYPE_ID',
  teamId: 'KEYWAY_APPLE_TEAM_ID',
  digest: 'KEYWAY_APPLE_SIGNATURE_DIGEST',
} as const;

const WARN_DAYS = 90;
const DAY = 24 * 3600 * 1000;

type PemKind = 'certificate' | 'private key';

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function blocksOf(pem: string): { label: string; text: string }[] {
  return [...pem.matchAll(BLOCK)].map((m) => ({ label: m[1], text: m[0] }));
}

const kindOf = (label: string): PemKind | 'other' =>
  label === 'CERTIFICATE' ? 'certificate' : label.endsWith('PRIVATE KEY') ? 'private key' : 'other';

/** A PKCS#12 PFX is SEQUENCE { INTEGER 3, ContentInfo, … }; a certificate starts with a SEQUENCE. */
function looksLikeP12(bytes: Buffer): boolean {
  try {
    const [version] = children(bytes, readNode(bytes));
    return version.tag === Tag.INTEGER && bytes[version.contentStart] === 3;
  } catch {
    return false;
  }
}

/** Resolves a value that is either PEM contents or a file path, and checks it holds the expected kind. */
export function readPemSource(value: string | undefined, variable: string, expected: PemKind): string {
  if (value === undefined || value.trim() === '') throw new WalletConfigError(variable, messages.missing());
  // Env files often carry PEM with literal \n escapes on one line.
  let text = value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : value.trim();
  if (text.includes('-----BEGIN')) {
    if (!/-----END [A-Z0-9 ]+-----/.test(text)) throw new WalletConfigError(variable, messages.truncatedPem());
    // An env file or a container runtime that turned the line breaks into spaces: OpenSSL reads no PEM there.
    if (/-----BEGIN [A-Z0-9 ]+----- ?\S{64} \S/.test(text) && !/-----BEGIN [A-Z0-9 ]+-----\r?\n/.test(text))
      throw new WalletConfigError(variable, messages.pemLineBreaksLost());
  } else {
    const path = text;
    if (!existsSync(path)) {
      if (/^[A-Za-z0-9+/=]{80,}$/.test(path.replace(/\s+/g, '')))
        throw new WalletConfigError(variable, messages.bareBase64());
      throw new WalletConfigError(variable, messages.fileNotFound(path));
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new WalletConfigError(variable, messages.notReadable(path, (error as Error).message));
    }
    const asText = bytes.toString('utf8');
    if (asText.includes('-----BEGIN')) {
      text = asText;
    } else if (looksLikeP12(bytes) || /\.(p12|pfx)$/i.test(path)) {
      throw new WalletConfigError(variable, messages.p12Given(path));
    } else if (expected === 'certificate') {
      try {
        text = derToPem(new X509Certificate(bytes).raw, 'CERTIFICATE');
      } catch {
        throw new WalletConfigError(variable, messages.notPem(path));
      }
    } else {
      throw new WalletConfigError(variable, messages.notPem(path));
    }
  }
  const blocks = blocksOf(text);
  const wanted = blocks.filter((b) => kindOf(b.label) === expected);
  if (wanted.length === 0) {
    const other = blocks.find((b) => kindOf(b.label) !== 'other');
    if (other) throw new WalletConfigError(variable, messages.wrongPemKind(kindOf(other.label), expected));
    throw new WalletConfigError(variable, messages.truncatedPem());
  }
  return `${wanted[0].text}\n`;
}

function parseKey(pem: string, passphrase: string | undefined, keyVariable: string): KeyObject {
  const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) throw new WalletConfigError(VARS.passphrase, messages.keyNeedsPassphrase(keyVariable));
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase });
  } catch (error) {
    if (encrypted) throw new WalletConfigError(VARS.passphrase, messages.keyWrongPassphrase());
    throw new WalletConfigError(keyVariable, messages.keyUnreadable((error as Error).message));
  }
}

function parseCert(pem: string, variable: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new WalletConfigError(variable, messages.certUnreadable((error as Error).message));
  }
}

function checkValidity(cert: X509Certificate, variable: string, what: string, now: Date, warnings: string[]): Date {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) throw new WalletConfigError(variable, messages.notYetValid(what, notBefore));
  if (now > notAfter) throw new WalletConfigError(variable, messages.expired(what, notAfter));
  const days = Math.floor((notAfter.getTime() - now.getTime()) / DAY);
  if (days < WARN_DAYS) warnings.push(messages.expiresSoon(variable, what, notAfter, days));
  return notAfter;
}

function parseDigest(value: string | undefined): PassDigest {
  const normalized = (value ?? 'sha1').trim().toLowerCase().replace('-', '');
  if (normalized === 'sha1' || normalized === 'sha256') return normalized;
  throw new WalletConfigError(VARS.digest, messages.badDigest(value ?? ''));
}

/** Reads, checks and parses the Apple signing material; throws WalletConfigError naming the variable. */
export function loadAppleSigningMaterial(config: AppleSigningConfig): AppleSigningMaterial {
  const now = config.now ?? new Date();
  const warnings: string[] = [];
  const digest = parseDigest(config.digest);
  const vars = { ...VARS, ...config.variables };
  const certPem = readPemSource(config.cert, vars.cert, 'certificate');
  const keyPem = readPemSource(config.key, vars.key, 'private key');
  const wwdrPem = readPemSource(config.wwdr, VARS.wwdr, 'certificate');

  const key = parseKey(keyPem, config.keyPassphrase, vars.key);
  if (key.asymmetricKeyType !== 'rsa')
    throw new WalletConfigError(vars.key, messages.keyNotRsa(String(key.asymmetricKeyType)));
  const cert = parseCert(certPem, vars.cert);
  const wwdr = parseCert(wwdrPem, VARS.wwdr);
  if (!cert.checkPrivateKey(key)) throw new WalletConfigError(vars.key, messages.keyMismatch(vars.cert));
  if (!cert.checkIssued(wwdr) || !cert.verify(wwdr.publicKey))
    throw new WalletConfigError(
      vars.cert === VARS.cert ? VARS.wwdr : vars.cert,
      messages.notIssuedByWwdr(vars.cert === VARS.cert ? 'pass certificate' : `certificate in ${vars.cert}`),
    );

  const subject = readCertificate(cert.raw).subject;
  const certPassType = subject.find((a) => a.oid === OID.userId)?.value;
  const certTeam = subject.find((a) => a.oid === OID.organizationalUnit)?.value;
  if (!certPassType) throw new WalletConfigError(vars.cert, messages.noPassTypeInCert());
  if (config.passTypeId && config.passTypeId !== certPassType) {
    throw new WalletConfigError(VARS.passTypeId, messages.passTypeMismatch(certPassType, config.passTypeId));
  }
  if (config.teamId && certTeam !== undefined && config.teamId !== certTeam) {
    throw new WalletConfigError(VARS.teamId, messages.teamMismatch(certTeam, config.teamId));
  }

  const certNotAfter = checkValidity(
    cert,
    vars.cert,
    vars.cert === VARS.cert ? 'the pass certificate' : 'the next pass certificate',
    now,
    warnings,
  );
  const wwdrNotAfter = checkValidity(wwdr, VARS.wwdr, 'the WWDR intermediate certificate', now, warnings);

  return {
    signer: createPassSigner({ certPem, keyPem: key, wwdrPem, digest }),
    passTypeId: certPassType,
    teamId: config.teamId ?? certTeam ?? '',
    digest,
    certificate: { pem: certPem, notAfter: certNotAfter },
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    wwdr: { pem: wwdrPem, notAfter: wwdrNotAfter },
    tls: { cert: certPem, key: key.export({ format: 'pem', type: 'pkcs8' }) as string },
    warnings,
  };
}
