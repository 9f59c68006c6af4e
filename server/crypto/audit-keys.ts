// SPEC §15: the audit log's checkpoints are signed with an Ed25519 key derived from KEYWAY_SECRET
// (HKDF label `keyway/derive/audit-checkpoint`, used for nothing else). Ed25519 rather than an HMAC:
// the public half can be handed to an auditor who must not hold the secret.
import crypto from 'node:crypto';

/** RFC 8410: the PKCS#8 wrapping of a 32-byte Ed25519 seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export const AUDIT_CHECKPOINT_LABEL = 'audit-checkpoint';

export interface CheckpointKey {
  /** The first 8 hex digits of SHA-256 over the raw public key. */
  kid: string;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
}

export function checkpointKey(seed: Buffer): CheckpointKey {
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicKey = crypto.createPublicKey(privateKey);
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { kid: crypto.createHash('sha256').update(raw).digest('hex').slice(0, 8), privateKey, publicKey };
}

export const signCheckpoint = (key: CheckpointKey, message: string): string =>
  crypto.sign(null, Buffer.from(message), key.privateKey).toString('base64url');

export function verifyCheckpointSignature(key: CheckpointKey, message: string, signature: string): boolean {
  try {
    return crypto.verify(null, Buffer.from(message), key.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
