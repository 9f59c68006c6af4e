import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ApiError } from '../errors.js';

/** E.164 or an `invalid_phone_number` error; a national number needs `country` (docs/api.md). */
export function normalizePhone(input: string, country?: string | null): string {
  return parsePhone(input, country).e164;
}

/** The number in E.164 and the country it belongs to, from one parse (parsing costs tens of µs). */
export function parsePhone(input: string, country?: string | null): { e164: string; country: string | undefined } {
  const cleaned = toAsciiDigits(input).trim();
  const parsed = parsePhoneNumberFromString(cleaned, country ? (country.toUpperCase() as CountryCode) : undefined);
  if (!parsed?.isValid()) {
    throw new ApiError(
      'invalid_phone_number',
      cleaned.startsWith('+') || country
        ? 'That is not a valid phone number.'
        : 'That is not a valid phone number. Use the international format (+44…) or give the country.',
    );
  }
  return { e164: parsed.number, country: parsed.country };
}

/** Eastern-Arabic and Persian digits are accepted everywhere a number is typed (docs/elements.md). */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

/** `+44…4567` style for logs and messages: never the full number. */
export const maskPhone = (e164: string): string => `${e164.slice(0, 3)}…${e164.slice(-2)}`;
