// Google Wallet save/delete callbacks: ECv2SigningOnly signatures checked against configured root keys.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { nowIso, type Ctx } from '../../domain/context.js';
import { confirmDevice } from '../../domain/devices.js';
import { ApiError } from '../../domain/errors.js';

const SENDER_ID = 'GooglePayPasses';
const PROTOCOL = 'ECv2SigningOnly';

export const CallbackBody = z.object({
  signature: z.string().min(1).max(512),
  intermediateSigningKey: z.object({ signedKey: z.string().min(1).max(4096), signatures: z.array(z.string().max(512)).min(1).max(8) }),
  protocolVersion: z.literal(PROTOCOL),
  signedMessage: z.string().min(1).max(4096),
});
export type CallbackBody = z.infer<typeof CallbackBody>;

const SignedKey = z.object({ keyValue: z.string(), keyExpiration: z.string() });
const SignedMessage = z.object({ classId: z.string(), objectId: z.string(), expTimeMillis: z.union([z.string(), z.number()]), eventType: z.enum(['save', 'del']), nonce: z.string().min(1).max(200) });

interface RootKey {
  key: crypto.KeyObject;
  expiresAt?: number;
}

const rootKeyCache = new Map<string, RootKey[]>();

/** KEYWAY_GOOGLE_CALLBACK_KEYS: Google's `{"keys":[{"keyValue","protocolVersion","keyExpiration"?}]}` file. */
export function loadRootKeys(path: string): RootKey[] {
  const cached = rootKeyCache.get(path);
  if (cached) return cached;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: { keyValue: string; protocolVersion?: string; keyExpiration?: string }[] };
  const keys = (parsed.keys ?? [])
    .filter((k) => !k.protocolVersion || k.protocolVersion === PROTOCOL)
    .map((k) => ({ key: crypto.createPublicKey({ key: Buffer.from(k.keyValue, 'base64'), format: 'der', type: 'spki' }), ...(k.keyExpiration ? { expiresAt: Number(k.keyExpiration) } : {}) }));
  rootKeyCache.set(path, keys);
  return keys;
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

/** The verified message, or null when any signature, expiry or recipient is wrong. */
export function verifyCallback(body: CallbackBody, rootKeys: RootKey[], issuerId: string, now: number): z.infer<typeof SignedMessage> | null {
  const ik = body.intermediateSigningKey;
  const live = rootKeys.filter((k) => !k.expiresAt || k.expiresAt > now);
  const keyData = lengthValue(SENDER_ID, PROTOCOL, ik.signedKey);
  if (!ik.signatures.some((sig) => live.some((k) => verifies(k.key, keyData, sig)))) return null;
  let signedKey: z.infer<typeof SignedKey>;
  let intermediate: crypto.KeyObject;
  try {
    signedKey = SignedKey.parse(JSON.parse(ik.signedKey));
    intermediate = crypto.createPublicKey({ key: Buffer.from(signedKey.keyValue, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return null;
  }
  if (!(Number(signedKey.keyExpiration) > now)) return null;
  if (!verifies(intermediate, lengthValue(SENDER_ID, issuerId, PROTOCOL, body.signedMessage), body.signature)) return null;
  try {
    const message = SignedMessage.parse(JSON.parse(body.signedMessage));
    return Number(message.expTimeMillis) > now ? message : null;
  } catch {
    return null;
  }
}

/**
 * `POST /wallet/google/callback`: a verified `save` confirms the device (and the credential turns
 * `active`); each nonce is processed once. Anything unverifiable is 401 and changes nothing.
 */
export async function handleGoogleCallback(ctx: Ctx, body: CallbackBody): Promise<{ processed: boolean }> {
  const google = ctx.config.passes ? ctx.wallet?.google : undefined;
  const keysFile = ctx.config.raw.KEYWAY_GOOGLE_CALLBACK_KEYS;
  if (!google || !keysFile) throw new ApiError('unauthorized', 'Google callbacks are not configured (KEYWAY_GOOGLE_CALLBACK_KEYS).');
  const message = verifyCallback(body, loadRootKeys(keysFile), google.issuerId, ctx.clock.now().getTime());
  if (!message) throw new ApiError('unauthorized', 'The callback signature does not verify.');
  const fresh = await ctx.store.db
    .insertInto('google_callback_nonces')
    .values({ nonce: message.nonce, created_at: nowIso(ctx) })
    .onConflict((oc) => oc.column('nonce').doNothing())
    .executeTakeFirst();
  if (Number(fresh.numInsertedOrUpdatedRows ?? 0) === 0) return { processed: false };
  const prefix = `${google.issuerId}.`;
  if (message.eventType !== 'save' || !message.objectId.startsWith(prefix)) return { processed: true };
  const device = await ctx.store.db
    .selectFrom('devices')
    .select(['id', 'platform'])
    .where('serial_number', '=', message.objectId.slice(prefix.length))
    .executeTakeFirst();
  if (device?.platform === 'google') await confirmDevice(ctx, device.id, `device:${device.id}`);
  return { processed: true };
}
