import type { ProvisioningGrant } from '../../client/types.js';

/**
 * What this tab remembers of a code it redeemed (issue 29: a reload never burns an invitation):
 * the Idempotency-Key its redeem was sent with, so a retry whose first answer was lost gets that
 * answer back, and the grant until it lapses, so the same code typed again resumes its session.
 * Kept in `sessionStorage` (this tab only, gone when it closes) under a SHA-256 of the code —
 * never the code itself, never in `localStorage` or a URL.
 */
export interface RedeemMemory {
  idempotencyKey: string;
  /** The session this code opened, while it still lives. */
  grant?: ProvisioningGrant;
  remember(grant: ProvisioningGrant): void;
  forget(): void;
}

const PREFIX = 'keyway.redeem.';

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked (a sandboxed frame, some privacy settings)
  }
}

/** The memory of `code` (formatted `XXX-XXX-XXX-XXX`) at `server` in this tab; null where none can be kept. */
export async function redeemMemory(server: string, code: string): Promise<RedeemMemory | null> {
  const store = storage();
  // SubtleCrypto exists only in secure contexts; without it nothing is kept rather than the bare code.
  if (!store || !globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${server} ${code}`));
  const slot = PREFIX + Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  let kept: { key?: string; grant?: ProvisioningGrant } = {};
  try {
    kept = JSON.parse(store.getItem(slot) ?? '{}');
  } catch {
    kept = {};
  }
  const live = kept.grant && Date.parse(kept.grant.expires_at) > Date.now() ? kept.grant : undefined;
  // A lapsed session's key would only replay a dead token: a fresh key asks the server anew.
  const idempotencyKey = kept.key && !(kept.grant && !live) ? kept.key : crypto.randomUUID();
  const write = (value: object | null) => {
    try {
      if (value) store.setItem(slot, JSON.stringify(value));
      else store.removeItem(slot);
    } catch {
      // full or blocked: the redeem still works, only a reload will not resume it
    }
  };
  write({ key: idempotencyKey, grant: live });
  return {
    idempotencyKey,
    grant: live,
    remember: (grant) => write({ key: idempotencyKey, grant }),
    forget: () => write(null),
  };
}
