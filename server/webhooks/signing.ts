// Webhook secrets and signatures: Standard Webhooks headers plus DoorFlow's hex HMAC (SPEC §6).
import crypto from 'node:crypto';
import type { RandomSource } from '../crypto/secrets.js';

/** `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = (random: RandomSource): string => `whsec_${random(32).toString('base64')}`;

/** `v1,<base64 HMAC-SHA256(id.timestamp.body)>` keyed with the base64-decoded part of the secret. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Hex HMAC-SHA256 of the raw body keyed with the `whsec_…` string as shown, so the seed's snippet verifies. */
export function hexSignature(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}

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
