// Following Origo: reading type-8 credentials back (by poll, callback or wake-up) and applying what the phone did.
import crypto from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { addSeconds, nowIso } from '../../clock.js';
import { type OrigoContainer, OrigoError, type OrigoInvitation } from '../../hid/origo-client.js';
import { recordChange } from '../../storage/change-log.js';
import type { Tx } from '../../storage/db.js';
import { startWorker } from '../../storage/outbox.js';
import type { Database } from '../../storage/schema.js';
import type { Ctx } from '../context.js';
import { applyLifecycle, revokeDeviceTx } from '../credentials/changes.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { HID_BADGE, HID_MOBILE, newId } from '../credentials/types.js';
import { readBackBadge } from './badge-sync.js';
import { hidConfigured, hidPassesConfigured, origoOf } from './origo.js';
import {
  containerUsable,
  credentialPhase,
  hidActions,
  type InvitationPhase,
  invitationPhase,
  type OrigoCredentialPhase,
  ownsOrigoCredential,
  revocationComplete,
} from './progress.js';
import { HID_SYNC_WAKE as WAKE } from './revocations.js';

/** How long a claimed sync may run before another instance may take it (a crashed instance's claim lapses). */
const CLAIM_SECONDS = 60;
/** Credentials holding phones and nothing pending are still read now and then: Origo may drop a phone. */
const STEADY_FACTOR = 10;
const BATCH = 20;

/** Runs a read-back pass now: through the worker when this process runs one, else directly. */
export function kickHidSync(ctx: Ctx): void {
  if (ctx.bus.listenerCount(WAKE) > 0) return void ctx.bus.emit(WAKE);
  void syncDueHidCredentials(ctx).catch((err: Error) =>
    ctx.log({ level: 'error', msg: 'HID Origo sync failed', error: err.message }),
  );
}

/** A callback named these Origo users (or Keyway persons): read their credentials back now. */
export async function requestHidSync(ctx: Ctx, who: { origoUserIds: string[]; personIds: number[] }): Promise<number> {
  const at = nowIso(ctx);
  let q = ctx.store.db
    .selectFrom('hid_syncs')
    .innerJoin('credentials', 'credentials.id', 'hid_syncs.credential_id')
    .select('hid_syncs.credential_id')
    .where('credentials.status', '!=', 'revoked');
  if (!who.origoUserIds.length && !who.personIds.length) return 0;
  q = q.where((eb) =>
    eb.or([
      ...(who.origoUserIds.length ? [eb('hid_syncs.origo_user_id', 'in', who.origoUserIds)] : []),
      ...(who.personIds.length ? [eb('credentials.person_id', 'in', who.personIds)] : []),
    ]),
  );
  const ids = (await q.execute()).map((r) => r.credential_id);
  if (ids.length) {
    await ctx.store.db.updateTable('hid_syncs').set({ next_sync_at: at }).where('credential_id', 'in', ids).execute();
  }
  return ids.length;
}

/**
 * One pass over the type-8 credentials due a read-back: each is claimed by a compare-and-set (any
 * number of instances may run this), read from Origo, and its changes applied in one transaction.
 * Stops early when the call budget leaves only the reserve for people waiting.
 */
export async function syncDueHidCredentials(ctx: Ctx): Promise<number> {
  if (!hidConfigured(ctx)) return 0;
  await cancelOrphanedHidInvitations(ctx);
  const now = nowIso(ctx);
  let dueQuery = ctx.store.db
    .selectFrom('hid_syncs')
    .select(['hid_syncs.credential_id', 'hid_syncs.next_sync_at'])
    .where('hid_syncs.next_sync_at', '<=', now);
  // Wallet badges switched off: their Passes cannot be read; they wait, still due, until badges are configured again.
  if (!hidPassesConfigured(ctx))
    dueQuery = dueQuery
      .innerJoin('credentials', 'credentials.id', 'hid_syncs.credential_id')
      .where('credentials.credential_type_id', '!=', HID_BADGE);
  const due = await dueQuery.orderBy('hid_syncs.next_sync_at').limit(BATCH).execute();
  let n = 0;
  for (const row of due) {
    const claimed = await ctx.store.db
      .updateTable('hid_syncs')
      .set({ next_sync_at: addSeconds(now, CLAIM_SECONDS) })
      .where('credential_id', '=', row.credential_id)
      .where('next_sync_at', '=', row.next_sync_at)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    const outcome = await syncHidCredential(ctx, row.credential_id);
    n++;
    if (outcome === 'budget') break;
  }
  return n;
}

/** After this many seconds an unanswered create is surely over (its deadline passed), with room for its commit. */
const intentSettleSeconds = (ctx: Ctx) => Math.ceil(origoOf(ctx).deadlineMs / 1000) + 30;

/**
 * Invitation creates whose answer never arrived (docs/hid.md): for each Origo user with such an
 * intent, once it is surely over, the user's PENDING invitations that Keyway does not hold are
 * cancelled at Origo. Claimed by a compare-and-set, so any number of instances may run it; a
 * failure leaves the claim to lapse and the next pass after it tries again.
 */
export async function cancelOrphanedHidInvitations(ctx: Ctx): Promise<number> {
  if (!hidConfigured(ctx)) return 0;
  const db = ctx.store.db;
  const now = nowIso(ctx);
  const cutoff = addSeconds(now, -intentSettleSeconds(ctx));
  const lapsed = addSeconds(now, -CLAIM_SECONDS);
  // Surely over, and not being settled by a live sweep.
  const claimable = (eb: ExpressionBuilder<Database, 'hid_invitation_intents'>) =>
    eb.and([eb('started_at', '<=', cutoff), eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<=', lapsed)])]);
  const users = await db
    .selectFrom('hid_invitation_intents')
    .select('origo_user_id')
    .distinct()
    .where(claimable)
    .limit(BATCH)
    .execute();
  let cancelled = 0;
  for (const { origo_user_id: userId } of users) {
    const claim = await db
      .updateTable('hid_invitation_intents')
      .set({ claimed_at: now })
      .where('origo_user_id', '=', userId)
      .where(claimable)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) === 0) continue; // another instance has it
    try {
      const n = await cancelUnknownInvitations(ctx, userId);
      if (n === null) {
        // A create for this user is under way: its invitation may be listed before it is stored. Later.
        await db
          .updateTable('hid_invitation_intents')
          .set({ claimed_at: null })
          .where('origo_user_id', '=', userId)
          .where('claimed_at', '=', now)
          .execute();
        continue;
      }
      cancelled += n;
      await db
        .deleteFrom('hid_invitation_intents')
        .where('origo_user_id', '=', userId)
        .where('claimed_at', '=', now)
        .execute();
    } catch (err) {
      const message = err instanceof Error ? err.message.slice(0, 300) : String(err);
      ctx.log({
        level: 'warn',
        msg: 'HID Origo: settling an unanswered invitation create failed, will retry',
        origo_user_id: userId,
        retry_in_s: CLAIM_SECONDS,
        error: message,
      });
      if (err instanceof OrigoError && err.kind === 'unavailable' && (err.retryAfter ?? 0) > 0) break; // the budget: leave the rest
    }
  }
  return cancelled;
}

/** Cancels the user's PENDING invitations no Keyway row names; null when a create for the user is still in flight. */
async function cancelUnknownInvitations(ctx: Ctx, userId: string): Promise<number | null> {
  const origo = origoOf(ctx);
  const db = ctx.store.db;
  const opts = { background: true, signal: AbortSignal.timeout(origo.deadlineMs) };
  const listed = await origo.listInvitations(Number(userId), opts);
  // Read after the list: an invitation listed was sent after its intent was written, and is stored
  // (its intent deleted in the same commit) or still has an unclaimed intent.
  const inFlight = await db
    .selectFrom('hid_invitation_intents')
    .select('id')
    .where('origo_user_id', '=', userId)
    .where('claimed_at', 'is', null)
    .executeTakeFirst();
  if (inFlight) return null;
  const pending = listed.filter((i) => invitationPhase(i.status) === 'pending');
  if (!pending.length) return 0;
  const known = new Set(
    (
      await db
        .selectFrom('hid_invitations')
        .select('origo_invitation_id')
        .where(
          'origo_invitation_id',
          'in',
          pending.map((i) => i.id),
        )
        .execute()
    ).map((r) => r.origo_invitation_id),
  );
  let n = 0;
  for (const inv of pending) {
    if (known.has(inv.id)) continue;
    await origo.cancelInvitation(inv.id, opts);
    ctx.log({
      level: 'warn',
      msg: 'HID Origo: cancelled an invitation whose create was never answered',
      origo_user_id: userId,
      origo_invitation_id: inv.id,
    });
    n++;
  }
  return n;
}

type SyncOutcome = 'done' | 'failed' | 'budget';

async function syncHidCredential(ctx: Ctx, credentialId: string): Promise<SyncOutcome> {
  const poll = ctx.config.hidOrigo!.pollSeconds;
  try {
    const next = await readBack(ctx, credentialId);
    await ctx.store.db
      .updateTable('hid_syncs')
      .set({ next_sync_at: next === null ? null : addSeconds(nowIso(ctx), next), failures: 0, last_error: null })
      .where('credential_id', '=', credentialId)
      .execute();
    return 'done';
  } catch (err) {
    const row = await ctx.store.db
      .selectFrom('hid_syncs')
      .select('failures')
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    const failures = (row?.failures ?? 0) + 1;
    const retryAfter = err instanceof OrigoError ? (err.retryAfter ?? 0) : 0;
    // Backoff 5 s, 10 s, 20 s … up to the poll interval; longer when Origo said how long.
    const delay = Math.max(Math.min(poll, 5 * 2 ** (failures - 1)), retryAfter);
    const message = err instanceof Error ? err.message.slice(0, 300) : String(err);
    await ctx.store.db
      .updateTable('hid_syncs')
      .set({ next_sync_at: addSeconds(nowIso(ctx), delay), failures, last_error: message })
      .where('credential_id', '=', credentialId)
      .execute();
    ctx.log({
      level: 'warn',
      msg: 'HID Origo sync failed, will retry',
      credential_id: credentialId,
      failures,
      retry_in_s: delay,
      error: message,
    });
    return err instanceof OrigoError && err.kind === 'unavailable' && retryAfter > 0 ? 'budget' : 'failed';
  }
}

/**
 * Tells Origo what Keyway wants (cancel, revoke), reads the user's invitations and phones, and
 * applies what they mean (progress.ts). Returns seconds until the next read, or null for none.
 */
async function readBack(ctx: Ctx, credentialId: string): Promise<number | null> {
  const origo = origoOf(ctx);
  const hid = ctx.config.hidOrigo!;
  const db = ctx.store.db;
  const opts = { background: true, signal: AbortSignal.timeout(origo.deadlineMs) };
  const cred = await db
    .selectFrom('credentials')
    .select(['status', 'person_id', 'credential_type_id'])
    .where('id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (cred.credential_type_id === HID_BADGE) return readBackBadge(ctx, credentialId);
  if (cred.status === 'revoked') return null;
  const sync = await db
    .selectFrom('hid_syncs')
    .select('origo_user_id')
    .where('credential_id', '=', credentialId)
    .executeTakeFirstOrThrow();
  const userId = Number(sync.origo_user_id);

  // 1. What Keyway asked for and Origo has not yet accepted. An invitation is cancelled once, and
  // only while Origo lists it PENDING: what a cancel does to an entered code is unknown (notes §3).
  let invitations = await origo.listInvitations(userId, opts);
  const toCancel = await db
    .selectFrom('hid_invitations')
    .select('origo_invitation_id')
    .where('credential_id', '=', credentialId)
    .where('cancel_wanted_at', 'is not', null)
    .where('cancel_sent_at', 'is', null)
    .where('settled_at', 'is', null)
    .execute();
  const gone = new Set<string>();
  let cancelled = 0;
  for (const inv of toCancel) {
    const listed = invitations.find((i) => i.id === inv.origo_invitation_id);
    if (!listed || invitationPhase(listed.status) !== 'pending') continue;
    if ((await origo.cancelInvitation(inv.origo_invitation_id, opts)) === 'gone') gone.add(inv.origo_invitation_id);
    await db
      .updateTable('hid_invitations')
      .set({ cancel_sent_at: nowIso(ctx) })
      .where('origo_invitation_id', '=', inv.origo_invitation_id)
      .execute();
    cancelled++;
  }
  const toRevoke = await db
    .selectFrom('hid_devices')
    .select(['device_id', 'origo_credential_id'])
    .where('credential_id', '=', credentialId)
    .where('revoke_wanted_at', 'is not', null)
    .where('revoke_accepted_at', 'is', null)
    .execute();
  const accepted: { deviceId: string; gone: boolean }[] = [];
  for (const d of toRevoke)
    accepted.push({
      deviceId: d.device_id,
      gone: (await origo.revokeCredential(d.origo_credential_id, opts)) === 'gone',
    });
  if (accepted.length) {
    const at = nowIso(ctx);
    for (const a of accepted)
      await db
        .updateTable('hid_devices')
        .set({ revoke_accepted_at: at, ...(a.gone ? { revoked_at: at } : {}) })
        .where('device_id', '=', a.deviceId)
        .execute();
  }

  // 2. Origo's view of the user (the invitations read again after a cancel, to see what it did).
  if (cancelled) invitations = await origo.listInvitations(userId, opts);
  const containers = await origo.listContainers(userId, opts);
  // Every Mobile ID of it not yet gone is revoked too when revoking — one an invitation made that no
  // device holds (the code entered, the phone mid-issue), one Origo gave an id of its own, one whose
  // earlier revoke a fresh read contradicts — until Origo answers that they are gone.
  const revokedGone = new Set<string>();
  if (cred.status === 'revoking') {
    const justAsked = new Set(toRevoke.map((d) => d.origo_credential_id));
    const ownership = await ownershipOf(db, credentialId, containers, hid.partNumber);
    const onPhones = new Map(containers.flatMap((c) => c.credentials).map((k) => [k.id, k]));
    const ask = new Set<string>();
    for (const k of onPhones.values()) {
      const phase = credentialPhase(k.status);
      if (ownsOrigoCredential(k, ownership) && phase !== 'gone' && phase !== 'revoking' && !justAsked.has(k.id))
        ask.add(k.id);
    }
    for (const o of ownership.invitations) {
      const id = o.origo_credential_id!;
      if (onPhones.has(id) || ownership.heldHere.has(id)) continue;
      const listed = invitations.find((i) => i.credentials.some((k) => k.id === id) || i.id === o.origo_invitation_id);
      if (codeEntered(o.origo_status, listed?.status)) ask.add(id);
    }
    for (const id of ask) if ((await origo.revokeCredential(id, opts)) === 'gone') revokedGone.add(id);
  }

  // 3. What it means, in one transaction.
  const changed = await db
    .transaction()
    .execute((tx) => applyOrigoView(ctx, tx, credentialId, { invitations, containers, cancelGone: gone, revokedGone }));
  if (changed.changed) ctx.bus.credentialChanged(credentialId);
  const status = changed.status;
  if (status === 'revoked' || status === 'expired') return null;
  if (status === 'revoking' || changed.pending) return hid.pollSeconds;
  return hid.pollSeconds * STEADY_FACTOR;
}

interface OrigoView {
  invitations: OrigoInvitation[];
  containers: OrigoContainer[];
  /** Invitations whose cancel Origo answered 404. */
  cancelGone: Set<string>;
  /** Credentials whose revoke Origo answered 404. */
  revokedGone: Set<string>;
}

type Ownership = Parameters<typeof ownsOrigoCredential>[1] & {
  /** This credential's invitations that named a Mobile ID. */
  invitations: { origo_invitation_id: string; origo_credential_id: string | null; origo_status: string }[];
  /** Mobile IDs this credential holds as devices (every one, revoked included). */
  heldHere: ReadonlySet<string>;
  /** Listed Mobile IDs some Keyway device holds (this credential's or another's). */
  heldAnywhere: ReadonlySet<string>;
};

/** Keyway's side of progress.ts's ownership rule, for the Mobile IDs Origo listed on the user's phones. */
async function ownershipOf(
  db: Kysely<Database>,
  credentialId: string,
  containers: OrigoContainer[],
  partNumber: string,
): Promise<Ownership> {
  const listedIds = [...new Set(containers.flatMap((c) => c.credentials.map((k) => k.id)))];
  const invitations = await db
    .selectFrom('hid_invitations')
    .select(['origo_invitation_id', 'origo_credential_id', 'origo_status'])
    .where('credential_id', '=', credentialId)
    .where('origo_credential_id', 'is not', null)
    .execute();
  const heldHere = new Set(
    (
      await db
        .selectFrom('hid_devices')
        .select('origo_credential_id')
        .where('credential_id', '=', credentialId)
        .execute()
    ).map((d) => d.origo_credential_id),
  );
  const held = listedIds.length
    ? await db
        .selectFrom('hid_devices')
        .select(['credential_id', 'origo_credential_id'])
        .where('origo_credential_id', 'in', listedIds)
        .execute()
    : [];
  const namedElsewhere = listedIds.length
    ? await db
        .selectFrom('hid_invitations')
        .select('origo_credential_id')
        .where('credential_id', '!=', credentialId)
        .where('origo_credential_id', 'in', listedIds)
        .execute()
    : [];
  // Another Keyway credential of the same Origo user that could still receive a phone makes a
  // match by part number ambiguous: then only the named id counts.
  const rival = await db
    .selectFrom('hid_syncs as mine')
    .innerJoin('hid_syncs as other', 'other.origo_user_id', 'mine.origo_user_id')
    .innerJoin('credentials', 'credentials.id', 'other.credential_id')
    .select('other.credential_id')
    .where('mine.credential_id', '=', credentialId)
    .where('other.credential_id', '!=', credentialId)
    .where('credentials.credential_type_id', '=', HID_MOBILE) // a badge (type 10) holds no Mobile ID
    .where('credentials.status', 'in', ['invited', 'provisioning', 'active', 'suspended', 'revoking'])
    .executeTakeFirst();
  return {
    invitations,
    heldHere,
    heldAnywhere: new Set(held.map((h) => h.origo_credential_id)),
    named: new Set([...invitations.map((i) => i.origo_credential_id!), ...heldHere]),
    claimedElsewhere: new Set([
      ...namedElsewhere.map((r) => r.origo_credential_id!),
      ...held.filter((h) => h.credential_id !== credentialId).map((h) => h.origo_credential_id),
    ]),
    soleClaimant: rival === undefined,
    partNumber,
  };
}

/** An invitation whose code was entered (then or now) may still bring its credential to a phone. */
const codeEntered = (stored: string, listed: string | undefined) =>
  [stored, listed].some((s) => s !== undefined && invitationPhase(s) === 'acknowledged');

async function applyOrigoView(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  view: OrigoView,
): Promise<{ changed: boolean; status: CredentialStatus; pending: boolean }> {
  const at = nowIso(ctx);
  const hid = ctx.config.hidOrigo!;
  // The credential row is locked first: two instances applying views of one credential take turns.
  const cred = await tx
    .selectFrom('credentials')
    .select(['status', 'person_id', 'enabled'])
    .where('id', '=', credentialId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let status = cred.status as CredentialStatus;
  let changed = false;
  const subject = `credential:${credentialId}`;

  // Invitations: Origo's status recorded; the live one decides invited → provisioning / expired.
  const ours = await tx.selectFrom('hid_invitations').selectAll().where('credential_id', '=', credentialId).execute();
  const listed = new Map(view.invitations.map((i) => [i.id, i]));
  // The invitation of now: not superseded (by a re-issue or the revocation), entered or not.
  const live = await tx
    .selectFrom('invitations')
    .select(['id', 'redeemed_at'])
    .where('credential_id', '=', credentialId)
    .where('superseded_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  let current: InvitationPhase | undefined;
  const invitationPhases: InvitationPhase[] = [];
  for (const inv of ours) {
    const seen = listed.get(inv.origo_invitation_id);
    const origoStatus = view.cancelGone.has(inv.origo_invitation_id) ? 'GONE' : (seen?.status ?? 'GONE');
    const phase = invitationPhase(origoStatus === 'GONE' ? undefined : origoStatus);
    if (inv.settled_at === null) invitationPhases.push(phase);
    if (origoStatus !== inv.origo_status || (phase === 'over' && inv.settled_at === null)) {
      await tx
        .updateTable('hid_invitations')
        .set({ origo_status: origoStatus, ...(phase === 'over' ? { settled_at: at } : {}) })
        .where('origo_invitation_id', '=', inv.origo_invitation_id)
        .execute();
    }
    if (live && inv.invitation_id === live.id) {
      current = phase;
      if (phase === 'acknowledged' && live.redeemed_at === null) {
        // The code was entered in the HID app: it is spent and no longer shown.
        await tx
          .updateTable('invitations')
          .set({ redeemed_at: at })
          .where('id', '=', live.id)
          .where('redeemed_at', 'is', null)
          .execute();
        await recordChange(tx, at, {
          type: 'invitation.redeemed',
          actor: 'system:hid_origo',
          subject,
          data: { person_id: cred.person_id },
        });
      }
    }
  }

  // Phones: a live credential of ours (by the id its invitation named, else by part number) becomes a device.
  const invitationCreds = new Map(ours.filter((i) => i.origo_credential_id).map((i) => [i.origo_credential_id!, i]));
  const ownership = await ownershipOf(tx, credentialId, view.containers, hid.partNumber);
  const devices = await tx
    .selectFrom('hid_devices')
    .innerJoin('devices', 'devices.id', 'hid_devices.device_id')
    .select([
      'hid_devices.device_id',
      'hid_devices.origo_credential_id',
      'hid_devices.revoke_wanted_at',
      'hid_devices.revoked_at',
      'hid_devices.origo_status',
      'devices.status',
    ])
    .where('hid_devices.credential_id', '=', credentialId)
    .execute();
  const known = ownership.heldAnywhere;
  const onPhones = new Map<string, { status: string; container: OrigoContainer; cardNumber?: string }>();
  for (const c of view.containers)
    for (const k of c.credentials) onPhones.set(k.id, { status: k.status, container: c, cardNumber: k.cardNumber });
  const newPhones: { id: string; status: string; container: OrigoContainer; cardNumber?: string }[] = [];
  if (status !== 'revoking' && status !== 'revoked') {
    for (const c of view.containers) {
      if (!containerUsable(c.status)) continue; // not yet initialised, or deleted: no phone to trust yet
      for (const k of c.credentials) {
        if (known.has(k.id) || credentialPhase(k.status) !== 'live') continue;
        if (ownsOrigoCredential(k, ownership))
          newPhones.push({ id: k.id, status: k.status, container: c, cardNumber: k.cardNumber });
      }
    }
  }

  const actions = hidActions({
    status,
    current,
    newPhones: newPhones.length,
    hasDevices: devices.some((d) => d.status !== 'revoked'),
  });
  for (const action of actions) {
    if (action.type === 'confirm_device') {
      for (const phone of newPhones) await addPhoneTx(ctx, tx, credentialId, cred.person_id, phone, at);
    }
    const r = await applyLifecycle(ctx, tx, credentialId, action, 'system:hid_origo');
    changed ||= r.changed;
    status = r.row.status as CredentialStatus;
  }

  // Phones Origo no longer carries: revoked in Keyway too (a wiped phone, a removal in Origo's portal).
  for (const d of devices) {
    const seen = onPhones.get(d.origo_credential_id)?.status;
    const phase = credentialPhase(seen);
    // Origo's string kept as-is for the operator, whatever it is.
    if (seen !== undefined && seen !== d.origo_status && d.revoked_at === null)
      await tx.updateTable('hid_devices').set({ origo_status: seen }).where('device_id', '=', d.device_id).execute();
    if (phase === 'gone' && d.revoked_at === null) {
      await tx
        .updateTable('hid_devices')
        .set({ revoked_at: at, origo_status: onPhones.get(d.origo_credential_id)?.status ?? 'GONE' })
        .where('device_id', '=', d.device_id)
        .execute();
    }
    if (phase !== 'live' && d.status !== 'revoked' && status !== 'revoking' && d.revoke_wanted_at === null) {
      if (phase === 'gone' || phase === 'revoking') {
        await revokeDeviceTx(ctx, tx, credentialId, cred.person_id, d.device_id, 'system:hid_origo', at);
        changed = true;
      }
    }
  }

  // Revoking: revoked once every Origo credential of it is revoked or gone and no code can be redeemed.
  if (status === 'revoking') {
    // Every Mobile ID of it: its devices', its invitations', and any listed one the ownership rule gives it.
    const deviceIds = new Set(devices.map((d) => d.origo_credential_id));
    const ids = new Set([...deviceIds, ...invitationCreds.keys()]);
    for (const c of view.containers)
      for (const k of c.credentials) if (ownsOrigoCredential(k, ownership)) ids.add(k.id);
    const phases: OrigoCredentialPhase[] = [...ids].map((id) => {
      const seen = onPhones.get(id);
      if (seen) return credentialPhase(seen.status); // the fresh read wins over any earlier answer (a 404 included)
      if (view.revokedGone.has(id) || deviceIds.has(id)) return 'gone';
      // Made by an invitation, on no phone: may still arrive while its code was entered.
      const inv = invitationCreds.get(id)!;
      return codeEntered(inv.origo_status, listed.get(inv.origo_invitation_id)?.status) ? 'revoking' : 'gone';
    });
    if (revocationComplete(phases, invitationPhases)) {
      for (const d of devices)
        if (d.status !== 'revoked')
          await revokeDeviceTx(ctx, tx, credentialId, cred.person_id, d.device_id, 'system:hid_origo', at);
      const r = await applyLifecycle(ctx, tx, credentialId, { type: 'revoke_confirmed' }, 'system:hid_origo');
      changed ||= r.changed;
      status = r.row.status as CredentialStatus;
    }
  }
  const pending =
    invitationPhases.some((p) => p === 'pending' || p === 'acknowledged' || p === 'cancelling') ||
    devices.some((d) => d.revoke_wanted_at !== null && d.revoked_at === null);
  return { changed, status, pending };
}

/** A phone that now holds the credential: a Keyway device (`hid`, active), its card number the reader value. */
async function addPhoneTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  personId: number,
  phone: { id: string; status: string; container: OrigoContainer; cardNumber?: string },
  at: string,
): Promise<void> {
  const deviceId = newId(ctx, 'dev');
  const card = phone.cardNumber;
  await tx
    .insertInto('devices')
    .values({
      id: deviceId,
      credential_id: credentialId,
      platform: 'hid',
      status: 'active',
      serial_number: `hid-${ctx.config.hidOrigo!.orgId}-${phone.id}`,
      // No pass, no PassKit web service: a token nobody holds.
      auth_token_hash: crypto.randomBytes(32).toString('hex'),
      auth_token_enc: null,
      value_hash: card ? ctx.keys.lookupHash('value', card) : null,
      value_enc: card ? ctx.keys.encrypt(card, deviceId) : null,
      added_at: at,
      updated_at: at,
      confirmed_at: at,
      revoked_at: null,
    })
    .execute();
  await tx
    .insertInto('hid_devices')
    .values({
      device_id: deviceId,
      credential_id: credentialId,
      origo_credential_id: phone.id,
      origo_container_id: phone.container.id,
      model: phone.container.model ?? null,
      origo_status: phone.status,
      revoke_wanted_at: null,
      revoke_accepted_at: null,
      revoked_at: null,
    })
    .execute();
  const model = phone.container.model ?? null;
  await recordChange(
    tx,
    at,
    {
      type: 'device.added',
      actor: 'system:hid_origo',
      subject: `credential:${credentialId}`,
      data: { person_id: personId, device_id: deviceId, platform: 'hid', status: 'active', model },
    },
    {
      event: 'device.added',
      credential_id: credentialId,
      person_id: personId,
      device_id: deviceId,
      platform: 'hid',
      model,
    },
  );
}

/** The background read-back: every few seconds for what is due, at once when woken (callback, DELETE, re-issue). */
export function startHidWorker(ctx: Ctx): () => Promise<void> {
  if (!hidConfigured(ctx)) return async () => undefined;
  return startWorker(ctx, {
    name: 'HID Origo sync',
    pollMs: 5000,
    wakeOn: [WAKE],
    gatherMs: 50,
    pass: () => syncDueHidCredentials(ctx),
  });
}
