import { sql, type Kysely, type RawBuilder } from 'kysely';
import { CATALOGUE, type ColumnEntry, type SubjectLink, type TableEntry } from '../../catalogue/catalogue.js';
import type { Database } from '../../db/schema.js';

/** A value as exported: JSON-safe (timestamps as ISO-8601 strings, jsonb as parsed JSON). */
export type ExportValue = string | number | boolean | null | readonly ExportValue[] | { readonly [key: string]: ExportValue };

/** One row of a table concerning the person, keyed by the catalogue's (SQL) column names. */
export type ExportRow = Readonly<Record<string, ExportValue>>;

/** The rows of one catalogued table that concern the person, and the columns read. */
export interface CollectedTable {
  readonly entry: TableEntry;
  /** The columns read, in catalogue order. */
  readonly columns: readonly string[];
  readonly rows: readonly ExportRow[];
}

/** Which columns of a table to read; the access export and portability choose differently. */
export type ColumnFilter = (column: string, entry: ColumnEntry, table: TableEntry) => boolean;

/**
 * Plain columns whose value is a digest or a sealed secret: never handed out, even to
 * the person it belongs to, because it would help an attacker (GDPR Art. 32; Art. 15(4)
 * does not reach security material). Their catalogue `why` says so.
 */
const SECRET = /secret|digest|hash/i;

/**
 * The access export's choice (Art. 15(1), (3)): every personal column, plus the plain
 * columns that make the rows make sense (keys, references, the purpose tag, the
 * bookkeeping dates), but no secret.
 */
export const accessColumns: ColumnFilter = (column, entry) => {
  if (entry.personal) return true;
  if (SECRET.test(entry.why)) return false;
  return column === 'id' || column.endsWith('_id') || column === 'purpose' || column === 'created_at' || column === 'updated_at';
};

/** The catalogued tables that can concern a person (they declare at least one subject link). */
export function subjectTables(): readonly TableEntry[] {
  return CATALOGUE.filter((t) => t.subjects.length > 0);
}

/** One SQL condition "this row of `table` concerns one of `personIds`", for one subject link. */
function linkCondition(table: string, link: SubjectLink, ids: RawBuilder<unknown>): RawBuilder<unknown> {
  if (link.via === undefined) return sql`${sql.ref(`${table}.${link.column}`)} in (${ids})`;
  // The row is linked through another table: e.g. a contract through contract_contacts.person_id.
  const via = link.via;
  return sql`${sql.ref(`${table}.${via.subjectColumn}`)} in (select ${sql.ref(`${via.table}.${via.column}`)} from ${sql.table(via.table)} where ${sql.ref(`${via.table}.${link.column}`)} in (${ids}))`;
}

/** Turns a driver value into its JSON-safe exported form. */
export function toExportValue(value: unknown): ExportValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toExportValue);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toExportValue(v)]));
  }
  return String(value);
}

/**
 * Reads, in one consistent snapshot, every row of every catalogued table with a subject
 * link that concerns one of `personIds`, keeping the columns `filter` picks. Walking the
 * catalogue, not a hand-kept list, is what makes the answer complete (GDPR Art. 15(1),
 * (3)): a table added to the catalogue with a subject link is covered at once.
 */
export async function collectSubjectRows(
  db: Kysely<Database>,
  personIds: readonly string[],
  filter: ColumnFilter,
): Promise<readonly CollectedTable[]> {
  const tables = subjectTables();
  if (personIds.length === 0) return tables.map((entry) => ({ entry, columns: [], rows: [] }));
  // Repeatable read: all tables are read as of one instant, so a row moved between two
  // tables during the export (archiving, say) appears exactly once.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      // Names come from the catalogue in SQL form: no camel-case mapping on the way in or out.
      const raw = tx.withoutPlugins();
      const out: CollectedTable[] = [];
      for (const entry of tables) {
        const columns = Object.entries(entry.columns)
          .filter(([column, c]) => filter(column, c, entry))
          .map(([column]) => column);
        if (columns.length === 0) {
          out.push({ entry, columns, rows: [] });
          continue;
        }
        const ids = sql.join(personIds.map((id) => sql`${id}`));
        const where = sql.join(
          entry.subjects.map((link) => linkCondition(entry.table, link, ids)),
          sql` or `,
        );
        const select = sql.join(columns.map((c) => sql.ref(`${entry.table}.${c}`)));
        const order = 'id' in entry.columns ? sql`order by ${sql.ref(`${entry.table}.id`)}` : sql`order by 1`;
        const result = await sql<Record<string, unknown>>`select ${select} from ${sql.table(entry.table)} where ${where} ${order}`.execute(raw);
        const rows = result.rows.map((r) => Object.fromEntries(columns.map((c) => [c, toExportValue(r[c])])));
        out.push({ entry, columns, rows });
      }
      return out;
    });
}
