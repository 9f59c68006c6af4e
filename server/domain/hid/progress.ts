import type { CredentialStatus, LifecycleAction } from '../credentials/lifecycle.js';
import { TERMINAL } from '../credentials/lifecycle.js';

/**
 * docs/hid.md. The one place that decides what HID Origo's answers mean for a type-8 credential:
 * Origo's strings → phases → lifecycle actions (lifecycle.ts decides the statuses themselves).
 * State names from hid-origo-notes.md §3–4; those marked unconfirmed there are mapped here only.
 */

/** An Origo invitation: its code not yet entered, entered in the HID app, being cancelled, or over. */
export type InvitationPhase = 'pending' | 'acknowledged' | 'cancelling' | 'over';

/** `undefined`: Origo no longer lists it (gone counts as over). */
export function invitationPhase(origoStatus: string | undefined): InvitationPhase {
  switch (origoStatus?.toUpperCase()) {
    case 'PENDING':
      return 'pending';
    case 'ACKNOWLEDGED':
      return 'acknowledged';
    case 'CANCEL_INITIATED':
      return 'cancelling';
    default:
      // EXPIRED, CANCELLED, absent — and any string we do not know, which cannot be redeemed.
      return 'over';
  }
}

/** An Origo credential: being issued, on a phone and usable, being revoked, or gone. */
export type OrigoCredentialPhase = 'issuing' | 'live' | 'revoking' | 'gone';

/**
 * `undefined`: no container lists it. The live value is unconfirmed (notes §4): ACTIVE, ISSUED (one
 * client) and CREDENTIAL_ISSUED (an event status) all count; any string not named here is not yet live.
 */
export function credentialPhase(origoStatus: string | undefined): OrigoCredentialPhase {
  if (origoStatus === undefined) return 'gone';
  switch (origoStatus.toUpperCase()) {
    case 'REVOKED':
    case 'DELETED':
      return 'gone';
    case 'ACTIVE':
    case 'ISSUED':
    case 'CREDENTIAL_ISSUED':
      return 'live';
    case 'REVOKE_INITIATED':
    case 'REVOKING':
    case 'SUSPENDED':
      return 'revoking';
    default:
      // ISSUE_INITIATED and anything new: not yet something a door should trust.
      return 'issuing';
  }
}

/** A container (one phone) holds usable Mobile IDs only while ACTIVE (notes §4); other names are unknown. */
export const containerUsable = (status: string | undefined): boolean => status?.toUpperCase() === 'ACTIVE';

/**
 * Pure: whether an Origo credential seen on the user's phones is this Keyway credential's (SPEC §12).
 * The id its invitation named first; else one with the configured part number that no other Keyway
 * credential claims (names or holds) — and only while no other Keyway credential of the same Origo
 * user could receive a phone, so a Mobile ID Origo gave a new id is never taken from a neighbour.
 */
export function ownsOrigoCredential(
  k: { id: string; partNumber?: string },
  mine: {
    named: ReadonlySet<string>;
    claimedElsewhere: ReadonlySet<string>;
    soleClaimant: boolean;
    partNumber: string;
  },
): boolean {
  if (mine.named.has(k.id)) return true;
  return mine.soleClaimant && !mine.claimedElsewhere.has(k.id) && k.partNumber === mine.partNumber;
}

const HOLDING = new Set<CredentialStatus>(['invited', 'provisioning', 'active', 'suspended']);

/**
 * Pure: the lifecycle actions Origo's view asks of a credential that is not being revoked.
 * `current`: the phase of its live invitation (none after re-issue settled it); `newPhones`: phones
 * that now hold a live credential of it and are not yet devices; `hasDevices`: devices it has.
 */
export function hidActions(input: {
  status: CredentialStatus;
  current?: InvitationPhase;
  newPhones: number;
  hasDevices: boolean;
}): LifecycleAction[] {
  const { status } = input;
  if (TERMINAL.has(status) || status === 'expired') return [];
  if (input.newPhones > 0 && HOLDING.has(status)) return [{ type: 'redeem' }, { type: 'confirm_device' }];
  if (input.current === 'acknowledged' && status === 'invited') return [{ type: 'redeem' }];
  if (input.current === 'over' && !input.hasDevices && (status === 'invited' || status === 'provisioning'))
    return [{ type: 'lapse' }];
  return [];
}

/**
 * Pure: a `revoking` credential is `revoked` once Origo shows every credential it made revoked or
 * gone and no invitation of it can still be redeemed (the seed: wait for revoked before confirming).
 */
export function revocationComplete(credentials: OrigoCredentialPhase[], invitations: InvitationPhase[]): boolean {
  return credentials.every((p) => p === 'gone') && invitations.every((p) => p === 'over' || p === 'acknowledged');
}
