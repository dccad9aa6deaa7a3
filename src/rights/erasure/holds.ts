import { sql, type Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { addDuration, type LoadedPolicy } from '../../policy/index.js';

/**
 * Where each record type a hold names lives, and the date its hold runs from. The
 * policy names record types (`invoice`, `ledger_entry`); this is the one place that
 * says which table holds them: our ledger entries are the payments.
 * Connection logs are kept 12 months by legal obligation (P1.7, P4.4; Art. 17(3)(b)),
 * from the `connection_logs` purpose's retention.
 */
export const HELD_RECORD_TABLES: Readonly<Record<string, { readonly table: string; readonly dateColumn: string }>> = Object.freeze({
  invoice: { table: 'invoices', dateColumn: 'issue_date' },
  ledger_entry: { table: 'payments', dateColumn: 'paid_at' },
  connection_log: { table: 'connection_logs', dateColumn: 'at' },
});

/** A statutory hold on one table's rows. */
export interface TableHold {
  readonly table: string;
  readonly dateColumn: string;
  readonly basis: string;
  /** When the hold ends for a row dated `date` (YYYY-MM-DD), as YYYY-MM-DD. */
  until(date: string): string;
  /** Whether the row stays where it is, untouched (an append-only table), rather than unlinked. */
  readonly inPlace: boolean;
}

/** The financial year's last day: the calendar year, the usual case in France (Code de commerce L123-12). */
export function financialYearEnd(date: string): string {
  return `${date.slice(0, 4)}-12-31`;
}

/** The statutory holds by table, from the policy's `retention.holds` and legal-obligation purposes. */
export function statutoryHolds(policy: LoadedPolicy): ReadonlyMap<string, TableHold> {
  const out = new Map<string, TableHold>();
  for (const purpose of policy.purposes) {
    for (const hold of purpose.retention.holds ?? []) {
      for (const record of hold.records) {
        const where = HELD_RECORD_TABLES[record];
        if (!where) throw new RempartError('POLICY_INVALID', `The hold of purpose ${purpose.id} names record type "${record}", which no table holds.`);
        out.set(where.table, {
          ...where,
          basis: hold.basis,
          inPlace: false,
          until: (date) => addDuration(hold.from === 'financial_year_end' ? financialYearEnd(date) : date, hold.duration),
        });
      }
    }
    if (purpose.legalBases.includes('legal_obligation') && purpose.id === 'connection_logs') {
      const where = HELD_RECORD_TABLES.connection_log!;
      out.set(where.table, {
        ...where,
        basis: 'GDPR Art. 17(3)(b): legal obligation to keep connection logs 12 months (P1.7)',
        inPlace: true,
        until: (date) => addDuration(addDuration(date, purpose.retention.active), purpose.retention.archive),
      });
    }
  }
  return out;
}

/** A date or timestamp value as YYYY-MM-DD. */
export function isoDay(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return null;
}

/** The end of a hold day, as the instant stored in `hold_until`. */
export function endOfDay(day: string): Date {
  return new Date(`${day}T23:59:59.999Z`);
}

/** Sets a litigation hold on a person (Art. 17(3)(e)): erasure then archives their records instead of losing them. */
export async function setLegalHold(db: Kysely<Database>, personId: string, hold: { readonly reason: string; readonly setBy: string; readonly now?: Date }): Promise<string> {
  if (hold.reason.trim() === '') throw new RempartError('VALIDATION_FAILED', 'A legal hold needs its reason.', { details: [{ field: 'reason', message: 'required' }] });
  const id = newId();
  await db.insertInto('legalHolds').values({ id, personId, reason: hold.reason, setBy: hold.setBy, setAt: hold.now ?? new Date() }).execute();
  return id;
}

/** Lifts a litigation hold; the records it kept become erasable when nothing else holds them. */
export async function liftLegalHold(db: Kysely<Database>, holdId: string, now: Date = new Date()): Promise<void> {
  await db.updateTable('legalHolds').set({ liftedAt: now }).where('id', '=', holdId).where('liftedAt', 'is', null).execute();
}

/**
 * Rows kept whatever an erasure says: `archived_records` rows under an active hold (by
 * source table, their record ids; and the archive rows' own ids), and open rights
 * requests, which must still be answered (GDPR Art. 12(3)) and keep only a keyed hash
 * once closed.
 */
export async function activeHolds(db: Kysely<Database>, now: Date): Promise<{ byTable: Map<string, Set<string>>; archiveIds: Set<string> }> {
  const rows = await sql<{ id: string; source_table: string; record_id: string | null }>`
    select a.id, a.source_table, a.record_id from archived_records a
    left join legal_holds h on h.id = a.legal_hold_id
    where (a.hold_until is not null and a.hold_until > ${now})
       or (a.hold_until is null and a.legal_hold_id is not null and h.lifted_at is null)`.execute(db.withoutPlugins());
  const byTable = new Map<string, Set<string>>();
  const archiveIds = new Set<string>();
  for (const r of rows.rows) {
    archiveIds.add(r.id);
    if (r.record_id === null) continue;
    const set = byTable.get(r.source_table) ?? new Set<string>();
    set.add(r.record_id);
    byTable.set(r.source_table, set);
  }
  const open = await db.selectFrom('rightsRequests').select('id').where('state', 'not in', ['answered', 'refused', 'withdrawn']).execute();
  if (open.length > 0) byTable.set('rights_requests', new Set(open.map((r) => r.id)));
  return { byTable, archiveIds };
}
