/** Wire and domain types shared by the client and the elements (docs/api.md, docs/lifecycle.md). */

export type CredentialStatus = 'invited' | 'provisioning' | 'active' | 'suspended' | 'revoking' | 'revoked' | 'expired';

export const CREDENTIAL_STATUSES: readonly CredentialStatus[] = [
  'invited',
  'provisioning',
  'active',
  'suspended',
  'revoking',
  'revoked',
  'expired',
];

export type WalletPlatform = 'apple' | 'google';

export interface CredentialSummary {
  id: string;
  status: CredentialStatus;
  credential_type_id: number;
}

/** What redeeming an invitation, checking a code or redeeming a hand-off returns. */
export interface ProvisioningGrant {
  provisioning_token: string;
  expires_at: string;
  credential: CredentialSummary;
  person?: { first_name?: string };
  wallets?: WalletPlatform[];
}

export interface VerificationStarted {
  verification_id: string;
  expires_at: string;
  resend_after: string;
}

export interface PassTicket {
  url: string;
  device_id: string;
}

export interface Handoff {
  url: string;
  expires_at: string;
}

export interface DeviceState {
  id: string;
  /** `hid`: a phone with HID Mobile Access (credential type 8). */
  platform: WalletPlatform | 'hid';
  status: 'pending' | 'active' | 'revoked' | string;
  added_at?: string | null;
}

export interface CredentialStatusSnapshot {
  id: string;
  /** 9 wallet pass, 8 HID Mobile Access (its own help), … */
  credential_type_id?: number;
  status: CredentialStatus;
  enabled: boolean;
  devices: DeviceState[];
  updated_at: string;
  history?: { status: CredentialStatus; at: string }[];
}

/** One `event: status` of the SSE stream (docs/lifecycle.md). */
export interface StatusStreamEvent {
  credential_id: string;
  old_status: CredentialStatus | null;
  new_status: CredentialStatus;
  enabled: boolean;
  devices: DeviceState[];
  updated_at: string;
  credential_type_id?: number;
}

/** Error codes of docs/api.md plus the client's own `network_error`. */
export type KeywayErrorCode =
  /** The element has no usable `api-base`: nothing was sent (raised by the client, not the server). */
  | 'misconfigured'
  | 'invalid_request'
  | 'invalid_json'
  | 'invalid_phone_number'
  | 'unauthorized'
  | 'origin_not_allowed'
  | 'insufficient_scope'
  | 'credential_disabled'
  | 'not_found'
  | 'invitation_not_found'
  | 'phone_not_found'
  | 'invalid_transition'
  | 'invitation_used'
  | 'idempotency_in_progress'
  | 'invitation_expired'
  | 'verification_expired'
  | 'link_expired'
  | 'incorrect_code'
  | 'unknown_credential_type'
  | 'country_not_allowed'
  | 'idempotency_mismatch'
  | 'too_many_attempts'
  | 'rate_limited'
  | 'network_error'
  | 'server_error';
