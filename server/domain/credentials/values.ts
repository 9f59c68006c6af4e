// A door value (a card number, a PIN, a shared pass value) belongs to one holder.
import { sql } from 'kysely';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { WALLET_PASS } from './types.js';

/**
 * Refuses (`409 value_in_use`) a value another live credential holds, inside the transaction that
 * stores it: two holders of one PIN would let a revoked one keep opening doors under the other's
 * name. The one exception is the elumo case: a person's card number on that person's wallet pass.
 * On PostgreSQL a transaction-scoped advisory lock on the value's hash makes concurrent issues of
 * one value take turns (SQLite's write transactions already do).
 */
export async function refuseValueInUse(ctx: Ctx, tx: Tx, personId: number, typeId: number, value: string) {
  const hashes = ctx.keys.lookupHashes('value', value);
  if (ctx.store.dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtext(${`value:${hashes[0]}`}))`.execute(tx);
  const holders = await tx
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select(['credentials.person_id', 'credentials.credential_type_id'])
    .where('credentials.value_hash', 'in', hashes)
    .where('credentials.status', 'not in', ['revoking', 'revoked'])
    .where('people.deleted_at', 'is', null)
    .execute();
  const sameHolder = (h: { person_id: number; credential_type_id: number }) =>
    h.person_id === personId && (h.credential_type_id === WALLET_PASS) !== (typeId === WALLET_PASS);
  if (holders.some((h) => !sameHolder(h))) throw new ApiError('value_in_use');
}
