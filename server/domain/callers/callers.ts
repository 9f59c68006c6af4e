import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { base62, newToken, sha256 } from '../../crypto/secrets.js';
import { changeIn, defineCachedRead, defineInsert, json, type Tx, type Writes } from '../../storage/db.js';
import type { ApiKeyTable, TokenTable } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import type { Scope } from './keys.js';
import type { StaffCaller } from './staff-sessions.js';

/** Who is calling, resolved from the bearer token (docs/api.md). */
export type Caller =
  | { kind: 'secret'; keyId: string; tokenHash: string; scopes: Scope[]; defaultCountry: string | null }
  | {
      kind: 'publishable';
      keyId: string;
      tokenHash: string;
      origins: string[];
      countries: string[] | null;
      defaultCountry: string | null;
    }
  | { kind: 'client_session'; tokenHash: string; personId: number; origins: string[]; expiresAt: string }
  | {
      kind: 'provisioning';
      tokenHash: string;
      personId: number;
      credentialId: string;
      origins: string[];
      expiresAt: string;
      keyId: string | null;
      viaHandoff: boolean;
    }
  | StaffCaller;

export const actorOf = (c: Caller): string =>
  c.kind === 'secret' || c.kind === 'publishable'
    ? `key:${c.keyId}`
    : c.kind === 'staff'
      ? `staff:${c.staffId}`
      : c.kind === 'client_session'
        ? `session:cs:${c.personId}`
        : `session:ps:${c.credentialId}`;

const KEY_PATTERN = /^(sk|pk)_[A-Za-z0-9_]{16,128}$/;
const SESSION_PATTERN = /^(cs|ps)_[A-Za-z0-9_]{20,140}$/;

// Every authenticated request resolves its token: compiled once, and kept until the table changes.
const keyByHash = defineCachedRead<
  Pick<Selectable<ApiKeyTable>, 'id' | 'kind' | 'scopes' | 'origins' | 'countries' | 'default_country' | 'revoked_at'>,
  [string]
>(
  (db, hash) =>
    db
      .selectFrom('api_keys')
      .select(['id', 'kind', 'scopes', 'origins', 'countries', 'default_country', 'revoked_at'])
      .where('key_hash', '=', hash),
  1,
);
const sessionByHash = defineCachedRead<Selectable<TokenTable>, [string, string]>(
  (db, hash, kind) => db.selectFrom('tokens').selectAll().where('token_hash', '=', hash).where('kind', '=', kind),
  2,
);

export async function resolveCaller(ctx: Ctx, token: string): Promise<Caller | null> {
  if (KEY_PATTERN.test(token)) {
    const tokenHash = sha256(token);
    const [row] = await keyByHash(ctx.store.db, tokenHash);
    if (!row || row.revoked_at) return null;
    const ms = ctx.clock.now().getTime();
    // last_used_at is written at most once a minute per key (a column, not an event per request).
    const lastUsed = ctx.services.keyLastUsed;
    if ((lastUsed.get(row.id) ?? 0) < ms - 60_000) {
      lastUsed.set(row.id, ms);
      await ctx.store.db
        .updateTable('api_keys')
        .set({ last_used_at: new Date(ms).toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    // Built once per cached row (rows are frozen and shared), so a hot key parses its JSON once.
    return ctx.store.readCache.memo(
      row,
      'caller',
      (): Caller =>
        Object.freeze(
          row.kind === 'secret'
            ? {
                kind: 'secret' as const,
                keyId: row.id,
                tokenHash,
                scopes: json(row.scopes, []),
                defaultCountry: row.default_country,
              }
            : {
                kind: 'publishable' as const,
                keyId: row.id,
                tokenHash,
                origins: json(row.origins, []),
                countries: json(row.countries, null),
                defaultCountry: row.default_country,
              },
        ),
    );
  }
  if (SESSION_PATTERN.test(token)) {
    const tokenHash = sha256(token);
    const kind = token.startsWith('cs_') ? 'cs' : 'ps';
    const [row] = await sessionByHash(ctx.store.db, tokenHash, kind);
    if (!row || row.expires_at <= nowIso(ctx) || row.person_id === null) return null;
    const personId = row.person_id;
    return ctx.store.readCache.memo(
      row,
      'caller',
      (): Caller =>
        Object.freeze(
          kind === 'cs'
            ? {
                kind: 'client_session' as const,
                tokenHash,
                personId,
                origins: json(row.origins, []),
                expiresAt: row.expires_at,
              }
            : {
                kind: 'provisioning' as const,
                tokenHash,
                personId,
                credentialId: row.credential_id!,
                origins: json(row.origins, []),
                expiresAt: row.expires_at,
                keyId: row.key_id,
                viaHandoff: row.via_handoff === 1,
              },
        ),
    );
  }
  return null;
}

export const SESSION_TTL_SECONDS = 15 * 60;

const insertToken = defineInsert('tokens', [
  'token_hash',
  'kind',
  'person_id',
  'credential_id',
  'device_id',
  'key_id',
  'origins',
  'expires_at',
  'created_at',
  'used_at',
  'via_handoff',
]);

/** A `ps_` (one credential) or `cs_` (one person) token, stored hashed (docs/api.md, docs/security.md). */
interface SessionToMint {
  kind: 'ps' | 'cs';
  personId: number;
  credentialId?: string;
  origins: string[];
  keyId?: string | null;
  viaHandoff?: boolean;
  /** The ps_ token's secret part, when it is derived (a redemption's, so a lost answer can be recovered); random otherwise. */
  secret?: Buffer;
}

/** A session token, declared in a change (storage/writes.ts) with the change's other writes. */
export function declareSession(ctx: Ctx, w: Writes, input: SessionToMint): { token: string; expires_at: string } {
  // A ps_ names its credential (docs/elements.md: credential-id is optional with a ps_): ps_<id>_<secret>.
  const token =
    input.kind === 'ps' && input.credentialId
      ? `ps_${input.credentialId.replace(/^cred_/, '')}_${base62(input.secret ?? ctx.random(32))}`
      : newToken(ctx.random, input.kind, 32);
  const created = nowIso(ctx);
  const expires_at = addSeconds(created, SESSION_TTL_SECONDS);
  w.run(insertToken, {
    token_hash: sha256(token),
    kind: input.kind,
    person_id: input.personId,
    credential_id: input.credentialId ?? null,
    device_id: null,
    key_id: input.keyId ?? null,
    origins: JSON.stringify(input.origins),
    expires_at,
    created_at: created,
    used_at: null,
    via_handoff: input.viaHandoff ? 1 : 0,
  });
  return { token, expires_at };
}

/** A session token minted inside a transaction already open. */
export const mintSession = (ctx: Ctx, tx: Tx, input: SessionToMint): Promise<{ token: string; expires_at: string }> =>
  changeIn(tx, (w) => declareSession(ctx, w, input));

/** Origins a provisioning token minted for this caller is bound to. */
export function originsForProvisioning(ctx: Ctx, caller: Caller | null): string[] {
  if (caller && caller.kind !== 'secret' && caller.kind !== 'staff') return caller.origins;
  return [new URL(ctx.config.publicUrl).origin];
}

/**
 * The scope a route declares, for a secret key or a staff member (whose role stands for scopes,
 * docs/console.md): `read`, `write` (account.person) or `admin` (a write key, or an admin member).
 */
export function requireScope(caller: Caller, scope: 'read' | 'write' | 'admin'): void {
  if (caller.kind !== 'secret' && caller.kind !== 'staff')
    throw new ApiError('unauthorized', 'This endpoint needs a secret key (sk_…).');
  if (scope !== 'read' && !caller.scopes.includes('account.person')) {
    throw new ApiError(
      'insufficient_scope',
      caller.kind === 'staff'
        ? 'Your role may only read (viewer).'
        : 'This key is read-only (account.person.readonly).',
    );
  }
  if (scope === 'admin' && caller.kind === 'staff' && !caller.scopes.includes('account.admin'))
    throw new ApiError('insufficient_scope', 'Only an admin may do that.');
  if (!caller.scopes.includes('account.person') && !caller.scopes.includes('account.person.readonly')) {
    throw new ApiError('insufficient_scope');
  }
}

/** `access/verify`: a door controller's key (account.access) or a write key; never the read-only scope (docs/security.md). */
export function requireAccessScope(caller: Caller): void {
  if (caller.kind !== 'secret') throw new ApiError('unauthorized', 'This endpoint needs a secret key (sk_…).');
  if (!caller.scopes.includes('account.access') && !caller.scopes.includes('account.person')) {
    throw new ApiError('insufficient_scope', 'Door checks need a key with scope account.access or account.person.');
  }
}

export const canSeeSecrets = (caller: Caller): boolean =>
  (caller.kind === 'secret' || caller.kind === 'staff') && caller.scopes.includes('account.person');
