// Why the CSV import refused a row (docs/console.md "Import"): the code travels with the row, the
// console words it in the reader's language; these English sentences are what the API answers.

export const IMPORT_REFUSALS = {
  missing_name: 'first_name and last_name are both needed.',
  name_too_long: 'A name is at most 200 characters.',
  invalid_email: 'That is not an email address.',
  invalid_phone_number: 'That is not a valid phone number.',
  invalid_external_id: 'external_id is at most 200 characters, without line breaks.',
  no_key: 'A row needs an external_id or an email, so that applying the file again finds the same person.',
  duplicate_in_file: 'An earlier row has the same external_id or email.',
  email_taken: 'Another person already has this email.',
  unknown_credential_type: 'That credential type is not offered here.',
  credential_needs_value: 'That credential type needs a value (a card number or PIN), which the import does not take.',
  unknown_delivery: 'delivery is email or none.',
  email_not_configured: 'This server sends no email: use delivery none.',
  needs_email: 'delivery email needs an email address.',
  credential_failed: 'The person is saved, but the credential could not be issued.',
} as const;

export type ImportRefusal = keyof typeof IMPORT_REFUSALS;

export const CSV_PROBLEMS = {
  empty: 'The file has no rows.',
  header: (missing: string[], found: string[]) =>
    `The first row must name the columns; ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing (found: ${found.length ? found.join(', ') : 'nothing'}).`,
  parse: (line: number, why: string) => `The file could not be read at line ${line}: ${why}`,
} as const;

export const IMPORT_TOO_LARGE = (mb: number) => `A CSV import is at most ${mb} MB; split the file.`;
