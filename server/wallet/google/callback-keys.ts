// Where the keys that verify Google's save callbacks come from: a file, or a URL (Google's published
// keys by default in production) fetched with a deadline, cached, and kept when a later fetch fails.
import { loadRootKeys, parseRootKeys, type RootKey } from './callback.js';

/** Cache lifetime without a Cache-Control max-age, and the bounds any max-age is held to. */
const DEFAULT_TTL_S = 3600;
const MIN_TTL_S = 60;
const MAX_TTL_S = 86_400;
/** A signature no cached key verifies may mean Google rotated: refetch, if the copy is at least this old. */
const REFRESH_MIN_INTERVAL_MS = 60_000;
/** After a failed fetch, the last good copy serves this long before the next try. */
const RETRY_AFTER_FAILURE_MS = 60_000;
const FETCH_DEADLINE_MS = 10_000;
const MAX_BODY_BYTES = 64 * 1024;

export class CallbackKeysUnavailableError extends Error {
  override name = 'CallbackKeysUnavailableError';
}

export interface CallbackKeySource {
  /** `file` or `url`, for logs. */
  readonly kind: 'file' | 'url';
  /**
   * The current keys. `refresh`: the caller found no key that verifies; a URL source refetches
   * (rate-limited) and answers the fresh copy. Throws CallbackKeysUnavailableError when a URL was
   * never fetched successfully.
   */
  keys(opts?: { refresh?: boolean; log?: (record: Record<string, unknown>) => void }): Promise<RootKey[]>;
}

/** A file of keys, read and parsed once (a bad file stops start-up). */
export function fileKeySource(path: string): CallbackKeySource {
  const keys = loadRootKeys(path);
  if (!keys.length) throw new Error('it holds no ECv2SigningOnly key');
  return { kind: 'file', keys: async () => keys };
}

export interface UrlKeySourceOptions {
  fetch?: typeof globalThis.fetch;
  now?: () => number;
  deadlineMs?: number;
}

/** `Cache-Control: max-age=N` (public, s-maxage ignored), bounded; the default without one. */
export function cacheSeconds(header: string | null): number {
  const m = header ? /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(header) : null;
  const ttl = m ? Number(m[1]) : DEFAULT_TTL_S;
  return Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, ttl));
}

export function urlKeySource(url: string, options: UrlKeySourceOptions = {}): CallbackKeySource {
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const deadlineMs = options.deadlineMs ?? FETCH_DEADLINE_MS;
  let cache: { keys: RootKey[]; freshUntil: number } | undefined;
  let inflight: Promise<RootKey[]> | undefined;
  let lastFetch = -Infinity;

  async function fetchKeys(): Promise<RootKey[]> {
    // One deadline for the whole exchange, body included (the signal aborts the body stream too).
    const response = await doFetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(deadlineMs),
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const text = await response.text();
    if (text.length > MAX_BODY_BYTES) throw new Error('the keys document is too large');
    const keys = parseRootKeys(JSON.parse(text));
    if (!keys.length) throw new Error('no ECv2SigningOnly key in the document');
    cache = { keys, freshUntil: now() + cacheSeconds(response.headers.get('cache-control')) * 1000 };
    return keys;
  }

  function refetch(): Promise<RootKey[]> {
    if (!inflight) lastFetch = now();
    inflight ??= fetchKeys().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    kind: 'url',
    async keys(opts = {}) {
      const t = now();
      // A forged signature must not make us hammer Google: a refresh only when the copy is a minute old.
      const forced = Boolean(opts.refresh) && t - lastFetch >= REFRESH_MIN_INTERVAL_MS;
      if (cache && cache.freshUntil > t && !forced) return cache.keys;
      try {
        return await refetch();
      } catch (error) {
        opts.log?.({
          level: 'warn',
          msg: 'google callback keys fetch failed',
          error: (error as Error).message,
          kept_last_copy: Boolean(cache),
        });
        if (cache) {
          cache.freshUntil = t + RETRY_AFTER_FAILURE_MS; // keep the last good copy; try again in a minute
          return cache.keys;
        }
        throw new CallbackKeysUnavailableError(
          `Google's callback keys could not be fetched: ${(error as Error).message}`,
        );
      }
    },
  };
}
