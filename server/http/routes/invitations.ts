import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import { consumeRedeemAttempt, redeemInvitation, reissueInvitation } from '../../domain/invitations/invitations.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** Invitation codes: re-issued by the admin (secret key), redeemed by the widget (publishable key). */
export function invitationRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/people/{id}/credentials/{cid}/invitation',
      summary: 'Re-issue the invitation (new code; the old one dies)',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      status: 200,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 409, 503],
    },
    async ({ caller, ids }, c) =>
      c.json({
        person_credential: await reissueInvitation(ctx, ids.id, c.req.param('cid')!, {
          actor: actorOf(caller),
          showSecrets: true,
        }),
      }),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/invitations/redeem',
      summary: 'Redeem an invitation code',
      tag: 'Widgets',
      auth: 'publishable',
      body: S.RedeemInput,
      status: 200,
      response: S.ProvisioningGrant,
      errors: [403, 404, 409, 410, 429],
      description:
        'Case, spaces, dashes and Crockford look-alikes (O→0, I/L→1) are forgiven. Moves the credential invited → provisioning.',
      limit: (_, c) => consumeRedeemAttempt(ctx, c.get('ip')),
    },
    async ({ caller, body }, c) =>
      c.json(
        await redeemInvitation(ctx, caller, {
          code: body.invitation_code,
          ip: c.get('ip'),
          retry: c.get('idempotencyRecord'),
        }),
      ),
  );
}
