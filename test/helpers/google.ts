// Google Wallet stand-ins for tests: callbacks signed in Google's ECv2SigningOnly format with local
// keys, a peer publishing those keys (the strict Wallet REST peer is in peers.ts), and a
// service account and Apple chain that are not the `certs dev` ones (production refuses those).
import crypto from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { OID } from '../../server/crypto/der.js';
import { issueCertificate } from '../../server/crypto/x509.js';

const lv = (...parts: string[]) =>
  Buffer.concat(
    parts.flatMap((p) => {
      const b = Buffer.from(p, 'utf8');
      const l = Buffer.alloc(4);
      l.writeUInt32LE(b.length);
      return [l, b];
    }),
  );
export const spki = (k: crypto.KeyObject) => k.export({ format: 'der', type: 'spki' }).toString('base64');
const ecKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

/** Google's side of callbacks: a root key (published), an intermediate it signs, and the callbacks. */
export class GoogleCallbackSigner {
  readonly root = ecKey();
  readonly intermediate = ecKey();
  /** `{"keys":[…]}` as Google publishes it. */
  keysJson(): string {
    return JSON.stringify({ keys: [{ keyValue: spki(this.root.publicKey), protocolVersion: 'ECv2SigningOnly' }] });
  }
  callback(
    issuerId: string,
    objectId: string,
    nonce: string,
    opts: { now?: number; eventType?: 'save' | 'del'; classSuffix?: string; messageKey?: crypto.KeyObject } = {},
  ) {
    const now = opts.now ?? Date.now();
    const signedKey = JSON.stringify({
      keyValue: spki(this.intermediate.publicKey),
      keyExpiration: String(now + 86400_000),
    });
    const signedMessage = JSON.stringify({
      classId: `${issuerId}.${opts.classSuffix ?? 'keyway_access'}`,
      objectId,
      expTimeMillis: now + 60_000,
      eventType: opts.eventType ?? 'save',
      nonce,
    });
    return {
      signature: crypto
        .sign(
          'sha256',
          lv('GooglePayPasses', issuerId, 'ECv2SigningOnly', signedMessage),
          opts.messageKey ?? this.intermediate.privateKey,
        )
        .toString('base64'),
      intermediateSigningKey: {
        signedKey,
        signatures: [
          crypto
            .sign('sha256', lv('GooglePayPasses', 'ECv2SigningOnly', signedKey), this.root.privateKey)
            .toString('base64'),
        ],
      },
      protocolVersion: 'ECv2SigningOnly',
      signedMessage,
    };
  }
}

export interface KeysPeer {
  url: string;
  /** What GET answers: a keys JSON (with Cache-Control), or a failure status. */
  serve: { body: string; cacheControl?: string; status?: number };
  fetches: number;
  close(): Promise<void>;
}

/** Publishes callback keys over HTTP as pay.google.com/gp/m/issuer/keys does. */
export async function startKeysPeer(body: string, cacheControl = 'public, max-age=3600'): Promise<KeysPeer> {
  const server = http.createServer((req, res) => {
    peer.fetches++;
    if (req.method !== 'GET') return res.writeHead(405).end();
    res.writeHead(peer.serve.status ?? 200, {
      'content-type': 'application/json',
      ...(peer.serve.cacheControl ? { 'cache-control': peer.serve.cacheControl } : {}),
    });
    res.end(peer.serve.status && peer.serve.status !== 200 ? '{}' : peer.serve.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const peer: KeysPeer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gp/m/issuer/keys`,
    serve: { body, cacheControl },
    fetches: 0,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return peer;
}

const rsaKey = () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

/**
 * Signing material production accepts: a chain not issued by `certs dev` (a test CA standing in
 * for Apple's WWDR G4) and a service account that is not the dev one. Writes files into `dir`.
 */
export function productionWalletFiles(dir: string, passTypeId = 'pass.example.keyway') {
  const rootKey = rsaKey();
  const wwdrKey = rsaKey();
  const passKey = rsaKey();
  const now = new Date();
  const notBefore = new Date(now.getTime() - 86400_000);
  const notAfter = new Date(now.getTime() + 365 * 86400_000);
  const rootName = { commonName: 'Test Root (stands in for Apple)', organization: 'Keyway Tests', country: 'US' };
  const wwdrName = {
    commonName: 'Test WWDR (stands in for Apple)',
    organizationalUnit: 'G4',
    organization: 'Keyway Tests',
    country: 'US',
  };
  const wwdr = issueCertificate({
    subject: wwdrName,
    subjectKey: wwdrKey,
    issuer: rootName,
    issuerKey: rootKey,
    issuerPublicKey: crypto.createPublicKey(rootKey),
    notBefore,
    notAfter,
    ca: true,
  });
  const cert = issueCertificate({
    subject: {
      userId: passTypeId,
      commonName: `Pass Type ID: ${passTypeId}`,
      organizationalUnit: 'TESTTEAM01',
      organization: 'Keyway Tests',
      country: 'US',
    },
    subjectKey: passKey,
    issuer: wwdrName,
    issuerKey: wwdrKey,
    issuerPublicKey: crypto.createPublicKey(wwdrKey),
    notBefore,
    notAfter,
    ca: false,
    extKeyUsage: [OID.applePassTypeIdEku],
  });
  const googleKey = rsaKey();
  const serviceAccount = {
    type: 'service_account',
    client_email: 'keyway-test@keyway-tests.iam.gserviceaccount.com',
    private_key: googleKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
  const paths = {
    cert: join(dir, 'pass.pem'),
    key: join(dir, 'pass.key'),
    wwdr: join(dir, 'wwdr.pem'),
    googleServiceAccount: join(dir, 'google-sa.json'),
  };
  writeFileSync(paths.cert, cert);
  writeFileSync(paths.key, passKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
  writeFileSync(paths.wwdr, wwdr);
  writeFileSync(paths.googleServiceAccount, JSON.stringify(serviceAccount), { mode: 0o600 });
  return { paths, googlePublicKey: crypto.createPublicKey(googleKey), clientEmail: serviceAccount.client_email };
}
