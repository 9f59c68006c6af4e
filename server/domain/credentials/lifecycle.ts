import { ApiError } from '../errors.js';

/** docs/lifecycle.md. The one place that decides which status follows which. */
export const STATUSES = ['invited', 'provisioning', 'active', 'suspended', 'revoking', 'revoked', 'expired'] as const;
export type CredentialStatus = (typeof STATUSES)[number];

export const TERMINAL: ReadonlySet<CredentialStatus> = new Set(['revoking', 'revoked']);

export interface LifecycleState {
  status: CredentialStatus;
  enabled: boolean;
}

export type LifecycleAction =
  /** An invitation redeemed or a phone verified. */
  | { type: 'redeem' }
  /** A device confirmed by Apple registration or Google save callback. */
  | { type: 'confirm_device' }
  | { type: 'set_enabled'; enabled: boolean }
  /** The invitation lapsed (expiry sweep). */
  | { type: 'expire' }
  /** HID (docs/hid.md): Origo's invitation expired or was cancelled before any phone held the credential. */
  | { type: 'lapse' }
  /** A new invitation code: brings invited/expired back to invited; other statuses admit one more phone. */
  | { type: 'reissue' }
  /** DELETE: `revoking` while live devices must learn of it, `revoked` when none must. */
  | { type: 'revoke'; devicesToConfirm: number }
  | { type: 'revoke_confirmed' };

const VERBS: Record<LifecycleAction['type'], string> = {
  redeem: 'redeem an invitation for',
  confirm_device: 'confirm a device of',
  set_enabled: 'change',
  expire: 'expire',
  lapse: 'expire',
  reissue: 're-issue an invitation for',
  revoke: 'revoke',
  revoke_confirmed: 'confirm the revocation of',
};

const illegal = (from: LifecycleState, action: LifecycleAction) =>
  new ApiError('invalid_transition', `Cannot ${VERBS[action.type]} a credential that is ${from.status}.`, {
    status: from.status,
  });

/** Pure: the state after `action`, or an `invalid_transition` error. */
export function nextState(from: LifecycleState, action: LifecycleAction): LifecycleState {
  const { status, enabled } = from;
  switch (action.type) {
    case 'redeem':
      if (status === 'invited') return { status: 'provisioning', enabled };
      if (status === 'provisioning' || status === 'active' || status === 'suspended') return from;
      throw illegal(from, action);
    case 'confirm_device':
      if (status === 'provisioning') return { status: enabled ? 'active' : 'suspended', enabled };
      if (status === 'active' || status === 'suspended' || status === 'revoking') return from;
      throw illegal(from, action);
    case 'set_enabled':
      if (TERMINAL.has(status)) throw illegal(from, action);
      if (status === 'active' && !action.enabled) return { status: 'suspended', enabled: false };
      if (status === 'suspended' && action.enabled) return { status: 'active', enabled: true };
      return { status, enabled: action.enabled };
    case 'expire':
      if (status === 'invited') return { status: 'expired', enabled };
      throw illegal(from, action);
    case 'lapse':
      if (status === 'invited' || status === 'provisioning') return { status: 'expired', enabled };
      throw illegal(from, action);
    case 'reissue':
      if (status === 'invited' || status === 'expired') return { status: 'invited', enabled };
      if (status === 'provisioning' || status === 'active' || status === 'suspended') return from;
      throw illegal(from, action);
    case 'revoke':
      if (TERMINAL.has(status)) return from;
      return { status: action.devicesToConfirm > 0 ? 'revoking' : 'revoked', enabled };
    case 'revoke_confirmed':
      if (status === 'revoking') return { status: 'revoked', enabled };
      throw illegal(from, action);
  }
}

/** Door rule (docs/wallet.md): which credentials may open a door at all. */
export const admitsAccess = (s: LifecycleState): boolean =>
  s.enabled && (s.status === 'provisioning' || s.status === 'active');
