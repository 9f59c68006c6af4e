// Webhook secrets and signatures: Standard Webhooks headers plus DoorFlow's hex HMAC (SPEC §6).
import type { RandomSource } from '../crypto/secrets.js';
import { hexSignature, standardSignature } from '../crypto/standard-webhooks.js';

/** `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (random: RandomSource): string => `whsec_${random(32).toString('base64')}`;

/** Headers of one attempt: newest secret first; during a rotation overlap both sign. */
export function signedHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<string, string> {
  const headers: Record<string, string> = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => standardSignature(s, id, timestamp, body)).join(' '),
    'x-keyway-signature': hexSignature(secrets[0], body),
  };
  // The hex header holds one value (the seed compares it whole); the old secret gets its own header.
  if (secrets[1]) headers['x-keyway-signature-previous'] = hexSignature(secrets[1], body);
  return headers;
}
