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

/**
 * Reads one file of the CDN build by its bare name (no directories, so no traversal), or null.
 * `keyway.js` keeps its name across builds and is revalidated; the hashed chunks are immutable.
 */
export function cdnFile(dir: string, name: string): { body: Buffer; headers: Record<string, string> } | null {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|js\.map)$/.test(name)) return null;
  try {
    const body = fs.readFileSync(path.join(dir, name));
    const hashed = name !== 'keyway.js' && name !== 'keyway.js.map';
    return {
      body,
      headers: {
        'content-type': contentType(name),
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
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
