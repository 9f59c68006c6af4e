/** The part of libphonenumber-js the widgets use. */
export interface CountryOption {
  /** ISO-3166 alpha-2. */
  code: string;
  /** The country's name in the page's language. */
  name: string;
  /** Without the "+". */
  callingCode: string;
}

export interface PhoneUtil {
  /**
   * The picker's countries named in `locale` and sorted by name, narrowed to those whose name, ISO
   * code or calling code matches `filter`; `selected` always stays.
   */
  listCountries(locale: string, filter: string, selected: string): CountryOption[];
  /** Groups what was typed as the country writes its numbers, from the first digit. */
  formatAsYouType(text: string, country: string | undefined): string;
  /** A mobile number the library accepts for `country`, as a person would write it at home and abroad. */
  exampleNumber(country: string): { national: string; international: string } | null;
  /**
   * For a number typed in national form that does not fit `country`: the other country whose mobile
   * numbers it most looks like (same length and leading digit as that country's example mobile; a
   * country speaking `locale`'s language first), named in `locale`; else null. Optional: a host's
   * own util may leave it out, and the generic error stays.
   */
  nationalElsewhere?(text: string, country: string, locale: string): CountryOption | null;
  /** E.164 and an international display form when valid, else null. */
  parse(text: string, country: string | undefined): { e164: string; international: string; country?: string } | null;
}
