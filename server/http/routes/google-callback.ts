import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { handleGoogleCallback } from '../../domain/wallets/google-callback.js';
import { CallbackBody } from '../../wallet/google/callback.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';

/** Google Wallet's save/delete callbacks (`/wallet/google/callback`, docs/api.md). */
export function googleCallbackRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/wallet/google/callback',
      summary: 'Google Wallet save/delete callback',
      tag: 'Google Wallet',
      auth: 'none',
      body: CallbackBody,
      status: 200,
      errors: [401, 503],
      description:
        'ECv2SigningOnly, verified with the keys from KEYWAY_GOOGLE_CALLBACK_KEYS (a file or URL; in production by default the keys Google publishes); deduplicated by nonce. A save makes the device and its credential active. 401 when the signature does not verify or callbacks are off; 503 `upstream_unavailable` when the keys could never be fetched (Google tries again).',
    },
    async ({ body }, c) => {
      await handleGoogleCallback(ctx, body);
      return c.body(null, 200);
    },
  );
}
