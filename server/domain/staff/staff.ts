// The operator's staff (docs/console.md): members, their roles, one-time enrolment links.
import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { base62, newToken, sha256 } from '../../crypto/secrets.js';
import { type Actor, recordEvent } from '../../storage/audit.js';
import { json } from '../../storage/db.js';
import type { StaffTable } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

export const STAFF_ROLES = ['viewer', 'operator', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** An enrolment link lives 24 h and admits one passkey (docs/console.md). */
export const ENROL_TTL_SECONDS = 24 * 3600;

/**
 * What a role may do, as the scopes `/api/3` checks (docs/security.md): a viewer reads as the
 * read-only key does, an operator writes people and credentials, an admin also keys, webhooks, staff.
 */
export function scopesOfRole(role: StaffRole): string[] {
  if (role === 'viewer') return ['account.person.readonly'];
  if (role === 'operator') return ['account.person'];
  return ['account.person', 'account.admin'];
}

export interface PasskeyView {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  transports: string[];
}

export interface StaffView {
  id: string;
  email: string;
  display_name: string;
  role: StaffRole;
  created_at: string;
  last_sign_in_at: string | null;
  disabled: boolean;
  passkeys: PasskeyView[];
}

const view = (r: Selectable<StaffTable>, passkeys: PasskeyView[]): StaffView => ({
  id: r.id,
  email: r.email,
  display_name: r.display_name,
  role: r.role,
  created_at: r.created_at,
  last_sign_in_at: r.last_sign_in_at,
  disabled: r.disabled_at !== null,
  passkeys,
});

export const enrolmentUrl = (ctx: Ctx, token: string): string => `${ctx.config.publicUrl}/console/enrol#${token}`;

/**
 * Invites a member (or gives one who lost every passkey a new link): the member is created with the
 * role when new; a link made earlier and not used dies. Returns the link, shown once.
 */
export async function inviteStaff(
  ctx: Ctx,
  input: { email: string; role: StaffRole; displayName?: string },
  actor: Actor,
): Promise<{ staff: StaffView; enrolment_url: string; expires_at: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)
    throw new ApiError('invalid_request', 'That is not an email address.', {
      fields: { email: 'Not an email address.' },
    });
  if (!STAFF_ROLES.includes(input.role))
    throw new ApiError('invalid_request', `The role is one of ${STAFF_ROLES.join(', ')}.`, {
      fields: { role: 'Unknown role.' },
    });
  const at = nowIso(ctx);
  const token = newToken(ctx.random, 'enr', 32);
  const expires_at = addSeconds(at, ENROL_TTL_SECONDS);
  const staffId = await ctx.store.db.transaction().execute(async (tx) => {
    let row = await tx.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();
    if (!row) {
      const fresh = {
        id: `stf_${base62(ctx.random(9))}`,
        email,
        display_name: input.displayName?.trim() || email.split('@')[0],
        role: input.role,
        created_at: at,
        last_sign_in_at: null,
        disabled_at: null,
      };
      // Two invitations of one address at once (two instances starting in development, each making the
      // demo admin's link) both reach here: the second finds the first's row instead of failing.
      const inserted = await tx
        .insertInto('staff')
        .values(fresh)
        .onConflict((oc) => oc.column('email').doNothing())
        .executeTakeFirst();
      row = await tx.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1)
        await recordEvent(tx, at, {
          type: 'staff.created',
          actor,
          subject: `staff:${row.id}`,
          data: { role: row.role },
        });
    }
    if (row.disabled_at) {
      throw new ApiError('invalid_request', 'That member is disabled; enable them first.', {
        fields: { email: 'Disabled member.' },
      });
    }
    await tx
      .updateTable('staff_tokens')
      .set({ used_at: at })
      .where('staff_id', '=', row.id)
      .where('kind', '=', 'enrol')
      .where('used_at', 'is', null)
      .execute();
    await tx
      .insertInto('staff_tokens')
      .values({
        token_hash: sha256(token),
        kind: 'enrol',
        staff_id: row.id,
        purpose: null,
        created_at: at,
        expires_at,
        last_used_at: null,
        used_at: null,
      })
      .execute();
    await recordEvent(tx, at, { type: 'staff.invited', actor, subject: `staff:${row.id}`, data: { expires_at } });
    return row.id;
  });
  return { staff: await getStaff(ctx, staffId), enrolment_url: enrolmentUrl(ctx, token), expires_at };
}

export async function getStaff(ctx: Ctx, id: string): Promise<StaffView> {
  const row = await ctx.store.db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('not_found', 'No such staff member.');
  return view(row, await passkeysOf(ctx, id));
}

export async function passkeysOf(ctx: Ctx, staffId: string): Promise<PasskeyView[]> {
  const rows = await ctx.store.db
    .selectFrom('staff_passkeys')
    .select(['id', 'name', 'created_at', 'last_used_at', 'transports'])
    .where('staff_id', '=', staffId)
    .orderBy('created_at')
    .execute();
  return rows.map((p) => ({ ...p, transports: json(p.transports, []) }));
}

export async function listStaff(ctx: Ctx): Promise<StaffView[]> {
  const rows = await ctx.store.db.selectFrom('staff').selectAll().orderBy('created_at').orderBy('id').execute();
  const keys = await ctx.store.db
    .selectFrom('staff_passkeys')
    .select(['id', 'staff_id', 'name', 'created_at', 'last_used_at', 'transports'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) =>
    view(
      r,
      keys
        .filter((k) => k.staff_id === r.id)
        .map(({ staff_id: _, ...k }) => ({ ...k, transports: json(k.transports, []) })),
    ),
  );
}

export async function findStaffByEmail(ctx: Ctx, email: string): Promise<StaffView> {
  const row = await ctx.store.db
    .selectFrom('staff')
    .select('id')
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', `No staff member with email ${email}.`);
  return getStaff(ctx, row.id);
}

/** Role change, disable or enable; disabling ends every session of theirs at once. */
export async function updateStaff(
  ctx: Ctx,
  id: string,
  input: { role?: StaffRole; disabled?: boolean; display_name?: string },
  actor: Actor,
): Promise<StaffView> {
  const at = nowIso(ctx);
  await ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('not_found', 'No such staff member.');
    if (actor === `staff:${id}` && (input.disabled === true || (input.role && input.role !== row.role)))
      throw new ApiError('insufficient_scope', 'Nobody changes their own role or disables themselves.');
    if (input.role !== undefined && input.role !== row.role) {
      await tx.updateTable('staff').set({ role: input.role }).where('id', '=', id).execute();
      await recordEvent(tx, at, {
        type: 'staff.role_changed',
        actor,
        subject: `staff:${id}`,
        data: { old_role: row.role, new_role: input.role },
      });
    }
    if (input.display_name?.trim() && input.display_name !== row.display_name) {
      await tx.updateTable('staff').set({ display_name: input.display_name.trim() }).where('id', '=', id).execute();
      await recordEvent(tx, at, { type: 'staff.updated', actor, subject: `staff:${id}` });
    }
    if (input.disabled !== undefined && input.disabled !== (row.disabled_at !== null)) {
      await tx
        .updateTable('staff')
        .set({ disabled_at: input.disabled ? at : null })
        .where('id', '=', id)
        .execute();
      if (input.disabled)
        await tx
          .updateTable('staff_tokens')
          .set({ used_at: at })
          .where('staff_id', '=', id)
          .where('used_at', 'is', null)
          .execute();
      await recordEvent(tx, at, {
        type: input.disabled ? 'staff.disabled' : 'staff.enabled',
        actor,
        subject: `staff:${id}`,
      });
    }
  });
  return getStaff(ctx, id);
}
