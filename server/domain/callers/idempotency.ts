import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import type { Database } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';

const DAY = 86400;
const SECRET_REPLAY_SECONDS = 15 * 60;
// A record `running` with no heartbeat for this long belongs to a request that died; it may be retried.
const STALE_RUNNING_SECONDS = 60;
export const HEARTBEAT_SECONDS = 20;

export type IdempotencyStart = { kind: 'new'; recordKey: string } | { kind: 'replay'; status: number; body: string };

/**
 * Scoped to (caller, method, path) for 24 h (docs/api.md); the record key is a MAC, not the raw
 * values. One key per secret, current first: while KEYWAY_SECRET_PREVIOUS is set a retry of a
 * request first seen under the previous secret still finds its record (docs/security.md).
 */
export function idempotencyRecordKeys(ctx: Ctx, caller: string, method: string, path: string, key: string): string[] {
  return ctx.keys.idempotencyKeys.map((k) =>
    crypto.createHmac('sha256', k).update([caller, method, path, key].join('\n')).digest('base64url'),
  );
}

export const hashRequest = (body: string): string => crypto.createHash('sha256').update(body).digest('base64url');

type IdempotencyRow = Selectable<Database['idempotency']>;
type Replay = Extract<IdempotencyStart, { kind: 'replay' }>;

/** What a stored record means for a request with this body: replay it, refuse, or none (expired, or its request died). */
function answerOf(ctx: Ctx, row: IdempotencyRow, recordKey: string, requestHash: string, now: string): Replay | 'none' {
  const stale = row.state === 'running' && addSeconds(row.created_at, STALE_RUNNING_SECONDS) <= now;
  if (row.expires_at <= now || stale) return 'none';
  if (row.request_hash !== requestHash) throw new ApiError('idempotency_mismatch');
  if (row.state === 'running') throw new ApiError('idempotency_in_progress');
  if (row.carries_secret === 1 && addSeconds(row.created_at, SECRET_REPLAY_SECONDS) <= now) {
    throw new ApiError(
      'idempotency_mismatch',
      'The first response carried a token and is replayed only for 15 minutes; use a new Idempotency-Key.',
    );
  }
  return { kind: 'replay', status: row.status!, body: ctx.keys.decrypt(row.body_enc!, recordKey) };
}

/**
 * The stored answer a keyed request replays, found by reading only: checked before the rate limits, so a
 * retry counts against none, and nothing is written for a request a limit then refuses (docs/api.md).
 */
export async function findIdempotent(
  ctx: Ctx,
  recordKeys: readonly string[],
  requestHash: string,
): Promise<Replay | undefined> {
  const now = nowIso(ctx);
  const rows = await ctx.store.db
    .selectFrom('idempotency')
    .selectAll()
    .where('record_key', 'in', [...recordKeys])
    .execute();
  for (const recordKey of recordKeys) {
    const row = rows.find((r) => r.record_key === recordKey);
    const answer = row && answerOf(ctx, row, recordKey, requestHash, now);
    if (answer && answer !== 'none') return answer;
  }
  return undefined;
}

export async function beginIdempotent(
  ctx: Ctx,
  recordKeys: string | readonly string[],
  requestHash: string,
): Promise<IdempotencyStart> {
  const now = nowIso(ctx);
  const recordKey = typeof recordKeys === 'string' ? recordKeys : await liveRecordKey(ctx, recordKeys, now);
  for (let attempt = 0; attempt < 2; attempt++) {
    const inserted = await ctx.store.db
      .insertInto('idempotency')
      .values({
        record_key: recordKey,
        request_hash: requestHash,
        state: 'running',
        status: null,
        body_enc: null,
        carries_secret: 0,
        created_at: now,
        expires_at: addSeconds(now, DAY),
      })
      .onConflict((oc) => oc.column('record_key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return { kind: 'new', recordKey };
    const row = await ctx.store.db
      .selectFrom('idempotency')
      .selectAll()
      .where('record_key', '=', recordKey)
      .executeTakeFirst();
    if (!row) continue;
    const answer = answerOf(ctx, row, recordKey, requestHash, now);
    if (answer !== 'none') return answer;
    await ctx.store.db
      .deleteFrom('idempotency')
      .where('record_key', '=', recordKey)
      .where('created_at', '=', row.created_at)
      .execute();
  }
  throw new ApiError('idempotency_in_progress');
}

/** The first key (after the current one) with a live record, else the current one: new records are made under the current secret. */
async function liveRecordKey(ctx: Ctx, [current, ...older]: readonly string[], now: string): Promise<string> {
  for (const key of older) {
    const row = await ctx.store.db
      .selectFrom('idempotency')
      .select(['state', 'created_at', 'expires_at'])
      .where('record_key', '=', key)
      .executeTakeFirst();
    if (
      row &&
      row.expires_at > now &&
      !(row.state === 'running' && addSeconds(row.created_at, STALE_RUNNING_SECONDS) <= now)
    )
      return key;
  }
  return current;
}

const SECRET_FIELDS = /"(provisioning_token|token|secret|invitation_code|invitation_url|url|value)"\s*:/;

export async function completeIdempotent(ctx: Ctx, recordKey: string, status: number, body: string): Promise<void> {
  await ctx.store.db
    .updateTable('idempotency')
    .set({
      state: 'done',
      status,
      body_enc: ctx.keys.encrypt(body, recordKey),
      carries_secret: SECRET_FIELDS.test(body) ? 1 : 0,
    })
    .where('record_key', '=', recordKey)
    .execute();
}

export async function abandonIdempotent(ctx: Ctx, recordKey: string): Promise<void> {
  await ctx.store.db
    .deleteFrom('idempotency')
    .where('record_key', '=', recordKey)
    .where('state', '=', 'running')
    .execute();
}

export async function pruneIdempotency(ctx: Ctx): Promise<void> {
  await ctx.store.db.deleteFrom('idempotency').where('expires_at', '<=', nowIso(ctx)).execute();
}
/**
 * A running request's sign of life, every HEARTBEAT_SECONDS: a `running` record's created_at is
 * when its request was last known alive, so only a request that died is taken over (docs/api.md).
 */
export async function heartbeatIdempotent(ctx: Ctx, recordKey: string): Promise<void> {
  await ctx.store.db
    .updateTable('idempotency')
    .set({ created_at: nowIso(ctx) })
    .where('record_key', '=', recordKey)
    .where('state', '=', 'running')
    .execute();
}
