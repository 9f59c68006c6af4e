// Which language the console speaks: <html lang> (set by the server from Accept-Language), or ?lang=.
import type { ConsoleStrings } from './i18n/en.js';
import en from './i18n/en.js';

export type ConsoleLocale = 'en' | 'de' | 'ar';
let current: ConsoleStrings = en;
let locale: ConsoleLocale = 'en';

export async function loadStrings(): Promise<ConsoleLocale> {
  const asked = new URLSearchParams(location.search).get('lang') ?? document.documentElement.lang;
  const primary = (asked || 'en').toLowerCase().split('-')[0];
  locale = primary === 'de' || primary === 'ar' ? primary : 'en';
  if (locale === 'de') current = (await import('./i18n/de.js')).default;
  else if (locale === 'ar') current = (await import('./i18n/ar.js')).default;
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === 'ar' ? 'rtl' : 'ltr';
  return locale;
}

export const t = (): ConsoleStrings => current;
export const consoleLocale = (): ConsoleLocale => locale;
export const formatTime = (iso: string): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
