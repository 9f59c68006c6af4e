// Google Wallet "save" links (signed JWTs) and the generic class/object they carry.
import { type CryptoKey, importPKCS8, SignJWT } from 'jose';
import { messages } from '../../messages/wallet.js';

export type {
  GoogleGenericClass,
  GoogleGenericObject,
  GoogleLocalizedString,
  GoogleObjectState,
  GoogleServiceAccount,
} from './objects.js';

import type {
  GoogleGenericClass,
  GoogleGenericObject,
  GoogleLocalizedString,
  GoogleObjectState,
  GoogleServiceAccount,
} from './objects.js';

export interface GoogleBrand {
  name: string;
  /** `#RRGGBB`. */
  color?: string;
  /** An https URL Google can fetch; omitted when absent. */
  logoUrl?: string;
}

export interface GoogleObjectInput {
  /** A suffix (`dev_…`) or a full `<issuerId>.<suffix>` id. */
  objectId: string;
  holderName: string;
  credentialTypeLabel: string;
  readerValue: string;
  state: GoogleObjectState;
  brand: GoogleBrand;
}

export interface GoogleSaveLinkInput extends GoogleObjectInput {
  /** The calling key's origins, so the save button works on those pages only. */
  origins: string[];
  /** The class exists through the REST API: the JWT omits it. */
  classAlreadyInserted?: boolean;
  /** The object exists through the REST API: the JWT carries only `{id, classId}`. */
  objectAlreadyInserted?: boolean;
}

export interface GoogleSaveLinkOptions {
  serviceAccount: GoogleServiceAccount;
  issuerId: string;
  classSuffix: string;
  /** Smart Tap redemption issuer ids; when set, objects carry the reader value for NFC too. */
  smartTapIssuers?: string[];
  /** `PUBLIC_URL/wallet/google/callback`: every class carries it, so Google reports saves (docs/wallet.md). */
  callbackUrl?: string;
  /** For tests: the clock that sets `iat`. */
  now?: () => Date;
}

export interface GoogleSaveLinkBuilder {
  readonly classId: string;
  googleClass(): GoogleGenericClass;
  googleObject(input: GoogleObjectInput): GoogleGenericObject;
  build(input: GoogleSaveLinkInput): Promise<{ url: string; jwt: string }>;
}

/** Browsers and some chat apps cut longer URLs; Google documents this limit for save links. */
export const MAX_SAVE_JWT_LENGTH = 1800;
export const SAVE_URL_PREFIX = 'https://pay.google.com/gp/v/save/';

/** Thrown when the full JWT would be too long: insert class and object through the REST API first. */
export class GoogleSaveLinkTooLongError extends Error {
  override name = 'GoogleSaveLinkTooLongError';
  constructor(readonly length: number) {
    super(messages.googleJwtTooLong(length));
  }
}

const localized = (value: string): GoogleLocalizedString => ({ defaultValue: { language: 'en', value } });
// Google object ids allow only word characters, dots and dashes after the issuer id.
const idSuffix = (text: string) => text.replace(/[^\w.-]/g, '_');

export function createGoogleSaveLinkBuilder(options: GoogleSaveLinkOptions): GoogleSaveLinkBuilder {
  const issuerId = options.issuerId;
  const classId = `${issuerId}.${idSuffix(options.classSuffix)}`;
  const smartTap = options.smartTapIssuers?.filter(Boolean) ?? [];
  const now = options.now ?? (() => new Date());
  // Imported once; every save link reuses the parsed key.
  const key: Promise<CryptoKey> = importPKCS8(options.serviceAccount.private_key, 'RS256');
  key.catch(() => {}); // surfaced by build(); avoids an unhandled rejection before the first call

  const fullId = (objectId: string) =>
    objectId.startsWith(`${issuerId}.`) ? objectId : `${issuerId}.${idSuffix(objectId)}`;

  function googleClass(): GoogleGenericClass {
    return {
      id: classId,
      ...(options.callbackUrl ? { callbackOptions: { url: options.callbackUrl } } : {}),
      ...(smartTap.length ? { enableSmartTap: true, redemptionIssuers: smartTap } : {}),
    };
  }

  function googleObject(input: GoogleObjectInput): GoogleGenericObject {
    return {
      id: fullId(input.objectId),
      classId,
      state: input.state,
      cardTitle: localized(input.brand.name),
      subheader: localized(input.credentialTypeLabel),
      header: localized(input.holderName),
      barcode: { type: 'QR_CODE', value: input.readerValue },
      ...(input.brand.color ? { hexBackgroundColor: input.brand.color } : {}),
      ...(input.brand.logoUrl ? { logo: { sourceUri: { uri: input.brand.logoUrl } } } : {}),
      ...(smartTap.length ? { smartTapRedemptionValue: input.readerValue } : {}),
    };
  }

  async function build(input: GoogleSaveLinkInput): Promise<{ url: string; jwt: string }> {
    const object = input.objectAlreadyInserted ? { id: fullId(input.objectId), classId } : googleObject(input);
    const payload: Record<string, unknown> = { genericObjects: [object] };
    if (!input.classAlreadyInserted) payload.genericClasses = [googleClass()];
    const jwt = await new SignJWT({ origins: input.origins, typ: 'savetowallet', payload })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(options.serviceAccount.client_email)
      .setAudience('google')
      .setIssuedAt(Math.floor(now().getTime() / 1000))
      .sign(await key);
    if (jwt.length > MAX_SAVE_JWT_LENGTH) throw new GoogleSaveLinkTooLongError(jwt.length);
    return { url: SAVE_URL_PREFIX + jwt, jwt };
  }

  return { classId, googleClass, googleObject, build };
}
