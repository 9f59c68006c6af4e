// What a credential is: its types (card, PIN, wallet pass) and the shapes the API shows it in.
import type { Selectable } from 'kysely';
import { base62, type RandomSource } from '../../crypto/secrets.js';
import type { CredentialTable } from '../../storage/schema.js';
import type { CredentialStatus } from './lifecycle.js';

export const CREDENTIAL_TYPES = [
  { id: 1, name: 'Card', format: 'card', description: 'Physical access card (its number as value)' },
  { id: 6, name: 'PIN', format: 'pin', description: 'Keypad PIN of 4–12 characters' },
  {
    id: 9,
    name: 'Wallet pass',
    format: 'mobile',
    description: 'Apple Wallet and Google Wallet pass (mobile credential)',
  },
] as const;
export const WALLET_PASS = 9;
/** HID Mobile Access through HID Origo (docs/hid.md), offered only when configured. */
export const HID_MOBILE = 8;
export const HID_CREDENTIAL_TYPE = {
  id: HID_MOBILE,
  name: 'HID Mobile Access',
  format: 'mobile',
  description: 'HID Mobile Access app (or an app with HID’s SDK), provisioned by HID Origo from an invitation code',
} as const;

/** An HID Seos badge in Apple Wallet or Google Wallet, issued through HID Origo (SPEC §16), offered only when configured. */
export const HID_BADGE = 10;
export const HID_BADGE_TYPE = {
  id: HID_BADGE,
  name: 'HID Wallet Badge',
  format: 'mobile',
  description: 'HID Seos employee badge in Apple Wallet or Google Wallet, issued by HID Origo from a pass template',
} as const;

/** The types this deployment offers: type 8 only with HID Origo configured, type 10 only with a pass template too. */
export const credentialTypes = (ctx: { config: { hidOrigo?: unknown; hidPasses?: unknown } }) =>
  [
    ...CREDENTIAL_TYPES,
    ...(ctx.config.hidOrigo !== undefined ? [HID_CREDENTIAL_TYPE] : []),
    ...(ctx.config.hidPasses !== undefined ? [HID_BADGE_TYPE] : []),
  ].sort((a, b) => a.id - b.id);
export const PIN = 6;
export const CARD = 1;

export interface DeviceView {
  id: string;
  /** `hid`: a phone holding an HID Mobile Access credential (type 8). */
  platform: 'apple' | 'google' | 'hid';
  status: 'pending' | 'active' | 'revoked';
  /** HID wallet badges (type 10): the wallet device Origo reports. */
  kind?: 'iphone' | 'watch' | 'android';
  added_at: string;
}

export interface CredentialView {
  id: string;
  credential_type_id: number;
  person_id: number;
  status: CredentialStatus;
  enabled: boolean;
  value?: string;
  value_mode: 'per_device' | 'shared';
  invitation_code?: string;
  invitation_url?: string;
  invitation_expires_at?: string;
  devices: DeviceView[];
  created_at: string;
  updated_at: string;
}

export interface CreateCredentialInput {
  credential_type_id: number;
  enabled?: boolean;
  value?: string;
  deliver?: 'email' | 'none';
  value_mode?: 'per_device' | 'shared';
  /** Language of the invitation email (`en`, `de`, `ar`; docs/elements.md's locales). */
  locale?: string;
}

export type CredentialRow = Selectable<CredentialTable>;

export type DeviceRow = {
  id: string;
  platform: DeviceView['platform'];
  status: 'pending' | 'active' | 'revoked';
  kind?: string | null;
  added_at: string;
};

export interface StatusView {
  id: string;
  /** Only on HID Mobile Access credentials (8): `<credential-status>` shows the HID app's help. */
  credential_type_id?: 8;
  status: CredentialStatus;
  enabled: boolean;
  devices: DeviceView[];
  updated_at: string;
  history: { status: CredentialStatus; at: string }[];
}

export const newId = (ctx: { random: RandomSource }, prefix: string) => `${prefix}_${base62(ctx.random(12))}`;

/** A generated reader value: 96 bits, 17 base62 characters (docs/security.md asks ≥ 80 bits, ≥ 16 chars). */
export const newReaderValue = (ctx: { random: RandomSource }): string => base62(ctx.random(12));
