import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import type { Ctx } from '../../domain/context.js';
import { actorOf, canSeeSecrets, requireScope } from '../../domain/callers.js';
import { createClientSession } from '../../domain/client-sessions.js';
import {
  createCredential,
  credentialTypes,
  getCredentialView,
  listCredentials,
  reissueInvitation,
  revokeCredential,
  revokeDevice,
  setCredentialEnabled,
} from '../../domain/credentials.js';
import { ApiError } from '../../domain/errors.js';
import { listEvents } from '../../domain/events.js';
import { createPerson, deletePerson, getPersonRow, listPeople, toPersonView, updatePerson } from '../../domain/people.js';
import { parseQuery, pathInt, readBody } from '../body.js';
import type { AppContext, AppEnv } from '../context.js';
import { requireCaller } from '../middleware.js';
import { defineRoute } from '../route.js';
import { sharedJson } from '../shared-json.js';
import * as S from '../schemas.js';

const admin = (c: AppContext, scope: 'read' | 'write') => {
  const caller = requireCaller(c, ['secret']);
  requireScope(caller, scope);
  return caller;
};

const cursorInt = (cursor?: string): number | undefined => {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) throw new ApiError('invalid_request', 'Unknown cursor.', { fields: { cursor: 'Use next_cursor from the previous page.' } });
  return Number(cursor);
};

/** The DoorFlow-compatible admin API (SPEC §4), secret keys only. */
export function adminRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    { method: 'get', path: '/api/3/credential_types', summary: 'List credential types', tag: 'Credentials', auth: 'none', status: 200, response: z.object({ credential_types: z.array(S.CredentialType) }) },
    (c) => c.json({ credential_types: credentialTypes(ctx) }),
  );

  defineRoute(
    app,
    { method: 'post', path: '/api/3/people', summary: 'Create a person', tag: 'People', auth: 'secret', body: S.PersonInput, wrap: 'person', status: 201, response: z.object({ person: S.Person }), errors: [403] },
    async (c) => {
      const caller = admin(c, 'write');
      const input = await readBody(c, S.PersonInput, 'person');
      const person = await createPerson(ctx, input, { actor: actorOf(caller), defaultCountry: caller.defaultCountry });
      return c.json({ person }, 201);
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/people', summary: 'List people (filter by phone or email)', tag: 'People', auth: 'secret-read', query: S.PeopleQuery, status: 200, response: z.object({ people: z.array(S.Person), next_cursor: z.string().nullable() }) },
    async (c) => {
      const caller = admin(c, 'read');
      const q = parseQuery(c, S.PeopleQuery);
      return c.json(await listPeople(ctx, { limit: q.limit, cursor: cursorInt(q.cursor), phone: q.phone, email: q.email, defaultCountry: caller.defaultCountry }));
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/people/{id}', summary: 'Read a person', tag: 'People', auth: 'secret-read', status: 200, response: z.object({ person: S.Person }), errors: [404] },
    async (c) => {
      admin(c, 'read');
      return c.json({ person: toPersonView(await getPersonRow(ctx, pathInt(c, 'id'))) });
    },
  );

  defineRoute(
    app,
    { method: 'put', path: '/api/3/people/{id}', summary: 'Update a person', tag: 'People', auth: 'secret', body: S.PersonUpdate, wrap: 'person', status: 200, response: z.object({ person: S.Person }), errors: [403, 404] },
    async (c) => {
      const caller = admin(c, 'write');
      const id = pathInt(c, 'id');
      const input = await readBody(c, S.PersonUpdate, 'person');
      return c.json({ person: await updatePerson(ctx, id, input, { actor: actorOf(caller), defaultCountry: caller.defaultCountry }) });
    },
  );

  defineRoute(
    app,
    { method: 'delete', path: '/api/3/people/{id}', summary: 'Delete a person (revokes their credentials)', tag: 'People', auth: 'secret', status: 202, response: z.object({ person: S.Person }), errors: [403, 404] },
    async (c) => {
      const caller = admin(c, 'write');
      return c.json({ person: await deletePerson(ctx, pathInt(c, 'id'), actorOf(caller)) }, 202);
    },
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/people/{id}/credentials',
      summary: 'Issue a credential',
      tag: 'Credentials',
      auth: 'secret',
      body: S.CredentialInput,
      wrap: 'person_credential',
      status: 201,
      response: z.object({ person_credential: S.PersonCredential }),
      errors: [403, 404, 422, 503],
      description:
        'A wallet pass (type 9) starts `invited` with an invitation code; card (1) and PIN (6) are `active` at once. HID Mobile Access (type 8, when HID Origo is configured) starts `invited` with HID Origo’s code and no `invitation_url`; Origo down or slow → 503 `upstream_unavailable` and nothing is stored.',
    },
    async (c) => {
      const caller = admin(c, 'write');
      const personId = pathInt(c, 'id');
      const input = await readBody(c, S.CredentialInput, 'person_credential');
      const person_credential = await createCredential(ctx, personId, input, { actor: actorOf(caller), showSecrets: true });
      return c.json({ person_credential }, 201);
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/people/{id}/credentials', summary: 'List a person’s credentials', tag: 'Credentials', auth: 'secret-read', query: S.ListQuery, status: 200, response: z.object({ person_credentials: z.array(S.PersonCredential), next_cursor: z.string().nullable() }), errors: [404] },
    async (c) => {
      const caller = admin(c, 'read');
      const q = parseQuery(c, S.ListQuery);
      let cursor = q.cursor;
      if (cursor) {
        try {
          const v = JSON.parse(Buffer.from(cursor, 'base64url').toString());
          if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || typeof v[1] !== 'string') throw new Error();
        } catch {
          throw new ApiError('invalid_request', 'Unknown cursor.', { fields: { cursor: 'Use next_cursor from the previous page.' } });
        }
      }
      return c.json(await listCredentials(ctx, pathInt(c, 'id'), { limit: q.limit, cursor, showSecrets: canSeeSecrets(caller) }));
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/people/{id}/credentials/{cid}', summary: 'Read a credential', tag: 'Credentials', auth: 'secret-read', status: 200, response: z.object({ person_credential: S.PersonCredential }), errors: [404] },
    async (c) => {
      const caller = admin(c, 'read');
      return sharedJson(c, 'person_credential', await getCredentialView(ctx, pathInt(c, 'id'), c.req.param('cid')!, canSeeSecrets(caller)));
    },
  );

  defineRoute(
    app,
    { method: 'put', path: '/api/3/people/{id}/credentials/{cid}', summary: 'Enable or disable a credential', tag: 'Credentials', auth: 'secret', body: S.CredentialUpdate, wrap: 'person_credential', status: 200, response: z.object({ person_credential: S.PersonCredential }), errors: [403, 404, 409] },
    async (c) => {
      const caller = admin(c, 'write');
      const personId = pathInt(c, 'id');
      const input = await readBody(c, S.CredentialUpdate, 'person_credential');
      return c.json({ person_credential: await setCredentialEnabled(ctx, personId, c.req.param('cid')!, input.enabled, { actor: actorOf(caller), showSecrets: true }) });
    },
  );

  defineRoute(
    app,
    { method: 'delete', path: '/api/3/people/{id}/credentials/{cid}', summary: 'Revoke a credential', tag: 'Credentials', auth: 'secret', status: 202, response: z.object({ person_credential: S.PersonCredential }), errors: [403, 404] },
    async (c) => {
      const caller = admin(c, 'write');
      return c.json({ person_credential: await revokeCredential(ctx, pathInt(c, 'id'), c.req.param('cid')!, { actor: actorOf(caller), showSecrets: true }) }, 202);
    },
  );

  defineRoute(
    app,
    { method: 'post', path: '/api/3/people/{id}/credentials/{cid}/invitation', summary: 'Re-issue the invitation (new code; the old one dies)', tag: 'Credentials', auth: 'secret', status: 200, response: z.object({ person_credential: S.PersonCredential }), errors: [403, 404, 409, 503] },
    async (c) => {
      const caller = admin(c, 'write');
      return c.json({ person_credential: await reissueInvitation(ctx, pathInt(c, 'id'), c.req.param('cid')!, { actor: actorOf(caller), showSecrets: true }) });
    },
  );

  defineRoute(
    app,
    { method: 'delete', path: '/api/3/people/{id}/credentials/{cid}/devices/{device_id}', summary: 'Revoke one phone', tag: 'Credentials', auth: 'secret', status: 202, response: z.object({ person_credential: S.PersonCredential }), errors: [403, 404] },
    async (c) => {
      const caller = admin(c, 'write');
      return c.json(
        { person_credential: await revokeDevice(ctx, pathInt(c, 'id'), c.req.param('cid')!, c.req.param('device_id')!, { actor: actorOf(caller), showSecrets: true }) },
        202,
      );
    },
  );

  defineRoute(
    app,
    { method: 'post', path: '/api/3/client_sessions', summary: 'Mint a client session (cs_) for one person', tag: 'Sessions', auth: 'secret', body: S.ClientSessionInput, status: 201, response: S.SessionToken, errors: [403, 404] },
    async (c) => {
      admin(c, 'write');
      const input = await readBody(c, S.ClientSessionInput);
      return c.json(await createClientSession(ctx, input), 201);
    },
  );

  defineRoute(
    app,
    { method: 'get', path: '/api/3/events', summary: 'The audit log, newest first', tag: 'Events', auth: 'secret-read', query: S.EventsQuery, status: 200, response: z.object({ events: z.array(S.AuditEvent), next_cursor: z.string().nullable() }) },
    async (c) => {
      admin(c, 'read');
      const q = parseQuery(c, S.EventsQuery);
      return c.json(await listEvents(ctx.store.db, { limit: q.limit, cursor: cursorInt(q.cursor), type: q.type, subject: q.subject }));
    },
  );
}
