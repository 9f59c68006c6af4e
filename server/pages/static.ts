import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');
/** Where `npm run build` puts the CDN bundle and its lazy chunks. */
export const CDN_DIR = path.join(PROJECT_ROOT, 'dist', 'cdn');

const ASSETS = path.join(import.meta.dirname, 'assets');

/** A page asset, read once: they ship with the server and never change while it runs. */
export function asset(name: string): string {
  return fs.readFileSync(path.join(ASSETS, name), 'utf8');
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const contentType = (file: string): string => TYPES[path.extname(file)] ?? 'application/octet-stream';

/** A strong validator for a body: the same bytes always get the same tag, across restarts and instances. */
export const etagOf = (body: string | Uint8Array): string =>
  `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;

/** Whether If-None-Match names this ETag (weak comparison, RFC 9110 §13.1.2: W/ and coding don't matter). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}

const cdnCache = new Map<string, { mtimeMs: number; size: number; body: Buffer; etag: string }>();

/**
 * Reads one file of the CDN build by its bare name (no directories, so no traversal), or null.
 * `keyway.js` keeps its name across builds and is revalidated by ETag; the hashed chunks are
 * immutable for a year. Read again only when the file changes on disk (a rebuild).
 */
export function cdnFile(
  dir: string,
  name: string,
): { body: Buffer; etag: string; headers: Record<string, string> } | null {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|js\.map)$/.test(name)) return null;
  try {
    const file = path.join(dir, name);
    const stat = fs.statSync(file);
    let entry = cdnCache.get(file);
    if (!entry || entry.mtimeMs !== stat.mtimeMs || entry.size !== stat.size) {
      const body = fs.readFileSync(file);
      entry = { mtimeMs: stat.mtimeMs, size: stat.size, body, etag: etagOf(body) };
      cdnCache.set(file, entry);
    }
    const hashed = name !== 'keyway.js' && name !== 'keyway.js.map';
    return {
      body: entry.body,
      etag: entry.etag,
      headers: {
        'content-type': contentType(name),
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag: entry.etag,
        'x-content-type-options': 'nosniff',
        // Partner pages on other origins load the bundle with <script type="module">, which is CORS.
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
      },
    };
  } catch {
    return null;
  }
}
