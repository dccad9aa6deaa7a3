/**
 * Reads a UTF-8 CSV with a header into columns, streaming (the rows are never held as
 * objects): the id column and the requested field columns only.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import { RempartError } from '../../errors.js';

/** The columns read: ids, and per requested column its values (null when blank). */
export interface CsvColumns {
  readonly ids: string[];
  readonly columns: ReadonlyMap<string, (string | null)[]>;
}

/**
 * Reads `file`; fails with VALIDATION_FAILED naming the file, row and field when a column is
 * missing, an id is blank or appears twice. Rows count from 1 after the header.
 */
export async function readDedupeCsv(file: string, idColumn: string, fieldColumns: readonly string[]): Promise<CsvColumns> {
  const name = basename(file);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, trim: true, relax_column_count: true, skip_empty_lines: true, info: true }),
  );
  let header: string[] | null = null;
  let idIndex = -1;
  let indices: number[] = [];
  const ids: string[] = [];
  const values: (string | null)[][] = fieldColumns.map(() => []);
  const seen = new Map<string, number>();
  let row = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const record = item.record;
      if (header === null) {
        header = record;
        const missing = [idColumn, ...fieldColumns].filter((c) => !record.includes(c));
        if (missing.length > 0) {
          throw new RempartError('VALIDATION_FAILED', `${name}: column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} not in the header.`, {
            details: missing.map((m) => ({ file: name, line: 1, field: m, message: `no column "${m}" (the header has: ${record.join(', ')})` })),
          });
        }
        idIndex = record.indexOf(idColumn);
        indices = fieldColumns.map((c) => record.indexOf(c));
        continue;
      }
      row++;
      const id = record[idIndex] ?? '';
      if (id === '') {
        throw new RempartError('VALIDATION_FAILED', `${name}: row ${row} has no value in the id column "${idColumn}".`, {
          details: [{ file: name, row, line: item.info.lines, field: idColumn, message: 'blank id' }],
        });
      }
      const first = seen.get(id);
      if (first !== undefined) {
        throw new RempartError('VALIDATION_FAILED', `${name}: row ${row} repeats the id of row ${first} (column "${idColumn}"); ids must be unique.`, {
          details: [{ file: name, row, line: item.info.lines, field: idColumn, message: `duplicate id, first seen at row ${first}` }],
        });
      }
      seen.set(id, row);
      ids.push(id);
      for (let c = 0; c < indices.length; c++) {
        const v = record[indices[c]!];
        values[c]!.push(v === undefined || v === '' ? null : v);
      }
    }
  } catch (e) {
    if (e instanceof RempartError) throw e;
    // The parser's message can quote the data; only its code is shown.
    const err = e as Error & { lines?: number; code?: string };
    const where = err.lines === undefined ? '' : ` near line ${err.lines}`;
    throw new RempartError('VALIDATION_FAILED', `${name}: not a readable CSV file${where} (${err.code ?? 'parse error'}).`, {
      details: [{ file: name, ...(err.lines === undefined ? {} : { line: err.lines }), message: 'CSV syntax' }],
      cause: e,
    });
  }
  if (header === null) {
    throw new RempartError('VALIDATION_FAILED', `${name}: the file is empty (a header row is needed).`, { details: [{ file: name, message: 'empty file' }] });
  }
  return { ids, columns: new Map(fieldColumns.map((c, i) => [c, values[i]!])) };
}
