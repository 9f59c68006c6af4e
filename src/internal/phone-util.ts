// Loaded lazily by phone-manager.ts; named imports let the bundler drop the rest of libphonenumber-js.
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import type { PhoneUtil } from './phone-manager.js';

function parseValid(text: string, country: string | undefined) {
  const parsed = parsePhoneNumberFromString(text, country as CountryCode | undefined);
  return parsed && parsed.isValid() ? parsed : undefined;
}

export const libphonenumberUtil: PhoneUtil = {
  getCountries: () => getCountries(),
  getCountryCallingCode: (country) => getCountryCallingCode(country as CountryCode),
  // parse + format rather than AsYouType: AsYouType alone would add ~12 KiB gz to the chunk.
  formatAsYouType: (text, country) => {
    const parsed = parseValid(text, country);
    if (!parsed) return text;
    return text.trim().startsWith('+') ? parsed.formatInternational() : parsed.formatNational();
  },
  parse: (text, country) => {
    const parsed = parseValid(text, country);
    return parsed ? { e164: parsed.number, international: parsed.formatInternational(), country: parsed.country } : null;
  },
};
