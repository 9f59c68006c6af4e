// `keyway staff invite|list|disable`: the first admin, and anyone who lost every passkey (docs/console.md).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import {
  findStaffByEmail,
  inviteStaff,
  listStaff,
  STAFF_ROLES,
  type StaffRole,
  updateStaff,
} from '../domain/staff/staff.js';
import { openCliContext } from '../runtime.js';

const STAFF_HELP = `Usage:
  npx keyway staff invite <email> --role admin|operator|viewer [--name "Display Name"]
  npx keyway staff list [--json]
  npx keyway staff disable <email>

invite prints a one-time enrolment link (PUBLIC_URL/console/enrol#…, 24 h, single use) on stdout;
inviting someone who exists gives them a new link (the old one dies) and keeps their role.
disable ends every session of theirs at once.`;

export async function runStaffCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || rest.includes('--help')) {
    console.log(STAFF_HELP);
    return sub ? 0 : 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { role: { type: 'string' }, name: { type: 'string' }, json: { type: 'boolean' } },
  });
  const config = loadConfig(env, 'development', { serverChecks: false });
  const { ctx, close } = await openCliContext(config);
  try {
    if (sub === 'invite') {
      const email = positionals[0];
      if (!email) throw new Error('staff invite needs an email address');
      const role = (values.role ?? '') as StaffRole;
      if (!STAFF_ROLES.includes(role)) throw new Error(`--role must be one of ${STAFF_ROLES.join(', ')}`);
      const { staff, enrolment_url, expires_at } = await inviteStaff(
        ctx,
        { email, role, displayName: values.name },
        'cli',
      );
      console.error(`Enrolment link for ${staff.email} (${staff.role}), single use, until ${expires_at}. Shown once:`);
      console.log(enrolment_url);
      return 0;
    }
    if (sub === 'list') {
      const staff = await listStaff(ctx);
      if (values.json) console.log(JSON.stringify(staff, null, 2));
      else
        for (const s of staff)
          console.log(
            `${s.id}  ${s.email.padEnd(32)} ${s.role.padEnd(8)} ${s.disabled ? 'DISABLED' : 'active  '} passkeys ${s.passkeys.length}  last sign-in ${s.last_sign_in_at ?? 'never'}`,
          );
      return 0;
    }
    if (sub === 'disable') {
      const email = positionals[0];
      if (!email) throw new Error('staff disable needs an email address');
      const member = await findStaffByEmail(ctx, email);
      await updateStaff(ctx, member.id, { disabled: true }, 'cli');
      console.log(`Disabled ${member.email}; their sessions have ended.`);
      return 0;
    }
    console.error(STAFF_HELP);
    return 1;
  } finally {
    await close();
  }
}
