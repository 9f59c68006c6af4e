// "Issue a credential of this type unless the person holds one": the CSV import's promise that a
// file applied again, or applied twice at once, gives nobody a second pass (docs/console.md "Import").
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';

/** Statuses in which a credential no longer counts as held: a row asking for its type issues a new one. */
export const NOT_HELD = ['revoked', 'expired'] as const;

/** The person already holds a live credential of the type: nothing was issued. */
export class CredentialHeld extends Error {
  constructor(
    readonly personId: number,
    readonly typeId: number,
  ) {
    super(`Person ${personId} already holds a credential of type ${typeId}.`);
  }
}

/**
 * Inside the issuing transaction: throws {@link CredentialHeld} when the person holds a live
 * credential of the type. The person's row is locked first on PostgreSQL, so two issuers of one
 * person take turns and the second sees the first's credential (SQLite's one writer already does).
 */
export async function refuseHeldTx(ctx: Ctx, tx: Tx, personId: number, typeId: number): Promise<void> {
  if (ctx.store.dialect === 'postgres')
    await tx.selectFrom('people').select('id').where('id', '=', personId).forUpdate().execute();
  const held = await tx
    .selectFrom('credentials')
    .select('id')
    .where('person_id', '=', personId)
    .where('credential_type_id', '=', typeId)
    .where('status', 'not in', NOT_HELD)
    .executeTakeFirst();
  if (held) throw new CredentialHeld(personId, typeId);
}
