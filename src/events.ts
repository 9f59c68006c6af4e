import type { CredentialStatus, CredentialSummary, WalletPlatform } from './client/types.js';

export interface KeywayErrorDetail {
  code: string;
  message: string;
}

export interface TokenExpiredDetail {
  /** When the token lapses (ISO-8601); the event fires 60 s before. */
  expiresAt: string | null;
}

export interface ProvisioningDetail {
  provisioningToken: string;
  expiresAt: string;
  credential: CredentialSummary;
}

export type InviteRedeemedDetail = ProvisioningDetail;
export type OtpVerifiedDetail = ProvisioningDetail;

export interface OtpSentDetail {
  verificationId: string;
  expiresAt: string;
  resendAfter: string;
}

export interface PassRequestedDetail {
  platform: WalletPlatform;
}

export interface PassAddedDetail {
  platform: WalletPlatform;
  credentialId: string;
  deviceId: string;
}

export interface StatusChangedDetail {
  oldStatus: CredentialStatus;
  newStatus: CredentialStatus;
  /** ISO-8601 instant of the change. */
  at: string;
}

/** Every event the widgets fire, by name. */
export interface KeywayEventMap {
  'keyway-error': CustomEvent<KeywayErrorDetail>;
  'token-expired': CustomEvent<TokenExpiredDetail>;
  'invite-redeemed': CustomEvent<InviteRedeemedDetail>;
  'otp-sent': CustomEvent<OtpSentDetail>;
  'otp-verified': CustomEvent<OtpVerifiedDetail>;
  'pass-requested': CustomEvent<PassRequestedDetail>;
  'pass-added': CustomEvent<PassAddedDetail>;
  'status-changed': CustomEvent<StatusChangedDetail>;
}

export type KeywayEventName = keyof KeywayEventMap;
export type KeywayEventDetail<K extends KeywayEventName> = KeywayEventMap[K] extends CustomEvent<infer D> ? D : never;

/** Builds a Keyway event: bubbling and composed, so a page hears it through shadow roots. */
export function keywayEvent<K extends KeywayEventName>(name: K, detail: KeywayEventDetail<K>): KeywayEventMap[K] {
  return new CustomEvent(name, { detail, bubbles: true, composed: true }) as KeywayEventMap[K];
}

declare global {
  interface GlobalEventHandlersEventMap extends KeywayEventMap {}
}
