// `keyway secrets rotate` (docs/security.md "Rotating KEYWAY_SECRET"): every ciphertext
// re-encrypted and every HMAC lookup recomputed under KEYWAY_SECRET while the server keeps running.
import { type Kysely, sql } from 'kysely';
import { nowIso } from '../../clock.js';
import { secretAad } from '../../webhooks/endpoints.js';
import type { Ctx } from '../context.js';
import { normalizeInvitationCode } from '../invitations/code.js';
import { OTP_TTL_SECONDS } from '../verifications/verifications.js';

type Row = Record<string, string | number | null>;

/** One encrypted column: how its rows are paged, its AES-GCM associated data, and the HMAC kept beside it. */
export interface RotatedColumn {
  table: string;
  /** Primary key, in paging order. */
  key: readonly string[];
  column: string;
  /** Other columns the associated data needs. */
  reads?: readonly string[];
  aad: (row: Row) => string;
  /** The lookup HMAC of the plaintext; which label made it is recognised from the stored hash. */
  hash?: { column: string; labels: readonly { label: string; normalize: (plain: string) => string | null }[] };
}

const asIs = (v: string) => v;

/** Every ciphertext the schema holds (storage/schema.ts: every `_enc` column but idempotency.body_enc, see below). */
export const ROTATED_COLUMNS: readonly RotatedColumn[] = [
  {
    table: 'credentials',
    key: ['id'],
    column: 'value_enc',
    aad: (r) => String(r.id),
    hash: { column: 'value_hash', labels: [{ label: 'value', normalize: asIs }] },
  },
  {
    table: 'invitations',
    key: ['id'],
    column: 'code_enc',
    reads: ['credential_id'],
    aad: (r) => String(r.credential_id),
    // Keyway's codes under `invite` (normalised), HID Origo's under `hid-invite` (upper-cased): hid-credentials.ts.
    hash: {
      column: 'code_hash',
      labels: [
        { label: 'invite', normalize: normalizeInvitationCode },
        { label: 'hid-invite', normalize: (c) => c.toUpperCase() },
      ],
    },
  },
  { table: 'devices', key: ['id'], column: 'auth_token_enc', aad: (r) => String(r.id) },
  {
    table: 'devices',
    key: ['id'],
    column: 'value_enc',
    aad: (r) => String(r.id),
    hash: { column: 'value_hash', labels: [{ label: 'value', normalize: asIs }] },
  },
  {
    table: 'verifications',
    key: ['id'],
    column: 'phone_enc',
    aad: (r) => String(r.id),
    hash: { column: 'phone_hash', labels: [{ label: 'phone', normalize: asIs }] },
  },
  {
    table: 'message_queue',
    key: ['id'],
    column: 'payload_enc',
    reads: ['channel'],
    aad: (r) => `message_queue:${r.channel}`,
  },
  {
    table: 'hid_passes',
    key: ['credential_id'],
    column: 'issuance_token_enc',
    aad: (r) => `hid-pass:${String(r.credential_id)}`,
  },
  { table: 'webhooks', key: ['id'], column: 'secret_enc', aad: (r) => secretAad(String(r.id)) },
  { table: 'webhooks', key: ['id'], column: 'previous_secret_enc', aad: (r) => secretAad(String(r.id)) },
  {
    table: 'apple_registrations',
    key: ['device_library_id', 'pass_type_id', 'serial_number'],
    column: 'push_token_enc',
    aad: () => 'push_token',
  },
  {
    table: 'wallet_pushes',
    key: ['id'],
    column: 'target_enc',
    reads: ['kind'],
    aad: (r) => (r.kind === 'apns' ? 'push_token' : 'wallet_push'),
  },
];

export const ROTATION_BATCH = 500;

export interface ColumnProgress {
  table: string;
  column: string;
  /** Rows re-encrypted (and their lookup hash recomputed) by this run. */
  rotated: number;
  /** Rows changed by the server between this run's read and its write: already under the current key. */
  raced: number;
  /** Rows neither key decrypts, or whose lookup hash matches no label: left as they are. */
  failed: number;
}

/** What cannot be re-keyed because the plain value is not stored; each lives a bounded time. */
export interface ShortLived {
  /** Idempotency records made under the previous secret (their key is a MAC of the request), replayable until the last expires. */
  idempotency: { count: number; lastExpiresAt: string | null };
  /** Unfinished verifications: a code sent before KEYWAY_SECRET changed is checked under the previous secret. */
  verifications: { count: number; lastExpiresAt: string | null };
}

export interface RotationReport {
  columns: ColumnProgress[];
  /** Rows whose ciphertext still names KEYWAY_SECRET_PREVIOUS's key id, counted after the run. */
  stillPrevious: number;
  /** Rows under a key id that is neither secret's. */
  unknownKey: number;
  shortLived: ShortLived;
}

export interface RotationOptions {
  batchSize?: number;
  onBatch?: (progress: ColumnProgress) => void;
  /** Test seam: runs after a batch is read and before it is written (the window a concurrent write can land in). */
  beforeWrite?: (column: RotatedColumn, rows: Row[]) => Promise<void>;
}

export class RotationError extends Error {}

/**
 * Re-encrypts under KEYWAY_SECRET every row not already under it, one batch at a time, each row by
 * compare-and-set on its old ciphertext: a row the running server rewrote meanwhile is already under
 * the current key and is left alone. Re-running finds nothing to do.
 */
export async function rotateSecrets(ctx: Ctx, options: RotationOptions = {}): Promise<RotationReport> {
  const { previousKid } = ctx.keys;
  if (!previousKid)
    throw new RotationError(
      'KEYWAY_SECRET_PREVIOUS is not set: set it to the secret being replaced, and KEYWAY_SECRET to the new one.',
    );
  if (previousKid === ctx.keys.kid)
    throw new RotationError('KEYWAY_SECRET_PREVIOUS is the same secret as KEYWAY_SECRET: nothing to rotate.');
  const columns: ColumnProgress[] = [];
  for (const spec of ROTATED_COLUMNS) columns.push(await rotateColumn(ctx, spec, options));
  const counts = await countByKey(ctx);
  return { columns, ...counts, shortLived: await shortLived(ctx) };
}

// biome-ignore lint/suspicious/noExplicitAny: the rotated tables and columns are named at run time (ROTATED_COLUMNS)
const db = (ctx: Ctx) => ctx.store.db as unknown as Kysely<any>;
const notCurrent = (ctx: Ctx, column: string) =>
  sql<boolean>`${sql.ref(column)} is not null and ${sql.ref(column)} <> '' and ${sql.ref(column)} not like ${`${ctx.keys.kid}.%`}`;

async function rotateColumn(ctx: Ctx, spec: RotatedColumn, options: RotationOptions): Promise<ColumnProgress> {
  const progress: ColumnProgress = { table: spec.table, column: spec.column, rotated: 0, raced: 0, failed: 0 };
  const batchSize = options.batchSize ?? ROTATION_BATCH;
  const select = [
    ...new Set([...spec.key, spec.column, ...(spec.reads ?? []), ...(spec.hash ? [spec.hash.column] : [])]),
  ];
  let after: Row | undefined;
  for (;;) {
    let query = db(ctx).selectFrom(spec.table).select(select).where(notCurrent(ctx, spec.column));
    if (after) {
      const last = after;
      query = query.where(
        sql<boolean>`(${sql.join(spec.key.map((k) => sql.ref(k)))}) > (${sql.join(spec.key.map((k) => last[k]))})`,
      );
    }
    for (const k of spec.key) query = query.orderBy(k);
    const rows = (await query.limit(batchSize).execute()) as Row[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1];
    const updates = rows.map((row) => reencrypt(ctx, spec, row));
    await options.beforeWrite?.(spec, rows);
    await db(ctx)
      .transaction()
      .execute(async (tx) => {
        for (const u of updates) {
          if (!u) {
            progress.failed++;
            continue;
          }
          let update = tx.updateTable(spec.table).set(u.set).where(spec.column, '=', u.row[spec.column]);
          for (const k of spec.key) update = update.where(k, '=', u.row[k]);
          if (spec.hash)
            update = update.where(
              spec.hash.column,
              u.row[spec.hash.column] === null ? 'is' : '=',
              u.row[spec.hash.column],
            );
          const result = await update.executeTakeFirst();
          if (Number(result.numUpdatedRows) === 1) progress.rotated++;
          else progress.raced++;
        }
      });
    options.onBatch?.({ ...progress });
    if (rows.length < batchSize) break;
  }
  return progress;
}

/** The row's new values, or null when it cannot be rotated (no key decrypts it, or its hash matches no label). */
function reencrypt(ctx: Ctx, spec: RotatedColumn, row: Row): { row: Row; set: Row } | null {
  let plain: string;
  try {
    plain = ctx.keys.decrypt(String(row[spec.column]), spec.aad(row));
  } catch {
    return null;
  }
  const set: Row = { [spec.column]: ctx.keys.encrypt(plain, spec.aad(row)) };
  const stored = spec.hash ? row[spec.hash.column] : null;
  if (spec.hash && stored !== null) {
    const match = spec.hash.labels
      .map(({ label, normalize }) => ({ label, value: normalize(plain) }))
      .find(({ label, value }) => value !== null && ctx.keys.lookupHashes(label, value).includes(String(stored)));
    if (!match) return null;
    set[spec.hash.column] = ctx.keys.lookupHash(match.label, match.value!);
  }
  return { row, set };
}

async function countByKey(ctx: Ctx): Promise<{ stillPrevious: number; unknownKey: number }> {
  let stillPrevious = 0;
  let unknownKey = 0;
  const previous = `${ctx.keys.previousKid}.%`;
  for (const spec of ROTATED_COLUMNS) {
    const row = await db(ctx)
      .selectFrom(spec.table)
      .select([
        sql<number>`coalesce(sum(case when ${sql.ref(spec.column)} like ${previous} then 1 else 0 end), 0)`.as(
          'previous',
        ),
        sql<number>`count(*)`.as('other'),
      ])
      .where(notCurrent(ctx, spec.column))
      .executeTakeFirstOrThrow();
    stillPrevious += Number(row.previous);
    unknownKey += Number(row.other) - Number(row.previous);
  }
  return { stillPrevious, unknownKey };
}

async function shortLived(ctx: Ctx): Promise<ShortLived> {
  const now = nowIso(ctx);
  const idem = await ctx.store.db
    .selectFrom('idempotency')
    .select([sql<number>`count(*)`.as('count'), sql<string | null>`max(expires_at)`.as('last')])
    .where('body_enc', 'like', `${ctx.keys.previousKid}.%`)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  const ver = await ctx.store.db
    .selectFrom('verifications')
    .select([sql<number>`count(*)`.as('count'), sql<string | null>`max(expires_at)`.as('last')])
    .where('succeeded_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return {
    idempotency: { count: Number(idem.count), lastExpiresAt: idem.last },
    verifications: { count: Number(ver.count), lastExpiresAt: ver.last },
  };
}

/** How long an OTP code lives (the longest a code sent before KEYWAY_SECRET changed needs the previous secret). */
export const OTP_LIFETIME_MINUTES = OTP_TTL_SECONDS / 60;
