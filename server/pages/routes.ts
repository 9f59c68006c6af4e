import crypto from 'node:crypto';
import fs from 'node:fs';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { resolveCaller } from '../domain/callers/callers.js';
import { hostedPageKey, normalizeOrigin } from '../domain/callers/keys.js';
import type { Ctx } from '../domain/context.js';
import { credentialTypes } from '../domain/credentials/types.js';
import { ApiError } from '../domain/errors.js';
import type { AppEnv } from '../http/context.js';
import { errorAnswer } from '../http/errors.js';
import { pickLocale } from '../messages/locale.js';
import type { DemoConsoleKeys } from './demo-keys.js';
import { demoPage } from './demo-page.js';
import { googleSignInRoutes } from './google-sign-in.js';
import { hostedPage } from './hosted-page.js';
import { asset, CDN_DIR, cdnFile, etagOf, matchesEtag } from './static.js';

export interface PageOptions {
  /** The demo operator's keys for the dev console; read per request (main.ts learns them after start-up). */
  demoKeys?: () => DemoConsoleKeys | null;
  /** The CDN build to serve under /cdn (default dist/cdn). */
  cdnDir?: string;
}

// docs/security.md: hosted pages get a strict CSP — no inline script or style, no eval, never framed.
const HOSTED_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': HOSTED_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const ASSET_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };

/** The hosted page `/p`, its assets, the CDN bundle under `/cdn`, and in development the demo `/`. */
export function pageRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx, options: PageOptions = {}): void {
  const cdnDir = options.cdnDir ?? CDN_DIR;
  const brand = ctx.config.brand;
  const hostedJs = asset('hosted-page.js');
  const hostedCss = asset('hosted-page.css');
  // Only the light scheme takes the operator's colour: the dark defaults keep their contrast.
  const brandCss = `:root{--brand:${brand.color}}\n@media (prefers-color-scheme: light){:root{--keyway-color-primary:${brand.color};--keyway-color-focus:${brand.color}}}\n`;
  const logo = brand.logo && fs.existsSync(brand.logo) ? fs.readFileSync(brand.logo) : null;
  const badges = loadBadges(brand.badgeDir);

  app.get('/p', (c) => {
    const locale = pickLocale(c.req.header('accept-language'));
    const page = hostedPage({
      locale,
      brand: { name: brand.name, hasLogo: logo !== null },
      apiBase: ctx.config.publicUrl,
      publishableKey: hostedPageKey(ctx),
      defaultCountry: ctx.config.defaultCountry,
      badges: {
        apple: badgeFor(badges, 'apple', locale) !== undefined,
        google: badgeFor(badges, 'google', locale) !== undefined,
      },
    });
    return c.html(page, 200, { ...PAGE_HEADERS, 'content-language': locale, vary: 'Accept-Language' });
  });
  googleSignInRoutes(app, ctx);
  app.get('/p/page.js', revalidated(hostedJs, 'text/javascript; charset=utf-8'));
  app.get('/p/page.css', revalidated(hostedCss, 'text/css; charset=utf-8'));
  app.get('/p/brand.css', revalidated(brandCss, 'text/css; charset=utf-8'));
  // Official badge artwork (Apple and Google forbid redrawn badges): served as given, per locale.
  app.get('/p/badges/:file{(?:apple|google)-(?:en|de|ar)}', (c) => {
    const [platform, locale] = c.req.param('file').split('-') as ['apple' | 'google', string];
    const badge = badgeFor(badges, platform, locale);
    if (!badge) return errorAnswer(c, new ApiError('not_found', 'No badge artwork configured.'));
    return c.body(new Uint8Array(badge.bytes), 200, { ...ASSET_HEADERS, 'content-type': badge.type });
  });
  if (logo)
    app.get('/p/logo', (c) => c.body(new Uint8Array(logo), 200, { ...ASSET_HEADERS, 'content-type': 'image/png' }));

  // The SMS link lands on /p#ps=…: the page checks the token and learns its expiry before continuing.
  app.post('/p/session', async (c) => {
    const origin = c.req.header('origin');
    if (origin && origin !== normalizeOrigin(ctx.config.publicUrl))
      return errorAnswer(c, new ApiError('origin_not_allowed', 'This endpoint serves the hosted page only.'));
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const caller = token ? await resolveCaller(ctx, token) : null;
    if (caller?.kind !== 'provisioning')
      return errorAnswer(c, new ApiError('unauthorized', 'A valid provisioning token is required.'));
    return c.json({ credential_id: caller.credentialId, expires_at: caller.expiresAt }, 200, {
      'cache-control': 'no-store',
    });
  });

  app.get('/cdn/:file', (c) => {
    const file = cdnFile(cdnDir, c.req.param('file'));
    if (!file) return errorAnswer(c, new ApiError('not_found', 'No such file in the CDN build (run npm run build).'));
    if (matchesEtag(c.req.header('if-none-match'), file.etag)) return c.body(null, 304, file.headers);
    return c.body(new Uint8Array(file.body), 200, file.headers);
  });

  if (ctx.config.dev) {
    const demoJs = asset('demo.js');
    const demoCss = asset('demo.css');
    app.get('/', (c) => {
      const nonce = crypto.randomBytes(16).toString('base64');
      const keys = options.demoKeys?.() ?? null;
      c.header(
        'content-security-policy',
        `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      );
      c.header('referrer-policy', 'no-referrer');
      c.header('cache-control', 'no-store');
      // The mobile credential types this deployment offers (type 8 only with HID Origo configured).
      const issuable = credentialTypes(ctx).filter((t) => t.format === 'mobile');
      // What the console can offer, read from this server's own routes (not from the 116 KiB /openapi.json).
      const webhooks = app.routes.some((r) => r.path === '/api/3/webhooks');
      return c.html(demoPage({ nonce, keys, publicUrl: ctx.config.publicUrl, brand: brand.name, issuable, webhooks }));
    });
    app.get('/demo/demo.js', revalidated(demoJs, 'text/javascript; charset=utf-8'));
    app.get('/demo/demo.css', revalidated(demoCss, 'text/css; charset=utf-8'));
  }
}

/** A page asset that can change with a deploy: revalidated each time by its ETag (304 while it holds). */
function revalidated(text: string, type: string) {
  const headers = { ...ASSET_HEADERS, 'content-type': type, etag: etagOf(text) };
  return (c: Context) =>
    matchesEtag(c.req.header('if-none-match'), headers.etag) ? c.body(null, 304, headers) : c.body(text, 200, headers);
}

interface Badge {
  bytes: Buffer;
  type: string;
}

/**
 * KEYWAY_BADGE_DIR holds the official artwork as `apple-<locale>.svg|png` and
 * `google-<locale>.svg|png`, with `apple.svg|png` / `google.svg|png` for every other locale.
 */
function loadBadges(dir?: string): Map<string, Badge> {
  const out = new Map<string, Badge>();
  if (!dir || !fs.existsSync(dir)) return out;
  for (const file of fs.readdirSync(dir)) {
    const m = /^(apple|google)(?:-([a-z]{2}))?\.(svg|png)$/.exec(file);
    if (!m) continue;
    out.set(m[2] ? `${m[1]}-${m[2]}` : m[1], {
      bytes: fs.readFileSync(`${dir}/${file}`),
      type: m[3] === 'svg' ? 'image/svg+xml' : 'image/png',
    });
  }
  return out;
}

const badgeFor = (badges: Map<string, Badge>, platform: 'apple' | 'google', locale: string): Badge | undefined =>
  badges.get(`${platform}-${locale}`) ?? badges.get(platform);
