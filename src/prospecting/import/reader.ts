import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { RempartError } from '../../errors.js';

/** One record of a file: its cells as text and the physical line (sheet row) where it starts. */
export interface SourceRecord {
  readonly values: readonly string[];
  readonly line: number;
}

/** The text encodings a CSV file may be read in. */
export const TEXT_ENCODINGS = ['utf-8', 'windows-1252'] as const;
/** One of TEXT_ENCODINGS. */
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];
/** The separators a CSV file may use. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;
/** One of DELIMITERS. */
export type Delimiter = (typeof DELIMITERS)[number];

/** What was found out about a file before reading it. */
export interface FileShape {
  readonly format: 'csv' | 'xlsx';
  /** `utf-8` (with or without BOM) or `windows-1252`; `xlsx` for spreadsheets. */
  readonly encoding: TextEncoding | 'xlsx';
  readonly delimiter: Delimiter | null;
}

/**
 * What the person importing says of a CSV file when the detection guessed wrong (the
 * import wizard shows the guess and lets them change it): either or both; ignored for XLSX.
 */
export interface ShapeOverride {
  readonly encoding?: TextEncoding;
  readonly delimiter?: Delimiter;
}

const XLSX_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Looks at a file before it is read: a ZIP (XLSX) or text; for text, the encoding
 * (a file that is not valid UTF-8 is taken as Windows-1252, what French Excel writes)
 * and the separator (`,` `;` tab or `|`, the most frequent outside quotes on the header
 * line). Reads the whole file once for the encoding, in chunks, holding none of it,
 * unless `override` gives the encoding. What `override` gives wins over the guess.
 */
export async function detectShape(path: string, override: ShapeOverride = {}): Promise<FileShape> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(64 * 1024);
  let headLength: number;
  try {
    headLength = (await fh.read(head, 0, head.length, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  if (head.subarray(0, 4).equals(XLSX_MAGIC)) return { format: 'xlsx', encoding: 'xlsx', delimiter: null };
  const encoding = override.encoding ?? ((await isUtf8(path)) ? 'utf-8' : 'windows-1252');
  const text = encoding === 'utf-8' ? head.subarray(0, headLength).toString('utf8') : iconv.decode(head.subarray(0, headLength), 'win1252');
  return { format: 'csv', encoding, delimiter: override.delimiter ?? detectDelimiter(text) };
}

async function isUtf8(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/** The separator of a CSV text: the one of DELIMITERS found most often outside quotes on the first line (`,` if none). */
export function detectDelimiter(text: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of text.replace(/^\ufeff/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted) {
      const n = counts.get(ch as Delimiter);
      if (n !== undefined) counts.set(ch as Delimiter, n + 1);
    }
  }
  // Ties go to the earlier of DELIMITERS (a stable sort keeps their order).
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best && best[1] > 0 ? best[0] : ',';
}

const BREAKS = /\r\n|\r|\n/g;

/**
 * Streams the records of a CSV file (header included, as the first record), with the
 * physical line where each starts: quoted fields may hold line breaks, so the line is
 * counted from the raw text of each record, not from the record count.
 */
export async function* readCsv(path: string, shape: FileShape): AsyncGenerator<SourceRecord> {
  const file = createReadStream(path, { highWaterMark: 256 * 1024 });
  const input = shape.encoding === 'windows-1252' ? file.pipe(iconv.decodeStream('win1252')) : file;
  const parser = input.pipe(
    parse({ delimiter: shape.delimiter ?? ',', bom: true, raw: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: false }),
  );
  let line = 1;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const leading = /^(?:\r\n|\r|\n)*/.exec(item.raw)?.[0] ?? '';
      const start = line + (leading.match(BREAKS)?.length ?? 0);
      line += item.raw.match(BREAKS)?.length ?? 0;
      yield { values: item.record, line: start };
    }
  } catch (e) {
    const err = e as { code?: string; lines?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      throw new RempartError('VALIDATION_FAILED', `The file is not valid CSV near line ${err.lines ?? line}: ${err.code}.`, {
        details: [{ line: err.lines ?? line, message: err.code }],
        cause: e,
      });
    }
    throw e;
  } finally {
    file.destroy();
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
  }
  return String(value);
}

/** Streams the rows of the first worksheet of an XLSX file (exceljs streaming reader); `line` is the sheet row number. */
export async function* readXlsx(path: string): AsyncGenerator<SourceRecord> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const raw = row.values as ExcelJS.CellValue[];
      // exceljs rows are 1-based: index 0 is empty.
      const values = Array.from({ length: Math.max(0, raw.length - 1) }, (_, i) => cellText(raw[i + 1]).trim());
      yield { values, line: row.number };
    }
    // Only the first worksheet is a prospect list; the others are notes, pivots…
    break;
  }
}

/** Streams the records of a file, whichever its shape. */
export function readRecords(path: string, shape: FileShape): AsyncGenerator<SourceRecord> {
  return shape.format === 'xlsx' ? readXlsx(path) : readCsv(path, shape);
}
