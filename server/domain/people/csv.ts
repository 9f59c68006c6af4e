// Reading a people CSV for the import (docs/console.md "Import"): the bytes' encoding, the
// separator, the header; csv-parse does the quoting (quoted separators, quotes and newlines).
import { CsvError, parse } from 'csv-parse/sync';
import { CSV_PROBLEMS } from '../../messages/import.js';
import { ApiError } from '../errors.js';

export const IMPORT_COLUMNS = [
  'first_name',
  'last_name',
  'email',
  'phone',
  'external_id',
  'credential_type_id',
  'delivery',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED: ImportColumn[] = ['first_name', 'last_name'];

/** Other spellings of a column a spreadsheet may have (`First name`, `phone_number`). */
const ALIASES: Record<string, ImportColumn> = {
  firstname: 'first_name',
  given_name: 'first_name',
  lastname: 'last_name',
  family_name: 'last_name',
  surname: 'last_name',
  e_mail: 'email',
  email_address: 'email',
  phone_number: 'phone',
  mobile: 'phone',
  externalid: 'external_id',
  credential_type: 'credential_type_id',
  deliver: 'delivery',
};

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Separator = ',' | ';' | '\t';

export interface CsvRow {
  /** 0-based among the data rows (the import's `offset` counts these). */
  index: number;
  /** Where the row starts in the file, the header being line 1 (a spreadsheet's row number). */
  line: number;
  cells: Partial<Record<ImportColumn, string>>;
}

export interface PeopleCsv {
  encoding: Encoding;
  separator: Separator;
  columns: ImportColumn[];
  /** Header names the import does not read (kept out of every answer's data, listed so a typo shows). */
  ignored: string[];
  rows: CsvRow[];
}

/**
 * Text from a spreadsheet's bytes: UTF-8 (a BOM is dropped), UTF-16 with its BOM (Excel's "Unicode
 * text"), and anything that is not valid UTF-8 read as Windows-1252 (Excel's CSV on Windows).
 */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: Encoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** The separator the header row uses most: `;` where the comma is the decimal mark (German Excel), else `,` or a tab. */
export function detectSeparator(text: string): Separator {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  const count = (ch: string) => header.split(ch).length - 1;
  const ranked = ([',', ';', '\t'] as const).map((s) => [s, count(s)] as const).sort((a, b) => b[1] - a[1]);
  return ranked[0][1] > 0 ? ranked[0][0] : ',';
}

const columnOf = (name: string): ImportColumn | undefined => {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (IMPORT_COLUMNS as readonly string[]).includes(key) ? (key as ImportColumn) : ALIASES[key];
};

/** The whole file, parsed: 422 `csv_invalid` when it cannot be read or its header lacks a name column. */
export function readPeopleCsv(bytes: Uint8Array): PeopleCsv {
  const decoded = decodeCsv(bytes);
  const encoding = decoded.encoding;
  // One kind of line break: csv-parse counts a CRLF inside quotes as two lines, and rows are reported by line.
  const text = decoded.text.replace(/\r\n?/g, '\n');
  const separator = detectSeparator(text);
  let records: { record: string[]; info: { lines: number; empty_lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: separator,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof records; // with `info`, csv-parse's records carry where they ended
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 0;
      throw new ApiError('csv_invalid', CSV_PROBLEMS.parse(line, err.message.replace(/^[^:]*: /, '')), { line });
    }
    throw err;
  }
  if (records.length === 0) throw new ApiError('csv_invalid', CSV_PROBLEMS.empty, { missing: REQUIRED });
  const header = records[0].record;
  const positions: [number, ImportColumn][] = [];
  const ignored: string[] = [];
  header.forEach((name, i) => {
    const column = columnOf(name);
    if (column && !positions.some(([, c]) => c === column)) positions.push([i, column]);
    else if (name.trim()) ignored.push(name.trim().slice(0, 60));
  });
  const columns = positions.map(([, c]) => c);
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length)
    throw new ApiError(
      'csv_invalid',
      CSV_PROBLEMS.header(
        missing,
        header.slice(0, 10).map((h) => h.slice(0, 40)),
      ),
      { missing, line: 1 },
    );
  const rows: CsvRow[] = [];
  let lastLine = records[0].info.lines;
  let lastEmpty = records[0].info.empty_lines;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    const line = lastLine + 1 + (info.empty_lines - lastEmpty);
    lastLine = info.lines;
    lastEmpty = info.empty_lines;
    if (record.every((v) => v === '')) continue; // `;;;;` is a blank row a spreadsheet left
    const cells: CsvRow['cells'] = {};
    for (const [i, column] of positions) {
      const v = record[i];
      if (v) cells[column] = v;
    }
    rows.push({ index: rows.length, line, cells });
  }
  return { encoding, separator, columns, ignored, rows };
}
