// The words of the pages the server renders itself, per locale: the hosted page's frame (the
// widgets bring their own, src/i18n/) and the `/v/{token}` link pages.
import type { Locale } from './locale.js';

/** The hosted page's own words (the widgets bring theirs); one object per locale, typed by English. */
const en = {
  title: (brand: string) => `Add your ${brand} pass`,
  /** The page title while an error is on screen (as GOV.UK does), so it is the first thing heard. */
  errorTitle: (title: string) => `Error: ${title}`,
  /** The page's meta description (what a link preview or a search result shows). */
  description: (brand: string) =>
    `Add your ${brand} door pass to Apple Wallet or Google Wallet with your invitation code or mobile number.`,
  steps: ['Step 1 of 3', 'Step 2 of 3', 'Step 3 of 3'],
  /** The three steps by name, for the desktop layout's side panel. */
  stepNames: ['Confirm it’s you', 'Add the pass to your wallet', 'Open doors with your phone'],
  asideIntro: (brand: string) => `Your ${brand} door pass lives in your phone’s wallet, ready at the door.`,
  journeyLabel: 'Your progress',
  startHeading: (brand: string) => `Add your ${brand} door pass`,
  startIntro: 'Enter the invitation code you were sent, or confirm your mobile number.',
  usePhone: 'No invitation code? Use your mobile number',
  useCode: 'I have an invitation code',
  phoneLimited: 'While you wait: if you have an invitation code, you can use it instead.',
  walletHeading: 'Add the pass to your wallet',
  walletIntro: 'Press the button for your phone’s wallet. Nothing is added until you confirm it there.',
  statusHeading: 'Your pass',
  statusIntro: 'This updates by itself when your wallet confirms the pass.',
  continuing: 'Opening your link…',
  linkFailed: 'This link has expired or was already used. Start again below.',
  sessionEnding: 'Your session is about to end. If the pass was not added, start again.',
  startAgain: 'Start again',
  noScript: 'This page needs JavaScript to add a pass to your wallet.',
  footer: (brand: string) => `${brand} door passes`,
};

export type PageStrings = typeof en;

const de: PageStrings = {
  title: (brand) => `${brand}-Ausweis hinzufügen`,
  errorTitle: (title) => `Fehler: ${title}`,
  description: (brand) =>
    `Legen Sie Ihren ${brand}-Türausweis mit Einladungscode oder Mobilnummer in Apple Wallet oder Google Wallet.`,
  steps: ['Schritt 1 von 3', 'Schritt 2 von 3', 'Schritt 3 von 3'],
  stepNames: ['Bestätigen, dass Sie es sind', 'Ausweis zur Wallet hinzufügen', 'Türen mit dem Telefon öffnen'],
  asideIntro: (brand) => `Ihr ${brand}-Türausweis liegt in der Wallet Ihres Telefons, bereit an der Tür.`,
  journeyLabel: 'Ihr Fortschritt',
  startHeading: (brand) => `${brand}-Türausweis hinzufügen`,
  startIntro: 'Geben Sie den erhaltenen Einladungscode ein oder bestätigen Sie Ihre Mobilnummer.',
  usePhone: 'Kein Einladungscode? Mit der Mobilnummer fortfahren',
  useCode: 'Ich habe einen Einladungscode',
  phoneLimited: 'Während Sie warten: Wenn Sie einen Einladungscode haben, können Sie stattdessen ihn verwenden.',
  walletHeading: 'Ausweis zur Wallet hinzufügen',
  walletIntro:
    'Tippen Sie auf die Schaltfläche für die Wallet Ihres Telefons. Erst wenn Sie dort bestätigen, wird etwas hinzugefügt.',
  statusHeading: 'Ihr Ausweis',
  statusIntro: 'Diese Anzeige aktualisiert sich von selbst, sobald Ihre Wallet den Ausweis bestätigt.',
  continuing: 'Ihr Link wird geöffnet …',
  linkFailed: 'Dieser Link ist abgelaufen oder wurde schon verwendet. Beginnen Sie unten neu.',
  sessionEnding: 'Ihre Sitzung endet gleich. Falls der Ausweis nicht hinzugefügt wurde, beginnen Sie neu.',
  startAgain: 'Neu beginnen',
  noScript: 'Diese Seite benötigt JavaScript, um einen Ausweis zur Wallet hinzuzufügen.',
  footer: (brand) => `${brand}-Türausweise`,
};

const ar: PageStrings = {
  title: (brand) => `أضف بطاقة ${brand}`,
  errorTitle: (title) => `خطأ: ${title}`,
  description: (brand) => `أضف بطاقة الدخول من ${brand} إلى Apple Wallet أو Google Wallet برمز الدعوة أو برقم هاتفك.`,
  steps: ['الخطوة 1 من 3', 'الخطوة 2 من 3', 'الخطوة 3 من 3'],
  stepNames: ['أكّد هويتك', 'أضف البطاقة إلى محفظتك', 'افتح الأبواب بهاتفك'],
  asideIntro: (brand) => `بطاقة الدخول من ${brand} في محفظة هاتفك، جاهزة عند الباب.`,
  journeyLabel: 'تقدّمك',
  startHeading: (brand) => `أضف بطاقة الدخول من ${brand}`,
  startIntro: 'أدخل رمز الدعوة الذي وصلك، أو أكّد رقم هاتفك المحمول.',
  usePhone: 'ليس لديك رمز دعوة؟ استخدم رقم هاتفك المحمول',
  useCode: 'لديّ رمز دعوة',
  phoneLimited: 'أثناء الانتظار: إن كان لديك رمز دعوة، يمكنك استخدامه بدلًا من ذلك.',
  walletHeading: 'أضف البطاقة إلى محفظتك',
  walletIntro: 'اضغط زر محفظة هاتفك. لن يُضاف شيء حتى تؤكد ذلك هناك.',
  statusHeading: 'بطاقتك',
  statusIntro: 'تتحدث هذه الحالة تلقائيًا عندما تؤكد محفظتك البطاقة.',
  continuing: 'جارٍ فتح الرابط…',
  linkFailed: 'انتهت صلاحية هذا الرابط أو استُخدم من قبل. ابدأ من جديد أدناه.',
  sessionEnding: 'ستنتهي جلستك قريبًا. إن لم تُضف البطاقة، فابدأ من جديد.',
  startAgain: 'ابدأ من جديد',
  noScript: 'تحتاج هذه الصفحة إلى JavaScript لإضافة بطاقة إلى محفظتك.',
  footer: (brand) => `بطاقات الدخول من ${brand}`,
};

export const PAGE_STRINGS: Record<Locale, PageStrings> = { en, de, ar };

export interface LinkPageStrings {
  title: string;
  confirm: string;
  button: string;
  expiredTitle: string;
  expired: string;
  /** The way back to the hosted page from an expired link. */
  startAgain: string;
}

/** The `/v/{token}` pages (docs/api.md): a confirm step, so link scanners that GET consume nothing. */
export const LINK_PAGE: Record<Locale, LinkPageStrings> = {
  en: {
    title: 'Add your door pass',
    confirm: 'Continue to add your door pass to this phone’s wallet.',
    button: 'Continue',
    expiredTitle: 'This link has expired',
    expired: 'The link was already used or is older than 10 minutes. Ask for a new text message.',
    startAgain: 'Get a new code',
  },
  de: {
    title: 'Türausweis hinzufügen',
    confirm: 'Fahren Sie fort, um den Türausweis in die Wallet dieses Telefons zu legen.',
    button: 'Weiter',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expired: 'Der Link wurde schon verwendet oder ist älter als 10 Minuten. Fordern Sie eine neue SMS an.',
    startAgain: 'Neuen Code anfordern',
  },
  ar: {
    title: 'أضف بطاقة الدخول',
    confirm: 'تابع لإضافة بطاقة الدخول إلى محفظة هذا الهاتف.',
    button: 'متابعة',
    expiredTitle: 'انتهت صلاحية هذا الرابط',
    expired: 'استُخدم الرابط من قبل أو مرّ عليه أكثر من 10 دقائق. اطلب رسالة نصية جديدة.',
    startAgain: 'اطلب رمزًا جديدًا',
  },
};
