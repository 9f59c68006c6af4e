// SPEC §15, rolling a certificate: which Apple signer is current is recorded in the database, so every
// instance and a restart sign with the same one. `keyway passes resign` writes the record; the
// server follows it (a cached read: answered from memory until the row changes, here or elsewhere).
import { nowIso } from '../../clock.js';
import { defineCachedRead, type Tx } from '../../storage/db.js';
import type { AppleSigningMaterial } from '../../wallet/apple/material.js';
import type { WalletRuntime } from '../../wallet/runtime.js';
import type { Ctx } from '../context.js';

type Apple = NonNullable<WalletRuntime['apple']>;

const recordedSigner = defineCachedRead<{ fingerprint: string }, []>(
  (db) => db.selectFrom('apple_signer').select('fingerprint').where('id', '=', 1),
  0,
);

/** The fingerprint the database records as current; undefined before the first roll. */
export async function recordedSignerFingerprint(ctx: Ctx): Promise<string | undefined> {
  return (await recordedSigner(ctx.store.db))[0]?.fingerprint;
}

/**
 * The configured signer the record names: the next pair once `passes resign` made it current, else
 * KEYWAY_APPLE_CERT/KEY (also when the record names neither: the operator moved the next pair into
 * KEYWAY_APPLE_CERT and dropped the old one, or has not rolled yet).
 */
export function signerFor(apple: Apple, fingerprint: string | undefined): AppleSigningMaterial {
  return apple.next && fingerprint === apple.next.fingerprint ? apple.next : apple.configured;
}

/**
 * Brings this context's signer in line with the record (before a pass is signed, at each readiness
 * check and expiry announcement); returns it. Undefined without Apple passes.
 */
export async function followRecordedSigner(ctx: Ctx): Promise<AppleSigningMaterial | undefined> {
  const apple = ctx.config.passes ? ctx.wallet?.apple : undefined;
  if (!apple) return undefined;
  // Only a context holding a next pair can have anything to follow (every instance is given it
  // before the roll, docs/operations.md); the others skip the read.
  if (!apple.next) return apple.material;
  const chosen = signerFor(apple, await recordedSignerFingerprint(ctx));
  if (chosen !== apple.material) {
    apple.material = chosen;
    ctx.log({
      level: 'info',
      msg: 'apple signer changed: passes are now signed with the certificate the database records as current',
      fingerprint: chosen.fingerprint.slice(0, 16),
      not_after: chosen.certificate.notAfter.toISOString(),
    });
  }
  return chosen;
}

/** Records `material` as the current signer, in `tx` (the resign run's first write). */
export async function recordSigner(ctx: Ctx, tx: Tx, material: AppleSigningMaterial): Promise<boolean> {
  const at = nowIso(ctx);
  const current = await tx.selectFrom('apple_signer').select('fingerprint').where('id', '=', 1).executeTakeFirst();
  if (current?.fingerprint === material.fingerprint) return false;
  if (current)
    await tx
      .updateTable('apple_signer')
      .set({ fingerprint: material.fingerprint, made_current_at: at })
      .where('id', '=', 1)
      .execute();
  else
    await tx
      .insertInto('apple_signer')
      .values({ id: 1, fingerprint: material.fingerprint, made_current_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ fingerprint: material.fingerprint, made_current_at: at }))
      .execute();
  return true;
}
