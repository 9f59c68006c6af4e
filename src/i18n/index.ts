import en, { type Fmt, type Translation } from './en.js';

export type { Fmt, Translation };
export type LocaleCode = 'en' | 'de' | 'ar';

const loaded: Partial<Record<LocaleCode, Translation>> = { en };
const pending: Partial<Record<LocaleCode, Promise<Translation>>> = {};
// German and Arabic load on first use, keeping the CDN entry inside its size budget.
const loaders: Record<Exclude<LocaleCode, 'en'>, () => Promise<{ default: Translation }>> = {
  de: () => import('./de.js'),
  ar: () => import('./ar.js'),
};

/** Picks the closest shipped locale for a BCP-47 tag ("de-AT" → de), English otherwise. */
export function resolveLocale(tag: string | null | undefined): LocaleCode {
  const primary = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'de' || primary === 'ar' ? primary : 'en';
}

/** Loads a locale's strings (once). */
export function loadLocale(locale: LocaleCode): Promise<Translation> {
  const ready = loaded[locale];
  if (ready) return Promise.resolve(ready);
  const load = loaders[locale as Exclude<LocaleCode, 'en'>];
  return (pending[locale] ??= load().then((module) => (loaded[locale] = module.default)));
}

/** The strings if loaded, else English until they are. */
export function translationFor(locale: LocaleCode): Translation {
  return loaded[locale] ?? en;
}

export function isLocaleLoaded(locale: LocaleCode): boolean {
  return loaded[locale] !== undefined;
}

/** Right-to-left for the shipped locales that need it. */
export function directionFor(locale: LocaleCode): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}
