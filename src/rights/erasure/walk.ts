import { sql, type Kysely } from 'kysely';
import { CATALOGUE, type SubjectLink, type TableEntry } from '../../catalogue/catalogue.js';
import type { Database } from '../../db/schema.js';

/** A row as the database returns it, by SQL column name. */
export type RawRow = Record<string, unknown>;

/**
 * The catalogue the rights engines walk: every table, the rights tables included, but
 * not the tables held as a processor (training): the client is their controller and
 * answers its employees (GDPR Art. 28(3)(e)); a prospect's erasure must neither touch
 * nor find a trainee who shares the address.
 */
export function rightsCatalogue(): readonly TableEntry[] {
  return CATALOGUE.filter((t) => t.processor !== true);
}

/** The rows of `entry` that concern the person through `link` (SQL names, no plugins). */
export async function rowsThrough(db: Kysely<Database>, entry: TableEntry, link: SubjectLink, personId: string): Promise<RawRow[]> {
  const raw = db.withoutPlugins();
  const t = sql.table(entry.table);
  const query = link.via
    ? sql<RawRow>`select * from ${t} where ${sql.ref(link.via.subjectColumn)} in (select ${sql.ref(link.via.column)} from ${sql.table(link.via.table)} where ${sql.ref(link.column)} = ${personId})`
    : sql<RawRow>`select * from ${t} where ${sql.ref(link.column)} = ${personId}`;
  return (await query.execute(raw)).rows;
}
