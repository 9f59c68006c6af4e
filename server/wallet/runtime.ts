// The wallet signing material the server runs with, loaded and checked once at start-up.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { OID, readCertificate } from '../crypto/der.js';
import { messages, WalletConfigError } from '../messages/wallet.js';
import { type AppleSigningMaterial, loadAppleSigningMaterial } from './apple/material.js';
import { loadPassImages, type PassImages } from './apple/pass.js';
import { DEV_CHAIN_ORGANIZATION, DEV_GOOGLE_CLIENT_EMAIL, makeDevCertificates } from './certs.js';
import { type CallbackKeySource, fileKeySource, urlKeySource } from './google/callback-keys.js';
import { createGoogleWalletRestClient, type GoogleWalletRestClient } from './google/rest-client.js';
import {
  createGoogleSaveLinkBuilder,
  type GoogleSaveLinkBuilder,
  type GoogleServiceAccount,
} from './google/save-link.js';

/** Where save links point in development: Google will not accept it, but the URL is well formed. */
export const DEV_GOOGLE_ISSUER_ID = '3388000000000000000';

/** Where Google posts save/delete callbacks; every class names `PUBLIC_URL` + this. */
export const GOOGLE_CALLBACK_PATH = '/wallet/google/callback';

export type WalletPlatform = 'apple' | 'google';

export interface WalletRuntime {
  platforms: WalletPlatform[];
  apple?: {
    /**
     * The signer passes are signed with now: `configured` (KEYWAY_APPLE_CERT/KEY), or `next` once the
     * database records it current (`keyway passes resign`; domain/wallets/signer.ts follows the record).
     */
    material: AppleSigningMaterial;
    /** KEYWAY_APPLE_CERT/KEY (or the dev chain). */
    configured: AppleSigningMaterial;
    /** KEYWAY_APPLE_NEXT_CERT/KEY: the renewed pair rolled in by `keyway passes resign` (SPEC §15). */
    next?: AppleSigningMaterial;
    images: PassImages;
    /** KEYWAY_APPLE_NFC_PUBLIC_KEY: when set, passes carry the reader value for VAS too. */
    nfcPublicKey?: string;
    /** `dev` when made by `certs dev`: such passes verify with openssl but not on an iPhone. */
    source: 'configured' | 'dev';
  };
  google?: {
    builder: GoogleSaveLinkBuilder;
    /** Present with KEYWAY_GOOGLE_API_URL: large objects are inserted before the link is built. */
    rest?: GoogleWalletRestClient;
    /** Verifies save callbacks (KEYWAY_GOOGLE_CALLBACK_KEYS, Google's published keys in production); absent: callbacks are 401. */
    callbackKeys?: CallbackKeySource;
    issuerId: string;
    source: 'configured' | 'dev';
    /**
     * Development with dev Google material and KEYWAY_GOOGLE_CALLBACK_KEYS unset: the dev callback
     * root from `keyway certs dev`, whose public key verifies callbacks, so the demo's simulated
     * phone can sign a save (docs/wallet.md).
     */
    devCallbackRoot?: KeyObject;
  };
  /** Worth a loud log line at start-up, not a refusal to start (certificates expiring soon, dev material). */
  warnings: string[];
}

export interface LoadWalletOptions {
  /** Where dev certificates live; default `$KEYWAY_DATA_DIR/certs` (tests use a shared temp dir). */
  certsDir?: string;
  now?: Date;
}

/**
 * Loads Apple and Google material from KEYWAY_APPLE_* / KEYWAY_GOOGLE_*, or in development, when
 * unset, from dev certificates made on first start. Returns null with KEYWAY_PASSES=off.
 * Throws WalletConfigError naming the variable to fix.
 */
export function loadWalletRuntime(config: Config, options: LoadWalletOptions = {}): WalletRuntime | null {
  if (!config.passes) return null;
  const env = config.raw;
  const warnings: string[] = [];
  const certsDir = options.certsDir ?? join(config.dataDir, 'certs');
  const appleGiven = Boolean(env.KEYWAY_APPLE_CERT || env.KEYWAY_APPLE_KEY || env.KEYWAY_APPLE_WWDR);
  const googleGiven = Boolean(env.KEYWAY_GOOGLE_SA_FILE || env.KEYWAY_GOOGLE_ISSUER_ID);
  // Dev certificates are made only when something needs them, and never outside development.
  const dev = config.dev && (!appleGiven || !googleGiven) ? makeDevCertificates(certsDir) : undefined;

  let apple: WalletRuntime['apple'];
  if (appleGiven || !dev) {
    const material = loadAppleSigningMaterial({
      cert: env.KEYWAY_APPLE_CERT,
      key: env.KEYWAY_APPLE_KEY,
      keyPassphrase: env.KEYWAY_APPLE_KEY_PASSPHRASE,
      wwdr: env.KEYWAY_APPLE_WWDR,
      passTypeId: env.KEYWAY_APPLE_PASS_TYPE_ID,
      teamId: env.KEYWAY_APPLE_TEAM_ID,
      digest: env.KEYWAY_APPLE_SIGNATURE_DIGEST,
      now: options.now,
    });
    if (!config.dev) refuseDevChain(material);
    apple = {
      material,
      configured: material,
      next: loadNextAppleMaterial(config, material, options.now),
      images: passImages(config),
      nfcPublicKey: nfcKey(env.KEYWAY_APPLE_NFC_PUBLIC_KEY),
      source: 'configured',
    };
  } else {
    const material = loadAppleSigningMaterial({
      cert: dev.paths.cert,
      key: dev.paths.key,
      wwdr: dev.paths.wwdr,
      digest: env.KEYWAY_APPLE_SIGNATURE_DIGEST,
      now: options.now,
    });
    apple = {
      material,
      configured: material,
      next: loadNextAppleMaterial(config, material, options.now),
      images: passImages(config),
      nfcPublicKey: nfcKey(env.KEYWAY_APPLE_NFC_PUBLIC_KEY),
      source: 'dev',
    };
    warnings.push(
      `Apple passes are signed with dev certificates from ${dev.dir}: they verify with openssl, but a real iPhone needs a real Pass Type ID certificate (npx keyway certs import).`,
    );
  }
  warnings.push(...apple.material.warnings, ...(apple.next?.warnings ?? []));

  let google: WalletRuntime['google'];
  if (googleGiven) {
    if (!env.KEYWAY_GOOGLE_SA_FILE)
      throw new WalletConfigError(
        'KEYWAY_GOOGLE_SA_FILE',
        'is required when KEYWAY_GOOGLE_ISSUER_ID is set (the service-account JSON key file)',
      );
    if (!env.KEYWAY_GOOGLE_ISSUER_ID)
      throw new WalletConfigError(
        'KEYWAY_GOOGLE_ISSUER_ID',
        'is required when KEYWAY_GOOGLE_SA_FILE is set (the issuer id from the Google Pay & Wallet console)',
      );
    const serviceAccount = readServiceAccount(env.KEYWAY_GOOGLE_SA_FILE);
    if (!config.dev && serviceAccount.client_email === DEV_GOOGLE_CLIENT_EMAIL) {
      throw new WalletConfigError(
        'KEYWAY_GOOGLE_SA_FILE',
        'is the dev service account from `keyway certs dev`; production needs the real one from the Google Cloud console',
      );
    }
    google = googleRuntime(config, serviceAccount, env.KEYWAY_GOOGLE_ISSUER_ID, 'configured');
  } else if (dev) {
    const devCallbacks = env.KEYWAY_GOOGLE_CALLBACK_KEYS === undefined;
    google = googleRuntime(
      config,
      readServiceAccount(dev.paths.googleServiceAccount),
      DEV_GOOGLE_ISSUER_ID,
      'dev',
      devCallbacks
        ? {
            keysFile: dev.paths.googleCallbackKeys,
            root: createPrivateKey(readFileSync(dev.paths.googleCallbackRootKey)),
          }
        : undefined,
    );
    warnings.push(
      'Google save links use the dev service account and a placeholder issuer id: the URLs are well formed, but a real phone will not save them.',
    );
  } else {
    warnings.push('Google Wallet is off: set KEYWAY_GOOGLE_SA_FILE and KEYWAY_GOOGLE_ISSUER_ID to offer it.');
  }

  if (google && !google.callbackKeys) {
    warnings.push(
      google.rest
        ? 'Google save callbacks are off (KEYWAY_GOOGLE_CALLBACK_KEYS): Google passes turn active only through the REST poll of hasUsers.'
        : 'Google save callbacks are off (KEYWAY_GOOGLE_CALLBACK_KEYS) and there is no REST API (KEYWAY_GOOGLE_API_URL): Google passes stay pending (the 24 h sweep leaves them).',
    );
  }
  const platforms: WalletPlatform[] = ['apple'];
  if (google) platforms.push('google');
  return { platforms, apple, google, warnings };
}

/**
 * KEYWAY_APPLE_NEXT_CERT/KEY, checked as the current pair is (key matches, WWDR issued it, dates) and
 * against it: the same pass type id and team, or phones would take the re-signed pass for another
 * pass. Undefined when neither is set; throws WalletConfigError naming the variable.
 */
export function loadNextAppleMaterial(
  config: Config,
  current: AppleSigningMaterial,
  now?: Date,
): AppleSigningMaterial | undefined {
  const env = config.raw;
  const cert = env.KEYWAY_APPLE_NEXT_CERT;
  const key = env.KEYWAY_APPLE_NEXT_KEY;
  if (!cert && !key) return undefined;
  if (!cert)
    throw new WalletConfigError('KEYWAY_APPLE_NEXT_CERT', messages.nextPairIncomplete('KEYWAY_APPLE_NEXT_KEY'));
  if (!key) throw new WalletConfigError('KEYWAY_APPLE_NEXT_KEY', messages.nextPairIncomplete('KEYWAY_APPLE_NEXT_CERT'));
  const next = loadAppleSigningMaterial({
    cert,
    key,
    keyPassphrase: env.KEYWAY_APPLE_KEY_PASSPHRASE,
    wwdr: current.wwdr.pem,
    digest: current.digest,
    now,
    variables: { cert: 'KEYWAY_APPLE_NEXT_CERT', key: 'KEYWAY_APPLE_NEXT_KEY' },
  });
  if (next.passTypeId !== current.passTypeId)
    throw new WalletConfigError(
      'KEYWAY_APPLE_NEXT_CERT',
      messages.nextPassTypeMismatch(next.passTypeId, current.passTypeId),
    );
  const nextTeam = teamOf(next.certificate.pem);
  const currentTeam = teamOf(current.certificate.pem);
  if (nextTeam !== currentTeam)
    throw new WalletConfigError('KEYWAY_APPLE_NEXT_CERT', messages.nextTeamMismatch(nextTeam ?? '', currentTeam ?? ''));
  if (!config.dev) refuseDevChain(next);
  return { ...next, teamId: current.teamId };
}

const teamOf = (pem: string) =>
  readCertificate(new X509Certificate(pem).raw).subject.find((a) => a.oid === OID.organizationalUnit)?.value;

/** Production never signs with `keyway certs dev` material (docs/security.md): no phone would trust it. */
function refuseDevChain(material: AppleSigningMaterial): void {
  if (new X509Certificate(material.wwdr.pem).subject.includes(DEV_CHAIN_ORGANIZATION)) {
    throw new WalletConfigError(
      'KEYWAY_APPLE_WWDR',
      "is the dev chain from `keyway certs dev` (not Apple); production needs Apple's WWDR G4 certificate and a real Pass Type ID certificate (npx keyway certs import)",
    );
  }
  if (new X509Certificate(material.certificate.pem).issuer.includes(DEV_CHAIN_ORGANIZATION)) {
    throw new WalletConfigError(
      'KEYWAY_APPLE_CERT',
      'was issued by the dev chain from `keyway certs dev`; production needs a real Pass Type ID certificate (npx keyway certs import)',
    );
  }
}

function passImages(config: Config): PassImages {
  return loadPassImages({ brandColor: config.brand.color, logoPath: config.brand.logo });
}

function nfcKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const key = value.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(key)) throw new WalletConfigError('KEYWAY_APPLE_NFC_PUBLIC_KEY', messages.nfcBadKey());
  return key;
}

function readServiceAccount(path: string): GoogleServiceAccount {
  let parsed: Partial<GoogleServiceAccount>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<GoogleServiceAccount>;
  } catch (error) {
    throw new WalletConfigError('KEYWAY_GOOGLE_SA_FILE', messages.notReadable(path, (error as Error).message));
  }
  if (
    typeof parsed.client_email !== 'string' ||
    typeof parsed.private_key !== 'string' ||
    !parsed.private_key.includes('PRIVATE KEY')
  ) {
    throw new WalletConfigError(
      'KEYWAY_GOOGLE_SA_FILE',
      `"${path}" is not a service-account key file (it needs client_email and private_key)`,
    );
  }
  return parsed as GoogleServiceAccount;
}

function googleRuntime(
  config: Config,
  serviceAccount: GoogleServiceAccount,
  issuerId: string,
  source: 'configured' | 'dev',
  devCallbacks?: { keysFile: string; root: KeyObject },
): NonNullable<WalletRuntime['google']> {
  const env = config.raw;
  const builder = createGoogleSaveLinkBuilder({
    serviceAccount,
    issuerId,
    classSuffix: env.KEYWAY_GOOGLE_CLASS_SUFFIX,
    smartTapIssuers: env.KEYWAY_GOOGLE_SMART_TAP_ISSUERS,
    callbackUrl: `${config.publicUrl}${GOOGLE_CALLBACK_PATH}`,
  });
  const rest = env.KEYWAY_GOOGLE_API_URL
    ? createGoogleWalletRestClient({
        baseUrl: env.KEYWAY_GOOGLE_API_URL,
        serviceAccount,
        timeoutMs: config.timeouts.google * 1000,
      })
    : undefined;
  return {
    builder,
    rest,
    callbackKeys: callbackKeySource(config.google.callbackKeys ?? devCallbacks?.keysFile),
    issuerId,
    source,
    ...(devCallbacks ? { devCallbackRoot: devCallbacks.root } : {}),
  };
}

function callbackKeySource(spec: string | undefined): CallbackKeySource | undefined {
  if (!spec) return undefined;
  if (/^https?:\/\//i.test(spec)) return urlKeySource(spec);
  try {
    return fileKeySource(spec);
  } catch (error) {
    throw new WalletConfigError('KEYWAY_GOOGLE_CALLBACK_KEYS', messages.notReadable(spec, (error as Error).message));
  }
}

/** `/readyz`'s `signer` check: null when passes can be signed now. */
export function signerProblem(wallet: WalletRuntime | null | undefined, passesOn: boolean, now: Date): string | null {
  if (!passesOn) return null;
  if (!wallet?.apple) return 'not loaded';
  if (wallet.apple.material.certificate.notAfter <= now) return 'pass certificate expired';
  if (wallet.apple.material.wwdr.notAfter <= now) return 'WWDR certificate expired';
  return null;
}
