// Webhook signatures: the Standard Webhooks v1 scheme, and DoorFlow's hex HMAC of the body.
import crypto from 'node:crypto';

/** `v1,<base64 HMAC-SHA256(id.timestamp.body)>` keyed with the base64-decoded part of the secret. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** Hex HMAC-SHA256 of the raw body keyed with the `whsec_…` string as shown, so the seed's snippet verifies. */
export function hexSignature(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('hex');
}
