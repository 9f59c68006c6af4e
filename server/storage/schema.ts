import type { Generated } from 'kysely';

/** Row types. Booleans are stored as 0/1 and instants as ISO-8601 text on both backends. */
export interface ApiKeyTable {
  id: string;
  kind: 'secret' | 'publishable';
  name: string;
  key_hash: string;
  key_hint: string;
  scopes: string; // JSON string[]
  origins: string; // JSON string[]
  countries: string | null; // JSON string[]; null = all
  default_country: string | null;
  built_in: number;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface PersonTable {
  id: Generated<number>;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  enabled: number;
  group_ids: string; // JSON number[]
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  /** The operator's own id for the person (the CSV import matches on it); unique among the living. */
  external_id: Generated<string | null>;
}

export interface CredentialTable {
  id: string;
  person_id: number;
  credential_type_id: number;
  status: string;
  enabled: number;
  value_enc: string | null;
  value_hash: string | null;
  value_mode: 'per_device' | 'shared';
  sequence: number;
  created_at: string;
  updated_at: string;
  revoking_at: string | null;
  /** Language of its invitation emails (`en`, `de`, `ar`), from `locale` on create (0005). */
  email_locale?: string | null;
}

export interface CredentialHistoryTable {
  id: Generated<number>;
  credential_id: string;
  status: string;
  at: string;
}

export interface InvitationTable {
  id: string;
  credential_id: string;
  code_hash: string;
  code_enc: string;
  expires_at: string;
  created_at: string;
  redeemed_at: string | null;
  superseded_at: string | null;
  emailed_at: string | null;
  /** The one reminder before an emailed invitation expires (0004). */
  reminded_at?: string | null;
  /** A MAC of the publishable key and client bucket that redeemed it (0019). */
  redeemed_by?: string | null;
  /** The Idempotency-Key record (a MAC) the redemption ran under (0019). */
  redeemed_retry?: string | null;
  /** SHA-256 of the provisioning token the redemption minted (0019); the token itself is never stored. */
  redeemed_session?: string | null;
}

export interface DeviceTable {
  id: string;
  credential_id: string;
  /** `hid`: a phone holding an HID Mobile Access credential (type 8, docs/hid.md). */
  platform: 'apple' | 'google' | 'hid';
  status: 'pending' | 'active' | 'revoked';
  serial_number: string;
  auth_token_hash: string;
  /** The plain token, AES-GCM encrypted: it goes into every pass.json the device fetches. */
  auth_token_enc: string | null;
  value_hash: string | null;
  value_enc: string | null;
  added_at: string;
  updated_at: string;
  confirmed_at: string | null;
  revoked_at: string | null;
  /** Last change of the pass content (0004); null means `added_at`. */
  pass_updated_at?: string | null;
  /** A badge's device (type 10, 0022): `iphone`, `watch` or `android`; null otherwise. */
  kind?: string | null;
}

export interface TokenTable {
  token_hash: string;
  kind: 'cs' | 'ps' | 'handoff' | 'download' | 'link';
  person_id: number | null;
  credential_id: string | null;
  device_id: string | null;
  key_id: string | null;
  origins: string; // JSON string[]
  expires_at: string;
  created_at: string;
  used_at: string | null;
  /** 1 for a ps_ minted by redeeming a hand-off. */
  via_handoff: Generated<number>;
}

export interface EventTable {
  seq: Generated<number>;
  type: string;
  at: string;
  actor: string;
  subject: string;
  data: string; // JSON
  /** §15: the chain's hash over the previous one and this event; null until the sealer reaches it. */
  hash: Generated<string | null>;
  /** The hash this one was chained to (the previous sealed event's, or the genesis). */
  prev_hash: Generated<string | null>;
}

/** The one row saying how far the audit chain is sealed (id 1). */
export interface AuditSealTable {
  id: number;
  seq: number;
  hash: string;
  sealed_at: string | null;
}

/** A signed statement of the chain's head at a moment: (seq, hash) signed with a key derived from KEYWAY_SECRET. */
export interface AuditCheckpointTable {
  id: Generated<number>;
  seq: number;
  hash: string;
  at: string;
  /** Which derived key signed it (the current or the previous secret's). */
  kid: string;
  signature: string;
}

export interface OutboxTable {
  seq: Generated<number>;
  event_type: string;
  credential_id: string | null;
  payload: string; // JSON body as it will be delivered
  created_at: string;
  /** Set once the row was fanned out to subscribed webhooks (0004). */
  fanned_at?: string | null;
}

export interface IdempotencyTable {
  record_key: string;
  request_hash: string;
  state: 'running' | 'done';
  status: number | null;
  body_enc: string | null;
  carries_secret: number;
  created_at: string;
  expires_at: string;
}

export interface RateCounterTable {
  bucket: string;
  window_start: number;
  count: number;
}

export interface MessageTable {
  id: Generated<number>;
  channel: 'sms' | 'email';
  recipient: string;
  subject: string | null;
  body: string;
  sent_at: string;
}

export interface VerificationTable {
  id: string;
  key_id: string;
  /** Null for an unknown or disabled number: the row can never succeed (docs/security.md conceal). */
  person_id: number | null;
  credential_id: string | null;
  phone_hash: string;
  phone_enc: string;
  code_hash: string;
  link_hash: string;
  /** The `@host` of the SMS's last line, fixed at start so resends match. */
  sms_host: string;
  attempts: number;
  sends: number;
  expires_at: string;
  resend_after: string;
  created_at: string;
  succeeded_at: string | null;
}

export interface MessageQueueTable {
  id: Generated<number>;
  channel: 'sms' | 'email';
  /** What the message is for, so delivery can be recorded where it matters (`invitation`, `verification`). */
  purpose: string;
  ref: string | null;
  payload_enc: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  give_up_at: string;
  created_at: string;
  delivered_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

export interface WebhookTable {
  id: string;
  url: string;
  events: string; // JSON string[]
  secret_enc: string;
  /** The secret before the last rotation, still signing until `previous_until`. */
  previous_secret_enc: string | null;
  previous_until: string | null;
  enabled: number;
  disabled_reason: string | null;
  /** First failure since the last success; 5 days of failures disable (docs/lifecycle.md). */
  failing_since: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface WebhookDeliveryTable {
  /** `msg_…`: the Standard Webhooks `webhook-id`, stable across retries. */
  id: string;
  webhook_id: string;
  outbox_seq: number | null;
  event_type: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface AppleRegistrationTable {
  device_library_id: string;
  pass_type_id: string;
  serial_number: string;
  push_token_enc: string;
  created_at: string;
  updated_at: string;
}

export interface WalletPushTable {
  id: Generated<number>;
  device_id: string;
  kind: 'apns' | 'google';
  /** APNs push token or Google object id, encrypted. */
  target_enc: string;
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  created_at: string;
  done_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

/** SPEC §15: which Apple signer is current, one row; every instance signs with the one it names. */
export interface AppleSignerTable {
  id: number;
  /** SHA-256 (hex) of the pass certificate's DER. */
  fingerprint: string;
  made_current_at: string;
}

/** `keyway passes resign`'s progress, one row per live Apple pass and signer rolled to. */
export interface PassResignTable {
  signer: string;
  device_id: string;
  /** Registrations (phones, in device_library_id order) whose push APNs has answered. */
  pushed: number;
  /** When the pass was marked changed and re-signed with `signer`. */
  resigned_at: string | null;
  done_at: string | null;
  /** A push APNs refused for good (410: the phone removed the pass; 400). */
  last_error: string | null;
}

/** One holder at a time for a long command (storage/run-lease.ts): `keyway passes resign`. */
export interface RunLeaseTable {
  name: string;
  /** `<host> <pid> <nonce>` of the process holding it. */
  holder: string;
  expires_at: string;
}

export interface GoogleCallbackNonceTable {
  nonce: string;
  created_at: string;
}

/** docs/hid.md: the Origo user of a person (0007). */
export interface HidUserTable {
  person_id: number;
  origo_user_id: string;
  created_at: string;
}

/** When a type-8 credential is next read back from Origo (0007). */
export interface HidSyncTable {
  credential_id: string;
  origo_user_id: string;
  /** null: nothing to learn from Origo until a callback or a change asks. */
  next_sync_at: string | null;
  failures: number;
  last_error: string | null;
}

export interface HidInvitationTable {
  origo_invitation_id: string;
  credential_id: string;
  /** Keyway's `invitations` row that holds the code. */
  invitation_id: string;
  /** The Origo credential the invitation created (assignCredential Y), when Origo named it. */
  origo_credential_id: string | null;
  origo_status: string;
  created_at: string;
  /** Keyway wants it cancelled (re-issue, revocation). */
  cancel_wanted_at: string | null;
  /** Origo accepted Keyway's cancel (sent once, and only while Origo showed it PENDING). */
  cancel_sent_at: string | null;
  /** Origo showed it final (acknowledged and done with, cancelled, expired or gone). */
  settled_at: string | null;
}

/** SPEC §16: the Origo Pass behind a type-10 credential (an HID Seos badge in a wallet). */
export interface HidPassTable {
  credential_id: string;
  origo_user_id: string;
  origo_pass_id: string;
  /** Origo's pass status as last seen, kept as-is. */
  origo_status: string;
  /** The issuance token, AES-GCM under the credential id; null once replaced by none. */
  issuance_token_enc: string | null;
  /** Set when a provisioning call took the token (single use); cleared when that call did not reach Origo. */
  token_spent_at: string | null;
  created_at: string;
  updated_at: string;
  /** Keyway wants the Pass deleted at Origo (a person's deletion): the sync sends it (0022). */
  delete_wanted_at?: string | null;
  /** Origo accepted the delete (202); `revoked` only once a read shows the Pass gone. */
  delete_accepted_at?: string | null;
  /** The person's name changed: the post-provisioning update is owed to Origo. */
  update_wanted_at?: string | null;
  /** The wallets the template supports (`["apple","google"]`), as web provisioning first answered. */
  platforms?: string | null;
}

/** SPEC §16: a wallet device Origo reports for a badge's Pass (iPhone, Watch, Android), beside its `devices` row. */
export interface HidPassDeviceTable {
  device_id: string;
  credential_id: string;
  origo_device_id: string;
  /** Origo's device state as last seen, kept as-is. */
  origo_status: string;
}

export interface HidDeviceTable {
  device_id: string;
  credential_id: string;
  origo_credential_id: string;
  origo_container_id: string;
  model: string | null;
  origo_status: string;
  revoke_wanted_at: string | null;
  revoke_accepted_at: string | null;
  /** Origo showed the credential REVOKED or gone. */
  revoked_at: string | null;
}

/**
 * An invitation create sent to Origo (0009): deleted by the commit that stores its answer; one left
 * over (answer lost) is claimed by the sweep, which cancels the user's PENDING invitations Keyway does not know.
 */
export interface HidInvitationIntentTable {
  id: string;
  origo_user_id: string;
  person_id: number;
  /** The credential being re-issued; null for a create. */
  credential_id: string | null;
  started_at: string;
  /** A sweep is reconciling it; a create whose commit finds it claimed rolls back. */
  claimed_at: string | null;
}

/** docs/console.md: a member of the operator's staff. */
export interface StaffTable {
  id: string;
  email: string;
  display_name: string;
  role: 'viewer' | 'operator' | 'admin';
  created_at: string;
  last_sign_in_at: string | null;
  disabled_at: string | null;
}

export interface StaffPasskeyTable {
  id: string;
  staff_id: string;
  public_key: string;
  counter: number | string | bigint;
  transports: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface StaffTokenTable {
  token_hash: string;
  kind: 'enrol' | 'session' | 'challenge';
  staff_id: string | null;
  purpose: string | null;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  used_at: string | null;
}

export interface Database {
  api_keys: ApiKeyTable;
  people: PersonTable;
  credentials: CredentialTable;
  credential_history: CredentialHistoryTable;
  invitations: InvitationTable;
  devices: DeviceTable;
  tokens: TokenTable;
  events: EventTable;
  audit_seal: AuditSealTable;
  audit_checkpoints: AuditCheckpointTable;
  outbox: OutboxTable;
  idempotency: IdempotencyTable;
  rate_counters: RateCounterTable;
  messages: MessageTable;
  verifications: VerificationTable;
  message_queue: MessageQueueTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  apple_registrations: AppleRegistrationTable;
  wallet_pushes: WalletPushTable;
  apple_signer: AppleSignerTable;
  pass_resigns: PassResignTable;
  run_leases: RunLeaseTable;
  google_callback_nonces: GoogleCallbackNonceTable;
  hid_users: HidUserTable;
  hid_syncs: HidSyncTable;
  hid_invitations: HidInvitationTable;
  hid_devices: HidDeviceTable;
  hid_passes: HidPassTable;
  hid_pass_devices: HidPassDeviceTable;
  hid_invitation_intents: HidInvitationIntentTable;
  staff: StaffTable;
  staff_passkeys: StaffPasskeyTable;
  staff_tokens: StaffTokenTable;
}
