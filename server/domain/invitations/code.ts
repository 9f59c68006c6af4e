import type { RandomSource } from '../../crypto/secrets.js';

// Crockford base32: no I, L, O, U (docs/security.md).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 12 symbols = 60 bits from the CSPRNG, shown as XXX-XXX-XXX-XXX. */
export function generateInvitationCode(random: RandomSource): string {
  const bytes = random(8);
  let n = bytes.readBigUInt64BE(0) >> 4n; // keep 60 bits
  let out = '';
  for (let i = 0; i < 12; i++) {
    out = ALPHABET[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return formatInvitationCode(out);
}

export const formatInvitationCode = (normalized: string): string => normalized.match(/.{1,3}/g)!.join('-');

/**
 * Forgives case, spaces, dashes and Crockford look-alikes (O→0, I/L→1).
 * Returns the 12-symbol canonical form, or null when it cannot be a code.
 */
export function normalizeInvitationCode(input: string): string | null {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s\-‐-―_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (cleaned.length !== 12) return null;
  for (const ch of cleaned) if (!ALPHABET.includes(ch)) return null;
  return cleaned;
}

/** The hosted page's link for a code; the code rides in the fragment, which never reaches a server log. */
export const invitationUrl = (ctx: { config: { publicUrl: string } }, code: string): string =>
  `${ctx.config.publicUrl}/p#code=${code}`;
