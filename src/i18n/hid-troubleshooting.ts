import type { LocaleCode } from './index.js';

/**
 * The HID seed's troubleshooting for HID Mobile Access (credential type 8): stuck in `invited`,
 * stuck in `provisioning`, `active` but not opening doors. Loaded lazily by <credential-status>.
 */
export interface HidTroubleshooting {
  invited: string[];
  provisioning: string[];
  active: string[];
}

export const hidTroubleshooting: Record<LocaleCode, HidTroubleshooting> = {
  en: {
    invited: [
      'Check you received the invitation code, by email or from the app that invited you.',
      'Install the HID Mobile Access app (App Store or Google Play), or the app your building uses.',
      'Check the code is still valid: invitation codes expire.',
      'Enter the code in the app exactly as it appears, dashes included.',
    ],
    provisioning: [
      'Wait 5 to 10 minutes, then look again.',
      'Close and reopen the HID Mobile Access app.',
      'Check HID Origo’s service status.',
      'Still stuck? Contact your administrator.',
    ],
    active: [
      'Check you belong to a group with access to this door.',
      'Check your access is enabled.',
      'Check the reader is online and supports HID Mobile Access; keep Bluetooth on.',
      'Wait a few minutes for your key to reach the readers.',
      'Ask your administrator to check the events for refused attempts.',
    ],
  },
  de: {
    invited: [
      'Prüfen Sie, ob Sie den Einladungscode per E-Mail oder über die einladende App erhalten haben.',
      'Installieren Sie die App HID Mobile Access (App Store oder Google Play) oder die App Ihres Gebäudes.',
      'Prüfen Sie, ob der Code noch gültig ist: Einladungscodes laufen ab.',
      'Geben Sie den Code in der App genau so ein, wie er angezeigt wird, mit Bindestrichen.',
    ],
    provisioning: [
      'Warten Sie 5 bis 10 Minuten und sehen Sie dann erneut nach.',
      'Schließen Sie die App HID Mobile Access und öffnen Sie sie erneut.',
      'Prüfen Sie den Dienststatus von HID Origo.',
      'Weiterhin Probleme? Wenden Sie sich an Ihre Verwaltung.',
    ],
    active: [
      'Prüfen Sie, ob Sie zu einer Gruppe mit Zutritt zu dieser Tür gehören.',
      'Prüfen Sie, ob Ihr Zugang aktiviert ist.',
      'Prüfen Sie, ob das Lesegerät online ist und HID Mobile Access unterstützt; lassen Sie Bluetooth eingeschaltet.',
      'Warten Sie einige Minuten, bis Ihr Schlüssel bei den Lesegeräten angekommen ist.',
      'Bitten Sie Ihre Verwaltung, die Ereignisse auf abgelehnte Versuche zu prüfen.',
    ],
  },
  ar: {
    invited: [
      'تحقّق من أنك تلقيت رمز الدعوة بالبريد الإلكتروني أو من التطبيق الذي دعاك.',
      'ثبّت تطبيق HID Mobile Access (من App Store أو Google Play) أو التطبيق الذي يستخدمه مبناك.',
      'تحقّق من أن الرمز ما زال صالحًا: تنتهي صلاحية رموز الدعوة.',
      'أدخل الرمز في التطبيق تمامًا كما يظهر، مع الشرطات.',
    ],
    provisioning: [
      'انتظر من ٥ إلى ١٠ دقائق ثم تحقّق مرة أخرى.',
      'أغلق تطبيق HID Mobile Access ثم افتحه من جديد.',
      'تحقّق من حالة خدمة HID Origo.',
      'ما زالت المشكلة قائمة؟ تواصل مع المسؤول.',
    ],
    active: [
      'تحقّق من أنك عضو في مجموعة يُسمح لها بدخول هذا الباب.',
      'تحقّق من أن وصولك مفعّل.',
      'تحقّق من أن القارئ متصل ويدعم HID Mobile Access، وأبقِ البلوتوث مفعّلًا.',
      'انتظر بضع دقائق حتى يصل مفتاحك إلى القارئات.',
      'اطلب من المسؤول مراجعة الأحداث بحثًا عن محاولات مرفوضة.',
    ],
  },
};
