// Reading credentials as the API shows them: the admin view (secrets for the write scope) and the status view.
import type { ExpressionBuilder } from 'kysely';
import { defineCachedRead, defineRead, jsonOf } from '../../storage/db.js';
import type { Database } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { readTimeIdCursor, timeIdCursor } from '../cursors.js';
import { ApiError } from '../errors.js';
import { invitationUrl } from '../invitations/code.js';
import { type CredentialStatus, TERMINAL } from './lifecycle.js';
import {
  CARD,
  type CredentialRow,
  type CredentialView,
  type DeviceRow,
  type DeviceView,
  HID_MOBILE,
  PIN,
  type StatusView,
} from './types.js';

// Hot read paths (admin reads, widget status polling) run as compiled-once queries.
const credentialOfPerson = defineRead<CredentialRow, [string, number]>(
  (db, id, personId) =>
    db
      .selectFrom('credentials')
      .innerJoin('people', 'people.id', 'credentials.person_id')
      .selectAll('credentials')
      .where('credentials.id', '=', id)
      .where('credentials.person_id', '=', personId)
      .where('people.deleted_at', 'is', null),
  2,
);
const devicesOfCredential = defineRead<
  {
    id: string;
    credential_id: string;
    platform: 'apple' | 'google';
    status: 'pending' | 'active' | 'revoked';
    kind: string | null;
    added_at: string;
  },
  [string]
>(
  (db, id) =>
    db
      .selectFrom('devices')
      .select(['id', 'credential_id', 'platform', 'status', 'kind', 'added_at'])
      .where('credential_id', '=', id)
      .orderBy('added_at'),
  1,
);
const liveInvitationOfCredential = defineRead<
  { credential_id: string; code_enc: string; expires_at: string },
  [string]
>(
  (db, id) =>
    db
      .selectFrom('invitations')
      .select(['credential_id', 'code_enc', 'expires_at'])
      .where('credential_id', '=', id)
      .where('redeemed_at', 'is', null)
      .where('superseded_at', 'is', null),
  1,
);
/** A credential row's devices as its views list them, for aggregation into that row. */
const devicesOfRow = (eb: ExpressionBuilder<Database, 'credentials'>) =>
  eb
    .selectFrom('devices')
    .select(['devices.id', 'devices.platform', 'devices.status', 'devices.kind', 'devices.added_at'])
    .whereRef('devices.credential_id', '=', 'credentials.id')
    .orderBy('devices.added_at');
const credentialWithRelated = defineCachedRead<
  CredentialRow & {
    devices: DeviceRow[] | string;
    invitation: { code_enc: string; expires_at: string } | string | null;
  },
  [string, number]
>((db, id, personId) => {
  const { jsonArrayFrom, jsonObjectFrom } = jsonOf(db);
  return db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .selectAll('credentials')
    .select((eb) => [
      jsonArrayFrom(devicesOfRow(eb)).as('devices'),
      jsonObjectFrom(
        eb
          .selectFrom('invitations')
          .select(['invitations.code_enc', 'invitations.expires_at'])
          .whereRef('invitations.credential_id', '=', 'credentials.id')
          .where('invitations.redeemed_at', 'is', null)
          .where('invitations.superseded_at', 'is', null),
      ).as('invitation'),
    ])
    .where('credentials.id', '=', id)
    .where('credentials.person_id', '=', personId)
    .where('people.deleted_at', 'is', null);
}, 2);

// Status stays readable after the person is deleted: their credentials show as revoked.
const statusOfCredential = defineCachedRead<
  Pick<CredentialRow, 'id' | 'credential_type_id' | 'status' | 'enabled' | 'updated_at'> & {
    devices: DeviceRow[] | string;
    history: { status: string; at: string }[] | string;
  },
  [string, number]
>((db, id, personId) => {
  const { jsonArrayFrom } = jsonOf(db);
  return db
    .selectFrom('credentials')
    .select([
      'credentials.id',
      'credentials.credential_type_id',
      'credentials.status',
      'credentials.enabled',
      'credentials.updated_at',
    ])
    .select((eb) => [
      jsonArrayFrom(devicesOfRow(eb)).as('devices'),
      jsonArrayFrom(
        eb
          .selectFrom('credential_history')
          .select(['credential_history.status', 'credential_history.at'])
          .whereRef('credential_history.credential_id', '=', 'credentials.id')
          .orderBy('credential_history.id'),
      ).as('history'),
    ])
    .where('credentials.id', '=', id)
    .where('credentials.person_id', '=', personId);
}, 2);
/** JSON aggregated in SQL: SQLite answers text, PostgreSQL parsed values. */
const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function getCredentialRow(ctx: Ctx, personId: number, credentialId: string): Promise<CredentialRow> {
  const [row] = await credentialOfPerson(ctx.store.db, credentialId, personId);
  if (!row) throw new ApiError('not_found', `No credential ${credentialId} for person ${personId}.`);
  return row;
}

export async function getCredentialView(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  showSecrets: boolean,
): Promise<CredentialView> {
  // One statement instead of three (credential, devices, live invitation): the admin read is a hot path.
  const [row] = await credentialWithRelated(ctx.store.db, credentialId, personId);
  if (!row) throw new ApiError('not_found', `No credential ${credentialId} for person ${personId}.`);
  // Rendered once per cached answer (decrypting is most of the cost), for each of the two scopes.
  return ctx.store.readCache.memo(row, showSecrets ? 'view:secrets' : 'view', () => {
    const { devices, invitation, ...credential } = row;
    const deviceRows = parseJson(devices).map((d) => ({ ...d, credential_id: credentialId }));
    const invitationRows = showSecrets && invitation ? [{ ...parseJson(invitation), credential_id: credentialId }] : [];
    return deepFreeze(renderViews(ctx, [credential], deviceRows, invitationRows, showSecrets)[0]);
  });
}

/** Views handed out from a cache are shared between requests: frozen, so a change is an error. */
function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(value);
}

export async function listCredentials(
  ctx: Ctx,
  personId: number,
  opts: { limit: number; cursor?: string; showSecrets: boolean },
): Promise<{ person_credentials: CredentialView[]; next_cursor: string | null }> {
  const person = await ctx.store.db
    .selectFrom('people')
    .select('id')
    .where('id', '=', personId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
  let q = ctx.store.db
    .selectFrom('credentials')
    .selectAll()
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(opts.limit + 1);
  if (opts.cursor) {
    const { createdAt, id } = readTimeIdCursor(opts.cursor);
    q = q.where((eb) =>
      eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]),
    );
  }
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    person_credentials: await toCredentialViews(ctx, page, opts.showSecrets),
    next_cursor: rows.length > opts.limit ? timeIdCursor(last) : null,
  };
}

/** A badge's device says which wallet device it is (type 10); others say nothing. */
const kindOf = (d: { kind?: string | null }): { kind?: DeviceView['kind'] } =>
  d.kind ? { kind: d.kind as DeviceView['kind'] } : {};

const MASK = '******';
const maskCard = (value: string) => (value.length > 4 ? `${MASK}${value.slice(-4)}` : MASK);

/** The public shape: PIN values masked everywhere, card numbers to the last 4 for the read-only scope; codes, URLs and wallet values only for the write scope. */
export async function toCredentialViews(
  ctx: Ctx,
  rows: CredentialRow[],
  showSecrets: boolean,
): Promise<CredentialView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const single = rows.length === 1 ? rows[0].id : null;
  const [devices, invitations] = await Promise.all([
    single
      ? devicesOfCredential(ctx.store.db, single)
      : ctx.store.db
          .selectFrom('devices')
          .select(['id', 'credential_id', 'platform', 'status', 'kind', 'added_at'])
          .where('credential_id', 'in', ids)
          .orderBy('added_at')
          .execute(),
    !showSecrets
      ? Promise.resolve([])
      : single
        ? liveInvitationOfCredential(ctx.store.db, single)
        : ctx.store.db
            .selectFrom('invitations')
            .select(['credential_id', 'code_enc', 'expires_at'])
            .where('credential_id', 'in', ids)
            .where('redeemed_at', 'is', null)
            .where('superseded_at', 'is', null)
            .execute(),
  ]);
  return renderViews(ctx, rows, devices, invitations, showSecrets);
}

function renderViews(
  ctx: Ctx,
  rows: CredentialRow[],
  devices: (DeviceRow & { credential_id: string })[],
  invitations: { credential_id: string; code_enc: string; expires_at: string }[],
  showSecrets: boolean,
): CredentialView[] {
  return rows.map((r) => {
    const view: CredentialView = {
      id: r.id,
      credential_type_id: r.credential_type_id,
      person_id: r.person_id,
      status: r.status as CredentialStatus,
      enabled: r.enabled === 1,
      value_mode: r.value_mode,
      devices: devices
        .filter((d) => d.credential_id === r.id)
        .map((d) => ({ id: d.id, platform: d.platform, status: d.status, ...kindOf(d), added_at: d.added_at })),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
    if (r.credential_type_id === PIN) view.value = MASK;
    else if (r.value_enc && showSecrets) view.value = ctx.keys.decrypt(r.value_enc, r.id);
    // A card number opens doors too: the read-only scope sees its last 4, as printed on a card (docs/security.md).
    else if (r.value_enc && r.credential_type_id === CARD) view.value = maskCard(ctx.keys.decrypt(r.value_enc, r.id));
    const inv = invitations.find((i) => i.credential_id === r.id);
    if (inv && !TERMINAL.has(view.status)) {
      const code = ctx.keys.decrypt(inv.code_enc, r.id);
      view.invitation_code = code;
      // An HID code is entered in the HID app, never on Keyway's page.
      if (r.credential_type_id !== HID_MOBILE) view.invitation_url = invitationUrl(ctx, code);
      view.invitation_expires_at = inv.expires_at;
    }
    return view;
  });
}

/** `GET /api/3/credentials/{cid}/status` for a `cs_` (its person) or `ps_` (its credential). */
/** The person a credential belongs to (0 when there is none: then nothing is found). */
export async function credentialOwner(ctx: Ctx, credentialId: string): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('credentials')
    .select('person_id')
    .where('id', '=', credentialId)
    .executeTakeFirst();
  return row?.person_id ?? 0;
}

export async function credentialStatus(
  ctx: Ctx,
  credentialId: string,
  scope: { personId: number; credentialId?: string },
): Promise<StatusView> {
  if (scope.credentialId && scope.credentialId !== credentialId) throw new ApiError('not_found');
  // One statement for the row, its devices and its history: widgets poll this.
  const [row] = await statusOfCredential(ctx.store.db, credentialId, scope.personId);
  if (!row) throw new ApiError('not_found');
  return ctx.store.readCache.memo(row, 'status', () =>
    deepFreeze<StatusView>({
      id: row.id,
      ...(row.credential_type_id === HID_MOBILE ? { credential_type_id: HID_MOBILE } : {}),
      status: row.status as CredentialStatus,
      enabled: row.enabled === 1,
      devices: parseJson(row.devices).map((d) => ({
        id: d.id,
        platform: d.platform,
        ...kindOf(d),
        added_at: d.added_at,
        status: d.status,
      })),
      updated_at: row.updated_at,
      history: parseJson(row.history).map((h) => ({ status: h.status as CredentialStatus, at: h.at })),
    }),
  );
}
