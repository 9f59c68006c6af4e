import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import { downloadPass, requestPass } from '../../domain/wallets/passes.js';
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
      response: S.PassLink,
      errors: [403, 404, 409, 429],
      description:
        'Creates a pending device with its own serial number, authentication token and (per-device mode) reader value. Apple: a one-time .pkpass URL valid 15 minutes; Google: the save URL. Credentials in provisioning or active only; a publishable key is 401.',
    },
    async ({ caller, body }, c) => c.json(await requestPass(ctx, caller, body)),
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
