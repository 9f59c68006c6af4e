// Sign in with Google for an HID badge (SPEC §16, docs/hid.md): <add-to-wallet> opens
// `/p/google-sign-in?nonce=…&state=…` as a pop-up from the press; this sends it on to Google's
// authorization endpoint (KEYWAY_GOOGLE_SIGN_IN_URL) for an ID token, which Google returns in the
// fragment of `/p/google-signed-in` — a page on Keyway's origin that hands it to the opener with
// postMessage (to the opener origin named in `state`) and closes. The fragment never reaches a server log.

import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { allowedOrigins } from '../domain/callers/keys.js';
import type { Ctx } from '../domain/context.js';
import { ApiError } from '../domain/errors.js';
import type { AppEnv } from '../http/context.js';
import { errorAnswer } from '../http/errors.js';

/** `<random>.<base64url(opener origin)>`, made by the element. */
const SignInQuery = z.object({
  nonce: z.string().regex(/^[\w-]{16,128}$/),
  state: z.string().regex(/^[\w-]{16,128}\.[\w-]{4,400}$/),
});

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page lists the origins it may hand a token to: Keyway's own and every active publishable key's. */
const signedInPage = (origins: string[]) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="keyway-origins" content="${escapeAttr(origins.join(' '))}">
<title>Signed in</title><script type="module" src="/p/google-signed-in.js"></script></head>
<body><p>Signed in. This window closes by itself.</p></body></html>`;

// Hands the fragment's ID token to the page that opened the sign-in, on that page's origin only,
// and only if Keyway serves that origin: a state naming any other origin gets nothing.
const SIGNED_IN_SCRIPT = `const params = new URLSearchParams(location.hash.slice(1));
const allowed = (document.querySelector('meta[name=keyway-origins]')?.content ?? '').split(' ');
history.replaceState(null, '', location.pathname);
const state = params.get('state') ?? '';
let origin = null;
try {
  const encoded = state.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  origin = new URL(atob(encoded)).origin;
} catch {}
if (window.opener && origin && allowed.includes(origin)) {
  window.opener.postMessage(
    { message: 'keyway-google-sign-in', state, id_token: params.get('id_token'), error: params.get('error') },
    origin,
  );
}
window.close();
`;

const HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export function googleSignInRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  const passes = ctx.config.hidPasses;
  const clientId = passes?.googleClientId;
  if (!passes || !clientId) return;
  const redirectUri = `${ctx.config.publicUrl}/p/google-signed-in`;
  app.get('/p/google-sign-in', (c: Context) => {
    const query = SignInQuery.safeParse(c.req.query());
    if (!query.success) return errorAnswer(c, new ApiError('invalid_request', 'nonce and state are required.'));
    const url = new URL(passes.googleSignInUrl);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('response_type', 'id_token');
    url.searchParams.set('scope', 'openid');
    url.searchParams.set('nonce', query.data.nonce);
    url.searchParams.set('state', query.data.state);
    return c.redirect(url.href, 302);
  });
  app.get('/p/google-signed-in', async (c: Context) => {
    const origins = await allowedOrigins(ctx);
    origins.add(new URL(ctx.config.publicUrl).origin);
    return c.html(signedInPage([...origins]), 200, HEADERS);
  });
  app.get('/p/google-signed-in.js', (c: Context) =>
    c.body(SIGNED_IN_SCRIPT, 200, { ...HEADERS, 'content-type': 'text/javascript; charset=utf-8' }),
  );
}
