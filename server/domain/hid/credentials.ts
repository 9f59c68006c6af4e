import { addSeconds, nowIso } from '../../clock.js';
import { enqueueMessage, kickDelivery } from '../../delivery/queue.js';
import { hidInvitationEmail } from '../../delivery/templates.js';
import { OrigoError, type OrigoInvitation } from '../../hid/origo-client.js';
import { pickLocale } from '../../messages/locale.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import type { Tx } from '../../storage/db.js';
import type { Ctx } from '../context.js';
import { applyLifecycle } from '../credentials/changes.js';
import { refuseHeldTx } from '../credentials/held.js';
import { type CredentialStatus, nextState } from '../credentials/lifecycle.js';
import { type CreateCredentialInput, type CredentialView, HID_MOBILE, newId } from '../credentials/types.js';
import { getCredentialRow, getCredentialView } from '../credentials/views.js';
import { ApiError } from '../errors.js';
import { origoOf, upstream } from './origo.js';
import { wakeHidSync as wakeSync } from './revocations.js';

/**
 * Credential type 8, HID Mobile Access through HID Origo (docs/hid.md). Keyway plays DoorFlow's part:
 * it asks Origo for a user and an invitation, hands out Origo's code, and follows what Origo says
 * happened on the phone (the HID app provisions it; Keyway never does). Statuses, audit events and
 * webhooks go through the same lifecycle as type 9. This file issues (create, re-issue, the
 * emailed code); sync.ts follows Origo afterwards; origo.ts holds the process's client.
 */

export { upstream };

/** Origo's codes live in Keyway's invitations table under their own HMAC label: `/invitations/redeem` never finds them. */
const codeHash = (ctx: Ctx, code: string) => ctx.keys.lookupHash('hid-invite', code.toUpperCase());
const externalIdOf = (personId: number) => `keyway-person-${personId}`;

/** The person's Origo user, found or created (one per person; shared by types 8 and 10). */
export async function originUserOf(
  ctx: Ctx,
  person: { id: number; first_name: string; last_name: string; email: string | null },
  signal: AbortSignal,
): Promise<string> {
  const known = await ctx.store.db
    .selectFrom('hid_users')
    .select('origo_user_id')
    .where('person_id', '=', person.id)
    .executeTakeFirst();
  if (known) return known.origo_user_id;
  const user = await origoOf(ctx).findOrCreateUser(
    {
      externalId: externalIdOf(person.id),
      givenName: person.first_name,
      familyName: person.last_name,
      email: person.email,
    },
    { signal },
  );
  return String(user.id);
}

/** Keyway's record of a fresh Origo invitation, in the caller's transaction. */
async function storeInvitationTx(
  ctx: Ctx,
  tx: Tx,
  credentialId: string,
  inv: OrigoInvitation,
  actor: Actor,
  at: string,
): Promise<{ code: string; expires_at: string }> {
  const code = inv.invitationCode!;
  const expires_at =
    inv.expirationDate && !Number.isNaN(Date.parse(inv.expirationDate))
      ? new Date(inv.expirationDate).toISOString()
      : addSeconds(at, ctx.config.inviteTtlSeconds);
  const invitationId = newId(ctx, 'inv');
  await tx
    .updateTable('invitations')
    .set({ superseded_at: at })
    .where('credential_id', '=', credentialId)
    .where('redeemed_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  await tx
    .insertInto('invitations')
    .values({
      id: invitationId,
      credential_id: credentialId,
      code_hash: codeHash(ctx, code),
      code_enc: ctx.keys.encrypt(code, credentialId),
      expires_at,
      created_at: at,
      redeemed_at: null,
      superseded_at: null,
      emailed_at: null,
    })
    .execute();
  await tx
    .insertInto('hid_invitations')
    .values({
      origo_invitation_id: inv.id,
      credential_id: credentialId,
      invitation_id: invitationId,
      origo_credential_id: inv.credentials[0]?.id ?? null,
      origo_status: inv.status || 'PENDING',
      created_at: at,
      cancel_wanted_at: null,
      cancel_sent_at: null,
      settled_at: null,
    })
    .execute();
  await recordChange(tx, at, {
    type: 'invitation.issued',
    actor,
    subject: `credential:${credentialId}`,
    data: { expires_at, provider: 'hid_origo' },
  });
  return { code, expires_at };
}

/**
 * An invitation create is written down before it is sent: Origo may act and the answer be lost (a
 * timeout, a dropped connection), leaving a PENDING code Keyway never saw. The commit that stores
 * the answer deletes the intent; one left over is settled by `cancelOrphanedHidInvitations`.
 */
async function recordIntent(
  ctx: Ctx,
  origoUserId: string,
  personId: number,
  credentialId: string | null,
): Promise<string> {
  const id = newId(ctx, 'hidi');
  await ctx.store.db
    .insertInto('hid_invitation_intents')
    .values({
      id,
      origo_user_id: origoUserId,
      person_id: personId,
      credential_id: credentialId,
      started_at: nowIso(ctx),
      claimed_at: null,
    })
    .execute();
  return id;
}

/** In the storing transaction: the intent is done, unless a sweep took it (then it may cancel this invitation: give up). */
async function settleIntentTx(tx: Tx, intentId: string): Promise<void> {
  const r = await tx
    .deleteFrom('hid_invitation_intents')
    .where('id', '=', intentId)
    .where('claimed_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numDeletedRows) !== 1)
    throw new ApiError(
      'upstream_unavailable',
      'HID Origo answered too late. Nothing was changed; try again shortly.',
      undefined,
      5,
    );
}

/** A create that failed: a refusal surely made nothing (its intent goes); anything else is left to the sweep. */
async function failedIntent(ctx: Ctx, intentId: string | undefined, err: unknown): Promise<void> {
  if (intentId && err instanceof OrigoError && err.kind === 'rejected')
    await ctx.store.db.deleteFrom('hid_invitation_intents').where('id', '=', intentId).execute();
}

async function hidEmail(
  ctx: Ctx,
  person: { email: string | null; first_name: string },
  inv: { code: string; expires_at: string },
  locale: string | null | undefined,
) {
  return hidInvitationEmail({
    to: person.email!,
    locale: pickLocale(locale),
    brand: ctx.config.brand.name,
    firstName: person.first_name,
    code: inv.code,
    expiresAt: inv.expires_at,
  });
}

/**
 * `POST …/credentials {credential_type_id: 8}`: Origo first (user, invitation), then one
 * transaction; Origo down or slow → 503 and nothing stored. A failed commit cancels the invitation.
 */
export async function createHidCredential(
  ctx: Ctx,
  personId: number,
  input: CreateCredentialInput,
  opts: { actor: Actor; showSecrets: boolean; unlessHeld?: boolean },
): Promise<CredentialView> {
  if (input.value !== undefined || input.value_mode === 'shared') {
    throw new ApiError(
      'invalid_request',
      'HID Origo gives every phone its own card number; a type-8 credential takes no value.',
      { fields: { value: 'Not for type 8.' } },
    );
  }
  const person = await ctx.store.db
    .selectFrom('people')
    .select(['id', 'first_name', 'last_name', 'email'])
    .where('id', '=', personId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
  const deliver = input.deliver ?? ctx.config.deliverDefault;
  const locale = input.locale ? pickLocale(input.locale) : null;
  const hid = ctx.config.hidOrigo!;
  const signal = AbortSignal.timeout(origoOf(ctx).deadlineMs); // the whole exchange, however many calls
  let userId: string;
  let invitation: OrigoInvitation;
  let intentId: string | undefined;
  try {
    userId = await originUserOf(ctx, person, signal);
    intentId = await recordIntent(ctx, userId, personId, null);
    invitation = await origoOf(ctx).createInvitation(Number(userId), hid.partNumber, { signal });
  } catch (err) {
    await failedIntent(ctx, intentId, err);
    throw upstream(ctx, err, 'issuing an invitation');
  }

  const at = nowIso(ctx);
  const id = newId(ctx, 'cred');
  const enabled = input.enabled !== false;
  const email =
    deliver === 'email' && person.email
      ? await hidEmail(
          ctx,
          person,
          {
            code: invitation.invitationCode!,
            expires_at: invitation.expirationDate ?? addSeconds(at, ctx.config.inviteTtlSeconds),
          },
          locale,
        )
      : null;
  try {
    await ctx.store.db.transaction().execute(async (tx) => {
      if (opts.unlessHeld) await refuseHeldTx(ctx, tx, personId, HID_MOBILE);
      await settleIntentTx(tx, intentId!);
      await tx
        .insertInto('credentials')
        .values({
          id,
          person_id: personId,
          credential_type_id: HID_MOBILE,
          status: 'invited',
          enabled: enabled ? 1 : 0,
          value_enc: null,
          value_hash: null,
          value_mode: 'per_device',
          sequence: 0,
          created_at: at,
          updated_at: at,
          revoking_at: null,
          email_locale: locale,
        })
        .execute();
      await tx.insertInto('credential_history').values({ credential_id: id, status: 'invited', at }).execute();
      await recordChange(
        tx,
        at,
        {
          type: 'credential.created',
          actor: opts.actor,
          subject: `credential:${id}`,
          data: { person_id: personId, credential_type_id: HID_MOBILE, status: 'invited', value_mode: 'per_device' },
        },
        {
          event: 'credential.created',
          credential_id: id,
          person_id: personId,
          status: 'invited',
          credential_type_id: HID_MOBILE,
        },
      );
      await tx
        .insertInto('hid_users')
        .values({ person_id: personId, origo_user_id: userId, created_at: at })
        .onConflict((oc) => oc.column('person_id').doNothing())
        .execute();
      await tx
        .insertInto('hid_syncs')
        .values({
          credential_id: id,
          origo_user_id: userId,
          next_sync_at: addSeconds(at, hid.pollSeconds),
          failures: 0,
          last_error: null,
        })
        .execute();
      const stored = await storeInvitationTx(ctx, tx, id, invitation, opts.actor, at);
      if (email)
        await enqueueMessage(
          ctx,
          tx,
          { channel: 'email', message: email },
          { purpose: 'invitation', ref: id, giveUpAt: stored.expires_at },
        );
    });
  } catch (err) {
    // Nothing was stored: the code Origo made must not stay redeemable.
    void origoOf(ctx)
      .cancelInvitation(invitation.id)
      .catch(() => undefined);
    throw err;
  }
  if (email) kickDelivery(ctx);
  return getCredentialView(ctx, personId, id, opts.showSecrets);
}

/**
 * `POST …/invitation` for type 8 (a new phone): a new Origo invitation; the old one is cancelled at
 * Origo (now, or by the sync's retries); devices stay.
 */
export async function reissueHidInvitation(
  ctx: Ctx,
  personId: number,
  credentialId: string,
  opts: { actor: Actor; showSecrets: boolean },
): Promise<CredentialView> {
  const row = await getCredentialRow(ctx, personId, credentialId);
  nextState({ status: row.status as CredentialStatus, enabled: row.enabled === 1 }, { type: 'reissue' }); // 409 before asking Origo
  const origo = origoOf(ctx); // HID Origo switched off since: 422 before anything is written
  const sync = await ctx.store.db
    .selectFrom('hid_syncs')
    .select('origo_user_id')
    .where('credential_id', '=', credentialId)
    .executeTakeFirstOrThrow();
  let invitation: OrigoInvitation;
  const intentId = await recordIntent(ctx, sync.origo_user_id, personId, credentialId);
  try {
    invitation = await origo.createInvitation(Number(sync.origo_user_id), ctx.config.hidOrigo!.partNumber, {
      signal: AbortSignal.timeout(origo.deadlineMs),
    });
  } catch (err) {
    await failedIntent(ctx, intentId, err);
    throw upstream(ctx, err, 're-issuing an invitation');
  }
  const person = await ctx.store.db
    .selectFrom('people')
    .select(['email', 'first_name'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
  const at = nowIso(ctx);
  const email =
    ctx.config.deliverDefault === 'email' && person.email
      ? await hidEmail(
          ctx,
          person,
          { code: invitation.invitationCode!, expires_at: invitation.expirationDate ?? at },
          row.email_locale,
        )
      : null;
  let changed = false;
  try {
    changed = await ctx.store.db.transaction().execute(async (tx) => {
      await settleIntentTx(tx, intentId);
      const result = await applyLifecycle(ctx, tx, credentialId, { type: 'reissue' }, opts.actor);
      await tx
        .updateTable('hid_invitations')
        .set({ cancel_wanted_at: at })
        .where('credential_id', '=', credentialId)
        .where('settled_at', 'is', null)
        .where('cancel_wanted_at', 'is', null)
        .execute();
      const stored = await storeInvitationTx(ctx, tx, credentialId, invitation, opts.actor, at);
      await tx.updateTable('hid_syncs').set({ next_sync_at: at }).where('credential_id', '=', credentialId).execute();
      if (email)
        await enqueueMessage(
          ctx,
          tx,
          { channel: 'email', message: email },
          { purpose: 'invitation', ref: credentialId, giveUpAt: stored.expires_at },
        );
      return result.changed;
    });
  } catch (err) {
    void origoOf(ctx)
      .cancelInvitation(invitation.id)
      .catch(() => undefined);
    throw err;
  }
  if (changed) ctx.bus.credentialChanged(credentialId);
  if (email) kickDelivery(ctx);
  wakeSync(ctx); // the old invitation is cancelled at Origo now, not a poll later
  return getCredentialView(ctx, personId, credentialId, opts.showSecrets);
}
