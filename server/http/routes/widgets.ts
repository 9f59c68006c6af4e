import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { credentialStatus } from '../../domain/credential-views.js';
import { redeemInvitation } from '../../domain/invitations.js';
import { readBody } from '../body.js';
import type { AppEnv } from '../context.js';
import { requireCaller } from '../middleware.js';
import { defineRoute } from '../route.js';
import { sharedJson } from '../shared-json.js';
import * as S from '../schemas.js';

/** Endpoints the widgets call with a publishable key or a cs_/ps_ token (SPEC §4). */
export function widgetRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
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
      description: 'Case, spaces, dashes and Crockford look-alikes (O→0, I/L→1) are forgiven. Moves the credential invited → provisioning.',
    },
    async (c) => {
      const caller = requireCaller(c, ['publishable']);
      const input = await readBody(c, S.RedeemInput);
      return c.json(await redeemInvitation(ctx, caller, { code: input.invitation_code, ip: c.get('ip') }));
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/credentials/{cid}/status', summary: 'Where a credential stands', tag: 'Widgets', auth: 'session', status: 200, response: S.CredentialStatusView, errors: [403, 404] },
    async (c) => {
      const caller = requireCaller(c, ['client_session', 'provisioning']);
      const scope = caller.kind === 'provisioning' ? { personId: caller.personId, credentialId: caller.credentialId } : { personId: caller.personId };
      return sharedJson(c, null, await credentialStatus(ctx, c.req.param('cid')!, scope));
    },
  );
}
