import crypto from 'node:crypto';

/** The keys derived from KEYWAY_SECRET by HKDF with distinct labels (docs/security.md). */
export interface KeyRing {
  /** Key id of the current secret, carried by every ciphertext. */
  kid: string;
  /** Key id of KEYWAY_SECRET_PREVIOUS, when it is set (`keyway secrets rotate` looks for it). */
  previousKid?: string;
  /** HMAC of a lookup value under the current key, then under the previous one (rotation). */
  lookupHashes(purpose: string, value: string): string[];
  lookupHash(purpose: string, value: string): string;
  encrypt(plaintext: string, aad?: string): string;
  decrypt(ciphertext: string, aad?: string): string;
  /** Key for idempotency-record integrity and other internal MACs. */
  idempotencyKey: Buffer;
  /** The idempotency key under the current secret, then under the previous one (rotation). */
  idempotencyKeys: Buffer[];
  /** Deterministic value derived from the secret, e.g. the hosted page's built-in key. */
  derive(label: string, bytes: number): Buffer;
  /** The same under the current secret, then under the previous one (what was made before a rotation). */
  deriveEach(label: string, bytes: number): Buffer[];
}

interface DerivedKeys {
  kid: string;
  hmac: Buffer;
  aes: Buffer;
  idem: Buffer;
  master: Buffer;
}

const derive = (k: DerivedKeys, label: string, bytes: number) =>
  Buffer.from(crypto.hkdfSync('sha256', k.master, 'keyway', `keyway/derive/${label}`, bytes));

function deriveKeys(secretB64: string): DerivedKeys {
  const master = Buffer.from(secretB64, 'base64');
  const hk = (label: string) => Buffer.from(crypto.hkdfSync('sha256', master, 'keyway', label, 32));
  const kid = crypto.createHash('sha256').update(hk('keyway/kid')).digest('hex').slice(0, 8);
  return { kid, hmac: hk('keyway/hmac'), aes: hk('keyway/aes-gcm'), idem: hk('keyway/idempotency'), master };
}

/** A ciphertext made under a secret that is neither KEYWAY_SECRET nor KEYWAY_SECRET_PREVIOUS. */
export class UnknownKeyError extends Error {
  constructor() {
    super('ciphertext was made with an unknown key (check KEYWAY_SECRET_PREVIOUS)');
    this.name = 'UnknownKeyError';
  }
}

export function createKeyRing(secret: string, previous?: string): KeyRing {
  const current = deriveKeys(secret);
  const prev = previous ? deriveKeys(previous) : undefined;
  const byKid = new Map<string, DerivedKeys>([[current.kid, current]]);
  if (prev) byKid.set(prev.kid, prev);

  // Bounded memo of recent decryptions (insertion order evicts the oldest).
  const decrypted = new Map<string, string>();

  const mac = (k: DerivedKeys, purpose: string, value: string) =>
    crypto.createHmac('sha256', k.hmac).update(purpose).update('\0').update(value).digest('base64url');

  return {
    kid: current.kid,
    previousKid: prev?.kid,
    idempotencyKey: current.idem,
    idempotencyKeys: prev ? [current.idem, prev.idem] : [current.idem],
    lookupHash: (purpose, value) => mac(current, purpose, value),
    lookupHashes: (purpose, value) =>
      prev ? [mac(current, purpose, value), mac(prev, purpose, value)] : [mac(current, purpose, value)],
    encrypt(plaintext, aad = '') {
      const iv = cryptoRandom(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', current.aes, iv);
      cipher.setAAD(Buffer.from(aad));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${current.kid}.${Buffer.concat([iv, ct, cipher.getAuthTag()]).toString('base64url')}`;
    },
    decrypt(ciphertext, aad = '') {
      // Reads show the same few codes again and again; AES-GCM set-up dominates a small decrypt.
      const memoKey = `${aad}\u0000${ciphertext}`;
      const memo = decrypted.get(memoKey);
      if (memo !== undefined) return memo;
      const plain = decryptUncached(ciphertext, aad);
      if (decrypted.size >= 2048) decrypted.delete(decrypted.keys().next().value!);
      decrypted.set(memoKey, plain);
      return plain;
    },
    derive: (label, bytes) => derive(current, label, bytes),
    deriveEach: (label, bytes) =>
      prev ? [derive(current, label, bytes), derive(prev, label, bytes)] : [derive(current, label, bytes)],
  };

  function decryptUncached(ciphertext: string, aad: string): string {
    const dot = ciphertext.indexOf('.');
    const keys = byKid.get(ciphertext.slice(0, dot));
    if (dot < 0 || !keys) throw new UnknownKeyError();
    const raw = Buffer.from(ciphertext.slice(dot + 1), 'base64url');
    const decipher = crypto.createDecipheriv('aes-256-gcm', keys.aes, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }
}

// crypto.hash (Node ≥ 20.12) skips the Hash object: every authenticated request hashes its token.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;
/**
 * The id `/healthz` answers with (SPEC §15): the same on every instance sharing this KEYWAY_SECRET, so
 * `keyway doctor` can tell that PUBLIC_URL reaches this deployment; 16 hex, nothing of the secret.
 */
export const instanceIdOf = (keys: KeyRing): string => keys.derive('instance-id', 8).toString('hex');

export const sha256 = (value: string): string =>
  oneShot ? oneShot('sha256', value, 'base64url') : crypto.createHash('sha256').update(value).digest('base64url');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 text of random bytes: URL-safe and matches the key pattern `[A-Za-z0-9_]`. */
export function base62(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  const width = Math.ceil((bytes.length * 8) / Math.log2(62));
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

export type RandomSource = (bytes: number) => Buffer;

// Bytes from the CSPRNG, drawn 4 KiB at a time (as Node does for randomUUID): each call into
// OpenSSL costs about as much as filling 4 KiB, and a request wants several small pieces (ids,
// codes, tokens, IVs). Every byte is handed out once; a new pool is a new buffer, so the views
// given out earlier never change.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = 0;
export const cryptoRandom: RandomSource = (n) => {
  if (n > 256) return crypto.randomBytes(n);
  if (poolOffset + n > pool.length) {
    pool = crypto.randomFillSync(Buffer.allocUnsafeSlow(POOL_BYTES));
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return bytes;
};

/** `<prefix>_<base62>`; 32 bytes (256 bits) unless told otherwise — docs/security.md asks ≥ 128. */
export function newToken(random: RandomSource, prefix: string, bytes = 32): string {
  return `${prefix}_${base62(random(bytes))}`;
}

export function timingSafeEqualString(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
