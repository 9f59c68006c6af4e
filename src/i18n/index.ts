import en, { type Fmt, type Translation } from './en.js';
import de from './de.js';
import ar from './ar.js';

export type { Translation, Fmt };
export type LocaleCode = 'en' | 'de' | 'ar';

const translations: Record<LocaleCode, Translation> = { en, de, ar };

/** Picks the closest shipped locale for a BCP-47 tag ("de-AT" → de), English otherwise. */
export function resolveLocale(tag: string | null | undefined): LocaleCode {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'de' || primary === 'ar' ? primary : 'en';
}

export function translationFor(locale: LocaleCode): Translation {
  return translations[locale];
}

/** Right-to-left for the shipped locales that need it. */
export function directionFor(locale: LocaleCode): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}
