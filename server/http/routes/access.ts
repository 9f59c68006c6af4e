import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { verifyAccess } from '../../domain/access/door-check.js';
import { actorOf } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';

const AccessInput = z.object({ value: z.string().min(1, 'Required.').max(256) }).openapi('AccessVerifyInput');
const AccessDecision = z
  .object({
    allowed: z.boolean(),
    credential_id: z.string().optional(),
    person_id: z.number().int().optional(),
    device_id: z.string().optional(),
    reason: z
      .enum([
        'unknown_value',
        'device_revoked',
        'credential_suspended',
        'credential_disabled',
        'credential_revoked',
        'credential_expired',
        'credential_not_provisioned',
        'person_disabled',
      ])
      .optional(),
  })
  .openapi('AccessDecision');

/** The door check (docs/api.md): readers and tests ask whether a value opens a door now. */
export function accessRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/access/verify',
      summary: 'Does this reader value open a door now?',
      tag: 'Access',
      auth: 'secret-access',
      body: AccessInput,
      status: 200,
      response: AccessDecision,
      errors: [403, 429],
      description:
        'Allowed only for a value of a pending or active device (per-device mode) or the shared value, on an enabled credential in provisioning or active. Every check is an access.checked event. Scope account.access (a door controller key) or account.person; refused checks count at most 100 a minute per key (429 after).',
    },
    async ({ caller, body }, c) => c.json(await verifyAccess(ctx, body.value, actorOf(caller), caller.keyId)),
  );
}
