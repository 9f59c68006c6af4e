import QRCode from 'qrcode';
import { HID_INVITATION_EMAIL, INVITATION_EMAIL } from '../messages/emails.js';
import type { Locale } from '../messages/locale.js';
import { verificationSmsWordings } from '../messages/sms.js';
import type { EmailMessage } from './senders.js';

// Rendering of what Keyway sends; the words themselves are in server/messages/.

// GSM 03.38 basic set and the extension characters that cost two septets.
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

/** Septets the text needs in GSM-7, or null when it needs UCS-2 (70 characters a segment). */
export function gsm7Length(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (GSM7_BASIC.includes(ch)) n += 1;
    else if (GSM7_EXTENDED.includes(ch)) n += 2;
    else return null;
  }
  return n;
}

export const SMS_SEGMENT = 160;

/**
 * The verification SMS (docs/security.md): the code, the short link, and last the WebOTP / iOS autofill
 * line `@host #code`. Longer wordings are tried first; the first that fits one GSM-7 segment wins.
 */
export function verificationSms(input: { brand: string; code: string; link: string; host: string }): string {
  const brand = gsm7Length(input.brand) === null ? '' : input.brand.trim();
  const otp = `@${input.host} #${input.code}`;
  const candidates = verificationSmsWordings({ brand, code: input.code, link: input.link }).map(
    (body) => `${body}\n${otp}`,
  );
  return candidates.find((t) => (gsm7Length(t) ?? Infinity) <= SMS_SEGMENT) ?? candidates[candidates.length - 1];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const QR_CID = 'invitation-qr@keyway';

/** The flow A invitation email: localised text and HTML, the code, the link and its QR code (inline PNG). */
export async function invitationEmail(input: {
  to: string;
  /** The reminder a day before expiry: the same email under a reminder subject. */
  reminder?: boolean;
  locale: Locale;
  brand: string;
  brandColor: string;
  firstName: string;
  code: string;
  url: string;
  expiresAt: string;
}): Promise<EmailMessage> {
  const t = INVITATION_EMAIL[input.locale];
  const when = `${new Intl.DateTimeFormat(input.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(input.expiresAt))} UTC`;
  const png = await QRCode.toBuffer(input.url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 240 });
  const dir = input.locale === 'ar' ? 'rtl' : 'ltr';
  const text = [
    t.greeting(input.firstName),
    '',
    t.intro(input.brand),
    '',
    t.openLink,
    input.url,
    '',
    t.orCode,
    input.code,
    '',
    t.expires(when),
    '',
  ].join('\n');
  const html = `<!doctype html><html lang="${input.locale}" dir="${dir}"><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1b1b1f">
<p>${esc(t.greeting(input.firstName))}</p><p>${esc(t.intro(input.brand))}</p>
<p><a href="${esc(input.url)}" style="display:inline-block;padding:12px 20px;border-radius:6px;background:${esc(input.brandColor)};color:#fff;text-decoration:none">${esc(t.button)}</a></p>
<p>${esc(t.openLink)}<br><a href="${esc(input.url)}" dir="ltr">${esc(input.url)}</a></p>
<p>${esc(t.scan)}<br><img src="cid:${QR_CID}" width="240" height="240" alt="QR"></p>
<p>${esc(t.orCode)}<br><strong dir="ltr" style="font-family:ui-monospace,monospace;font-size:20px">${esc(input.code)}</strong></p>
<p>${esc(t.expires(when))}</p></body></html>`;
  return {
    to: input.to,
    subject: input.reminder ? t.reminder(t.subject(input.brand)) : t.subject(input.brand),
    text,
    html,
    attachments: [
      { filename: 'invitation-qr.png', contentType: 'image/png', contentBase64: png.toString('base64'), cid: QR_CID },
    ],
  };
}

/** Served as a file so the pages need no inline style under the strict CSP (docs/security.md). */

/** The type-8 invitation email (docs/hid.md): Origo's code and the seed's instructions; no link, no QR (the HID app takes the code). */
export function hidInvitationEmail(input: {
  to: string;
  locale: Locale;
  brand: string;
  firstName: string;
  code: string;
  expiresAt: string;
  /** The reminder a day before Origo's code expires: the same email under the reminder subject. */
  reminder?: boolean;
}): EmailMessage {
  const t = HID_INVITATION_EMAIL[input.locale];
  const when = `${new Intl.DateTimeFormat(input.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(input.expiresAt))} UTC`;
  const dir = input.locale === 'ar' ? 'rtl' : 'ltr';
  const text = [
    t.greeting(input.firstName),
    '',
    t.intro(input.brand),
    '',
    t.install,
    t.enter,
    '',
    `${t.code} ${input.code}`,
    '',
    t.seconds,
    t.expires(when),
    '',
    t.help(input.brand),
    t.backup,
    '',
  ].join('\n');
  const html = `<!doctype html><html lang="${input.locale}" dir="${dir}"><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1b1b1f">
<p>${esc(t.greeting(input.firstName))}</p><p>${esc(t.intro(input.brand))}</p>
<p>${esc(t.install)}<br>${esc(t.enter)}</p>
<p>${esc(t.code)}<br><strong dir="ltr" style="font-family:ui-monospace,monospace;font-size:20px">${esc(input.code)}</strong></p>
<p>${esc(t.seconds)}<br>${esc(t.expires(when))}</p>
<p>${esc(t.help(input.brand))}<br>${esc(t.backup)}</p></body></html>`;
  const subject = input.reminder
    ? INVITATION_EMAIL[input.locale].reminder(t.subject(input.brand))
    : t.subject(input.brand);
  return { to: input.to, subject, text, html };
}
