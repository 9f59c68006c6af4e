import { ApiError } from '../domain/errors.js';

const PER_TOKEN = 5;
const PER_IP = 100;

/**
 * Open status streams per token, per client IP bucket and in this process (docs/security.md,
 * "streams"): `acquire` hands back a release function, or throws 429 too_many_streams.
 */
export function streamCounts(maxStreams: number) {
  const byToken = new Map<string, number>();
  const byIp = new Map<string, number>();
  let total = 0;
  const bump = (m: Map<string, number>, k: string, d: number) => {
    const v = (m.get(k) ?? 0) + d;
    if (v > 0) m.set(k, v);
    else m.delete(k);
  };
  return {
    acquire(tokenHash: string, ipBucket: string): () => void {
      if ((byToken.get(tokenHash) ?? 0) >= PER_TOKEN || (byIp.get(ipBucket) ?? 0) >= PER_IP || total >= maxStreams) {
        throw new ApiError(
          'too_many_streams',
          `At most ${PER_TOKEN} open status streams per token and ${PER_IP} per client.`,
          undefined,
          30,
        );
      }
      bump(byToken, tokenHash, 1);
      bump(byIp, ipBucket, 1);
      total++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bump(byToken, tokenHash, -1);
        bump(byIp, ipBucket, -1);
        total--;
      };
    },
  };
}
