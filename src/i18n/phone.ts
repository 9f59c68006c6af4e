import type { LocaleCode } from './index.js';

/** The words of the phone step's "another country?" hint (docs/elements.md). */
export interface PhoneHintStrings {
  /** A national number that fits another country: its name and calling code (without "+"). */
  elsewhere(country: string, callingCode: string): string;
  /** The button that switches the country picker to it. */
  useCountry(country: string, callingCode: string): string;
}

// Bundled with <sms-otp-verify> (as status words are with <credential-status>): a page without a
// phone step never fetches them, which keeps <invite-redeem>'s first visit inside its budget.
export const phoneHintStrings: Record<LocaleCode, PhoneHintStrings> = {
  en: {
    elsewhere: (country, cc) => `That looks like a number from another country: ${country}. Use \u2066+${cc}\u2069?`,
    useCountry: (country, cc) => `Use \u2066+${cc}\u2069 (${country})`,
  },
  de: {
    elsewhere: (country, cc) =>
      `Das sieht nach einer Nummer aus einem anderen Land aus: ${country}. \u2066+${cc}\u2069 verwenden?`,
    useCountry: (country, cc) => `\u2066+${cc}\u2069 verwenden (${country})`,
  },
  ar: {
    elsewhere: (country, cc) => `يبدو أن هذا رقم من بلد آخر: ${country}. هل تستخدم \u2066+${cc}\u2069؟`,
    useCountry: (country, cc) => `استخدام \u2066+${cc}\u2069 (${country})`,
  },
};
