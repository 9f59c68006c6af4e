import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { createHandoff, redeemHandoff } from '../../domain/invitations/handoffs.js';
import { consumeRedeemAttempt } from '../../domain/invitations/invitations.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** Desktop-to-phone hand-offs: a QR code's single-use link, redeemed on the phone. */
export function handoffRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/handoffs',
      summary: 'A hand-off link for a desktop QR code',
      tag: 'Wallet passes',
      auth: 'session',
      body: S.HandoffInput,
      status: 201,
      response: S.HandoffLink,
      errors: [403, 404, 409],
      description: 'PUBLIC_URL/p#h=<token>: single use, valid 5 minutes, never the session token itself.',
    },
    async ({ caller, body }, c) => c.json(await createHandoff(ctx, caller, body), 201),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/handoffs/redeem',
      summary: 'Redeem a hand-off on the phone',
      tag: 'Wallet passes',
      auth: 'publishable',
      body: S.HandoffRedeemInput,
      status: 200,
      response: S.ProvisioningGrant,
      errors: [403, 409, 410, 429],
      description:
        'Once; then 410 link_expired. The provisioning token is bound to PUBLIC_URL. Counts against the per-IP redeem limit.',
      limit: (_, c) => consumeRedeemAttempt(ctx, c.get('ip')),
    },
    async ({ caller, body }, c) => c.json(await redeemHandoff(ctx, caller, { token: body.handoff_token })),
  );
}
