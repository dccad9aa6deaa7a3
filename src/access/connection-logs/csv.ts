/**
 * CSV cells and rows as RFC 4180 says (comma-separated, CRLF line ends, a field holding
 * a comma, quote, CR or LF is quoted with its quotes doubled), with the OWASP guard
 * against CSV formula injection: a spreadsheet runs a cell that starts with = + - @ (or
 * a tab or CR) as a formula, and log fields such as the user agent come from whoever
 * connected, so such a cell is prefixed with a single quote.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV cell: null and undefined are empty, dates are ISO-8601, strings are guarded and quoted when needed. */
export function csvCell(value: string | number | boolean | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

/** One CSV record, CRLF-terminated. */
export function csvRow(values: readonly (string | number | boolean | Date | null | undefined)[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
