import type { LocaleCode } from './index.js';

/** What to try when a pass is stuck in `invited` or `provisioning` (after the HID Mobile Access help). */
export interface Troubleshooting {
  invited: string[];
  provisioning: string[];
}

// Loaded lazily by <credential-status>: only stuck credentials show it, and the help sits in a
// closed disclosure, so it stays out of the CDN entry.
export const troubleshooting: Record<LocaleCode, Troubleshooting> = {
  en: {
    invited: [
      'Check you received the invitation code, by email or text message.',
      'Check the code is still valid: codes expire after a few days.',
      'Check you typed the code exactly as it appears.',
      'Still stuck? Ask your administrator to send a new invitation.',
    ],
    provisioning: [
      'Wait 5 to 10 minutes, then look again.',
      'Open your Wallet app and check the pass is there.',
      'Restart your phone if it does not appear.',
      'Still stuck? Contact your administrator.',
    ],
  },
  de: {
    invited: [
      'Prüfen Sie, ob Sie den Einladungscode per E-Mail oder SMS erhalten haben.',
      'Prüfen Sie, ob der Code noch gültig ist: Codes laufen nach einigen Tagen ab.',
      'Prüfen Sie, ob Sie den Code genau so eingegeben haben, wie er angezeigt wird.',
      'Weiterhin Probleme? Bitten Sie Ihre Verwaltung um eine neue Einladung.',
    ],
    provisioning: [
      'Warten Sie 5 bis 10 Minuten und sehen Sie dann erneut nach.',
      'Öffnen Sie Ihre Wallet-App und prüfen Sie, ob der Ausweis dort ist.',
      'Starten Sie Ihr Telefon neu, wenn er nicht erscheint.',
      'Weiterhin Probleme? Wenden Sie sich an Ihre Verwaltung.',
    ],
  },
  ar: {
    invited: [
      'تحقّق من أنك تلقيت رمز الدعوة بالبريد الإلكتروني أو برسالة نصية.',
      'تحقّق من أن الرمز ما زال صالحًا: تنتهي صلاحية الرموز بعد بضعة أيام.',
      'تحقّق من أنك كتبت الرمز تمامًا كما يظهر.',
      'ما زالت المشكلة قائمة؟ اطلب من المسؤول إرسال دعوة جديدة.',
    ],
    provisioning: [
      'انتظر من 5 إلى 10 دقائق ثم تحقّق مرة أخرى.',
      'افتح تطبيق المحفظة وتحقّق من وجود البطاقة.',
      'أعد تشغيل هاتفك إذا لم تظهر.',
      'ما زالت المشكلة قائمة؟ تواصل مع المسؤول.',
    ],
  },
};
