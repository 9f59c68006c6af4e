import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import { ApiError } from '../../domain/errors.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, importPeople } from '../../domain/people/import.js';
import {
  createPerson,
  deletePerson,
  getPersonRow,
  listPeople,
  toPersonView,
  updatePerson,
} from '../../domain/people/people.js';
import { IMPORT_TOO_LARGE } from '../../messages/import.js';
import type { LargeBodyLimit } from '../body.js';
import type { AppEnv } from '../context.js';
import { cursorInt, defineRoute } from '../route.js';
import * as S from '../schemas.js';

/** `phone_number` is `phone` under the other name the seed documents use. */
function phoneAlias<T extends { phone?: string | null; phone_number?: string | null }>({
  phone_number,
  ...rest
}: T): Omit<T, 'phone_number'> {
  if (phone_number === undefined) return rest;
  if (rest.phone !== undefined && rest.phone !== phone_number) {
    throw new ApiError('invalid_request', 'Give phone or phone_number, not two different numbers.', {
      fields: { phone_number: 'Differs from phone.' },
    });
  }
  return { ...rest, phone: phone_number };
}

export const IMPORT_PATH = '/api/3/people/import';
/**
 * The import's file may be larger than other bodies (KEYWAY_BODY_LIMIT): a declared length over it is
 * refused before auth, and the file is read, counted, only for a caller who may import.
 */
export const IMPORT_BODY_LIMIT: LargeBodyLimit = {
  maxBytes: IMPORT_MAX_BYTES,
  message: IMPORT_TOO_LARGE(IMPORT_MAX_BYTES / 1024 / 1024),
};

/** People (docs/api.md, the DoorFlow-compatible admin API): secret keys only. */
export function peopleRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/people',
      summary: 'Create a person',
      tag: 'People',
      auth: 'secret',
      body: S.PersonInput,
      wrap: 'person',
      status: 201,
      response: z.object({ person: S.Person }),
      errors: [403, 409],
      description:
        'The person, with their new id. An `external_id` another living person has → 409 `external_id_taken`.',
    },
    async ({ caller, body }, c) => {
      const person = await createPerson(ctx, phoneAlias(body), {
        actor: actorOf(caller),
        defaultCountry: caller.defaultCountry,
      });
      return c.json({ person }, 201);
    },
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: IMPORT_PATH,
      operationId: 'importPeople',
      summary: 'Import people from a CSV file (dry run first)',
      tag: 'People',
      auth: 'secret',
      query: S.ImportQuery,
      rawBody: {
        mediaTypes: ['text/csv'],
        schema: z.string().openapi({ format: 'binary' }),
        limit: IMPORT_BODY_LIMIT,
      },
      status: 200,
      response: S.ImportResult,
      errors: [403, 422],
      description: `The body is the file itself (UTF-8 with or without a BOM, UTF-16 with a BOM, else Windows-1252; \`,\` \`;\` or tab separated, detected from the header row; at most ${IMPORT_MAX_BYTES / 1024 / 1024} MB, else 413 \`payload_too_large\`). The header row names the columns: first_name and last_name are required (else 422 \`csv_invalid\`), email, phone, external_id, credential_type_id and delivery optional. Each row of the range is create, update, unchanged or refused with a \`reason_code\`. A person is found again by external_id, else by email; an empty cell leaves what is stored. With dry_run=false the range is written in one transaction, so applying the same file again answers every row unchanged. At most ${IMPORT_MAX_ROWS.toLocaleString('en')} rows a request (offset and limit).`,
    },
    async ({ caller, query }, c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      return c.json(
        await importPeople(ctx, bytes, {
          dryRun: query.dry_run,
          offset: query.offset,
          limit: query.limit,
          actor: actorOf(caller),
        }),
      );
    },
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people',
      summary: 'List people (filter by phone or email)',
      tag: 'People',
      auth: 'secret-read',
      query: S.PeopleQuery,
      status: 200,
      response: z.object({ people: z.array(S.Person), next_cursor: z.string().nullable() }),
    },
    async ({ caller, query: q }, c) =>
      c.json(
        await listPeople(ctx, {
          limit: q.limit,
          cursor: cursorInt(q.cursor),
          phone: q.phone,
          email: q.email,
          search: q.q,
          credentialStatus: q.credential_status,
          defaultCountry: caller.defaultCountry,
        }),
      ),
  );

  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/people/{id}',
      summary: 'Read a person',
      tag: 'People',
      auth: 'secret-read',
      intParams: ['id'],
      status: 200,
      response: z.object({ person: S.Person }),
      errors: [404],
    },
    async ({ ids }, c) => c.json({ person: toPersonView(await getPersonRow(ctx, ids.id)) }),
  );

  defineRoute(
    app,
    {
      method: 'put',
      path: '/api/3/people/{id}',
      summary: 'Update a person',
      tag: 'People',
      auth: 'secret',
      intParams: ['id'],
      body: S.PersonUpdate,
      wrap: 'person',
      status: 200,
      response: z.object({ person: S.Person }),
      errors: [403, 404, 409],
      description:
        'The person as updated: only the fields given change. `external_id: null` removes it; one another living person has → 409 `external_id_taken`.',
    },
    async ({ caller, ids, body }, c) =>
      c.json({
        person: await updatePerson(ctx, ids.id, phoneAlias(body), {
          actor: actorOf(caller),
          defaultCountry: caller.defaultCountry,
        }),
      }),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/people/{id}',
      summary: 'Delete a person (revokes their credentials)',
      tag: 'People',
      auth: 'secret',
      intParams: ['id'],
      status: 202,
      response: z.object({ person: S.Person }),
      errors: [403, 404],
    },
    async ({ caller, ids }, c) => c.json({ person: await deletePerson(ctx, ids.id, actorOf(caller)) }, 202),
  );
}
