import { nowIso } from '../../clock.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import type { Ctx } from '../context.js';
import { admitsAccess, type CredentialStatus } from '../credentials/lifecycle.js';
import { consumeRate, giveBack } from '../rate-limits.js';

export type AccessReason =
  | 'unknown_value'
  | 'device_revoked'
  | 'credential_suspended'
  | 'credential_disabled'
  | 'credential_revoked'
  | 'credential_expired'
  | 'credential_not_provisioned'
  | 'person_disabled';

export interface AccessDecision {
  allowed: boolean;
  credential_id?: string;
  person_id?: number;
  device_id?: string;
  reason?: AccessReason;
}

interface Holder {
  credential_id: string;
  person_id: number;
  status: string;
  enabled: number;
  person_enabled: number;
  deleted_at: string | null;
}

/** Why a credential (and its person) may not open a door now, or null when it may (docs/wallet.md). */
function refusal(h: Holder): AccessReason | null {
  const status = h.status as CredentialStatus;
  if (status === 'revoking' || status === 'revoked' || h.deleted_at) return 'credential_revoked';
  if (status === 'expired') return 'credential_expired';
  if (status === 'suspended') return 'credential_suspended';
  if (h.enabled !== 1) return 'credential_disabled';
  if (h.person_enabled !== 1) return 'person_disabled';
  if (!admitsAccess({ status, enabled: true })) return 'credential_not_provisioned';
  return null;
}

export const REFUSED_CHECKS_PER_MINUTE = 100;

/**
 * `POST /api/3/access/verify`: does the value a reader saw open a door now? Per-device values
 * first (a revoked phone dies alone), then credential values (shared mode, cards, PINs).
 */
export async function verifyAccess(ctx: Ctx, value: string, actor: Actor, keyId: string): Promise<AccessDecision> {
  // Refused checks per key are limited before the lookup, so no key can walk the PIN space (docs/security.md):
  // every check is counted first, atomically, and an allowed one gives its count back.
  const refusedBucket = `access:refused:key:${keyId}`;
  const window = await consumeRate(ctx, refusedBucket, REFUSED_CHECKS_PER_MINUTE, 60);
  const hashes = ctx.keys.lookupHashes('value', value);
  const db = ctx.store.db;
  const holderColumns = [
    'credentials.id as credential_id',
    'credentials.person_id',
    'credentials.status',
    'credentials.enabled',
    'people.enabled as person_enabled',
    'people.deleted_at',
  ] as const;
  let decision: AccessDecision = { allowed: false, reason: 'unknown_value' };
  const device = await db
    .selectFrom('devices')
    .innerJoin('credentials', 'credentials.id', 'devices.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select(['devices.id as device_id', 'devices.status as device_status', ...holderColumns])
    .where('devices.value_hash', 'in', hashes)
    .executeTakeFirst();
  if (device) {
    const reason = device.device_status === 'revoked' ? 'device_revoked' : refusal(device);
    decision = {
      allowed: reason === null,
      credential_id: device.credential_id,
      person_id: device.person_id,
      device_id: device.device_id,
      ...(reason ? { reason } : {}),
    };
  } else {
    const cred = await db
      .selectFrom('credentials')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .select(holderColumns)
      .where('credentials.value_hash', 'in', hashes)
      .orderBy('credentials.created_at', 'desc')
      .execute();
    // A reused card number may sit on an old revoked credential and a live one: the live one answers.
    const live = cred.find((c) => refusal(c) === null) ?? cred[0];
    if (live) {
      const reason = refusal(live);
      decision = {
        allowed: reason === null,
        credential_id: live.credential_id,
        person_id: live.person_id,
        ...(reason ? { reason } : {}),
      };
    }
  }
  const { allowed, reason, device_id, person_id } = decision;
  if (allowed) await giveBack(ctx, refusedBucket, window);
  await recordChange(db, nowIso(ctx), {
    type: 'access.checked',
    actor,
    subject: decision.credential_id ? `credential:${decision.credential_id}` : 'access',
    data: {
      allowed,
      ...(reason ? { reason } : {}),
      ...(device_id ? { device_id } : {}),
      ...(person_id ? { person_id } : {}),
    },
  });
  return decision;
}
