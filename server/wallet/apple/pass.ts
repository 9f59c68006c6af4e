// Apple Wallet pass building: pass.json, images, localisations, manifest, signature, ZIP.
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Zippable, zipSync } from 'fflate';
import { messages, WalletConfigError } from '../../messages/wallet.js';
import type { PassSigner } from './cms.js';
import { isPng, keyholeIcon, parseHexColor } from './png.js';

export type PassState = 'active' | 'suspended' | 'revoked' | 'expired';

export interface PassField {
  key: string;
  label?: string;
  value: string;
  changeMessage?: string;
  textAlignment?: 'PKTextAlignmentLeft' | 'PKTextAlignmentCenter' | 'PKTextAlignmentRight' | 'PKTextAlignmentNatural';
}

export interface PassBarcode {
  format: 'PKBarcodeFormatQR';
  message: string;
  messageEncoding: 'iso-8859-1';
  altText?: string;
}

export interface PassNfc {
  message: string;
  encryptionPublicKey: string;
  requiresAuthentication?: boolean;
}

/** The subset of Apple's pass.json keys Keyway writes. */
export interface PassJson {
  formatVersion: 1;
  passTypeIdentifier: string;
  teamIdentifier: string;
  serialNumber: string;
  organizationName: string;
  description: string;
  logoText?: string;
  foregroundColor: string;
  backgroundColor: string;
  labelColor: string;
  sharingProhibited: boolean;
  generic: {
    primaryFields: PassField[];
    secondaryFields: PassField[];
    auxiliaryFields: PassField[];
    backFields: PassField[];
  };
  barcodes: PassBarcode[];
  barcode: PassBarcode;
  nfc?: PassNfc;
  webServiceURL?: string;
  authenticationToken?: string;
  relevantDate?: string;
  expirationDate?: string;
  voided?: boolean;
}

export interface PassJsonInput {
  passTypeIdentifier: string;
  teamIdentifier: string;
  serialNumber: string;
  organizationName: string;
  description: string;
  logoText?: string;
  /** `#RRGGBB`; the background, with a readable foreground chosen for it. */
  brandColor?: string;
  colors?: { foreground?: string; background?: string; label?: string };
  holderName: string;
  credentialTypeLabel: string;
  /** What a reader sees: QR message, and the VAS message when NFC is configured. */
  readerValue: string;
  nfc?: { encryptionPublicKey: string; message?: string; requiresAuthentication?: boolean };
  webServiceURL?: string;
  authenticationToken?: string;
  state?: PassState;
  /** When the credential ended (revoked or expired); becomes `expirationDate`. */
  endedAt?: Date;
  /** A planned end of validity while still active. */
  expiresAt?: Date;
  relevantDate?: Date;
}

/** W3C date-time without milliseconds, as Wallet parses it: `2026-01-01T10:00:00Z`. */
export function formatW3cDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const rgb = ([r, g, b]: [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

function readableOn([r, g, b]: [number, number, number]): [number, number, number] {
  // Relative luminance (sRGB approximation) decides between white and near-black text.
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return luminance > 0.55 ? [17, 24, 39] : [255, 255, 255];
}

export const DEFAULT_BRAND_COLOR = '#1f4fd1';

const STATUS_TEXT: Record<PassState, string> = {
  active: 'Active',
  suspended: 'Suspended',
  revoked: 'Revoked',
  expired: 'Expired',
};

const validNfcKeys = new Set<string>();

function checkNfcKey(base64: string): void {
  if (validNfcKeys.has(base64)) return;
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
      throw new Error('not P-256');
  } catch {
    throw new RangeError(messages.nfcBadKey());
  }
  validNfcKeys.add(base64);
}

/** pass.json for one device's pass, in the generic style. Labels are English keys into pass.strings. */
export function buildPassJson(input: PassJsonInput): PassJson {
  const state = input.state ?? 'active';
  const brand = parseHexColor(input.brandColor ?? DEFAULT_BRAND_COLOR);
  const foreground = readableOn(brand);
  const barcode: PassBarcode = {
    format: 'PKBarcodeFormatQR',
    message: input.readerValue,
    messageEncoding: 'iso-8859-1',
  };
  const ended = state === 'revoked' || state === 'expired';

  const pass: PassJson = {
    formatVersion: 1,
    passTypeIdentifier: input.passTypeIdentifier,
    teamIdentifier: input.teamIdentifier,
    serialNumber: input.serialNumber,
    organizationName: input.organizationName,
    description: input.description,
    ...(input.logoText ? { logoText: input.logoText } : {}),
    foregroundColor: input.colors?.foreground ?? rgb(foreground),
    backgroundColor: input.colors?.background ?? rgb(brand),
    labelColor: input.colors?.label ?? rgb(foreground),
    // An access pass belongs to one phone; sharing would hand out the reader value.
    sharingProhibited: true,
    generic: {
      primaryFields: [{ key: 'holder', label: 'Holder', value: input.holderName }],
      secondaryFields: [{ key: 'credential', label: 'Credential', value: input.credentialTypeLabel }],
      auxiliaryFields: [
        // changeMessage makes Wallet notify the holder when a suspend, resume or revoke lands.
        { key: 'status', label: 'Status', value: STATUS_TEXT[state], changeMessage: 'Status changed: %@' },
      ],
      backFields: [
        { key: 'issuer', label: 'Issued by', value: input.organizationName },
        {
          key: 'help',
          label: 'Help',
          value: 'Hold the code to the reader. If the door does not open, contact the front desk.',
        },
      ],
    },
    barcodes: [barcode],
    barcode, // iOS 8 and older read only the singular key
  };

  if (input.nfc) {
    const message = input.nfc.message ?? input.readerValue;
    const bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > 64) throw new RangeError(messages.nfcTooLong(bytes));
    checkNfcKey(input.nfc.encryptionPublicKey);
    pass.nfc = {
      message,
      encryptionPublicKey: input.nfc.encryptionPublicKey,
      ...(input.nfc.requiresAuthentication ? { requiresAuthentication: true } : {}),
    };
  }
  if (input.webServiceURL) {
    if (!input.authenticationToken || input.authenticationToken.length < 16)
      throw new RangeError(messages.authTokenTooShort());
    pass.webServiceURL = input.webServiceURL;
    pass.authenticationToken = input.authenticationToken;
  }
  if (input.relevantDate) pass.relevantDate = formatW3cDate(input.relevantDate);
  if (ended) {
    pass.voided = true;
    pass.expirationDate = formatW3cDate(input.endedAt ?? new Date());
  } else if (input.expiresAt) {
    pass.expirationDate = formatW3cDate(input.expiresAt);
  }
  return pass;
}

// ---- Images and localisations ----

/** File name (`icon.png`, `icon@2x.png`, `logo.png`, …) → PNG bytes. */
export type PassImages = Readonly<Record<string, Uint8Array>>;
/** Locale (`en`, `de`, `ar`) → English text → translation. */
export type PassStrings = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** Translations of every label and value `buildPassJson` writes. */
export const DEFAULT_PASS_STRINGS: PassStrings = {
  en: {},
  de: {
    Holder: 'Inhaber',
    Credential: 'Berechtigung',
    Status: 'Status',
    Active: 'Aktiv',
    Suspended: 'Gesperrt',
    Revoked: 'Widerrufen',
    Expired: 'Abgelaufen',
    'Status changed: %@': 'Status geändert: %@',
    'Issued by': 'Ausgestellt von',
    Help: 'Hilfe',
    'Wallet pass': 'Wallet-Pass',
    'Hold the code to the reader. If the door does not open, contact the front desk.':
      'Halten Sie den Code an das Lesegerät. Öffnet sich die Tür nicht, wenden Sie sich an den Empfang.',
  },
  ar: {
    Holder: 'حامل البطاقة',
    Credential: 'بيانات الدخول',
    Status: 'الحالة',
    Active: 'نشطة',
    Suspended: 'موقوفة',
    Revoked: 'ملغاة',
    Expired: 'منتهية',
    'Status changed: %@': 'تغيرت الحالة: %@',
    'Issued by': 'صادرة عن',
    Help: 'مساعدة',
    'Wallet pass': 'بطاقة المحفظة',
    'Hold the code to the reader. If the door does not open, contact the front desk.':
      'قرّب الرمز من القارئ. إذا لم يُفتح الباب، تواصل مع مكتب الاستقبال.',
  },
};

const escapeStrings = (text: string) => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A `.strings` file; English keys map to themselves so every label has an entry. */
export function encodeStringsFile(entries: Readonly<Record<string, string>>, keys: Iterable<string> = []): Buffer {
  const all = new Map<string, string>();
  for (const key of keys) all.set(key, key);
  for (const [key, value] of Object.entries(entries)) all.set(key, value);
  let out = '';
  for (const [key, value] of all) out += `"${escapeStrings(key)}" = "${escapeStrings(value)}";\n`;
  return Buffer.from(out, 'utf8');
}

const ICON_SIZES = { 'icon.png': 29, 'icon@2x.png': 58, 'icon@3x.png': 87 } as const;
const defaultImageCache = new Map<string, PassImages>();

/**
 * Built-in images in the brand colour; with `logoPath` (KEYWAY_BRAND_LOGO) its PNG becomes logo.png.
 * Cached per colour and logo, since they never change while the server runs.
 */
export function loadPassImages(options: { brandColor?: string; logoPath?: string } = {}): PassImages {
  const color = options.brandColor ?? DEFAULT_BRAND_COLOR;
  const cacheKey = `${color}\n${options.logoPath ?? ''}`;
  const cached = defaultImageCache.get(cacheKey);
  if (cached) return cached;
  const brand = parseHexColor(color);
  const images: Record<string, Uint8Array> = {};
  for (const [name, size] of Object.entries(ICON_SIZES)) images[name] = keyholeIcon(size, brand);
  if (options.logoPath) {
    let logo: Buffer;
    try {
      logo = readFileSync(options.logoPath);
    } catch (error) {
      throw new WalletConfigError(
        'KEYWAY_BRAND_LOGO',
        messages.notReadable(options.logoPath, (error as Error).message),
      );
    }
    if (!isPng(logo)) throw new WalletConfigError('KEYWAY_BRAND_LOGO', messages.badPng(options.logoPath));
    images['logo.png'] = logo;
  }
  const frozen = Object.freeze(images);
  defaultImageCache.set(cacheKey, frozen);
  return frozen;
}

interface PreparedFile {
  name: string;
  data: Uint8Array;
}

interface PreparedAssets {
  files: PreparedFile[];
  /** `"name":"sha1",` for every asset, ready to splice into manifest.json. */
  manifestTail: string;
}

const preparedCache = new WeakMap<PassImages, WeakMap<PassStrings, PreparedAssets>>();

const sha1Hex = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

/** Every label and value text that pass.strings should cover. */
function stringKeys(strings: PassStrings): string[] {
  const keys = new Set<string>();
  for (const entries of Object.values(strings)) for (const key of Object.keys(entries)) keys.add(key);
  return [...keys];
}

function prepareAssets(images: PassImages, strings: PassStrings): PreparedAssets {
  let byStrings = preparedCache.get(images);
  const hit = byStrings?.get(strings);
  if (hit) return hit;
  if (!images['icon.png']) throw new RangeError(messages.iconMissing());
  const keys = stringKeys(strings);
  const files: PreparedFile[] = [
    ...Object.entries(images).map(([name, data]) => ({ name, data })),
    ...Object.entries(strings).map(([locale, entries]) => ({
      name: `${locale}.lproj/pass.strings`,
      data: encodeStringsFile(entries, keys) as Uint8Array,
    })),
  ];
  const manifestTail = files.map((f) => `,${JSON.stringify(f.name)}:"${sha1Hex(f.data)}"`).join('');
  const prepared = { files, manifestTail };
  if (!byStrings) preparedCache.set(images, (byStrings = new WeakMap()));
  byStrings.set(strings, prepared);
  return prepared;
}

export interface BuildPkpassInput {
  passJson: PassJson | string | Uint8Array;
  images: PassImages;
  strings?: PassStrings;
  signer: PassSigner;
  signingTime?: Date;
}

/** The signed `.pkpass` ZIP (STORE). Images and strings are hashed once per (images, strings) pair. */
export function buildPkpass(input: BuildPkpassInput): Buffer {
  const signingTime = input.signingTime ?? new Date();
  const assets = prepareAssets(input.images, input.strings ?? DEFAULT_PASS_STRINGS);
  const passJson =
    input.passJson instanceof Uint8Array
      ? input.passJson
      : Buffer.from(typeof input.passJson === 'string' ? input.passJson : JSON.stringify(input.passJson), 'utf8');
  const manifest = Buffer.from(`{"pass.json":"${sha1Hex(passJson)}"${assets.manifestTail}}`, 'utf8');
  const signature = input.signer.sign(manifest, signingTime);
  const files: Zippable = { 'pass.json': passJson };
  for (const file of assets.files) files[file.name] = file.data;
  files['manifest.json'] = manifest;
  files.signature = signature;
  return Buffer.from(zipSync(files, { level: 0, mtime: signingTime }));
}
