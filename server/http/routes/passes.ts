import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { HID_BADGE } from '../../domain/credentials/types.js';
import { ApiError } from '../../domain/errors.js';
import { badgePlatforms, provisionBadge } from '../../domain/hid/badge-provisioning.js';
import { downloadPass, requestedCredentialType, requestPass } from '../../domain/wallets/passes.js';
import { pickLocale } from '../../messages/locale.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** Wallet passes: requested by the widget, downloaded once by the phone (docs/api.md). */
export function passRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/passes',
      summary: 'Request a wallet pass (a new device)',
      tag: 'Wallet passes',
      auth: 'session',
      body: S.PassRequest,
      status: 200,
      response: S.PassAnswer,
      errors: [401, 403, 404, 409, 428, 429, 503],
      description:
        'Creates a pending device with its own serial number, authentication token and (per-device mode) reader value. Apple: a one-time .pkpass URL valid 15 minutes; Google: the save URL. Credentials in provisioning or active only; a publishable key is 401. For an HID badge (type 10): Apple → `apple_provisioning` (the payload for Apple’s provisioning window, from HID’s web provisioning, spending the issuance token); Google → `428 google_sign_in_required` (with `details.client_id`) until `id_token` is given, then the save URL; a forged ID token (or one not signed RS256) → `401 google_sign_in_invalid`; Google’s ID-token keys unreachable → `503 upstream_unavailable`; a spent or expired issuance token is replaced once (never while HID Origo reports a wallet holding or adding the badge: then `409 provisioning_unavailable`), then `409 provisioning_unavailable`; HID Origo down or slow → `503 upstream_unavailable`; a badge left from before wallet badges were switched off on this server → `422 hid_not_configured`.',
    },
    async ({ caller, body }, c) => {
      if ((await requestedCredentialType(ctx, caller, body.credential_id)) === HID_BADGE)
        return c.json(await provisionBadge(ctx, caller, body, pickLocale(c.req.header('accept-language'))));
      return c.json(await requestPass(ctx, caller, body));
    },
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/passes/platforms',
      summary: 'Which wallets an HID badge can be added to',
      tag: 'Wallet passes',
      auth: 'session',
      body: S.PassPlatformsRequest,
      status: 200,
      response: S.PassPlatforms,
      errors: [403, 404, 409, 422, 503],
      description:
        'For an HID badge (type 10): the wallets its HID pass template supports (HID web provisioning’s `platforms`, asked once) that this server offers. Other credentials are 404; wallet badges no longer configured on this server → `422 hid_not_configured`.',
    },
    async ({ caller, body }, c) => c.json(await badgePlatforms(ctx, caller, body)),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/passes/{download_token}.pkpass',
      honoPath: '/passes/:file',
      summary: 'Download a signed Apple Wallet pass (once)',
      tag: 'Wallet passes',
      auth: 'none',
      status: 200,
      mediaType: 'application/vnd.apple.pkpass',
      response: z.string().openapi({ format: 'binary' }),
      errors: [403, 404, 410],
      description:
        'No header or cookie needed: the token in the path is the authority. A second fetch is 410 link_expired.',
    },
    async (_, c) => {
      const file = c.req.param('file') ?? '';
      if (!file.endsWith('.pkpass')) throw new ApiError('not_found', 'No such endpoint.');
      const pkpass = await downloadPass(ctx, file.slice(0, -'.pkpass'.length));
      return c.body(new Uint8Array(pkpass), 200, {
        'content-type': 'application/vnd.apple.pkpass',
        'cache-control': 'no-store',
        'content-disposition': 'attachment; filename="pass.pkpass"',
      });
    },
  );
}
