// The words of the emails Keyway sends, per locale. The rendering (HTML, QR code, dates) is
// delivery/templates.ts; only text lives here, so a reviewer or translator reads one file.
import type { Locale } from './locale.js';

/** The flow A invitation email (and its reminder a day before expiry). */
export interface InvitationStrings {
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

export const INVITATION_EMAIL: Record<Locale, InvitationStrings> = {
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

export interface HidInvitationStrings {
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
export const HID_INVITATION_EMAIL: Record<Locale, HidInvitationStrings> = {
  en: {
    subject: (b) => `${b}: your HID Mobile Access invitation`,
    greeting: (n) => `Hello ${n},`,
    intro: (b) => `${b} has given you a mobile key: your phone will open doors with the HID Mobile Access app.`,
    install: '1. Install "HID Mobile Access" from the App Store (iPhone) or Google Play (Android).',
    enter: '2. Open the app, accept its terms, and enter this invitation code when it asks for one:',
    code: 'Invitation code:',
    seconds:
      'Your key usually arrives in the app within seconds. Keep Bluetooth on and hold your phone near the reader.',
    expires: (w) => `The code works once and expires on ${w}.`,
    help: (b) => `Something not working? Contact ${b} (reception or whoever invited you) and quote this email.`,
    backup:
      'Until your mobile key works, use your usual backup: your door PIN or card, or ask reception to let you in.',
  },
  de: {
    subject: (b) => `${b}: Ihre Einladung zu HID Mobile Access`,
    greeting: (n) => `Hallo ${n},`,
    intro: (b) =>
      `${b} hat Ihnen einen mobilen Schlüssel ausgestellt: Ihr Telefon öffnet Türen mit der App HID Mobile Access.`,
    install: '1. Installieren Sie „HID Mobile Access“ aus dem App Store (iPhone) oder von Google Play (Android).',
    enter:
      '2. Öffnen Sie die App, stimmen Sie den Bedingungen zu und geben Sie diesen Einladungscode ein, wenn die App danach fragt:',
    code: 'Einladungscode:',
    seconds:
      'Der Schlüssel ist meist nach wenigen Sekunden in der App. Lassen Sie Bluetooth eingeschaltet und halten Sie das Telefon an das Lesegerät.',
    expires: (w) => `Der Code gilt einmal und läuft am ${w} ab.`,
    help: (b) =>
      `Klappt etwas nicht? Wenden Sie sich an ${b} (Empfang oder die Person, die Sie eingeladen hat) und nennen Sie diese E-Mail.`,
    backup:
      'Bis Ihr mobiler Schlüssel funktioniert, nutzen Sie Ihren gewohnten Zugang: Tür-PIN oder Karte, oder bitten Sie den Empfang, Sie einzulassen.',
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
