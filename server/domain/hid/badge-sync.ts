// Following a badge's Pass at HID Origo (type 10, SPEC §16), by the same poll, callback and wake-up
// as type 8 (sync.ts claims, retries and backs off): what Keyway still owes Origo (the delete, the
// name update, a suspend or resume whose answer was lost), then one read of the Pass, applied in one
// transaction — its state to the credential, its wallet devices (iPhone, Watch, Android) to devices.
import crypto from 'node:crypto';
import { nowIso } from '../../clock.js';
import type { OrigoPassDevice, OrigoPassState } from '../../hid/origo-passes.js';
import { recordChange } from '../../storage/change-log.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { applyLifecycle, revokeDeviceTx } from '../credentials/changes.js';
import type { CredentialStatus } from '../credentials/lifecycle.js';
import { newId } from '../credentials/types.js';
import { origoPassesOf } from './origo.js';
import { badgeActions, passCommand, passPhase, walletDevicePhase } from './pass-progress.js';

/** Credentials whose badge a wallet holds and that wait on nothing are read less often: Origo may drop a device. */
const STEADY_FACTOR = 10;

/** One read-back of a badge; seconds until the next, or null for none. Origo down → throws (sync.ts retries). */
export async function readBackBadge(ctx: Ctx, credentialId: string): Promise<number | null> {
  const client = origoPassesOf(ctx);
  const poll = ctx.config.hidOrigo!.pollSeconds;
  const db = ctx.store.db;
  const cred = await db
    .selectFrom('credentials')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select(['credentials.status', 'credentials.enabled', 'people.first_name', 'people.last_name'])
    .where('credentials.id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (cred.status === 'revoked') return null;
  const pass = await db
    .selectFrom('hid_passes')
    .selectAll()
    .where('credential_id', '=', credentialId)
    .executeTakeFirstOrThrow();

  // 1. A delete nobody has had Origo accept yet (a person deleted): sent now, retried until accepted.
  if (pass.delete_wanted_at && !pass.delete_accepted_at) {
    await client.deletePass(pass.origo_pass_id);
    await db
      .updateTable('hid_passes')
      .set({ delete_accepted_at: nowIso(ctx) })
      .where('credential_id', '=', credentialId)
      .where('delete_accepted_at', 'is', null)
      .execute();
  }

  // 2. The Pass as Origo has it.
  let state: OrigoPassState | 'gone' = await client.readPass(pass.origo_pass_id);

  // 3. Origo made to agree with Keyway's enabled (a suspend whose answer was lost, one made before a wallet held it).
  const lifecycle = { status: cred.status as CredentialStatus, enabled: cred.enabled === 1 };
  const command = state === 'gone' ? null : passCommand(lifecycle, passPhase(state.status));
  if (command && state !== 'gone') {
    const r = await client.setPassStatus(pass.origo_pass_id, command);
    state = r === 'gone' ? 'gone' : { ...state, status: r.status ?? (command === 'SUSPEND' ? 'SUSPENDED' : 'ACTIVE') };
  }

  // 4. The post-provisioning update owed since a name change (cleared only if no newer change came meanwhile).
  let updateOwed = pass.update_wanted_at !== null && state !== 'gone' && lifecycle.status !== 'revoking';
  if (updateOwed && state !== 'gone') {
    const r = await client.updatePass(pass.origo_pass_id, { givenName: cred.first_name, familyName: cred.last_name });
    if (r === 'gone') state = 'gone';
    await db
      .updateTable('hid_passes')
      .set({ update_wanted_at: null })
      .where('credential_id', '=', credentialId)
      .where('update_wanted_at', '=', pass.update_wanted_at)
      .execute();
    updateOwed = false;
  }

  // 5. What it means, in one transaction.
  const seen = state;
  const r = await db.transaction().execute((tx) => applyPassView(ctx, tx, credentialId, pass.origo_pass_id, seen));
  if (r.changed) ctx.bus.credentialChanged(credentialId);
  if (r.status === 'revoked') return null;
  const phase = seen === 'gone' ? 'gone' : passPhase(seen.status);
  const settled = (r.status === 'active' || r.status === 'suspended') && (phase === 'active' || phase === 'suspended');
  return settled && !updateOwed ? poll * STEADY_FACTOR : poll;
}

/** A read of the Pass made outside the poll (before a renewal), applied as the poll would apply it. */
export async function applyBadgeRead(
  ctx: Ctx,
  credentialId: string,
  passId: string,
  state: OrigoPassState | 'gone',
): Promise<void> {
  const r = await ctx.store.db.transaction().execute((tx) => applyPassView(ctx, tx, credentialId, passId, state));
  if (r.changed) ctx.bus.credentialChanged(credentialId);
}

async function applyPassView(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  passId: string,
  state: OrigoPassState | 'gone',
): Promise<{ changed: boolean; status: CredentialStatus }> {
  const at = nowIso(ctx);
  // The credential row first, locked: two instances applying views of one badge take turns.
  const cred = await tx
    .selectFrom('credentials')
    .select(['status', 'person_id'])
    .where('id', '=', credentialId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  let status = cred.status as CredentialStatus;
  let changed = false;
  // A Pass replaced meanwhile (a spent token renewed): this read is of the old one, and means nothing now.
  const current = await tx
    .selectFrom('hid_passes')
    .select('origo_pass_id')
    .where('credential_id', '=', credentialId)
    .executeTakeFirstOrThrow();
  if (current.origo_pass_id !== passId) return { changed, status };
  const origoStatus = state === 'gone' ? 'GONE' : state.status;
  await tx
    .updateTable('hid_passes')
    .set({ origo_status: origoStatus, updated_at: at })
    .where('credential_id', '=', credentialId)
    .where('origo_status', '!=', origoStatus)
    .execute();

  const known = await tx
    .selectFrom('hid_pass_devices')
    .innerJoin('devices', 'devices.id', 'hid_pass_devices.device_id')
    .select([
      'hid_pass_devices.device_id',
      'hid_pass_devices.origo_device_id',
      'hid_pass_devices.origo_status',
      'devices.status',
    ])
    .where('hid_pass_devices.credential_id', '=', credentialId)
    .execute();
  const listed = new Map((state === 'gone' ? [] : state.devices).map((d) => [d.id, d]));

  // Wallets that now hold it: a device each (a kind Keyway does not know is not shown, never an error).
  if (status !== 'revoking' && status !== 'revoked') {
    const mine = new Set(known.map((k) => k.origo_device_id));
    for (const d of listed.values()) {
      if (mine.has(d.id) || d.kind === null || walletDevicePhase(d.status) !== 'live') continue;
      if (!(await adoptPendingDeviceTx(tx, credentialId, cred.person_id, d, d.kind, at)))
        await addWalletDeviceTx(ctx, tx, credentialId, cred.person_id, d, d.kind, at);
      changed = true;
    }
  }

  // Origo's per-device state kept as-is; a device gone from its wallet (or from the list) is revoked.
  const gone = state === 'gone';
  for (const k of known) {
    const d = listed.get(k.origo_device_id);
    const seen = d?.status ?? 'GONE';
    if (seen !== k.origo_status)
      await tx
        .updateTable('hid_pass_devices')
        .set({ origo_status: seen })
        .where('device_id', '=', k.device_id)
        .execute();
    if ((gone || walletDevicePhase(d?.status) === 'gone') && k.status !== 'revoked') {
      await revokeDeviceTx(ctx, tx, credentialId, cred.person_id, k.device_id, 'system:hid_origo', at);
      changed = true;
    }
  }

  const actions = badgeActions(status, state === 'gone' ? 'gone' : passPhase(state.status));
  if (actions.some((a) => a.type === 'revoke')) {
    // Deleted at Origo without Keyway's DELETE (HID's portal, or a delete whose answer was lost): no code may bring it back.
    await tx
      .updateTable('invitations')
      .set({ superseded_at: at })
      .where('credential_id', '=', credentialId)
      .where('redeemed_at', 'is', null)
      .where('superseded_at', 'is', null)
      .execute();
  }
  for (const action of actions) {
    const r = await applyLifecycle(ctx, tx, credentialId, action, 'system:hid_origo');
    changed ||= r.changed;
    status = r.row.status as CredentialStatus;
  }
  return { changed, status };
}

const PLATFORM = { iphone: 'apple', watch: 'apple', android: 'google' } as const;

/**
 * The device a press on the wallet's button made (`POST /api/3/passes`, pending) is the one the
 * wallet now reports: confirmed, its kind known. The oldest pending device of that wallet, if any.
 */
async function adoptPendingDeviceTx(
  tx: Tx,
  credentialId: string,
  personId: number,
  d: OrigoPassDevice,
  kind: keyof typeof PLATFORM,
  at: string,
): Promise<boolean> {
  const platform = PLATFORM[kind];
  const pending = await tx
    .selectFrom('devices')
    .select('id')
    .where('credential_id', '=', credentialId)
    .where('platform', '=', platform)
    .where('status', '=', 'pending')
    .orderBy('added_at')
    .limit(1)
    .executeTakeFirst();
  if (!pending) return false;
  await tx
    .updateTable('devices')
    .set({ status: 'active', kind, confirmed_at: at, updated_at: at })
    .where('id', '=', pending.id)
    .where('status', '=', 'pending')
    .execute();
  await tx
    .insertInto('hid_pass_devices')
    .values({ device_id: pending.id, credential_id: credentialId, origo_device_id: d.id, origo_status: d.status })
    .execute();
  await recordChange(tx, at, {
    type: 'device.confirmed',
    actor: 'system:hid_origo',
    subject: `credential:${credentialId}`,
    data: { person_id: personId, device_id: pending.id, platform, kind },
  });
  return true;
}

/** A wallet that now holds the badge: a Keyway device (its platform and kind), active; no pass of Keyway's behind it. */
async function addWalletDeviceTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  personId: number,
  d: OrigoPassDevice,
  kind: keyof typeof PLATFORM,
  at: string,
): Promise<void> {
  const deviceId = newId(ctx, 'dev');
  const platform = PLATFORM[kind];
  await tx
    .insertInto('devices')
    .values({
      id: deviceId,
      credential_id: credentialId,
      platform,
      kind,
      status: 'active',
      serial_number: `hidpass-${credentialId}-${d.id}`,
      // No pass of Keyway's, no PassKit web service: a token nobody holds.
      auth_token_hash: crypto.randomBytes(32).toString('hex'),
      auth_token_enc: null,
      // The HID reader talks to the wallet: no value for access/verify.
      value_hash: null,
      value_enc: null,
      added_at: at,
      updated_at: at,
      confirmed_at: at,
      revoked_at: null,
    })
    .execute();
  await tx
    .insertInto('hid_pass_devices')
    .values({ device_id: deviceId, credential_id: credentialId, origo_device_id: d.id, origo_status: d.status })
    .execute();
  await recordChange(
    tx,
    at,
    {
      type: 'device.added',
      actor: 'system:hid_origo',
      subject: `credential:${credentialId}`,
      data: { person_id: personId, device_id: deviceId, platform, kind, status: 'active' },
    },
    { event: 'device.added', credential_id: credentialId, person_id: personId, device_id: deviceId, platform, kind },
  );
}
