// Loaded lazily by seams/phone.ts; named imports let the bundler drop the rest of libphonenumber-js.

import mobileExamples from 'libphonenumber-js/examples.mobile.json';
import {
  AsYouType,
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/min';
import type { CountryOption, PhoneUtil } from '../seams/phone-types.js';

function parseValid(text: string, country: string | undefined) {
  const parsed = parsePhoneNumberFromString(text, country as CountryCode | undefined);
  return parsed?.isValid() ? parsed : undefined;
}

// Here rather than in <sms-otp-verify>: the list needs the metadata anyway, and this chunk is lazy.
function listCountries(locale: string, filter: string, selected: string): CountryOption[] {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale], { type: 'region' });
  } catch {
    names = undefined;
  }
  const query = filter.trim().toLowerCase();
  const plus = query.startsWith('+') ? query : `+${query}`;
  return getCountries()
    .map((code) => ({ code, name: names?.of(code) ?? code, callingCode: getCountryCallingCode(code) }))
    .filter(
      (c) =>
        c.code === selected ||
        !query ||
        c.name.toLowerCase().includes(query) ||
        c.code.toLowerCase() === query ||
        `+${c.callingCode}`.startsWith(plus),
    )
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}

/** The language most spoken in a country (CLDR likely subtags), for ranking candidates. */
function likelyLanguage(country: string): string | undefined {
  try {
    return new Intl.Locale(`und-${country}`).maximize().language;
  } catch {
    return undefined;
  }
}

const commonPrefix = (a: string, b: string) => {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i;
};

function nationalElsewhere(text: string, home: string, locale: string): CountryOption | null {
  const typed = text.trim();
  if (!typed || /^(\+|00)/.test(typed)) return null; // an international number names its own country
  const shapedLikeMobile = (code: CountryCode) => {
    const parsed = parseValid(typed, code);
    const example = getExampleNumber(code, mobileExamples)?.nationalNumber;
    if (!parsed || parsed.country !== code || !example) return undefined;
    const national = parsed.nationalNumber;
    // As long as that country's example mobile, starting with the same digit.
    return national.length === example.length && national[0] === example[0] ? { national, example } : undefined;
  };
  // Shaped like a mobile at home: whatever refused it, it is no other country's number.
  if (shapedLikeMobile(home as CountryCode)) return null;
  const language = locale.split(/[-_]/)[0]!.toLowerCase();
  let best: { code: CountryCode; rank: number[] } | undefined;
  for (const code of getCountries()) {
    if (code === home) continue;
    const shaped = shapedLikeMobile(code);
    if (!shaped) continue;
    const { national, example } = shaped;
    const rank = [likelyLanguage(code) === language ? 1 : 0, commonPrefix(national, example)];
    if (!best || rank[0]! > best.rank[0]! || (rank[0] === best.rank[0] && rank[1]! > best.rank[1]!))
      best = { code, rank };
  }
  if (!best) return null;
  let name: string = best.code;
  try {
    name = new Intl.DisplayNames([locale], { type: 'region' }).of(best.code) ?? best.code;
  } catch {
    // the code stands for the name
  }
  return { code: best.code, name, callingCode: getCountryCallingCode(best.code) };
}

export const libphonenumberUtil: PhoneUtil = {
  nationalElsewhere,
  listCountries,
  // The library's AsYouType (about 7 KiB gz more than parse + format): grouping from the first digit.
  formatAsYouType: (text, country) => new AsYouType(country as CountryCode | undefined).input(text),
  // The library's own example numbers are ones it accepts (never the fictional "drama" ranges).
  exampleNumber: (country) => {
    const example = getExampleNumber(country as CountryCode, mobileExamples);
    return example ? { national: example.formatNational(), international: example.formatInternational() } : null;
  },
  parse: (text, country) => {
    const parsed = parseValid(text, country);
    return parsed
      ? { e164: parsed.number, international: parsed.formatInternational(), country: parsed.country }
      : null;
  },
};
