import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import {
  checkVerification,
  countResendLimits,
  countStartLimits,
  linkUsable,
  redeemLink,
  resendVerification,
  startVerification,
} from '../../domain/verifications/verifications.js';
import { pickLocale } from '../../messages/locale.js';
import { LINK_PAGE_CSS, linkPage } from '../../pages/link-page.js';
import type { AppContext, AppEnv } from '../context.js';
import { errorAnswer } from '../errors.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** docs/security.md: hosted pages run under a strict CSP: no inline script or style, no framing, no referrer. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const wantsHtml = (c: AppContext) => /text\/html/.test(c.req.header('accept') ?? '');

/** Flow B (docs/api.md): SMS one-time codes, resends, and the secure link `/v/{token}`. */
export function verificationRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/verifications',
      summary: 'Text a one-time code and link to a mobile number',
      tag: 'Widgets',
      auth: 'publishable',
      body: S.VerificationInput,
      wrap: 'verification',
      status: 202,
      response: S.VerificationStarted,
      errors: [403, 404, 422, 429],
      description:
        'One SMS carries a 6-digit code (10 minutes) and a link /v/{token}; its last line is `@<host> #<code>` for WebOTP and iOS autofill. ' +
        'Unknown or disabled numbers answer exactly like known ones (KEYWAY_UNKNOWN_NUMBER_POLICY=conceal) or 404 phone_not_found (reveal).',
      limit: ({ caller, body }, c) => countStartLimits(ctx, caller, { ...body, ip: c.get('ip') }),
    },
    async ({ caller, body }, c) =>
      c.json(await startVerification(ctx, caller, { ...body, ip: c.get('ip'), origin: c.req.header('origin') }), 202),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/verifications/{id}/check',
      summary: 'Check a one-time code',
      tag: 'Widgets',
      auth: 'publishable',
      body: S.VerificationCheckInput,
      status: 200,
      response: S.ProvisioningGrant,
      errors: [403, 404, 410, 422, 429],
      description:
        'Spaces and dashes allowed. Wrong → 422 incorrect_code with details.attempts_left; the 5th wrong and every later check → 429 too_many_attempts.',
    },
    async ({ caller, body }, c) =>
      c.json(await checkVerification(ctx, caller, { id: c.req.param('id')!, code: body.code })),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/verifications/{id}/resend',
      summary: 'Text a new code (the old one dies)',
      tag: 'Widgets',
      auth: 'publishable',
      status: 202,
      response: S.VerificationStarted,
      errors: [403, 404, 410, 429],
      description:
        'At least 60 s apart and at most 5 sends per verification; before resend_after → 429 rate_limited with Retry-After.',
      limit: ({ caller }, c) => countResendLimits(ctx, caller, { id: c.req.param('id')!, ip: c.get('ip') }),
    },
    async ({ caller }, c) => c.json(await resendVerification(ctx, caller, { id: c.req.param('id')! }), 202),
  );

  app.get('/v/:token', async (c) => {
    // The page's stylesheet shares the path: a separate static route would force Hono's slower
    // trie router (its regexp router cannot order /v/page.css before /v/:token).
    if (c.req.param('token') === 'page.css') {
      return c.body(LINK_PAGE_CSS, 200, {
        'content-type': 'text/css; charset=utf-8',
        'cache-control': 'public, max-age=3600',
        'x-content-type-options': 'nosniff',
      });
    }
    const usable = await linkUsable(ctx, c.req.param('token'));
    const locale = pickLocale(c.req.header('accept-language'));
    const html = linkPage({
      locale,
      brand: ctx.config.brand.name,
      state: usable ? 'confirm' : 'expired',
      action: `/v/${c.req.param('token')}`,
    });
    return c.html(html, usable ? 200 : 410, PAGE_HEADERS);
  });

  app.post('/v/:token', async (c) => {
    try {
      const grant = await redeemLink(ctx, { token: c.req.param('token'), ip: c.get('ip') });
      return c.body(null, 303, { ...PAGE_HEADERS, location: `/p#ps=${grant.provisioning_token}` });
    } catch (err) {
      if (!(err instanceof ApiError) || !wantsHtml(c)) throw err;
      if (err.code !== 'link_expired') return errorAnswer(c, err, PAGE_HEADERS);
      const html = linkPage({
        locale: pickLocale(c.req.header('accept-language')),
        brand: ctx.config.brand.name,
        state: 'expired',
      });
      return c.html(html, 410, PAGE_HEADERS);
    }
  });
}
