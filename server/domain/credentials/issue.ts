// Issuing a credential: a card, a PIN, or a wallet pass with its first invitation.
import { nowIso } from '../../clock.js';
import { pickLocale } from '../../messages/locale.js';
import type { Actor } from '../../storage/audit.js';
import { recordChange } from '../../storage/change-log.js';
import type { Ctx } from '../context.js';
import { ApiError } from '../errors.js';
import { abandonHidBadge, type PreparedBadge, prepareHidBadge, storeHidBadgeTx } from '../hid/badges.js';
import { createHidCredential } from '../hid/credentials.js';
import { emailInvitation, issueInvitationTx } from '../invitations/invitations.js';
import { refuseHeldTx } from './held.js';
import type { CredentialStatus } from './lifecycle.js';
import {
  CARD,
  type CreateCredentialInput,
  type CredentialView,
  credentialTypes,
  HID_BADGE,
  HID_MOBILE,
  newId,
  newReaderValue,
  PIN,
  WALLET_PASS,
} from './types.js';
import { refuseValueInUse } from './values.js';
import { getCredentialView } from './views.js';

export interface CreateCredentialOptions {
  actor: Actor;
  showSecrets: boolean;
  /** Issue nothing (throw {@link CredentialHeld}) when the person holds a live credential of the type: the import's re-check. */
  unlessHeld?: boolean;
}

export async function createCredential(
  ctx: Ctx,
  personId: number,
  input: CreateCredentialInput,
  opts: CreateCredentialOptions,
): Promise<CredentialView> {
  const offered = credentialTypes(ctx);
  if (!offered.some((t) => t.id === input.credential_type_id)) {
    throw new ApiError(
      'unknown_credential_type',
      `Credential type ${input.credential_type_id} is not available here.`,
      {
        available: offered.map((t) => t.id),
      },
    );
  }
  // Before any call to HID Origo; checked again in the transaction that stores the credential.
  if (opts.unlessHeld) await refuseHeldTx(ctx, ctx.store.db, personId, input.credential_type_id);
  if (input.credential_type_id === HID_MOBILE) return createHidCredential(ctx, personId, input, opts);
  const type = offered.find((t) => t.id === input.credential_type_id)!;
  // Type 10 (SPEC §16): the Origo Pass first; Origo down or slow → 503 and nothing stored.
  let badge: PreparedBadge | undefined;
  if (type.id === HID_BADGE) {
    if (input.value !== undefined || input.value_mode === 'shared')
      throw new ApiError('invalid_request', 'HID Origo issues the badge; a type-10 credential takes no value.', {
        fields: { value: 'Not for type 10.' },
      });
    const person = await ctx.store.db
      .selectFrom('people')
      .select(['id', 'first_name', 'last_name', 'email'])
      .where('id', '=', personId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
    badge = await prepareHidBadge(ctx, person);
  }
  /** Like a wallet pass: invited, with a Keyway invitation (flows A and B reach it unchanged). */
  const invites = type.id === WALLET_PASS || type.id === HID_BADGE;
  let value = input.value;
  let valueMode: 'per_device' | 'shared' = 'shared';
  if (type.id === PIN) {
    if (!value || value.length < 4 || value.length > 12) {
      throw new ApiError('invalid_request', 'A PIN needs a value of 4–12 characters.', {
        fields: { value: 'A PIN is 4–12 characters.' },
      });
    }
  } else if (type.id === CARD) {
    if (!value)
      throw new ApiError('invalid_request', 'A card needs its number as value.', {
        fields: { value: 'Required for a card.' },
      });
  } else if (type.id === HID_BADGE) {
    valueMode = 'per_device';
  } else {
    valueMode = input.value_mode ?? (value ? 'shared' : 'per_device');
    if (valueMode === 'per_device' && value) {
      throw new ApiError(
        'invalid_request',
        'A value is shared by every phone; per_device mode generates one per phone.',
        {
          fields: { value: 'Only with value_mode "shared".' },
        },
      );
    }
    if (valueMode === 'shared' && !value) value = newReaderValue(ctx);
  }

  const at = nowIso(ctx);
  const id = newId(ctx, 'cred');
  const enabled = input.enabled !== false;
  const status: CredentialStatus = invites ? 'invited' : 'active';
  const deliver = input.deliver ?? ctx.config.deliverDefault;
  // The dev mailer never stands in for a real one in production (docs/security.md).
  if (deliver === 'email' && ctx.config.emailProvider === 'none') throw new ApiError('email_not_configured');

  const result = await ctx.store.db
    .transaction()
    .execute(async (tx) => {
      const person = await tx
        .selectFrom('people')
        .selectAll()
        .where('id', '=', personId)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!person) throw new ApiError('not_found', `No person with id ${personId}.`);
      if (opts.unlessHeld) await refuseHeldTx(ctx, tx, personId, type.id);
      if (value) await refuseValueInUse(ctx, tx, personId, type.id, value);
      const finalStatus = invites || enabled ? status : 'suspended';
      await tx
        .insertInto('credentials')
        .values({
          id,
          person_id: personId,
          credential_type_id: type.id,
          status: finalStatus,
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
      await tx.insertInto('credential_history').values({ credential_id: id, status: finalStatus, at }).execute();
      await recordChange(
        tx,
        at,
        {
          type: 'credential.created',
          actor: opts.actor,
          subject: `credential:${id}`,
          data: { person_id: personId, credential_type_id: type.id, status: finalStatus, value_mode: valueMode },
        },
        {
          event: 'credential.created',
          credential_id: id,
          person_id: personId,
          status: finalStatus,
          credential_type_id: type.id,
        },
      );
      let invitation: { code: string; expires_at: string } | undefined;
      if (badge) await storeHidBadgeTx(ctx, tx, id, personId, badge, at);
      if (invites) {
        invitation = await issueInvitationTx(ctx, tx, id, opts.actor);
      }
      return { person, invitation };
    })
    .catch((err: unknown) => {
      if (badge) abandonHidBadge(ctx, badge); // nothing stored: the Pass must not linger at Origo
      throw err;
    });

  if (result.invitation && deliver === 'email' && result.person.email) {
    await emailInvitation(ctx, id, result.person.email, result.person.first_name, result.invitation, input.locale);
  }
  return getCredentialView(ctx, personId, id, opts.showSecrets);
}
