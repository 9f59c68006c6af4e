import { type Selectable, sql, type Updateable } from 'kysely';
import { nowIso } from '../../clock.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import { isUniqueViolation, json } from '../../storage/db.js';
import type { PersonTable } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { revokeCredentialTx } from '../credentials/changes.js';
import { ApiError } from '../errors.js';
import { wantBadgeUpdatesTx } from '../hid/revocations.js';
import { normalizePhone } from './phone.js';

export interface PersonView {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  /** The operator's own id (set by the CSV import). */
  external_id: string | null;
  enabled: boolean;
  group_ids: number[];
  created_at: string;
  updated_at: string;
}

/** The operator's own id for a person (docs/api.md): what the CSV import finds a person by. */
export const EXTERNAL_ID_MAX = 200;
export const EXTERNAL_ID_PATTERN = /^[^\r\n]+$/;

export interface PersonInput {
  first_name?: string;
  last_name?: string;
  email?: string | null;
  phone?: string | null;
  /** Unique among living people: another's → `409 external_id_taken`. */
  external_id?: string | null;
  enabled?: boolean;
  group_ids?: number[];
}

export const toPersonView = (r: Selectable<PersonTable>): PersonView => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  email: r.email,
  phone: r.phone,
  external_id: r.external_id ?? null,
  enabled: r.enabled === 1,
  group_ids: json(r.group_ids, []),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export async function createPerson(
  ctx: Ctx,
  input: PersonInput & { first_name: string; last_name: string },
  opts: { actor: Actor; defaultCountry?: string | null },
): Promise<PersonView> {
  const phone = input.phone ? normalizePhone(input.phone, opts.defaultCountry ?? ctx.config.defaultCountry) : null;
  const at = nowIso(ctx);
  const created = ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('people')
      .values({
        first_name: input.first_name,
        last_name: input.last_name,
        email: input.email?.toLowerCase() ?? null,
        phone,
        external_id: input.external_id ?? null,
        enabled: input.enabled === false ? 0 : 1,
        group_ids: JSON.stringify(input.group_ids ?? []),
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordChange(tx, at, { type: 'person.created', actor: opts.actor, subject: `person:${row.id}` });
    return toPersonView(row);
  });
  return created.catch(externalIdTaken);
}

/** The one unique index on people is a living person's external_id: a write meeting it is 409. */
function externalIdTaken(err: unknown): never {
  if (isUniqueViolation(err))
    throw new ApiError('external_id_taken', 'Another person already has this external_id.', {
      fields: { external_id: 'Taken by another person.' },
    });
  throw err;
}

export async function getPersonRow(ctx: Ctx, id: number) {
  const row = await ctx.store.db
    .selectFrom('people')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No person with id ${id}.`);
  return row;
}

export async function listPeople(
  ctx: Ctx,
  opts: {
    limit: number;
    cursor?: number;
    phone?: string;
    email?: string;
    /** Part of the name, email, phone or external id (the console's search box). */
    search?: string;
    credentialStatus?: string;
    defaultCountry?: string | null;
  },
): Promise<{ people: PersonView[]; next_cursor: string | null }> {
  let q = ctx.store.db
    .selectFrom('people')
    .selectAll()
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(opts.limit + 1);
  if (opts.cursor !== undefined) q = q.where('id', '>', opts.cursor);
  if (opts.phone)
    q = q.where('phone', '=', normalizePhone(opts.phone, opts.defaultCountry ?? ctx.config.defaultCountry));
  if (opts.email) q = q.where('email', '=', opts.email.toLowerCase());
  const words = (opts.search ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 5);
  for (const word of words) {
    // %, _ and \ in what was typed are plain characters, not wildcards.
    const like = `%${word.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    const digits = word.replace(/[^\d]/g, '');
    const phone = digits.length >= 3 ? `%${digits}%` : '~'; // a phone is never '~'
    q = q.where(
      sql<boolean>`(lower(first_name) like ${like} escape '\\' or lower(last_name) like ${like} escape '\\' or coalesce(email, '') like ${like} escape '\\' or lower(coalesce(external_id, '')) like ${like} escape '\\' or coalesce(phone, '') like ${phone})`,
    );
  }
  if (opts.credentialStatus) {
    const status = opts.credentialStatus;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('credentials')
          .select('credentials.id')
          .whereRef('credentials.person_id', '=', 'people.id')
          .where('credentials.status', '=', status),
      ),
    );
  }
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  return {
    people: page.map(toPersonView),
    next_cursor: rows.length > opts.limit ? String(page[page.length - 1].id) : null,
  };
}

export async function updatePerson(
  ctx: Ctx,
  id: number,
  input: PersonInput,
  opts: { actor: Actor; defaultCountry?: string | null },
): Promise<PersonView> {
  const phone =
    input.phone === undefined
      ? undefined
      : input.phone === null || input.phone === ''
        ? null
        : normalizePhone(input.phone, opts.defaultCountry ?? ctx.config.defaultCountry);
  const at = nowIso(ctx);
  const updated = ctx.store.db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('people')
      .select('id')
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!existing) throw new ApiError('not_found', `No person with id ${id}.`);
    const changes: Updateable<PersonTable> = { updated_at: at };
    if (input.first_name !== undefined) changes.first_name = input.first_name;
    if (input.last_name !== undefined) changes.last_name = input.last_name;
    if (input.email !== undefined) changes.email = input.email?.toLowerCase() ?? null;
    if (phone !== undefined) changes.phone = phone;
    if (input.external_id !== undefined) changes.external_id = input.external_id;
    if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
    if (input.group_ids !== undefined) changes.group_ids = JSON.stringify(input.group_ids);
    const row = await tx
      .updateTable('people')
      .set(changes)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // A badge in a wallet shows the name: HID Origo's post-provisioning update follows (docs/hid.md).
    if (changes.first_name !== undefined || changes.last_name !== undefined) await wantBadgeUpdatesTx(ctx, tx, id, at);
    await recordChange(tx, at, {
      type: 'person.updated',
      actor: opts.actor,
      subject: `person:${id}`,
      data: { fields: Object.keys(changes).filter((k) => k !== 'updated_at') },
    });
    return toPersonView(row);
  });
  return updated.catch(externalIdTaken);
}

/** Deleting a person revokes every credential of theirs, in one transaction. */
export async function deletePerson(ctx: Ctx, id: number, actor: Actor): Promise<PersonView> {
  const at = nowIso(ctx);
  const { view, changed } = await ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('people')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new ApiError('not_found', `No person with id ${id}.`);
    const creds = await tx.selectFrom('credentials').select('id').where('person_id', '=', id).execute();
    const changed: string[] = [];
    for (const c of creds) {
      if (await revokeCredentialTx(ctx, tx, c.id, actor)) changed.push(c.id);
    }
    await tx.updateTable('people').set({ deleted_at: at, updated_at: at }).where('id', '=', id).execute();
    await recordChange(tx, at, {
      type: 'person.deleted',
      actor,
      subject: `person:${id}`,
      data: { credentials_revoked: changed.length },
    });
    return { view: toPersonView({ ...row, updated_at: at }), changed };
  });
  for (const c of changed) ctx.bus.credentialChanged(c);
  return view;
}
