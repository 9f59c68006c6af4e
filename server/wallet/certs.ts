// Dev signing material (a throwaway Apple-like chain and a Google service account) and .p12 import.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import forge from 'node-forge';
import { derToPem, OID, readCertificate } from '../crypto/der.js';
import { issueCertificate } from '../crypto/x509.js';
import { CertificateImportError, messages } from '../messages/wallet.js';

export const DEV_PASS_TYPE_ID = 'pass.dev.keyway';
export const DEV_TEAM_ID = 'KEYWAYDEV1';
/** Names the dev chain's root and WWDR-like intermediate; production refuses material carrying it. */
export const DEV_CHAIN_ORGANIZATION = 'Keyway Dev (not Apple)';
export const DEV_GOOGLE_CLIENT_EMAIL = 'keyway-dev@keyway-dev.iam.gserviceaccount.com';

/** File names inside the certificates directory. */
export const CERT_FILES = {
  cert: 'apple-pass-cert.pem',
  key: 'apple-pass-key.pem',
  wwdr: 'apple-wwdr.pem',
  root: 'apple-root.pem',
  googleServiceAccount: 'google-sa.json',
  /** Development stand-in for Google's callback signing root: the demo's simulated phone signs saves with it. */
  googleCallbackRootKey: 'google-callback-root-key.pem',
  /** Its public half, in the format Google publishes its keys (KEYWAY_GOOGLE_CALLBACK_KEYS's file form). */
  googleCallbackKeys: 'google-callback-keys.json',
} as const;

export interface DevCertificates {
  dir: string;
  paths: {
    cert: string;
    key: string;
    wwdr: string;
    root: string;
    googleServiceAccount: string;
    googleCallbackRootKey: string;
    googleCallbackKeys: string;
  };
  /** Files written by this call (empty when everything already existed). */
  created: string[];
  passTypeId: string;
  teamId: string;
}

/** Writes a secret file readable by the owner only, via a temp name so a crash leaves no half file. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600); // the umask may have narrowed it, never widened; be explicit anyway
  renameSync(temp, path);
}

const rsaKey = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const years = (from: Date, n: number) =>
  new Date(Date.UTC(from.getUTCFullYear() + n, from.getUTCMonth(), from.getUTCDate()));

/**
 * Makes (once) a test root → WWDR-like intermediate → pass-type certificate chain and a dev Google
 * service-account key in `dir`. Existing files are kept.
 */
export function makeDevCertificates(
  dir: string,
  options: { passTypeId?: string; teamId?: string; now?: Date } = {},
): DevCertificates {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return oneMakerAtATime(root, () => makeIn(root, options));
}

/**
 * Two processes starting at once on one data folder (two instances, a test's pair) would each see no
 * certificates and write half a chain each (one's certificate, the other's key): one maker at a time,
 * the other waits for the lock file to go and then finds the set made. A lock left by a maker that
 * died is taken over after 30 s.
 */
function oneMakerAtATime<T>(root: string, make: () => T): T {
  const lock = join(root, '.dev-certificates.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > 30_000) rmSync(lock, { force: true });
    } catch {
      // gone meanwhile: try again
    }
    if (Date.now() > deadline)
      throw new Error(`${lock} is held: another keyway process is making the dev certificates`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // a synchronous 50 ms wait
  }
  try {
    return make();
  } finally {
    rmSync(lock, { force: true });
  }
}

function makeIn(root: string, options: { passTypeId?: string; teamId?: string; now?: Date }): DevCertificates {
  const paths = {
    cert: join(root, CERT_FILES.cert),
    key: join(root, CERT_FILES.key),
    wwdr: join(root, CERT_FILES.wwdr),
    root: join(root, CERT_FILES.root),
    googleServiceAccount: join(root, CERT_FILES.googleServiceAccount),
    googleCallbackRootKey: join(root, CERT_FILES.googleCallbackRootKey),
    googleCallbackKeys: join(root, CERT_FILES.googleCallbackKeys),
  };
  const created: string[] = [];
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000); // tolerate clock skew between machines

  const appleFiles = [paths.cert, paths.key, paths.wwdr, paths.root];
  const present = appleFiles.filter((p) => existsSync(p));
  if (present.length > 0 && present.length < appleFiles.length) {
    throw new CertificateImportError(
      messages.partialDevSet(
        root,
        appleFiles.filter((p) => !existsSync(p)).map((p) => p.slice(root.length + 1)),
      ),
    );
  }
  if (present.length === 0) {
    const passTypeId = options.passTypeId ?? DEV_PASS_TYPE_ID;
    const teamId = options.teamId ?? DEV_TEAM_ID;
    const rootKey = rsaKey();
    const wwdrKey = rsaKey();
    const passKey = rsaKey();
    const rootName = { commonName: 'Keyway Dev Root CA', organization: DEV_CHAIN_ORGANIZATION, country: 'US' };
    const wwdrName = {
      commonName: 'Keyway Dev Worldwide Developer Relations CA',
      organizationalUnit: 'G4',
      organization: DEV_CHAIN_ORGANIZATION,
      country: 'US',
    };
    const rootPem = issueCertificate({
      subject: rootName,
      subjectKey: rootKey,
      issuer: rootName,
      issuerKey: rootKey,
      issuerPublicKey: createPublicKey(rootKey),
      notBefore,
      notAfter: years(now, 20),
      ca: true,
    });
    const wwdrPem = issueCertificate({
      subject: wwdrName,
      subjectKey: wwdrKey,
      issuer: rootName,
      issuerKey: rootKey,
      issuerPublicKey: createPublicKey(rootKey),
      notBefore,
      notAfter: years(now, 10),
      ca: true,
    });
    const passPem = issueCertificate({
      subject: {
        userId: passTypeId,
        commonName: `Pass Type ID: ${passTypeId}`,
        organizationalUnit: teamId,
        organization: 'Keyway Dev',
        country: 'US',
      },
      subjectKey: passKey,
      issuer: wwdrName,
      issuerKey: wwdrKey,
      issuerPublicKey: createPublicKey(wwdrKey),
      notBefore,
      notAfter: years(now, 5),
      ca: false,
      extKeyUsage: [OID.applePassTypeIdEku],
    });
    writePrivateFile(paths.root, rootPem);
    writePrivateFile(paths.wwdr, wwdrPem);
    writePrivateFile(paths.cert, passPem);
    writePrivateFile(paths.key, passKey.export({ format: 'pem', type: 'pkcs8' }));
    created.push(paths.root, paths.wwdr, paths.cert, paths.key);
  }
  if (!existsSync(paths.googleServiceAccount)) {
    const key = rsaKey();
    const clientEmail = DEV_GOOGLE_CLIENT_EMAIL;
    const serviceAccount = {
      type: 'service_account',
      project_id: 'keyway-dev',
      private_key_id: randomBytes(20).toString('hex'),
      private_key: key.export({ format: 'pem', type: 'pkcs8' }),
      client_email: clientEmail,
      client_id: BigInt(`0x${randomBytes(8).toString('hex')}`).toString(),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      keyway_note: 'dev key made by `keyway certs dev`; Google will not accept it',
    };
    writePrivateFile(paths.googleServiceAccount, `${JSON.stringify(serviceAccount, null, 2)}\n`);
    created.push(paths.googleServiceAccount);
  }
  if (!existsSync(paths.googleCallbackRootKey) || !existsSync(paths.googleCallbackKeys)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyValue = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    writePrivateFile(paths.googleCallbackRootKey, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writePrivateFile(
      paths.googleCallbackKeys,
      `${JSON.stringify({ keys: [{ keyValue, protocolVersion: 'ECv2SigningOnly' }] }, null, 2)}\n`,
    );
    created.push(paths.googleCallbackRootKey, paths.googleCallbackKeys);
  }

  const subject = readCertificate(new X509Certificate(readFileSync(paths.cert)).raw).subject;
  return {
    dir: root,
    paths,
    created,
    passTypeId: subject.find((a) => a.oid === OID.userId)?.value ?? '',
    teamId: subject.find((a) => a.oid === OID.organizationalUnit)?.value ?? '',
  };
}

export interface ImportedP12 {
  certPath: string;
  keyPath: string;
  /** Written when the .p12 also carries the certificate that issued the pass certificate. */
  wwdrPath?: string;
  passTypeId?: string;
  teamId?: string;
  notAfter: Date;
}

function forgeBytes(asn1: Parameters<typeof forge.asn1.toDer>[0]): Buffer {
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/** Converts a .p12 (modern AES or legacy RC2/3DES encryption) into PEM files with mode 0600. */
export function importP12(file: string, options: { password?: string; outDir: string; force?: boolean }): ImportedP12 {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (error) {
    throw new CertificateImportError(messages.p12Unreadable(file, (error as Error).message));
  }
  let p12: ReturnType<typeof forge.pkcs12.pkcs12FromAsn1>;
  try {
    const asn1 = forge.asn1.fromDer(raw.toString('binary'), false);
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, options.password ?? '');
  } catch (error) {
    const reason = (error as Error).message ?? String(error);
    if (/MAC could not be verified|wrong password|Invalid password|decrypt/i.test(reason)) {
      throw new CertificateImportError(messages.p12WrongPassword(file));
    }
    throw new CertificateImportError(messages.p12Unreadable(file, reason));
  }

  const oids = forge.pki.oids;
  const keyBags = [
    ...(p12.getBags({ bagType: oids.pkcs8ShroudedKeyBag })[oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: oids.keyBag })[oids.keyBag] ?? []),
  ];
  const keyBag = keyBags[0];
  if (!keyBag) throw new CertificateImportError(messages.p12NoKey(file));
  const keyInfo = keyBag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)) : keyBag.asn1;
  if (!keyInfo) throw new CertificateImportError(messages.p12NoKey(file));
  const key = createPrivateKey({ key: forgeBytes(keyInfo), format: 'der', type: 'pkcs8' });

  const certs = (p12.getBags({ bagType: oids.certBag })[oids.certBag] ?? []).flatMap((bag) => {
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    return asn1 ? [new X509Certificate(forgeBytes(asn1))] : [];
  });
  const leaf = certs.find((c) => c.checkPrivateKey(key));
  if (!leaf) throw new CertificateImportError(messages.p12NoMatchingCert(file));
  const issuer = certs.find((c) => c !== leaf && leaf.checkIssued(c) && leaf.verify(c.publicKey));

  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const certPath = join(outDir, CERT_FILES.cert);
  const keyPath = join(outDir, CERT_FILES.key);
  const wwdrPath = issuer ? join(outDir, CERT_FILES.wwdr) : undefined;
  for (const path of [certPath, keyPath, wwdrPath]) {
    if (path && existsSync(path) && !options.force) throw new CertificateImportError(messages.refuseOverwrite(path));
  }
  writePrivateFile(certPath, derToPem(leaf.raw, 'CERTIFICATE'));
  writePrivateFile(keyPath, key.export({ format: 'pem', type: 'pkcs8' }));
  if (issuer && wwdrPath) writePrivateFile(wwdrPath, derToPem(issuer.raw, 'CERTIFICATE'));

  const fields = readCertificate(leaf.raw);
  return {
    certPath,
    keyPath,
    wwdrPath,
    passTypeId: fields.subject.find((a) => a.oid === OID.userId)?.value,
    teamId: fields.subject.find((a) => a.oid === OID.organizationalUnit)?.value,
    notAfter: fields.notAfter,
  };
}
