import type { CredentialStatus } from '../client/types.js';
import type { LocaleCode } from './index.js';

// The words of <credential-status>, bundled with it (as hand-off's are with its panel): a page that
// shows no status never fetches them, which keeps <invite-redeem>'s first visit inside its budget.
const en = {
  names: {
    invited: 'Invited',
    provisioning: 'Being set up',
    active: 'Active',
    suspended: 'Suspended',
    revoking: 'Being removed',
    revoked: 'Removed',
    expired: 'Invitation expired',
  } satisfies Record<CredentialStatus, string>,
  descriptions: {
    invited: 'Your invitation is waiting to be accepted.',
    provisioning: 'Your pass is being added to your phone. This usually takes seconds.',
    active: 'Your pass works at the doors you have access to.',
    suspended: 'Your pass is paused. It will not open doors until your administrator turns it back on.',
    revoking: 'Your pass is being removed from your phone.',
    revoked: 'Your pass has been removed and no longer opens doors. Ask your administrator if you need a new one.',
    expired: 'Your invitation has expired. Ask your administrator for a new one.',
  } satisfies Record<CredentialStatus, string>,
  label: 'Pass status',
  updated: (relative: string) => `Updated ${relative}`,
  disabled: 'Turned off by your administrator. It will not open doors until they turn it back on.',
  helpSummary: 'Not working?',
  reconnecting: 'Reconnecting for live updates…',
};

export type StatusStrings = typeof en;

export const statusStrings: Record<LocaleCode, StatusStrings> = {
  en,
  de: {
    names: {
      invited: 'Eingeladen',
      provisioning: 'Wird eingerichtet',
      active: 'Aktiv',
      suspended: 'Gesperrt',
      revoking: 'Wird entfernt',
      revoked: 'Entfernt',
      expired: 'Einladung abgelaufen',
    },
    descriptions: {
      invited: 'Ihre Einladung wartet darauf, angenommen zu werden.',
      provisioning: 'Ihr Ausweis wird auf Ihr Telefon übertragen. Das dauert meist nur Sekunden.',
      active: 'Ihr Ausweis öffnet die Türen, für die Sie berechtigt sind.',
      suspended: 'Ihr Ausweis ist pausiert und öffnet keine Türen, bis Ihre Verwaltung ihn wieder aktiviert.',
      revoking: 'Ihr Ausweis wird von Ihrem Telefon entfernt.',
      revoked:
        'Ihr Ausweis wurde entfernt und öffnet keine Türen mehr. Wenden Sie sich an Ihre Verwaltung, wenn Sie einen neuen brauchen.',
      expired: 'Ihre Einladung ist abgelaufen. Bitten Sie Ihre Verwaltung um eine neue.',
    },
    label: 'Ausweisstatus',
    updated: (relative) => `Aktualisiert ${relative}`,
    disabled: 'Von Ihrer Verwaltung ausgeschaltet. Er öffnet keine Türen, bis sie ihn wieder einschaltet.',
    helpSummary: 'Funktioniert nicht?',
    reconnecting: 'Verbindung für Live-Updates wird wiederhergestellt…',
  },
  ar: {
    names: {
      invited: 'مدعو',
      provisioning: 'قيد الإعداد',
      active: 'نشطة',
      suspended: 'موقوفة',
      revoking: 'قيد الإزالة',
      revoked: 'أُزيلت',
      expired: 'انتهت الدعوة',
    },
    descriptions: {
      invited: 'دعوتك بانتظار القبول.',
      provisioning: 'تتم إضافة بطاقتك إلى هاتفك. يستغرق ذلك عادةً ثوانٍ.',
      active: 'بطاقتك تفتح الأبواب المسموح لك بها.',
      suspended: 'بطاقتك موقوفة مؤقتًا ولن تفتح الأبواب حتى يعيد المسؤول تفعيلها.',
      revoking: 'تتم إزالة بطاقتك من هاتفك.',
      revoked: 'أُزيلت بطاقتك ولم تعد تفتح الأبواب. اسأل المسؤول إن كنت تحتاج إلى بطاقة جديدة.',
      expired: 'انتهت صلاحية دعوتك. اطلب دعوة جديدة من المسؤول.',
    },
    label: 'حالة البطاقة',
    updated: (relative) => `آخر تحديث ${relative}`,
    disabled: 'أوقفها المسؤول. لن تفتح الأبواب حتى يعيد تشغيلها.',
    helpSummary: 'لا تعمل؟',
    reconnecting: 'جارٍ إعادة الاتصال للتحديثات المباشرة…',
  },
};
