import type { ExpressionBuilder, Selectable } from 'kysely';
import { base62 } from '../crypto/secrets.js';
import { jsonArrayFrom as sqliteArray, jsonObjectFrom as sqliteObject } from 'kysely/helpers/sqlite';
import { jsonArrayFrom as pgArray, jsonObjectFrom as pgObject } from 'kysely/helpers/postgres';
import { cachedQuery, forUpdate, isPostgres, preparedInsert, preparedQuery, preparedWrite } from '../storage/db.js';
import type { CredentialTable, Database } from '../storage/schema.js';
import { addSeconds, nowIso, type Ctx } from './context.js';
import { enqueueWebhook, recordEvent, type Actor, type Tx } from './events.js';
import { ApiError } from './errors.js';
import { generateInvitationCode, normalizeInvitationCode } from './invitation-code.js';
import { enqueueMessage, kickDelivery } from '../delivery/queue.js';
import { invitationEmail, pickLocale } from '../delivery/templates.js';
import { nextState, TERMINAL, type CredentialStatus, type LifecycleAction } from './lifecycle.js';
import { passStateOf, queuePassUpdateTx } from './devices.js';
import { createHidCredential, HID_CREDENTIAL_TYPE, HID_MOBILE, hidConfigured, reissueHidInvitation, revokeHidCredentialTx, wantHidDeviceRevokedTx } from './hid-credentials.js';

export const CREDENTIAL_TYPES = [
  { id: 1, name: 'Card', format: 'card', description: 'Physical access card (its number as value)' },
  { id: 6, name: 'PIN', format: 'pin', description: 'Keypad PIN of 4–12 characters' },
  { id: 9, name: 'Wallet pass', format: 'mobile', description: 'Apple Wallet and Google Wallet pass (mobile credential)' },
] as const;
export const WALLET_PASS = 9;

/** The types this deployment offers: type 8 only with HID Origo configured (SPEC §12). */
export const credentialTypes = (ctx: Pick<Ctx, 'config'>) => (hidConfigured(ctx) ? [...CREDENTIAL_TYPES, HID_CREDENTIAL_TYPE] : [...CREDENTIAL_TYPES]).sort((a, b) => a.id - b.id);
const PIN = 6;
const CARD = 1;

export interface DeviceView {
  id: string;
  platform: 'apple' | 'google' | 'hid';
  status: 'pending' | 'active' | 'revoked';
  added_at: string;
}

export interface CredentialView {
  id: string;
  credential_type_id: number;
  person_id: number;
  status: CredentialStatus;
  enabled: boolean;
  value?: string;
  value_mode: 'per_device' | 'shared';
  invitation_code?: string;
  invitation_url?: string;
  invitation_expires_at?: string;
  devices: DeviceView[];
  created_at: string;
  updated_at: string;
}

export interface CreateCredentialInput {
  credential_type_id: number;
  enabled?: boolean;
  value?: string;
  deliver?: 'email' | 'none';
  value_mode?: 'per_device' | 'shared';
  /** Language of the invitation email (`en`, `de`, `ar`; SPEC §8's locales). */
  locale?: string;
}

type CredentialRow = Selectable<CredentialTable>;

const sqliteJson = { jsonArrayFrom: sqliteArray, jsonObjectFrom: sqliteObject };
const pgJson = { jsonArrayFrom: pgArray, jsonObjectFrom: pgObject };

const newId = (ctx: Ctx, prefix: string) => `${prefix}_${base62(ctx.random(12))}`;

/** A generated reader value: 96 bits, 17 base62 characters (SPEC §4 asks ≥ 80 bits, ≥ 16 chars). */
export const newReaderValue = (ctx: Ctx): string => base62(ctx.random(12));

export async function createCredential(
  ctx: Ctx,
  personId: number,
  input: CreateCredentialInput,
  opts: { actor: Actor; showSecrets: boolean },
): Promise<CredentialView> {
  const offered = credentialTypes(ctx);
  if (!offered.some((t) => t.id === input.credential_type_id)) {
    throw new ApiError('unknown_credential_type', `Credential type ${input.credential_type_id} is not available here.`, {
      available: offered.map((t) => t.id),
    });
  }
  if (input.credential_type_id === HID_MOBILE) return createHidCredential(ctx, personId, input, opts);
  const type = CREDENTIAL_TYPES.find((t) => t.id === input.credential_type_id)!;
  let value = input.value;
  let valueMode: 'per_device' | 'shared' = 'shared';
  if (type.id === PIN) {
    if (!value || value.length < 4 || value.length > 12) {
      throw new ApiError('invalid_request', 'A PIN needs a value of 4–12 characters.', { fields: { value: 'A PIN is 4–12 characters.' } });
    }
  } else if (type.id === CARD) {
    if (!value) throw new ApiError('invalid_request', 'A card needs its number as value.', { fields: { value: 'Required for a card.' } });
  } else {
    valueMode = input.value_mode ?? (value ? 'shared' : 'per_device');
    if (valueMode === 'per_device' && value) {
      throw new ApiError('invalid_request', 'A value is shared by every phone; per_device mode generates one per phone.', {
        fields: { value: 'Only with value_mode "shared".' },
      });
    }
    if (valueMode === 'shared' && !value) value = newReaderValue(ctx);
  }

  const at = nowIso(ctx);
  const id = newId(ctx, 'cred');
  const enabled = input.enabled !== false;
  const status: CredentialStatus = type.id === WALLET_PASS ? 'invited' : 'active';
  const deliver = input.deliver ?? ctx.config.deliverDefault;

  const result = await ctx.store.db.transaction().execute(async (tx) => {
    const person = await tx.selectFrom('people').selectAll().where('id', '=', personId).where('deleted_at', 'is', null).executeTakeFirst();
    if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
    await tx
      .insertInto('credentials')
      .values({
        id,
        person_id: personId,
        credential_type_id: type.id,
        status: type.id === WALLET_PASS || enabled ? status : 'suspended',
        enabled: enabled ? 1 : 0,
        value_enc: value ? ctx.keys.encrypt(value, id) : null,
        value_hash: value ? ctx.keys.lookupHash('value', value) : null,
        value_mode: valueMode,
        sequence: 0,
        created_at: at,
        updated_at: at,
        revoking_at: null,
        email_locale: input.locale ? pickLocale(input.locale) : null,
      })
      .execute();
    const finalStatus = type.id === WALLET_PASS || enabled ? status : 'suspended';
    await tx.insertInto('credential_history').values({ credential_id: id, status: finalStatus, at }).execute();
    await recordEvent(tx, at, {
      type: 'credential.created',
      actor: opts.actor,
      subject: `credential:${id}`,
      data: { person_id: personId, credential_type_id: type.id, status: finalStatus, value_mode: valueMode },
    });
    await enqueueWebhook(tx, at, { event: 'credential.created', credential_id: id, person_id: personId, status: finalStatus, credential_type_id: type.id });
    let invitation: { code: string; expires_at: string } | undefined;
    if (type.id === WALLET_PASS) {
      invitation = await issueInvitationTx(ctx, tx, id, opts.actor);
    }
    return { person, invitation };
  });

  if (result.invitation && deliver === 'email' && result.person.email) {
    await emailInvitation(ctx, id, result.person.email, result.person.first_name, result.invitation, input.locale);
  }
  return getCredentialView(ctx, personId, id, opts.showSecrets);
}

/** Supersedes any live code of the credential and stores a fresh one (HMAC for lookup, AES-GCM to show it). */
export async function issueInvitationTx(ctx: Ctx, tx: Tx, credentialId: string, actor: Actor): Promise<{ code: string; expires_at: string }> {
  const at = nowIso(ctx);
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  const code = generateInvitationCode(ctx.random);
  const expires_at = addSeconds(at, ctx.config.inviteTtlSeconds);
  await tx
    .insertInto('invitations')
    .values({
      id: newId(ctx, 'inv'),
      credential_id: credentialId,
      code_hash: ctx.keys.lookupHash('invite', normalizeInvitationCode(code)!),
      code_enc: ctx.keys.encrypt(code, credentialId),
      expires_at,
      created_at: at,
      redeemed_at: null,
      superseded_at: null,
      emailed_at: null,
    })
    .execute();
  await recordEvent(tx, at, { type: 'invitation.issued', actor, subject: `credential:${credentialId}`, data: { expires_at } });
  return { code, expires_at };
}

export const invitationUrl = (ctx: Ctx, code: string): string => `${ctx.config.publicUrl}/p#code=${code}`;

/** Queues the flow A email (localised, with the code, the link and its QR code); the worker retries it. */
async function emailInvitation(ctx: Ctx, credentialId: string, to: string, firstName: string, inv: { code: string; expires_at: string }, locale?: string | null) {
  const message = await invitationEmail({
    to,
    locale: pickLocale(locale),
    brand: ctx.config.brand.name,
    brandColor: ctx.config.brand.color,
    firstName,
    code: inv.code,
    url: invitationUrl(ctx, inv.code),
    expiresAt: inv.expires_at,
  });
  await ctx.store.db.transaction().execute((tx) => enqueueMessage(ctx, tx, { channel: 'email', message }, { purpose: 'invitation', ref: credentialId, giveUpAt: inv.expires_at }));
  kickDelivery(ctx);
}

// Hot read paths (admin reads, widget status polling) run as compiled-once queries.
const credentialOfPerson = preparedQuery<CredentialRow, [string, number]>(
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
const devicesOfCredential = preparedQuery<{ id: string; credential_id: string; platform: DeviceView['platform']; status: 'pending' | 'active' | 'revoked'; added_at: string }, [string]>(
  (db, id) => db.selectFrom('devices').select(['id', 'credential_id', 'platform', 'status', 'added_at']).where('credential_id', '=', id).orderBy('added_at'),
  1,
);
const liveInvitationOfCredential = preparedQuery<{ credential_id: string; code_enc: string; expires_at: string }, [string]>(
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
  eb.selectFrom('devices').select(['devices.id', 'devices.platform', 'devices.status', 'devices.added_at']).whereRef('devices.credential_id', '=', 'credentials.id').orderBy('devices.added_at');
const credentialWithRelated = cachedQuery<
  CredentialRow & { devices: DeviceRow[] | string; invitation: { code_enc: string; expires_at: string } | string | null },
  [string, number]
>((db, id, personId) => {
  const { jsonArrayFrom, jsonObjectFrom } = isPostgres(db) ? pgJson : sqliteJson;
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
}, 2, ['credentials', 'people', 'devices', 'invitations']);
// Every lifecycle change runs these (compiled once; on PostgreSQL the read locks the row).
const credentialForUpdate = preparedWrite<CredentialRow, [string]>((db, id) => {
  return forUpdate(isPostgres(db) ? 'postgres' : 'sqlite', db.selectFrom('credentials').selectAll().where('id', '=', id));
}, 1);
const setCredentialState = preparedWrite<CredentialRow, [string, number, string, string | null, string]>(
  (db, status, enabled, at, revokingAt, id) => db.updateTable('credentials').set({ status, enabled, updated_at: at, revoking_at: revokingAt }).where('id', '=', id).returningAll(),
  5,
);
const insertHistory = preparedInsert('credential_history', ['credential_id', 'status', 'at']);
// Status stays readable after the person is deleted: their credentials show as revoked.
const statusOfCredential = cachedQuery<
  Pick<CredentialRow, 'id' | 'credential_type_id' | 'status' | 'enabled' | 'updated_at'> & { devices: DeviceRow[] | string; history: { status: string; at: string }[] | string },
  [string, number]
>((db, id, personId) => {
  const { jsonArrayFrom } = isPostgres(db) ? pgJson : sqliteJson;
  return db
    .selectFrom('credentials')
    .select(['credentials.id', 'credentials.credential_type_id', 'credentials.status', 'credentials.enabled', 'credentials.updated_at'])
    .select((eb) => [
      jsonArrayFrom(devicesOfRow(eb)).as('devices'),
      jsonArrayFrom(eb.selectFrom('credential_history').select(['credential_history.status', 'credential_history.at']).whereRef('credential_history.credential_id', '=', 'credentials.id').orderBy('credential_history.id')).as('history'),
    ])
    .where('credentials.id', '=', id)
    .where('credentials.person_id', '=', personId);
}, 2, ['credentials', 'devices', 'credential_history']);
/** JSON aggregated in SQL: SQLite answers text, PostgreSQL parsed values. */
const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function getCredentialRow(ctx: Ctx, personId: number, credentialId: string): Promise<CredentialRow> {
  const [row] = await credentialOfPerson(ctx.store.db, credentialId, personId);
  if (!row) throw new ApiError('not_found', `No credential ${credentialId} for person ${personId}.`);
  return row;
}

// Views rendered from a cached answer, kept as long as that answer is (the same frozen row).
const renderedViews = new WeakMap<object, { shown?: CredentialView; hidden?: CredentialView }>();

export async function getCredentialView(ctx: Ctx, personId: number, credentialId: string, showSecrets: boolean): Promise<CredentialView> {
  // One statement instead of three (credential, devices, live invitation): the admin read is a hot path.
  const [row] = await credentialWithRelated(ctx.store.db, credentialId, personId);
  if (!row) throw new ApiError('not_found', `No credential ${credentialId} for person ${personId}.`);
  let rendered = renderedViews.get(row);
  if (!rendered) renderedViews.set(row, (rendered = {}));
  const kept = showSecrets ? rendered.shown : rendered.hidden;
  if (kept) return kept;
  const { devices, invitation, ...credential } = row;
  const deviceRows = parseJson(devices).map((d) => ({ ...d, credential_id: credentialId }));
  const invitationRows = showSecrets && invitation ? [{ ...parseJson(invitation), credential_id: credentialId }] : [];
  const view = deepFreeze(renderViews(ctx, [credential], deviceRows, invitationRows, showSecrets)[0]);
  if (showSecrets) rendered.shown = view;
  else rendered.hidden = view;
  return view;
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
  const person = await ctx.store.db.selectFrom('people').select('id').where('id', '=', personId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
  let q = ctx.store.db.selectFrom('credentials').selectAll().where('person_id', '=', personId).orderBy('created_at').orderBy('id').limit(opts.limit + 1);
  if (opts.cursor) {
    const [createdAt, id] = JSON.parse(Buffer.from(opts.cursor, 'base64url').toString()) as [string, string];
    q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  const rows = await q.execute();
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  return {
    person_credentials: await toCredentialViews(ctx, page, opts.showSecrets),
    next_cursor: rows.length > opts.limit ? Buffer.from(JSON.stringify([last.created_at, last.id])).toString('base64url') : null,
  };
}

/** The public shape: PIN values masked everywhere; codes, URLs and wallet values only for the write scope. */
export async function toCredentialViews(ctx: Ctx, rows: CredentialRow[], showSecrets: boolean): Promise<CredentialView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const single = rows.length === 1 ? rows[0].id : null;
  const [devices, invitations] = await Promise.all([
    single
      ? devicesOfCredential(ctx.store.db, single)
      : ctx.store.db.selectFrom('devices').select(['id', 'credential_id', 'platform', 'status', 'added_at']).where('credential_id', 'in', ids).orderBy('added_at').execute(),
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

type DeviceRow = { id: string; platform: DeviceView['platform']; status: 'pending' | 'active' | 'revoked'; added_at: string };

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
        .map((d) => ({ id: d.id, platform: d.platform, status: d.status, added_at: d.added_at })),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
    if (r.credential_type_id === PIN) view.value = '******';
    else if (r.value_enc && (showSecrets || r.credential_type_id === CARD)) view.value = ctx.keys.decrypt(r.value_enc, r.id);
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

/**
 * Applies one lifecycle action inside `tx`: the credential row, its history, the audit events
 * and the webhook outbox row together (SPEC §6). Returns whether anything changed.
 */
export async function applyLifecycle(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  action: LifecycleAction,
  actor: Actor,
  /** Extra fields for the status_changed event and webhook (e.g. `given_up_devices`). */
  extra?: Record<string, unknown>,
): Promise<{ row: CredentialRow; changed: boolean }> {
  const {
    rows: [row],
  } = await credentialForUpdate(tx, credentialId);
  if (!row) throw new ApiError('not_found');
  const from = { status: row.status as CredentialStatus, enabled: row.enabled === 1 };
  const to = nextState(from, action);
  if (to.status === from.status && to.enabled === from.enabled) return { row, changed: false };
  const at = nowIso(ctx);
  const {
    rows: [updated],
  } = await setCredentialState(tx, to.status, to.enabled ? 1 : 0, at, to.status === 'revoking' ? at : row.revoking_at, credentialId);
  const subject = `credential:${credentialId}`;
  if (to.enabled !== from.enabled) {
    await recordEvent(tx, at, { type: to.enabled ? 'credential.enabled' : 'credential.disabled', actor, subject, data: { person_id: row.person_id } });
  }
  if (to.status !== from.status) {
    await insertHistory(tx, { credential_id: credentialId, status: to.status, at });
    await recordEvent(tx, at, {
      type: 'credential.status_changed',
      actor,
      subject,
      data: { person_id: row.person_id, old_status: from.status, new_status: to.status, reason: action.type, ...extra },
    });
    await enqueueWebhook(tx, at, {
      event: 'credential.status_changed',
      credential_id: credentialId,
      person_id: row.person_id,
      old_status: from.status,
      new_status: to.status,
      ...extra,
    });
  }
  // Suspend, resume and revoke change what every pass shows: phones are told in the same transaction.
  if (passStateOf(row, 'active') !== passStateOf(updated, 'active')) await queuePassUpdateTx(ctx, tx, credentialId);
  return { row: updated, changed: true };
}

export async function setCredentialEnabled(ctx: Ctx, personId: number, credentialId: string, enabled: boolean, opts: { actor: Actor; showSecrets: boolean }) {
  await getCredentialRow(ctx, personId, credentialId);
  const { changed } = await ctx.store.db.transaction().execute((tx) => applyLifecycle(ctx, tx, credentialId, { type: 'set_enabled', enabled }, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

/**
 * DELETE: readers refuse the values at once (status leaves provisioning/active); pending devices
 * are revoked now; live devices must confirm (pushes come with the lifecycle issue) → `revoking`.
 */
export async function revokeCredentialTx(ctx: Ctx, tx: Tx, credentialId: string, actor: Actor): Promise<boolean> {
  const at = nowIso(ctx);
  const cred = await tx.selectFrom('credentials').select(['status', 'person_id', 'credential_type_id']).where('id', '=', credentialId).executeTakeFirstOrThrow();
  if (TERMINAL.has(cred.status as CredentialStatus)) return false;
  if (cred.credential_type_id === HID_MOBILE) return revokeHidCredentialTx(ctx, tx, credentialId, actor);
  const pending = await tx.selectFrom('devices').select('id').where('credential_id', '=', credentialId).where('status', '=', 'pending').execute();
  for (const d of pending) await revokeDeviceTx(ctx, tx, credentialId, cred.person_id, d.id, actor, at);
  const live = await tx.selectFrom('devices').select('id').where('credential_id', '=', credentialId).where('status', '=', 'active').execute();
  await tx.updateTable('invitations').set({ superseded_at: at }).where('credential_id', '=', credentialId).where('redeemed_at', 'is', null).where('superseded_at', 'is', null).execute();
  const { changed } = await applyLifecycle(ctx, tx, credentialId, { type: 'revoke', devicesToConfirm: live.length }, actor);
  return changed;
}

export async function revokeCredential(ctx: Ctx, personId: number, credentialId: string, opts: { actor: Actor; showSecrets: boolean }) {
  await getCredentialRow(ctx, personId, credentialId);
  const changed = await ctx.store.db.transaction().execute((tx) => revokeCredentialTx(ctx, tx, credentialId, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

/** Re-issue: a new code, the old one dies (SPEC §4). */
export async function reissueInvitation(ctx: Ctx, personId: number, credentialId: string, opts: { actor: Actor; showSecrets: boolean }) {
  const row = await getCredentialRow(ctx, personId, credentialId);
  if (row.credential_type_id === HID_MOBILE) return reissueHidInvitation(ctx, personId, credentialId, opts);
  if (row.credential_type_id !== WALLET_PASS) {
    throw new ApiError('invalid_transition', 'Only wallet-pass credentials have invitations.', { status: row.status });
  }
  const { changed } = await ctx.store.db.transaction().execute(async (tx) => {
    const result = await applyLifecycle(ctx, tx, credentialId, { type: 'reissue' }, opts.actor);
    await issueInvitationTx(ctx, tx, credentialId, opts.actor);
    return result;
  });
  if (changed) ctx.bus.credentialChanged(credentialId);
  const view = await getCredentialView(ctx, personId, credentialId, true);
  const person = await ctx.store.db.selectFrom('people').select(['email', 'first_name']).where('id', '=', personId).executeTakeFirstOrThrow();
  if (ctx.config.deliverDefault === 'email' && person.email && view.invitation_code) {
    // In the language the first invitation went out in.
    await emailInvitation(ctx, credentialId, person.email, person.first_name, { code: view.invitation_code, expires_at: view.invitation_expires_at! }, row.email_locale);
  }
  return opts.showSecrets ? view : getCredentialView(ctx, personId, credentialId, false);
}

export async function revokeDeviceTx(ctx: Ctx, tx: Tx, credentialId: string, personId: number, deviceId: string, actor: Actor, at = nowIso(ctx)): Promise<boolean> {
  const device = await tx.selectFrom('devices').select(['status', 'platform']).where('id', '=', deviceId).where('credential_id', '=', credentialId).executeTakeFirst();
  if (!device) throw new ApiError('not_found', `No device ${deviceId} on credential ${credentialId}.`);
  if (device.status === 'revoked') return false;
  await tx.updateTable('devices').set({ status: 'revoked', revoked_at: at, updated_at: at }).where('id', '=', deviceId).execute();
  await recordEvent(tx, at, { type: 'device.revoked', actor, subject: `credential:${credentialId}`, data: { device_id: deviceId, platform: device.platform } });
  // An HID phone holds an Origo credential: Origo is told to revoke it (the sync retries until it did).
  if (device.platform === 'hid') await wantHidDeviceRevokedTx(ctx, tx, deviceId, at);
  // One phone revoked alone gets its voided pass; under a revoked credential the pass is void already.
  const cred = await tx.selectFrom('credentials').select('status').where('id', '=', credentialId).executeTakeFirstOrThrow();
  if (!TERMINAL.has(cred.status as CredentialStatus)) await queuePassUpdateTx(ctx, tx, credentialId, { deviceId });
  await enqueueWebhook(tx, at, { event: 'device.revoked', credential_id: credentialId, person_id: personId, device_id: deviceId, platform: device.platform });
  return true;
}

export async function revokeDevice(ctx: Ctx, personId: number, credentialId: string, deviceId: string, opts: { actor: Actor; showSecrets: boolean }) {
  await getCredentialRow(ctx, personId, credentialId);
  const changed = await ctx.store.db.transaction().execute((tx) => revokeDeviceTx(ctx, tx, credentialId, personId, deviceId, opts.actor));
  if (changed) ctx.bus.credentialChanged(credentialId);
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}

export interface StatusView {
  id: string;
  /** Only on HID Mobile Access credentials (8): `<credential-status>` shows the HID app's help. */
  credential_type_id?: 8;
  status: CredentialStatus;
  enabled: boolean;
  devices: DeviceView[];
  updated_at: string;
  history: { status: CredentialStatus; at: string }[];
}

/** `GET /api/3/credentials/{cid}/status` for a `cs_` (its person) or `ps_` (its credential). */
export async function credentialStatus(ctx: Ctx, credentialId: string, scope: { personId: number; credentialId?: string }): Promise<StatusView> {
  if (scope.credentialId && scope.credentialId !== credentialId) throw new ApiError('not_found');
  // One statement for the row, its devices and its history: widgets poll this.
  const [row] = await statusOfCredential(ctx.store.db, credentialId, scope.personId);
  if (!row) throw new ApiError('not_found');
  const kept = renderedStatus.get(row);
  if (kept) return kept;
  const devices = parseJson(row.devices);
  const history = parseJson(row.history);
  const view = deepFreeze<StatusView>({
    id: row.id,
    ...(row.credential_type_id === HID_MOBILE ? { credential_type_id: HID_MOBILE } : {}),
    status: row.status as CredentialStatus,
    enabled: row.enabled === 1,
    devices: devices.map((d) => ({ id: d.id, platform: d.platform, added_at: d.added_at, status: d.status })),
    updated_at: row.updated_at,
    history: history.map((h) => ({ status: h.status as CredentialStatus, at: h.at })),
  });
  renderedStatus.set(row, view);
  return view;
}
const renderedStatus = new WeakMap<object, StatusView>();

/** The expiry sweep: `invited → expired` once the live invitation lapsed (SPEC §6). */
export async function sweepExpiredInvitations(ctx: Ctx): Promise<number> {
  const now = nowIso(ctx);
  const due = await ctx.store.db
    .selectFrom('credentials')
    .innerJoin('invitations', 'invitations.credential_id', 'credentials.id')
    .select('credentials.id')
    .where('credentials.status', '=', 'invited')
    .where('credentials.credential_type_id', '!=', HID_MOBILE) // Origo's status decides (SPEC §12)
    .where('invitations.redeemed_at', 'is', null)
    .where('invitations.superseded_at', 'is', null)
    .where('invitations.expires_at', '<=', now)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const changed = await ctx.store.db.transaction().execute(async (tx) => {
      const row = await forUpdate(ctx.store.dialect, tx.selectFrom('credentials').select('status').where('id', '=', id)).executeTakeFirst();
      if (row?.status !== 'invited') return false;
      return (await applyLifecycle(ctx, tx, id, { type: 'expire' }, 'system')).changed;
    });
    if (changed) {
      n++;
      ctx.bus.credentialChanged(id);
    }
  }
  return n;
}
