import { RempartError } from '../../errors.js';
import { rowValues } from './engine.js';
import { PROSPECT_FIELDS, resolveColumns, type ColumnMapping, type ProspectField } from './mapping.js';
import { normaliseProspectRow, type FieldProblem } from './prospect-row.js';
import { detectShape, readRecords, type FileShape, type ShapeOverride } from './reader.js';

/** One sampled row of a file as the import would take it. */
export interface PreviewRow {
  /** Data row number, from 1 (header excluded), and the physical line where it starts. */
  readonly row: number;
  readonly line: number;
  /** The cells, one per header column (missing cells are empty). */
  readonly values: readonly string[];
  /** Whether the row would be imported, and if not, why; what would be dropped from it. */
  readonly rejected: FieldProblem | null;
  readonly warnings: readonly FieldProblem[];
}

/** What the import wizard shows before the import: the file's shape, its columns and their fields, the first rows. */
export interface ImportPreview extends FileShape {
  readonly columns: readonly { readonly header: string; readonly field: ProspectField | null }[];
  /** Every field a column may be mapped to (the wizard's choices). */
  readonly fields: readonly ProspectField[];
  readonly rows: readonly PreviewRow[];
  /** Whether a name or e-mail column is mapped: without one the import is refused. */
  readonly importable: boolean;
}

/** How many data rows a preview reads by default, and at most. */
export const PREVIEW_ROWS = 10;
const MAX_PREVIEW_ROWS = 50;

/**
 * Reads the header and the first `rows` data rows of a prospect file (the import
 * wizard's column-mapping preview, issue 16 item 3) with the same reader, column
 * resolution and row normaliser as the import, so what the preview says would be
 * rejected is what the import rejects. Reads nothing past those rows and writes nothing.
 * `now` bounds collection dates, as in the import.
 */
export async function previewImport(path: string, options: { readonly now: Date; readonly mapping?: ColumnMapping; readonly shape?: ShapeOverride; readonly rows?: number }): Promise<ImportPreview> {
  const shape = await detectShape(path, options.shape);
  const limit = Math.min(Math.max(1, options.rows ?? PREVIEW_ROWS), MAX_PREVIEW_ROWS);
  let header: string[] | null = null;
  const records: { values: readonly string[]; line: number }[] = [];
  for await (const rec of readRecords(path, shape)) {
    if (header === null) {
      header = rec.values.map((h) => h.trim());
      continue;
    }
    if (rec.values.every((v) => v.trim() === '')) continue;
    records.push(rec);
    if (records.length >= limit) break;
  }
  if (header === null) throw new RempartError('VALIDATION_FAILED', 'The file is empty: a header line is needed.', { details: [{ line: 1, message: 'no header' }] });
  const resolved = resolveColumns(header, options.mapping);
  const width = header.length;
  const rows = records.map((rec, i): PreviewRow => {
    const outcome = normaliseProspectRow(rowValues(resolved, rec.values), { row: i + 1, line: rec.line }, options.now);
    return {
      row: i + 1,
      line: rec.line,
      values: Array.from({ length: width }, (_, c) => rec.values[c] ?? ''),
      rejected: outcome.ok ? null : outcome.rejected,
      warnings: outcome.warnings,
    };
  });
  const fieldAt = (i: number): ProspectField | null => {
    const f = resolved.fields[i] ?? null;
    // `resolveColumns` reports a column ignored on purpose as null, like an unmapped one: the wizard tells them apart.
    if (f === null && header?.[i] !== undefined && options.mapping?.[header[i]] === 'ignore') return 'ignore';
    return f;
  };
  return {
    ...shape,
    columns: header.map((h, i) => ({ header: h, field: fieldAt(i) })),
    fields: PROSPECT_FIELDS,
    rows,
    importable: resolved.fields.some((f) => f === 'email' || f === 'lastName' || f === 'fullName' || f === 'firstName'),
  };
}
