// Console sessions (docs/console.md): the `__Host-keyway_console` cookie names one, stored hashed;
// 12 h at most and 30 min without use; signing out or a disabled member ends it on the server.
import { addSeconds, nowIso } from '../../clock.js';
import { newToken, sha256 } from '../../crypto/secrets.js';
import type { Actor } from '../../storage/audit.js';
import { recordEvent } from '../../storage/audit.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { type StaffRole, scopesOfRole } from '../staff/staff.js';

export const CONSOLE_COOKIE = '__Host-keyway_console';
export const SESSION_ABSOLUTE_SECONDS = 12 * 3600;
export const SESSION_IDLE_SECONDS = 30 * 60;
const SESSION_PATTERN = /^kcs_[A-Za-z0-9]{20,80}$/;

export interface StaffCaller {
  kind: 'staff';
  staffId: string;
  role: StaffRole;
  tokenHash: string;
  scopes: string[];
  /** Staff use the operator's KEYWAY_DEFAULT_COUNTRY for national numbers. */
  defaultCountry: null;
  /** The console's own origins: an unsafe method needs one of them as `Origin`. */
  origins: string[];
  expiresAt: string;
}

/**
 * Where the console is used: PUBLIC_URL's origin, and in development also `http://localhost:<PORT>`
 * (WebAuthn refuses IP addresses, so the console is used on localhost there).
 */
export function consoleOrigins(ctx: Ctx): string[] {
  const pub = new URL(ctx.config.publicUrl);
  const out = [pub.origin];
  if (ctx.config.dev) {
    for (const port of new Set([pub.port, String(ctx.config.port)]))
      if (port && port !== '0') out.push(`http://localhost:${port}`);
  }
  return [...new Set(out)];
}

/** The WebAuthn relying party: the host of PUBLIC_URL, or `localhost` in development when that is an IP address. */
export function consoleRpId(ctx: Ctx): string {
  const host = new URL(ctx.config.publicUrl).hostname;
  const isIp = /^[\d.]+$/.test(host) || host.startsWith('[');
  return ctx.config.dev && isIp ? 'localhost' : host;
}

/** A new session for a member who just proved a passkey, in the transaction that proved it. */
export async function startStaffSession(
  ctx: Ctx,
  tx: Tx,
  staffId: string,
): Promise<{ token: string; expires_at: string }> {
  const at = nowIso(ctx);
  const token = newToken(ctx.random, 'kcs', 32);
  const expires_at = addSeconds(at, SESSION_ABSOLUTE_SECONDS);
  await tx
    .insertInto('staff_tokens')
    .values({
      token_hash: sha256(token),
      kind: 'session',
      staff_id: staffId,
      purpose: null,
      created_at: at,
      expires_at,
      last_used_at: at,
      used_at: null,
    })
    .execute();
  await tx.updateTable('staff').set({ last_sign_in_at: at }).where('id', '=', staffId).execute();
  return { token, expires_at };
}

/** The member behind a session cookie, or null (unknown, ended, lapsed, idle too long, member disabled). */
export async function resolveStaffSession(ctx: Ctx, token: string): Promise<StaffCaller | null> {
  if (!SESSION_PATTERN.test(token)) return null;
  const tokenHash = sha256(token);
  const row = await ctx.store.db
    .selectFrom('staff_tokens')
    .innerJoin('staff', 'staff.id', 'staff_tokens.staff_id')
    .select([
      'staff_tokens.expires_at',
      'staff_tokens.last_used_at',
      'staff_tokens.used_at',
      'staff.id',
      'staff.role',
      'staff.disabled_at',
    ])
    .where('staff_tokens.token_hash', '=', tokenHash)
    .where('staff_tokens.kind', '=', 'session')
    .executeTakeFirst();
  if (!row || row.used_at || row.disabled_at) return null;
  const now = nowIso(ctx);
  const ms = Date.parse(now);
  if (row.expires_at <= now) return null;
  const last = Date.parse(row.last_used_at ?? row.expires_at);
  if (ms - last > SESSION_IDLE_SECONDS * 1000) return null;
  // Use keeps a session alive; written at most once a minute.
  if (ms - last > 60_000)
    await ctx.store.db
      .updateTable('staff_tokens')
      .set({ last_used_at: now })
      .where('token_hash', '=', tokenHash)
      .execute();
  return {
    kind: 'staff',
    staffId: row.id,
    role: row.role,
    tokenHash,
    scopes: scopesOfRole(row.role),
    defaultCountry: null,
    origins: consoleOrigins(ctx),
    expiresAt: row.expires_at,
  };
}

/** Signing out: the session ends on the server, whatever the browser keeps. */
export async function endStaffSession(ctx: Ctx, caller: StaffCaller, actor: Actor): Promise<void> {
  const at = nowIso(ctx);
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('staff_tokens')
      .set({ used_at: at })
      .where('token_hash', '=', caller.tokenHash)
      .where('used_at', 'is', null)
      .execute();
    await recordEvent(tx, at, { type: 'staff.signed_out', actor, subject: `staff:${caller.staffId}` });
  });
}
