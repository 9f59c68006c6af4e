import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { mintSession } from './callers.js';
import { allowedOrigins, normalizeOrigin } from './keys.js';

/** `cs_` for one person; origins default to every active publishable key's (docs/api.md). */
export async function createClientSession(
  ctx: Ctx,
  input: { person_id: number; origins?: string[] },
): Promise<{ token: string; expires_at: string }> {
  const known = await allowedOrigins(ctx);
  let origins: string[];
  if (input.origins?.length) {
    origins = [];
    for (const o of input.origins) {
      let n: string;
      try {
        n = normalizeOrigin(o);
      } catch {
        throw new ApiError('invalid_request', `"${o}" is not an origin.`, {
          fields: { origins: 'Each origin is scheme://host[:port].' },
        });
      }
      if (!known.has(n)) {
        throw new ApiError('invalid_request', `${n} is not on any active publishable key.`, {
          fields: { origins: `${n} is not on any active publishable key.` },
        });
      }
      origins.push(n);
    }
  } else origins = [...known];
  return ctx.store.db.transaction().execute(async (tx) => {
    const person = await tx
      .selectFrom('people')
      .select('id')
      .where('id', '=', input.person_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!person) throw new ApiError('not_found', `No person with id ${input.person_id}.`);
    return mintSession(ctx, tx, { kind: 'cs', personId: person.id, origins });
  });
}
