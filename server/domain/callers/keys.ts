import { nowIso } from '../../clock.js';
import { base62, newToken, sha256 } from '../../crypto/secrets.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import { json } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

/** `account.access`: a door controller's key, for `access/verify` only (docs/security.md). */
export const SCOPES = ['account.person', 'account.person.readonly', 'account.access'] as const;
export type Scope = (typeof SCOPES)[number];

export interface KeyView {
  id: string;
  kind: 'secret' | 'publishable';
  name: string;
  hint: string;
  scopes: string[];
  origins: string[];
  countries: string[] | null;
  default_country: string | null;
  built_in: boolean;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface CreateKeyInput {
  kind: 'secret' | 'publishable';
  name?: string;
  scopes?: Scope[];
  origins?: string[];
  countries?: string[] | null;
  defaultCountry?: string | null;
  /** A fixed key string (demo keys); generated when absent. */
  value?: string;
  builtIn?: boolean;
}

/** `sk_…cdef`: enough to recognise a key, never enough to use it. */
export const maskKey = (key: string): string => `${key.slice(0, 3)}…${key.slice(-4)}`;

export function normalizeOrigin(origin: string): string {
  const trimmed = origin.trim().replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\/localhost(:\d+)?$/i.test(trimmed)) return trimmed.toLowerCase(); // capacitor://localhost
  const u = new URL(trimmed);
  if (u.origin === 'null') return `${u.protocol}//${u.host}`.toLowerCase();
  return u.origin;
}

export async function createKey(
  ctx: Ctx,
  input: CreateKeyInput,
  actor: Actor = 'cli',
): Promise<{ key: string; view: KeyView }> {
  const prefix = input.kind === 'secret' ? 'sk' : 'pk';
  const key = input.value ?? newToken(ctx.random, prefix, 24);
  if (!/^(sk|pk)_[A-Za-z0-9_]{16,128}$/.test(key) || !key.startsWith(`${prefix}_`)) {
    throw new ApiError(
      'invalid_request',
      `A ${input.kind} key must look like ${prefix}_ followed by 16–128 of [A-Za-z0-9_].`,
    );
  }
  const at = nowIso(ctx);
  const id = `key_${base62(ctx.random(9))}`;
  const scopes = input.kind === 'secret' ? (input.scopes?.length ? input.scopes : ['account.person']) : [];
  const origins = input.kind === 'publishable' ? [...new Set((input.origins ?? []).map(normalizeOrigin))] : [];
  const row = {
    id,
    kind: input.kind,
    name: input.name ?? (input.kind === 'secret' ? 'secret key' : 'publishable key'),
    key_hash: sha256(key),
    key_hint: key.slice(-4),
    scopes: JSON.stringify(scopes),
    origins: JSON.stringify(origins),
    countries: input.countries ? JSON.stringify(input.countries.map((c) => c.toUpperCase())) : null,
    default_country: input.defaultCountry?.toUpperCase() ?? null,
    built_in: input.builtIn ? 1 : 0,
    created_at: at,
    revoked_at: null,
    last_used_at: null,
  };
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.insertInto('api_keys').values(row).execute();
    await recordChange(tx, at, { type: 'key.created', actor, subject: id, data: { kind: input.kind, name: row.name } });
  });
  return { key, view: toKeyView(row) };
}

export function toKeyView(r: {
  id: string;
  kind: 'secret' | 'publishable';
  name: string;
  key_hint: string;
  scopes: string;
  origins: string;
  countries: string | null;
  default_country: string | null;
  built_in: number;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}): KeyView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    hint: `${r.kind === 'secret' ? 'sk' : 'pk'}_…${r.key_hint}`,
    scopes: json(r.scopes, []),
    origins: json(r.origins, []),
    countries: json(r.countries, null),
    default_country: r.default_country,
    built_in: r.built_in === 1,
    created_at: r.created_at,
    revoked_at: r.revoked_at,
    last_used_at: r.last_used_at,
  };
}

export async function listKeys(ctx: Ctx): Promise<KeyView[]> {
  const rows = await ctx.store.db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  return rows.map(toKeyView);
}

export async function revokeKey(ctx: Ctx, id: string, actor: Actor = 'cli'): Promise<KeyView> {
  const at = nowIso(ctx);
  return ctx.store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new ApiError('not_found', `No key with id ${id}.`);
    if (!row.revoked_at) {
      await tx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
      await recordChange(tx, at, { type: 'key.revoked', actor, subject: id, data: { kind: row.kind } });
      row.revoked_at = at;
    }
    return toKeyView(row);
  });
}

/** Every origin on an active publishable key: what a preflight may be answered for (docs/api.md). */
export async function allowedOrigins(ctx: Ctx): Promise<Set<string>> {
  const rows = await ctx.store.db
    .selectFrom('api_keys')
    .select('origins')
    .where('kind', '=', 'publishable')
    .where('revoked_at', 'is', null)
    .execute();
  return new Set(rows.flatMap((r) => json<string[]>(r.origins, [])));
}

/** The hosted page's built-in publishable key: derived from the secret, only origin PUBLIC_URL. */
export function hostedPageKey(ctx: Pick<Ctx, 'keys'>): string {
  return `pk_hosted_${base62(ctx.keys.derive('hosted-page-key', 24))}`;
}

export async function ensureHostedKey(ctx: Ctx): Promise<string> {
  const key = hostedPageKey(ctx);
  const origins = JSON.stringify([normalizeOrigin(ctx.config.publicUrl)]);
  const row = await ctx.store.db
    .selectFrom('api_keys')
    .select(['id', 'origins'])
    .where('key_hash', '=', sha256(key))
    .executeTakeFirst();
  if (!row) {
    await createKeyOnce(ctx, {
      kind: 'publishable',
      name: 'hosted page (built in)',
      origins: [ctx.config.publicUrl],
      builtIn: true,
      value: key,
    });
  } else if (row.origins !== origins) {
    await ctx.store.db.updateTable('api_keys').set({ origins }).where('id', '=', row.id).execute();
  }
  return key;
}

export interface DemoKeys {
  secretKey: string;
  publishableKey: string;
  /** Generated now: printed once in full. Given by KEYWAY_DEMO_*: printed masked. */
  generated: { secret: boolean; publishable: boolean };
}

/** Development, empty database: the demo operator's keys (the README’s configuration). Null when keys already exist. */
export async function ensureDemoKeys(ctx: Ctx): Promise<DemoKeys | null> {
  const existing = await ctx.store.db.selectFrom('api_keys').select('id').where('built_in', '=', 0).limit(1).execute();
  if (existing.length > 0) return null;
  const d = ctx.config.demo;
  const sk = await createKeyOnce(ctx, {
    kind: 'secret',
    name: 'demo operator',
    scopes: ['account.person'],
    value: d.secretKey,
  });
  const pk = await createKeyOnce(ctx, {
    kind: 'publishable',
    name: 'demo partner page',
    origins: [...d.origins, ctx.config.publicUrl],
    countries: d.countries ?? null,
    defaultCountry: d.defaultCountry ?? null,
    value: d.publishableKey,
  });
  return {
    secretKey: sk.key,
    publishableKey: pk.key,
    generated: { secret: !d.secretKey, publishable: !d.publishableKey },
  };
}

/**
 * Start-up keys with a fixed value: several instances may start at once on one database,
 * so losing the insert race to an identical key is success, not an error.
 */
async function createKeyOnce(ctx: Ctx, input: CreateKeyInput): Promise<{ key: string }> {
  try {
    return await createKey(ctx, input, 'system');
  } catch (err) {
    if (input.value) {
      const existing = await ctx.store.db
        .selectFrom('api_keys')
        .select('id')
        .where('key_hash', '=', sha256(input.value))
        .executeTakeFirst();
      if (existing) return { key: input.value };
    }
    throw err;
  }
}
