import type { Fmt } from './en.js';
import type { LocaleCode } from './index.js';

/** The words of the desktop / in-app hand-off panel of <add-to-wallet>. */
export interface HandoffStrings {
  desktopHeading: string;
  desktopHint: string;
  qrAlt: string;
  copyLink: string;
  copied: string;
  copyFailed: string;
  handoffExpired: string;
  newCode: string;
  /** The phone that followed the link added the pass: the computer's journey is over. */
  addedOnPhone: string;
  addedOnPhoneHint: string;
  handoffExpires(seconds: number, f: Fmt): string;
}

// Bundled with the lazily loaded hand-off panel: phones never need these words.
export const handoffStrings: Record<LocaleCode, HandoffStrings> = {
  en: {
    desktopHeading: 'Continue on your phone',
    desktopHint: 'Scan this code with your phone camera, or send yourself the link.',
    qrAlt: 'QR code linking to this page on your phone',
    copyLink: 'Copy link',
    copied: 'Link copied.',
    copyFailed: 'Could not copy. Select the link and copy it yourself.',
    handoffExpired: 'This code has expired.',
    newCode: 'Make a new code',
    addedOnPhone: 'Added on your phone.',
    addedOnPhoneHint: 'Your pass is in the wallet on your phone. There is nothing more to do here.',
    handoffExpires: (seconds, f) => `The code expires ${f.duration(seconds)}.`,
  },
  de: {
    desktopHeading: 'Auf dem Telefon fortfahren',
    desktopHint: 'Scannen Sie diesen Code mit der Kamera Ihres Telefons oder senden Sie sich den Link.',
    qrAlt: 'QR-Code, der diese Seite auf Ihrem Telefon öffnet',
    copyLink: 'Link kopieren',
    copied: 'Link kopiert.',
    copyFailed: 'Kopieren nicht möglich. Markieren und kopieren Sie den Link selbst.',
    handoffExpired: 'Dieser Code ist abgelaufen.',
    newCode: 'Neuen Code erstellen',
    addedOnPhone: 'Auf Ihrem Telefon hinzugefügt.',
    addedOnPhoneHint: 'Ihr Ausweis ist in der Wallet Ihres Telefons. Hier ist nichts mehr zu tun.',
    handoffExpires: (seconds, f) => `Der Code läuft ${f.duration(seconds)} ab.`,
  },
  ar: {
    desktopHeading: 'تابع على هاتفك',
    desktopHint: 'امسح هذا الرمز بكاميرا هاتفك، أو أرسل الرابط إلى نفسك.',
    qrAlt: 'رمز QR يفتح هذه الصفحة على هاتفك',
    copyLink: 'نسخ الرابط',
    copied: 'تم نسخ الرابط.',
    copyFailed: 'تعذّر النسخ. حدّد الرابط وانسخه بنفسك.',
    handoffExpired: 'انتهت صلاحية هذا الرمز.',
    newCode: 'إنشاء رمز جديد',
    addedOnPhone: 'تمت الإضافة على هاتفك.',
    addedOnPhoneHint: 'بطاقتك الآن في محفظة هاتفك. لا شيء آخر لفعله هنا.',
    handoffExpires: (seconds, f) => `تنتهي صلاحية الرمز ${f.duration(seconds)}.`,
  },
};
