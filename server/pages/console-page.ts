// `/console`: the staff console's one HTML shell and its build (dist/console, `npm run build`).
// Every answer: strict CSP (scripts and styles from this origin only, no inline code), never
// framed, never cached (docs/console.md).
import fs from 'node:fs';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';
import type { Ctx } from '../domain/context.js';
import { ApiError } from '../domain/errors.js';
import type { AppContext, AppEnv } from '../http/context.js';
import { errorAnswer } from '../http/errors.js';
import { type Locale, pickLocale } from '../messages/locale.js';
import { contentType, etagOf, matchesEtag, PROJECT_ROOT } from './static.js';

export const CONSOLE_DIR = path.join(PROJECT_ROOT, 'dist', 'console');

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONSOLE_PAGE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const TITLES: Record<Locale, string> = { en: 'Console', de: 'Konsole', ar: 'لوحة التحكم' };

const shell = (locale: Locale, brand: string) => html`<!doctype html>
<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${brand} — ${TITLES[locale]}</title>
<link rel="icon" href="/favicon.ico">
<script type="module" src="/console/assets/console.js"></script>
</head>
<body>
<keyway-console brand="${brand}"></keyway-console>
<noscript>The console needs JavaScript.</noscript>
</body>
</html>`;

const cache = new Map<string, { mtimeMs: number; body: Buffer; etag: string }>();

/** The shell for every console address (links can be shared), and its assets by bare name. */
export function consolePageRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, dir = CONSOLE_DIR): void {
  const page = (c: AppContext) => {
    const locale = pickLocale(c.req.header('accept-language'));
    return c.html(shell(locale, ctx.config.brand.name), 200, {
      ...CONSOLE_PAGE_HEADERS,
      'content-language': locale,
      vary: 'Accept-Language',
    });
  };
  app.get('/console/assets/:file', (c) => {
    const name = c.req.param('file');
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.(js|css|map)$/.test(name))
      return errorAnswer(c, new ApiError('not_found', 'No such file.'));
    const file = path.join(dir, name);
    let entry = cache.get(file);
    try {
      const stat = fs.statSync(file);
      if (!entry || entry.mtimeMs !== stat.mtimeMs) {
        const body = fs.readFileSync(file);
        entry = { mtimeMs: stat.mtimeMs, body, etag: etagOf(body) };
        cache.set(file, entry);
      }
    } catch {
      return errorAnswer(c, new ApiError('not_found', 'No such file in the console build (run npm run build).'));
    }
    const hashed = !/^console\.(js|css)(\.map)?$/.test(name);
    const headers = {
      'content-type': contentType(name),
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: entry.etag,
      'x-content-type-options': 'nosniff',
    };
    if (matchesEtag(c.req.header('if-none-match'), entry.etag)) return c.body(null, 304, headers);
    return c.body(new Uint8Array(entry.body), 200, headers);
  });
  app.get('/console', page);
  app.get('/console/*', page);
}
