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

export const libphonenumberUtil: PhoneUtil = {
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
