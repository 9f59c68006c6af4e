// The development demo's first people (KEYWAY_DEMO_PEOPLE): so a fresh `npm start` shows a console
// with someone in it, a pass to follow and numbers the SMS flow knows.
import type { Ctx } from '../context.js';
import { createCredential } from '../credentials/issue.js';
import { WALLET_PASS } from '../credentials/types.js';
import { createPerson } from './people.js';

/** Valid UK mobile numbers (libphonenumber-js accepts them); the dev SMS sender delivers to the dev phone. */
export const DEMO_PEOPLE = [
  { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', phone: '+447400123401' },
  { first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com', phone: '+447400123402' },
] as const;

/** Two people with a wallet pass each (`invited`, with a code); the caller decides it is a fresh database. */
export async function seedDemoPeople(ctx: Ctx): Promise<{ id: number; name: string; credentialId: string }[]> {
  const made: { id: number; name: string; credentialId: string }[] = [];
  for (const p of DEMO_PEOPLE) {
    const person = await createPerson(ctx, { ...p, enabled: true }, { actor: 'system' });
    const credential = await createCredential(
      ctx,
      person.id,
      { credential_type_id: WALLET_PASS, enabled: true },
      { actor: 'system', showSecrets: true },
    );
    made.push({ id: person.id, name: `${p.first_name} ${p.last_name}`, credentialId: credential.id });
  }
  return made;
}
