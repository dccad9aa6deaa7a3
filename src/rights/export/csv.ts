import type { ExportRow, ExportValue } from './collect.js';

/** A plain number (`-12.50`, `3`): a spreadsheet cannot read it as a formula, so it is left as is. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** First characters that make a spreadsheet evaluate a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;

/** A value as the text of one CSV cell: lists and objects as JSON, null as empty. */
function cellText(value: ExportValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * One CSV field: guarded against formula injection (a leading `'` on text a spreadsheet
 * would run as a formula), then quoted per RFC 4180 §2 when it holds a comma, a quote or
 * a line break, quotes doubled.
 */
export function csvField(value: ExportValue): string {
  let text = cellText(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document (RFC 4180: a header line, CRLF line ends) of `rows` over `columns`. */
export function toCsv(columns: readonly string[], rows: readonly ExportRow[]): string {
  const lines = [columns.map((c) => csvField(c)), ...rows.map((r) => columns.map((c) => csvField(r[c] ?? null)))];
  return lines.map((l) => `${l.join(',')}\r\n`).join('');
}
