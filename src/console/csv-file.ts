// A CSV file the console hands to the browser to save (the import's report, the activity export).

/**
 * One cell: quoted when it holds a separator, a quote or a line break; a cell a spreadsheet would
 * run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'` (OWASP "CSV injection").
 */
export function csvCell(value: string | number): string {
  let v = String(value);
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",;\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Saves `rows` under `name`: UTF-8 with a BOM (so Excel reads the accents), CRLF line ends. */
export function downloadCsv(name: string, header: string[], rows: (string | number)[][]): void {
  const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n');
  const url = URL.createObjectURL(new Blob([`\ufeff${text}\r\n`], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
