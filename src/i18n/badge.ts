import type { LocaleCode } from './index.js';

/** The words of <add-to-wallet> for an HID badge (type 10): Apple's provisioning window and its results. */
export interface BadgeStrings {
  preparing: string;
  windowOpen: string;
  added(wallet: string): string;
  popupBlocked: string;
  closed: string;
  timedOut: string;
  misconfigured: string;
  browserUnsupported: string;
  failed: string;
  signingIn: string;
  popupBlockedGoogle: string;
  signInCancelled: string;
  signInInvalid: string;
}

// Bundled with the lazily loaded badge chunk: only badges need these words.
export const badgeStrings: Record<LocaleCode, BadgeStrings> = {
  en: {
    preparing: 'Preparing your badge…',
    windowOpen: 'Apple Wallet is open in a new window. Follow the steps there to add your badge.',
    added: (wallet) => `Your badge is in ${wallet}.`,
    popupBlocked:
      'Your browser blocked the Apple Wallet window. Allow pop-ups for this page (the blocked pop-up icon in the address bar, or on iPhone Settings › Safari › turn off Block Pop-ups), then press Add to Apple Wallet again.',
    closed: 'Apple Wallet was closed before the badge was added. Press Add to Apple Wallet when you are ready.',
    timedOut: 'Apple Wallet took too long to answer. Nothing was added. Try again.',
    misconfigured: 'Apple Wallet is not set up for this badge yet. Nothing was added. Ask your administrator for help.',
    browserUnsupported: 'This browser cannot add to Apple Wallet. Open this page in Safari on your iPhone.',
    failed: 'The badge was not added to Apple Wallet. Try again.',
    signingIn: 'Sign in with Google in the new window to add your badge to Google Wallet.',
    popupBlockedGoogle:
      'Your browser blocked the Google sign-in window. Allow pop-ups for this page (the blocked pop-up icon in the address bar), then press Add to Google Wallet again.',
    signInCancelled: 'Google sign-in was closed before it finished. Press Add to Google Wallet when you are ready.',
    signInInvalid: 'Google sign-in could not be confirmed. Nothing was added. Try again.',
  },
  de: {
    signInInvalid:
      'Die Google-Anmeldung konnte nicht bestätigt werden. Es wurde nichts hinzugefügt. Versuchen Sie es erneut.',
    preparing: 'Ihr Ausweis wird vorbereitet…',
    windowOpen:
      'Apple Wallet ist in einem neuen Fenster geöffnet. Folgen Sie dort den Schritten, um Ihren Ausweis hinzuzufügen.',
    added: (wallet) => `Ihr Ausweis ist in ${wallet}.`,
    popupBlocked:
      'Ihr Browser hat das Apple-Wallet-Fenster blockiert. Erlauben Sie Pop-ups für diese Seite (das Symbol für blockierte Pop-ups in der Adressleiste, auf dem iPhone Einstellungen › Safari › „Pop-ups blockieren“ aus) und tippen Sie dann erneut auf „Zu Apple Wallet hinzufügen“.',
    closed:
      'Apple Wallet wurde geschlossen, bevor der Ausweis hinzugefügt war. Tippen Sie auf „Zu Apple Wallet hinzufügen“, wenn Sie bereit sind.',
    timedOut: 'Apple Wallet hat zu lange nicht geantwortet. Es wurde nichts hinzugefügt. Versuchen Sie es erneut.',
    misconfigured:
      'Apple Wallet ist für diesen Ausweis noch nicht eingerichtet. Es wurde nichts hinzugefügt. Wenden Sie sich an Ihre Administration.',
    browserUnsupported:
      'Dieser Browser kann nichts zu Apple Wallet hinzufügen. Öffnen Sie diese Seite in Safari auf Ihrem iPhone.',
    failed: 'Der Ausweis wurde nicht zu Apple Wallet hinzugefügt. Versuchen Sie es erneut.',
    signingIn: 'Melden Sie sich im neuen Fenster mit Google an, um Ihren Ausweis zu Google Wallet hinzuzufügen.',
    popupBlockedGoogle:
      'Ihr Browser hat das Google-Anmeldefenster blockiert. Erlauben Sie Pop-ups für diese Seite (das Symbol für blockierte Pop-ups in der Adressleiste) und tippen Sie dann erneut auf „Zu Google Wallet hinzufügen“.',
    signInCancelled:
      'Die Google-Anmeldung wurde geschlossen, bevor sie fertig war. Tippen Sie auf „Zu Google Wallet hinzufügen“, wenn Sie bereit sind.',
  },
  ar: {
    signInInvalid: 'تعذّر تأكيد تسجيل الدخول إلى Google. لم يُضف شيء. حاول مرة أخرى.',
    preparing: 'جارٍ تجهيز شارتك…',
    windowOpen: 'Apple Wallet مفتوحة في نافذة جديدة. اتبع الخطوات هناك لإضافة شارتك.',
    added: (wallet) => `شارتك موجودة في ${wallet}.`,
    popupBlocked:
      'حظر متصفحك نافذة Apple Wallet. اسمح بالنوافذ المنبثقة لهذه الصفحة (رمز النافذة المحظورة في شريط العنوان، أو على iPhone: الإعدادات › Safari › أوقف حظر النوافذ المنبثقة)، ثم اضغط «إضافة إلى Apple Wallet» مرة أخرى.',
    closed: 'أُغلقت Apple Wallet قبل إضافة الشارة. اضغط «إضافة إلى Apple Wallet» عندما تكون جاهزًا.',
    timedOut: 'تأخرت Apple Wallet في الرد. لم يُضف شيء. حاول مرة أخرى.',
    misconfigured: 'لم تُجهَّز Apple Wallet لهذه الشارة بعد. لم يُضف شيء. اطلب المساعدة من المسؤول.',
    browserUnsupported: 'لا يمكن لهذا المتصفح الإضافة إلى Apple Wallet. افتح هذه الصفحة في Safari على iPhone.',
    failed: 'لم تُضف الشارة إلى Apple Wallet. حاول مرة أخرى.',
    signingIn: 'سجّل الدخول باستخدام Google في النافذة الجديدة لإضافة شارتك إلى Google Wallet.',
    popupBlockedGoogle:
      'حظر متصفحك نافذة تسجيل الدخول إلى Google. اسمح بالنوافذ المنبثقة لهذه الصفحة (رمز النافذة المحظورة في شريط العنوان)، ثم اضغط «إضافة إلى Google Wallet» مرة أخرى.',
    signInCancelled: 'أُغلق تسجيل الدخول إلى Google قبل أن يكتمل. اضغط «إضافة إلى Google Wallet» عندما تكون جاهزًا.',
  },
};
