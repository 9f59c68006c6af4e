import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Context } from 'hono';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

export type ContentCoding = 'br' | 'gzip';

/** Answers this small gain nothing from compression (a TCP packet carries them either way). */
const MIN_BYTES = 1024;
const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml|problem\+json)|image\/svg\+xml)/;

/**
 * The coding the client prefers among br and gzip (RFC 9110 §12.5.3): q=0 refuses one, and
 * br wins a tie because it is smaller for the same text.
 */
export function negotiateCoding(acceptEncoding: string | undefined): ContentCoding | null {
  if (!acceptEncoding) return null;
  const q: Record<string, number> = {};
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    if (name) q[name.trim()] = weight === undefined ? 1 : Number(weight);
  }
  const of = (coding: ContentCoding) => q[coding] ?? q['*'] ?? 0;
  if (of('br') > 0 && of('br') >= of('gzip')) return 'br';
  return of('gzip') > 0 ? 'gzip' : null;
}

/** Compresses one body: static files at the smallest setting (done once, kept), live answers fast. */
export function compressBody(body: Uint8Array, coding: ContentCoding, level: 'static' | 'live'): Promise<Buffer> {
  if (coding === 'gzip') return gzip(body, { level: level === 'static' ? 9 : 6 });
  return brotli(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: level === 'static' ? 11 : 5,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
    },
  });
}

/**
 * Compresses text answers by Accept-Encoding (br, else gzip). An answer with a strong ETag is a
 * file: it is compressed once at the best setting and kept, and its ETag turns weak (the bytes now
 * differ per coding, the content does not — RFC 9110 §8.8.1). Event streams are never buffered.
 */
export function answerCompressor(): (c: Context) => Promise<void> | undefined {
  const kept = new Map<string, Buffer>();
  /** Hono copies the old answer's headers onto a new one; clearing it first keeps the new vary, etag and length. */
  const replace = (c: Context, res: Response) => {
    c.res = undefined;
    c.res = res;
  };
  return (c) => {
    // A client that accepts neither coding gets the answer untouched: not even its headers are
    // looked at, since that alone turns the server's light answer into a full fetch Response (a
    // cached read ran at half speed). No Vary is needed for it: the identity answer is right for
    // every client, and every compressed answer says Vary, so no cache hands one to this client.
    const coding = negotiateCoding(c.req.header('accept-encoding'));
    return coding ? compressAnswer(c, coding) : undefined;
  };

  async function compressAnswer(c: Context, coding: ContentCoding): Promise<void> {
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (c.req.method === 'HEAD' || !res.body || res.status === 204 || res.status === 304) return;
    if (
      !COMPRESSIBLE.test(type) ||
      res.headers.has('content-encoding') ||
      /no-transform/.test(res.headers.get('cache-control') ?? '')
    )
      return;
    const body = new Uint8Array(await res.arrayBuffer());
    const headers = new Headers(res.headers);
    // Too small to compress for anyone: one representation, so caches need no Vary for it.
    if (body.byteLength < MIN_BYTES) {
      replace(c, new Response(body, { status: res.status, headers }));
      return;
    }
    headers.append('vary', 'Accept-Encoding');
    const etag = res.headers.get('etag');
    const strong = etag && !etag.startsWith('W/') ? etag : null;
    let compressed: Buffer;
    if (strong) {
      const key = `${coding} ${strong}`;
      compressed = kept.get(key) ?? (await compressBody(body, coding, 'static'));
      if (kept.size > 256) kept.clear();
      kept.set(key, compressed);
      headers.set('etag', `W/${strong}`);
    } else {
      compressed = await compressBody(body, coding, 'live');
    }
    headers.set('content-encoding', coding);
    headers.delete('content-length');
    replace(c, new Response(new Uint8Array(compressed), { status: res.status, headers }));
  }
}
