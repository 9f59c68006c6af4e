// Google Wallet save/delete callbacks, the protocol: ECv2SigningOnly signatures checked against Google's root keys.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SENDER_ID = 'GooglePayPasses';
const PROTOCOL = 'ECv2SigningOnly';

export const CallbackBody = z.object({
  signature: z.string().min(1).max(512),
  intermediateSigningKey: z.object({
    signedKey: z.string().min(1).max(4096),
    signatures: z.array(z.string().max(512)).min(1).max(8),
  }),
  protocolVersion: z.literal(PROTOCOL),
  signedMessage: z.string().min(1).max(4096),
});
export type CallbackBody = z.infer<typeof CallbackBody>;

const SignedKey = z.object({ keyValue: z.string(), keyExpiration: z.string() });
const SignedMessage = z.object({
  classId: z.string(),
  objectId: z.string(),
  expTimeMillis: z.union([z.string(), z.number()]),
  eventType: z.enum(['save', 'del']),
  nonce: z.string().min(1).max(200),
});

export interface RootKey {
  key: crypto.KeyObject;
  expiresAt?: number;
}

/** Google's `{"keys":[{"keyValue","protocolVersion","keyExpiration"?}]}`: the ECv2SigningOnly keys in it. */
export function parseRootKeys(json: unknown): RootKey[] {
  const parsed = json as { keys?: { keyValue?: unknown; protocolVersion?: string; keyExpiration?: string }[] } | null;
  if (!parsed || !Array.isArray(parsed.keys)) throw new Error('expected {"keys":[…]}');
  return parsed.keys
    .filter((k) => typeof k.keyValue === 'string' && (!k.protocolVersion || k.protocolVersion === PROTOCOL))
    .map((k) => ({
      key: crypto.createPublicKey({ key: Buffer.from(k.keyValue as string, 'base64'), format: 'der', type: 'spki' }),
      ...(k.keyExpiration ? { expiresAt: Number(k.keyExpiration) } : {}),
    }));
}

/** A keys file (KEYWAY_GOOGLE_CALLBACK_KEYS as a path), read once. */
export function loadRootKeys(path: string): RootKey[] {
  return parseRootKeys(JSON.parse(readFileSync(path, 'utf8')));
}

/** 4-byte little-endian length before each UTF-8 part, as the protocol signs them. */
function lengthValue(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const bytes = Buffer.from(p, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(bytes.length);
      return [len, bytes];
    }),
  );
}

const verifies = (key: crypto.KeyObject, data: Buffer, signatureB64: string) => {
  try {
    return crypto.verify('sha256', data, key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
};

/**
 * Signs a callback as Google does (a root key signs a fresh intermediate, which signs the message).
 * Development only: the demo's simulated phone, with the dev root from `keyway certs dev`.
 */
export function signDevCallback(
  root: crypto.KeyObject,
  issuerId: string,
  message: { classId: string; objectId: string; eventType: 'save' | 'del'; nonce: string },
  now: number,
): CallbackBody {
  const intermediate = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const signedKey = JSON.stringify({
    keyValue: intermediate.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    keyExpiration: String(now + 3600_000),
  });
  const signedMessage = JSON.stringify({ ...message, expTimeMillis: String(now + 60_000) });
  return {
    signature: crypto
      .sign('sha256', lengthValue(SENDER_ID, issuerId, PROTOCOL, signedMessage), intermediate.privateKey)
      .toString('base64'),
    intermediateSigningKey: {
      signedKey,
      signatures: [crypto.sign('sha256', lengthValue(SENDER_ID, PROTOCOL, signedKey), root).toString('base64')],
    },
    protocolVersion: PROTOCOL,
    signedMessage,
  };
}

/** The verified message, or null when any signature, expiry or recipient is wrong. */
export function verifyCallback(
  body: CallbackBody,
  rootKeys: RootKey[],
  issuerId: string,
  now: number,
): z.infer<typeof SignedMessage> | null {
  const ik = body.intermediateSigningKey;
  const live = rootKeys.filter((k) => !k.expiresAt || k.expiresAt > now);
  const keyData = lengthValue(SENDER_ID, PROTOCOL, ik.signedKey);
  if (!ik.signatures.some((sig) => live.some((k) => verifies(k.key, keyData, sig)))) return null;
  let signedKey: z.infer<typeof SignedKey>;
  let intermediate: crypto.KeyObject;
  try {
    signedKey = SignedKey.parse(JSON.parse(ik.signedKey));
    intermediate = crypto.createPublicKey({
      key: Buffer.from(signedKey.keyValue, 'base64'),
      format: 'der',
      type: 'spki',
    });
  } catch {
    return null;
  }
  if (!(Number(signedKey.keyExpiration) > now)) return null;
  if (!verifies(intermediate, lengthValue(SENDER_ID, issuerId, PROTOCOL, body.signedMessage), body.signature))
    return null;
  try {
    const message = SignedMessage.parse(JSON.parse(body.signedMessage));
    return Number(message.expTimeMillis) > now ? message : null;
  } catch {
    return null;
  }
}
