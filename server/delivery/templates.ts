import QRCode from 'qrcode';
import type { EmailMessage } from './senders.js';

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
  const { code, link, host } = input;
  const brand = gsm7Length(input.brand) === null ? '' : input.brand.trim();
  const otp = `@${host} #${code}`;
  const candidates = [
    `${brand ? `${brand}: your` : 'Your'} door pass code is ${code} (valid 10 min). Or open ${link}\n\n${otp}`,
    `${brand ? `${brand} code` : 'Code'} ${code}. Or open ${link}\n${otp}`,
    `${code} ${link}\n${otp}`,
  ];
  return candidates.find((t) => (gsm7Length(t) ?? Infinity) <= SMS_SEGMENT) ?? candidates[candidates.length - 1];
}

export type Locale = 'en' | 'de' | 'ar';
export const LOCALES: readonly Locale[] = ['en', 'de', 'ar'];

/** The best of our locales for an Accept-Language header or a `locale` value; English otherwise. */
export function pickLocale(...prefs: (string | null | undefined)[]): Locale {
  for (const pref of prefs) {
    if (!pref) continue;
    const ranked = pref
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().split(';');
        const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
        return { lang: tag.trim().toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0 };
      })
      .filter((x) => x.q > 0)
      .sort((a, b) => b.q - a.q);
    const hit = ranked.find((x) => (LOCALES as readonly string[]).includes(x.lang));
    if (hit) return hit.lang as Locale;
  }
  return 'en';
}

interface InvitationStrings {
  subject: (brand: string) => string;
  greeting: (name: string) => string;
  intro: (brand: string) => string;
  openLink: string;
  scan: string;
  orCode: string;
  expires: (when: string) => string;
  button: string;
  /** Subject of the reminder a day before the invitation expires. */
  reminder: (subject: string) => string;
}

const INVITATION: Record<Locale, InvitationStrings> = {
  en: {
    subject: (b) => `${b}: your door pass invitation`,
    greeting: (n) => `Hello ${n},`,
    intro: (b) => `${b} has invited you to add a door pass to your phone's wallet.`,
    openLink: 'Open this link on your phone:',
    scan: 'Reading this on a computer? Scan the QR code with your phone.',
    orCode: 'Or enter this code where you were asked to:',
    expires: (w) => `The invitation expires on ${w}.`,
    button: 'Add my door pass',
    reminder: (s) => `Reminder: ${s}`,
  },
  de: {
    subject: (b) => `${b}: Einladung zu Ihrem Türausweis`,
    greeting: (n) => `Hallo ${n},`,
    intro: (b) => `${b} lädt Sie ein, einen Türausweis in die Wallet Ihres Telefons zu legen.`,
    openLink: 'Öffnen Sie diesen Link auf Ihrem Telefon:',
    scan: 'Lesen Sie dies am Computer? Scannen Sie den QR-Code mit Ihrem Telefon.',
    orCode: 'Oder geben Sie diesen Code ein, wo Sie danach gefragt werden:',
    expires: (w) => `Die Einladung läuft am ${w} ab.`,
    button: 'Türausweis hinzufügen',
    reminder: (s) => `Erinnerung: ${s}`,
  },
  ar: {
    subject: (b) => `${b}: دعوة لبطاقة الدخول`,
    greeting: (n) => `مرحبًا ${n}،`,
    intro: (b) => `تدعوك ${b} لإضافة بطاقة دخول إلى محفظة هاتفك.`,
    openLink: 'افتح هذا الرابط على هاتفك:',
    scan: 'هل تقرأ هذا على حاسوب؟ امسح رمز QR بهاتفك.',
    orCode: 'أو أدخل هذا الرمز حيث يُطلب منك:',
    expires: (w) => `تنتهي صلاحية الدعوة في ${w}.`,
    button: 'أضف بطاقة الدخول',
    reminder: (s) => `تذكير: ${s}`,
  },
};

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
  const t = INVITATION[input.locale];
  const when = new Intl.DateTimeFormat(input.locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(input.expiresAt)) + ' UTC';
  const png = await QRCode.toBuffer(input.url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 240 });
  const dir = input.locale === 'ar' ? 'rtl' : 'ltr';
  const text = [t.greeting(input.firstName), '', t.intro(input.brand), '', t.openLink, input.url, '', t.orCode, input.code, '', t.expires(when), ''].join('\n');
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
    attachments: [{ filename: 'invitation-qr.png', contentType: 'image/png', contentBase64: png.toString('base64'), cid: QR_CID }],
  };
}

interface LinkPageStrings {
  title: string;
  confirm: string;
  button: string;
  expiredTitle: string;
  expired: string;
}

/** The `/v/{token}` pages (docs/api.md): a confirm step, so link scanners that GET consume nothing. */
export const LINK_PAGE: Record<Locale, LinkPageStrings> = {
  en: {
    title: 'Add your door pass',
    confirm: 'Continue to add your door pass to this phone’s wallet.',
    button: 'Continue',
    expiredTitle: 'This link has expired',
    expired: 'The link was already used or is older than 10 minutes. Ask for a new text message.',
  },
  de: {
    title: 'Türausweis hinzufügen',
    confirm: 'Fahren Sie fort, um den Türausweis in die Wallet dieses Telefons zu legen.',
    button: 'Weiter',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expired: 'Der Link wurde schon verwendet oder ist älter als 10 Minuten. Fordern Sie eine neue SMS an.',
  },
  ar: {
    title: 'أضف بطاقة الدخول',
    confirm: 'تابع لإضافة بطاقة الدخول إلى محفظة هذا الهاتف.',
    button: 'متابعة',
    expiredTitle: 'انتهت صلاحية هذا الرابط',
    expired: 'استُخدم الرابط من قبل أو مرّ عليه أكثر من 10 دقائق. اطلب رسالة نصية جديدة.',
  },
};

export function linkPage(input: { locale: Locale; brand: string; state: 'confirm' | 'expired'; action?: string }): string {
  const t = LINK_PAGE[input.locale];
  const title = input.state === 'confirm' ? t.title : t.expiredTitle;
  const body =
    input.state === 'confirm'
      ? `<p>${esc(t.confirm)}</p><form method="post" action="${esc(input.action ?? '')}"><button type="submit">${esc(t.button)}</button></form>`
      : `<p role="alert">${esc(t.expired)}</p>`;
  return `<!doctype html><html lang="${input.locale}" dir="${input.locale === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${esc(title)} · ${esc(input.brand)}</title><link rel="stylesheet" href="/v/page.css"></head>
<body><main><p class="brand">${esc(input.brand)}</p><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** Served as a file so the pages need no inline style under the strict CSP (docs/security.md). */
export const LINK_PAGE_CSS = `:root{color-scheme:light dark;--accent:#1f4fd1}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f7f9;color:#1b1b1f}
main{max-width:26rem;margin:0 auto;padding:2rem 1.25rem}
.brand{font-weight:600;color:#555}h1{font-size:1.5rem;margin:.25rem 0 1rem}
button{min-height:48px;min-width:44px;width:100%;font:inherit;font-weight:600;border:0;border-radius:8px;background:var(--accent);color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #111;outline-offset:2px}
@media (prefers-color-scheme:dark){body{background:#15161a;color:#e6e6ea}.brand{color:#aaa}button:focus-visible{outline-color:#fff}}`;

interface HidInvitationStrings {
  subject: (brand: string) => string;
  greeting: (name: string) => string;
  intro: (brand: string) => string;
  install: string;
  enter: string;
  code: string;
  seconds: string;
  expires: (when: string) => string;
  help: (brand: string) => string;
  backup: string;
}

/** The HID seed's instructions: which app, where the code goes, how long it takes, whom to ask, the backup. */
const HID_INVITATION: Record<Locale, HidInvitationStrings> = {
  en: {
    subject: (b) => `${b}: your HID Mobile Access invitation`,
    greeting: (n) => `Hello ${n},`,
    intro: (b) => `${b} has given you a mobile key: your phone will open doors with the HID Mobile Access app.`,
    install: '1. Install "HID Mobile Access" from the App Store (iPhone) or Google Play (Android).',
    enter: '2. Open the app, accept its terms, and enter this invitation code when it asks for one:',
    code: 'Invitation code:',
    seconds: 'Your key usually arrives in the app within seconds. Keep Bluetooth on and hold your phone near the reader.',
    expires: (w) => `The code works once and expires on ${w}.`,
    help: (b) => `Something not working? Contact ${b} (reception or whoever invited you) and quote this email.`,
    backup: 'Until your mobile key works, use your usual backup: your door PIN or card, or ask reception to let you in.',
  },
  de: {
    subject: (b) => `${b}: Ihre Einladung zu HID Mobile Access`,
    greeting: (n) => `Hallo ${n},`,
    intro: (b) => `${b} hat Ihnen einen mobilen Schlüssel ausgestellt: Ihr Telefon öffnet Türen mit der App HID Mobile Access.`,
    install: '1. Installieren Sie „HID Mobile Access“ aus dem App Store (iPhone) oder von Google Play (Android).',
    enter: '2. Öffnen Sie die App, stimmen Sie den Bedingungen zu und geben Sie diesen Einladungscode ein, wenn die App danach fragt:',
    code: 'Einladungscode:',
    seconds: 'Der Schlüssel ist meist nach wenigen Sekunden in der App. Lassen Sie Bluetooth eingeschaltet und halten Sie das Telefon an das Lesegerät.',
    expires: (w) => `Der Code gilt einmal und läuft am ${w} ab.`,
    help: (b) => `Klappt etwas nicht? Wenden Sie sich an ${b} (Empfang oder die Person, die Sie eingeladen hat) und nennen Sie diese E-Mail.`,
    backup: 'Bis Ihr mobiler Schlüssel funktioniert, nutzen Sie Ihren gewohnten Zugang: Tür-PIN oder Karte, oder bitten Sie den Empfang, Sie einzulassen.',
  },
  ar: {
    subject: (b) => `${b}: دعوتك إلى HID Mobile Access`,
    greeting: (n) => `مرحبًا ${n}،`,
    intro: (b) => `منحتك ${b} مفتاحًا للهاتف: سيفتح هاتفك الأبواب عبر تطبيق HID Mobile Access.`,
    install: '١. ثبّت تطبيق "HID Mobile Access" من App Store (آيفون) أو Google Play (أندرويد).',
    enter: '٢. افتح التطبيق، ووافق على شروطه، ثم أدخل رمز الدعوة هذا عندما يطلبه:',
    code: 'رمز الدعوة:',
    seconds: 'يصل مفتاحك إلى التطبيق عادةً خلال ثوانٍ. أبقِ البلوتوث مفعّلًا وقرّب هاتفك من القارئ.',
    expires: (w) => `يعمل الرمز مرة واحدة وتنتهي صلاحيته في ${w}.`,
    help: (b) => `هل هناك مشكلة؟ تواصل مع ${b} (الاستقبال أو من دعاك) واذكر هذه الرسالة.`,
    backup: 'إلى أن يعمل مفتاح الهاتف، استخدم وسيلتك المعتادة: رمز PIN للباب أو البطاقة، أو اطلب من الاستقبال إدخالك.',
  },
};

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
  const t = HID_INVITATION[input.locale];
  const when = new Intl.DateTimeFormat(input.locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(input.expiresAt)) + ' UTC';
  const dir = input.locale === 'ar' ? 'rtl' : 'ltr';
  const text = [t.greeting(input.firstName), '', t.intro(input.brand), '', t.install, t.enter, '', `${t.code} ${input.code}`, '', t.seconds, t.expires(when), '', t.help(input.brand), t.backup, ''].join('\n');
  const html = `<!doctype html><html lang="${input.locale}" dir="${dir}"><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#1b1b1f">
<p>${esc(t.greeting(input.firstName))}</p><p>${esc(t.intro(input.brand))}</p>
<p>${esc(t.install)}<br>${esc(t.enter)}</p>
<p>${esc(t.code)}<br><strong dir="ltr" style="font-family:ui-monospace,monospace;font-size:20px">${esc(input.code)}</strong></p>
<p>${esc(t.seconds)}<br>${esc(t.expires(when))}</p>
<p>${esc(t.help(input.brand))}<br>${esc(t.backup)}</p></body></html>`;
  const subject = input.reminder ? INVITATION[input.locale].reminder(t.subject(input.brand)) : t.subject(input.brand);
  return { to: input.to, subject, text, html };
}
