import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf, type Caller, canSeeSecrets } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import { revokeCredential, revokeDevice, setCredentialEnabled } from '../../domain/credentials/changes.js';
import { createCredential } from '../../domain/credentials/issue.js';
import { credentialTypes } from '../../domain/credentials/types.js';
import {
  credentialOwner,
  credentialStatus,
  getCredentialView,
  listCredentials,
} from '../../domain/credentials/views.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';
import * as S from '../schemas.js';
import { sharedJson } from '../shared-json.js';

/** What a cs_ (its person) or ps_ (its credential) token may see of a credential's status; staff see any. */
export const scopeOf = async (
  ctx: Ctx,
  caller: Extract<Caller, { kind: 'client_session' | 'provisioning' | 'staff' }>,
  credentialId: string,
) =>
  caller.kind === 'provisioning'
    ? { personId: caller.personId, credentialId: caller.credentialId }
    : caller.kind === 'staff'
      ? { personId: await credentialOwner(ctx, credentialId) }
      : { personId: caller.personId };

/** Credentials of a person (secret keys) and their status (widgets' tokens); the live stream is `../status-stream.ts` (docs/api.md). */
export function credentialRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credential_types',
      summary: 'List credential types',
      tag: 'Credentials',
      auth: 'none',
      status: 200,
      response: z.object({ credential_types: z.array(S.CredentialType) }),
    },
    (_, c) => c.json({ credential_types: credentialTypes(ctx) }),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/people/{id}/credentials',
      summary: 'Issue a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      body: S.CredentialInput,
      wrap: 'person_credential',
      status: 201,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 409, 422, 503],
      description:
        'A value another live credential holds → 409 `value_in_use` (a person’s card number on that person’s wallet pass excepted). A wallet pass (type 9) starts `invited` with an invitation code; card (1) and PIN (6) are `active` at once. HID Mobile Access (type 8, when HID Origo is configured) starts `invited` with HID Origo’s code and no `invitation_url`; Origo down or slow → 503 `upstream_unavailable` and nothing is stored.',
    },
    async ({ caller, ids, body }, c) => {
      const person_credential = await createCredential(ctx, ids.id, body, {
        actor: actorOf(caller),
        showSecrets: true,
      });
      return c.json({ person_credential }, 201);
    },
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people/{id}/credentials',
      summary: 'List a person’s credentials',
      tag: 'Credentials',
      auth: 'secret-read',
      intParams: ['id'],
      query: S.ListQuery,
      status: 200,
      response: z.object({ person_credentials: z.array(S.PersonCredential), next_cursor: z.string().nullable() }),
      errors: [404],
    },
    async ({ caller, ids, query: q }, c) =>
      c.json(
        await listCredentials(ctx, ids.id, { limit: q.limit, cursor: q.cursor, showSecrets: canSeeSecrets(caller) }),
      ),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Read a credential',
      tag: 'Credentials',
      auth: 'secret-read',
      intParams: ['id'],
      status: 200,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [404],
    },
    async ({ caller, ids }, c) =>
      sharedJson(
        c,
        ctx.store,
        'person_credential',
        await getCredentialView(ctx, ids.id, c.req.param('cid')!, canSeeSecrets(caller)),
      ),
  );

  defineRoute(
    app,
    {
      method: 'put',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Enable or disable a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      body: S.CredentialUpdate,
      wrap: 'person_credential',
      status: 200,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 409, 422],
      description:
        'An HID badge (type 10) a wallet holds is suspended or resumed at HID Origo first: Origo down or slow → `503 upstream_unavailable`; wallet badges no longer configured on this server → `422 hid_not_configured`. Nothing is changed either way.',
    },
    async ({ caller, ids, body }, c) =>
      c.json({
        person_credential: await setCredentialEnabled(ctx, ids.id, c.req.param('cid')!, body.enabled, {
          actor: actorOf(caller),
          showSecrets: true,
        }),
      }),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/people/{id}/credentials/{cid}',
      summary: 'Revoke a credential',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      status: 202,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404],
    },
    async ({ caller, ids }, c) =>
      c.json(
        {
          person_credential: await revokeCredential(ctx, ids.id, c.req.param('cid')!, {
            actor: actorOf(caller),
            showSecrets: true,
          }),
        },
        202,
      ),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/people/{id}/credentials/{cid}/devices/{device_id}',
      summary: 'Revoke one phone',
      tag: 'Credentials',
      auth: 'secret',
      intParams: ['id'],
      status: 202,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404],
    },
    async ({ caller, ids }, c) =>
      c.json(
        {
          person_credential: await revokeDevice(ctx, ids.id, c.req.param('cid')!, c.req.param('device_id')!, {
            actor: actorOf(caller),
            showSecrets: true,
          }),
        },
        202,
      ),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/credentials/{cid}/status',
      summary: 'Where a credential stands',
      tag: 'Widgets',
      auth: 'status',
      status: 200,
      response: S.CredentialStatusView,
      errors: [403, 404],
    },
    async ({ caller }, c) =>
      sharedJson(
        c,
        ctx.store,
        null,
        await credentialStatus(ctx, c.req.param('cid')!, await scopeOf(ctx, caller, c.req.param('cid')!)),
      ),
  );
}
