// HID wallet badges (type 10, SPEC §16): Origo's Pass and device strings → phases → what Keyway
// does. Pure; the one place that reads Origo's pass states (hid-origo-notes §8: seen in integrators'
// models only, so any other string is kept as-is and counts as nothing yet, never an error).
import type { LifecycleAction, LifecycleState } from '../credentials/lifecycle.js';

/** `gone`: deleted, cancelled, or 404. `other`: a string Keyway does not know (a deletion under way, a new state). */
export type PassPhase = 'pending' | 'active' | 'suspended' | 'gone' | 'other';

/** Origo's pass status (undefined: Origo answered 404) → its phase. */
export function passPhase(status: string | undefined): PassPhase {
  if (status === undefined) return 'gone';
  switch (status.toUpperCase()) {
    case 'PENDING':
    case 'PROVISIONING':
      return 'pending';
    case 'ACTIVE':
      return 'active';
    case 'SUSPENDED':
      return 'suspended';
    case 'DELETED':
    case 'CANCELLED':
      return 'gone';
    default:
      return 'other';
  }
}

/** A wallet device of the pass: holding it (suspended included), gone from the wallet, or not yet there. */
export type WalletDevicePhase = 'live' | 'gone' | 'pending';

export function walletDevicePhase(status: string | undefined): WalletDevicePhase {
  if (status === undefined) return 'gone'; // no longer listed
  switch (status.toUpperCase()) {
    case 'ACTIVE':
    case 'SUSPENDED':
      return 'live';
    case 'DELETED':
    case 'REMOVED':
    case 'REVOKED':
    case 'CANCELLED':
      return 'gone';
    default:
      return 'pending';
  }
}

/**
 * A Pass a wallet may hold, or be adding: it must not be deleted and replaced, whatever Keyway last
 * read (a second press may come before the read-back). Only a Pass still `PENDING` with no device
 * listed but gone ones is free to replace; a state Keyway does not know counts as held.
 */
export function passMayBeInWallet(pass: { status: string; devices: { status: string }[] }): boolean {
  return passPhase(pass.status) !== 'pending' || pass.devices.some((d) => walletDevicePhase(d.status) !== 'gone');
}

/**
 * What Keyway asks of Origo so the pass agrees with the credential (Keyway's admin API owns
 * enabled): after a suspend whose answer was lost, or a change made while no wallet held it yet.
 */
export function passCommand(cred: LifecycleState, pass: PassPhase): 'SUSPEND' | 'RESUME' | null {
  if (cred.status === 'revoking' || cred.status === 'revoked') return null;
  if (!cred.enabled && pass === 'active') return 'SUSPEND';
  if (cred.enabled && pass === 'suspended') return 'RESUME';
  return null;
}

/** The lifecycle actions a read of the pass means for the credential, in order. */
export function badgeActions(status: LifecycleState['status'], pass: PassPhase): LifecycleAction[] {
  if (status === 'revoked') return [];
  if (pass === 'gone')
    return status === 'revoking' ? [{ type: 'revoke_confirmed' }] : [{ type: 'revoke', devicesToConfirm: 0 }];
  if (status === 'revoking') return [];
  // A wallet holds it (Origo says ACTIVE or SUSPENDED): the credential is active (or suspended, as enabled says).
  if (pass === 'active' || pass === 'suspended') {
    if (status === 'invited') return [{ type: 'redeem' }, { type: 'confirm_device' }];
    if (status === 'provisioning') return [{ type: 'confirm_device' }];
  }
  return [];
}
