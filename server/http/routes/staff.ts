import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';
import { actorOf } from '../../domain/callers/callers.js';
import type { Ctx } from '../../domain/context.js';
import { removePasskey } from '../../domain/staff/passkeys.js';
import { inviteStaff, listStaff, STAFF_ROLES, updateStaff } from '../../domain/staff/staff.js';
import type { AppEnv } from '../context.js';
import { defineRoute } from '../route.js';

const Role = z
  .enum(STAFF_ROLES)
  .openapi({ description: 'viewer reads; operator writes people and credentials; admin also staff, keys, webhooks' });
const Passkey = z
  .object({
    id: z.string(),
    name: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    transports: z.array(z.string()),
  })
  .openapi('StaffPasskey');
const Staff = z
  .object({
    id: z.string(),
    email: z.string(),
    display_name: z.string(),
    role: Role,
    created_at: z.string(),
    last_sign_in_at: z.string().nullable(),
    disabled: z.boolean(),
    passkeys: z.array(Passkey),
  })
  .openapi('StaffMember');
const StaffInvite = z
  .object({
    email: z.email('Not an email address.').max(320),
    role: Role,
    display_name: z.string().max(200).optional(),
  })
  .openapi('StaffInvite');
const StaffUpdate = z
  .object({ role: Role.optional(), disabled: z.boolean().optional(), display_name: z.string().max(200).optional() })
  .openapi('StaffUpdate');

/** Staff of the console (docs/console.md): admins only, signed in to the console. */
export function staffRoutes(app: OpenAPIHono<AppEnv>, ctx: Ctx): void {
  defineRoute(
    app,
    {
      method: 'get',
      path: '/api/3/staff',
      summary: 'List staff members and their passkeys (console admins)',
      tag: 'Console',
      auth: 'staff-admin',
      status: 200,
      response: z.object({ staff: z.array(Staff) }),
    },
    async (_, c) => c.json({ staff: await listStaff(ctx) }),
  );

  defineRoute(
    app,
    {
      method: 'post',
      path: '/api/3/staff',
      summary: 'Invite a staff member (or give one a new enrolment link)',
      description: 'The enrolment link (24 h, single use) is shown in this answer only.',
      tag: 'Console',
      auth: 'staff-admin',
      body: StaffInvite,
      wrap: 'staff',
      status: 201,
      response: z.object({ staff: Staff, enrolment_url: z.string(), expires_at: z.string() }),
    },
    async ({ caller, body }, c) =>
      c.json(
        await inviteStaff(ctx, { email: body.email, role: body.role, displayName: body.display_name }, actorOf(caller)),
        201,
      ),
  );

  defineRoute(
    app,
    {
      method: 'put',
      path: '/api/3/staff/{id}',
      summary: 'Change a staff member’s role, name, or disable them (ends their sessions)',
      tag: 'Console',
      auth: 'staff-admin',
      body: StaffUpdate,
      wrap: 'staff',
      status: 200,
      response: z.object({ staff: Staff }),
      errors: [404],
    },
    async ({ caller, body }, c) => c.json({ staff: await updateStaff(ctx, c.req.param('id')!, body, actorOf(caller)) }),
  );

  defineRoute(
    app,
    {
      method: 'delete',
      path: '/api/3/staff/{id}/passkeys/{passkey_id}',
      summary: 'Remove one of a staff member’s passkeys (never the last)',
      tag: 'Console',
      auth: 'staff-admin',
      status: 200,
      response: z.object({ staff: Staff }),
      errors: [404, 409],
    },
    async ({ caller }, c) =>
      c.json({
        staff: await removePasskey(ctx, c.req.param('id')!, c.req.param('passkey_id')!, actorOf(caller)),
      }),
  );
}
