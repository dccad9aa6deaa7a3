import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { activeHolds } from './holds.js';
import { fileStoreFiles, searchableText } from './file-stores.js';
import { rightsCatalogue } from './walk.js';

/** Where a value of the person was found. */
export interface ScanHit {
  /** `table.column`, or `file:<store id>`. */
  readonly where: string;
  readonly count: number;
  /** Inside the archive, or a row the archive holds, under an active hold. */
  readonly held: boolean;
}

/** The scan's answer; clean when no hit lies outside a hold. */
export interface ScanResult {
  readonly found: ScanHit[];
}

/** True when nothing was found outside legal holds (P5.3). */
export function isClean(result: ScanResult): boolean {
  return result.found.every((h) => h.held);
}

const TEXTUAL = new Set(['text', 'character varying', 'character', 'jsonb', 'json']);

/** `%value%` for ILIKE, with the wildcards and the escape character of the value escaped. */
export function likePattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Searches for the person's values after an erasure (P5.3): every catalogued column
 * holding text or JSON (cast to text, ILIKE, wildcards escaped), and every file store
 * under the data dir (outbox, uploads). A hit in the archive under an active hold, or in
 * a row the archive holds in place (an invoice kept 10 years), is marked `held`.
 */
export async function scanForPerson(db: Kysely<Database>, options: { readonly dataDir?: string | null; readonly values: readonly string[]; readonly now?: Date }): Promise<ScanResult> {
  const values = [...new Set(options.values.map((v) => v.trim()).filter((v) => v.length >= 3))];
  const found: ScanHit[] = [];
  if (values.length === 0) return { found };
  const now = options.now ?? new Date();
  const raw = db.withoutPlugins();
  const { byTable, archiveIds } = await activeHolds(db, now);
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select table_name, column_name, data_type from information_schema.columns where table_schema = current_schema()`.execute(raw);
  const types = new Map(columns.rows.map((c) => [`${c.table_name}.${c.column_name}`, c.data_type]));
  const patterns = values.map(likePattern);
  const lowered = values.map((v) => v.toLowerCase());
  for (const entry of rightsCatalogue()) {
    const hasId = types.has(`${entry.table}.id`);
    for (const column of Object.keys(entry.columns)) {
      const type = types.get(`${entry.table}.${column}`);
      if (type === undefined || !TEXTUAL.has(type)) continue;
      const col = sql.ref(column);
      const rows = await sql<{ rid: string | null; v: string }>`
        select ${hasId ? sql`id::text` : sql`null`} as rid, ${col}::text as v from ${sql.table(entry.table)}
        where ${col}::text ilike any (${sql.val(patterns)}::text[])`.execute(raw);
      let held = 0;
      let free = 0;
      for (const r of rows.rows) {
        const n = lowered.filter((v) => r.v.toLowerCase().includes(v)).length;
        const isHeld = r.rid !== null && (entry.table === 'archived_records' ? archiveIds.has(r.rid) : (byTable.get(entry.table)?.has(r.rid) ?? false));
        if (isHeld) held += n;
        else free += n;
      }
      if (free > 0) found.push({ where: `${entry.table}.${column}`, count: free, held: false });
      if (held > 0) found.push({ where: `${entry.table}.${column}`, count: held, held: true });
    }
  }
  if (options.dataDir) {
    const byStore = new Map<string, number>();
    for (const f of await fileStoreFiles(options.dataDir)) {
      const text = await searchableText(f.path);
      const n = lowered.filter((v) => text.includes(v)).length;
      if (n > 0) byStore.set(f.store, (byStore.get(f.store) ?? 0) + n);
    }
    for (const [store, count] of byStore) found.push({ where: `file:${store}`, count, held: false });
  }
  return { found };
}
