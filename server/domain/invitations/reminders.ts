import { addSeconds, nowIso } from '../../clock.js';
import { enqueueMessage, kickDelivery } from '../../delivery/queue.js';
import { hidInvitationEmail, invitationEmail } from '../../delivery/templates.js';
import { pickLocale } from '../../messages/locale.js';
import { recordChange } from '../../storage/change-log.js';
import type { Ctx } from '../context.js';
import { HID_MOBILE } from '../credentials/types.js';
import { invitationUrl } from './code.js';

/** How long before expiry the one reminder goes out (the HID seed: "send reminder"). */
export const REMINDER_BEFORE_SECONDS = 24 * 3600;

/**
 * One email reminder a day before an emailed invitation expires, once per invitation; the send
 * queue delivers it (and retries). A timer runs this; tests call it with the TestClock. For HID
 * Mobile Access (type 8) it is the HID email again with Origo's code (kept AES-GCM-encrypted like
 * Keyway's own), while the credential is `invited`: a code entered in the HID app needs none.
 */
export async function sendInvitationReminders(ctx: Ctx): Promise<number> {
  const now = nowIso(ctx);
  const due = await ctx.store.db
    .selectFrom('invitations')
    .innerJoin('credentials', 'credentials.id', 'invitations.credential_id')
    .innerJoin('people', 'people.id', 'credentials.person_id')
    .select([
      'invitations.id',
      'invitations.credential_id',
      'invitations.code_enc',
      'invitations.expires_at',
      'people.email',
      'people.first_name',
      'credentials.email_locale',
      'credentials.credential_type_id',
    ])
    .where('invitations.emailed_at', 'is not', null)
    .where('invitations.reminded_at', 'is', null)
    .where('invitations.redeemed_at', 'is', null)
    .where('invitations.superseded_at', 'is', null)
    .where('invitations.expires_at', '>', now)
    .where('invitations.expires_at', '<=', addSeconds(now, REMINDER_BEFORE_SECONDS))
    .where('credentials.status', '=', 'invited')
    .where('credentials.enabled', '=', 1)
    .where('people.deleted_at', 'is', null)
    .execute();
  let n = 0;
  for (const inv of due) {
    if (!inv.email) continue;
    const code = ctx.keys.decrypt(inv.code_enc, inv.credential_id);
    const common = {
      to: inv.email,
      locale: pickLocale(inv.email_locale),
      brand: ctx.config.brand.name,
      firstName: inv.first_name,
      code,
      expiresAt: inv.expires_at,
      reminder: true,
    };
    // Origo's code goes into the HID app: the HID instructions again, no Keyway link.
    const message =
      inv.credential_type_id === HID_MOBILE
        ? hidInvitationEmail(common)
        : await invitationEmail({ ...common, brandColor: ctx.config.brand.color, url: invitationUrl(ctx, code) });
    const sent = await ctx.store.db.transaction().execute(async (tx) => {
      // The compare-and-set on reminded_at makes it once, however many instances sweep.
      const still = await tx
        .selectFrom('invitations')
        .select('id')
        .where('id', '=', inv.id)
        .where('reminded_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!still) return false;
      await tx
        .updateTable('invitations')
        .set({ reminded_at: now })
        .where('id', '=', inv.id)
        .where('reminded_at', 'is', null)
        .execute();
      await enqueueMessage(
        ctx,
        tx,
        { channel: 'email', message },
        { purpose: 'reminder', ref: inv.credential_id, giveUpAt: inv.expires_at },
      );
      await recordChange(tx, now, {
        type: 'invitation.reminded',
        actor: 'system',
        subject: `credential:${inv.credential_id}`,
        data: { expires_at: inv.expires_at },
      });
      return true;
    });
    if (sent) n++;
  }
  if (n) kickDelivery(ctx);
  return n;
}
