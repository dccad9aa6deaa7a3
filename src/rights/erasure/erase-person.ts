import { unlink } from 'node:fs/promises';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { purgeConnectionLogs } from '../../access/connection-logs/purge.js';
import type { GateAuditEvent } from '../../access/gate.js';
import type { TableEntry } from '../../catalogue/catalogue.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { isOpposed } from '../opposition/opposition-list.js';
import { notifyRecipients } from '../recipients/recipients.js';
import { endOfDay, isoDay, statutoryHolds, type TableHold } from './holds.js';
import { fileStoreFiles, searchableText } from './file-stores.js';
import { appendJournalFile, journalErasure, type JournalEntry } from './journal.js';
import { rightsCatalogue, rowsThrough, type RawRow } from './walk.js';
import { ARCHIVE_TABLE } from '../../retention/catalogue-entries.js';

/** How an erasure runs. */
export interface ErasureOptions {
  /** Why (the request, the retention end): written to the audit event. */
  readonly reason: string;
  readonly now: Date;
  /** The server key: the opposition check and the recipients' sealed notices. */
  readonly key: Buffer;
  /** Where the one audit event goes, in the erasure's transaction (src/access/audit `auditSink`). */
  readonly audit: { inTransaction(tx: Transaction<Database>, events: readonly GateAuditEvent[]): Promise<void> };
  readonly actor: Actor;
  /** The data dir: its file stores (outbox, uploads) are cleared of the person's files. */
  readonly dataDir?: string;
  /**
   * `plain` (default) vacuums the touched tables; `full` rewrites them, so no page of
   * the old files keeps a deleted value (an exclusive lock: for small stores); `none` skips.
   */
  readonly vacuum?: 'plain' | 'full' | 'none';
  /** Whether the erasure is journalled for restores (journal.ts); false only when a restore replays the journal itself. */
  readonly journal?: boolean;
}

/** Rows kept because a law or a litigation requires it (Art. 17(3)(b),(e)). */
export interface KeptRecords {
  readonly table: string;
  readonly count: number;
  readonly basis: string;
  /** YYYY-MM-DD, or null: until the litigation hold is lifted. */
  readonly until: string | null;
}

/** What an erasure did: the answer to the person lists what was kept and why (P5.3). */
export interface ErasureReport {
  readonly personIds: readonly string[];
  /** Rows deleted, by table. */
  readonly deleted: Readonly<Record<string, number>>;
  /** Rows left in place as records of the organisation, their link to the person removed. */
  readonly unlinked: Readonly<Record<string, number>>;
  readonly kept: readonly KeptRecords[];
  /** Files removed from the file stores. */
  readonly filesDeleted: number;
  /** The person objected to prospecting: their opposition entry stays, the only way to honour it. */
  readonly oppositionKept: boolean;
  /** Recipients queued to be told (Art. 19). */
  readonly recipientsNotified: number;
}

const add = (m: Record<string, number>, k: string, n: number) => {
  if (n > 0) m[k] = (m[k] ?? 0) + n;
};

/** Tables with a meaning of their own to erasure: the holds and the archive are handled apart. */
const OWN = new Set(['legal_holds', 'archived_records', ARCHIVE_TABLE]);

/**
 * Open rights requests are not erased: the controller must still answer them (GDPR
 * Art. 12(3)), and on closing a request keeps only a keyed hash of the person (Art. 5(2)).
 */
const OPEN_REQUESTS = 'rights_requests';

function proofData(entry: TableEntry, row: RawRow, full: boolean): Record<string, unknown> {
  // P4.5: only the fields needed as proof. Accounting proof is the financial record
  // without the person's link; a litigation may need every field.
  const subjectColumns = new Set(entry.subjects.filter((s) => !s.via).map((s) => s.column));
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    const c = entry.columns[column];
    if (!full && (subjectColumns.has(column) || (c?.personal && c.category !== 'financial'))) continue;
    out[column] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

async function archive(
  tx: Kysely<Database>,
  row: { table: string; recordId: string | null; personId: string; data: Record<string, unknown>; reason: string; holdUntil: Date | null; legalHoldId: string | null; now: Date },
): Promise<void> {
  await tx
    .insertInto('archivedRecords')
    .values({
      id: newId(row.now.getTime()),
      sourceTable: row.table,
      recordId: row.recordId,
      personId: row.personId,
      legalHoldId: row.legalHoldId,
      data: JSON.stringify(row.data),
      reason: row.reason,
      holdUntil: row.holdUntil,
      archivedAt: row.now,
    })
    .execute();
}

/**
 * Erasure (GDPR Art. 17; P5.3), walking the catalogue: every row concerning the person
 * is deleted, except what a law keeps (Art. 17(3)(b): invoices and ledger entries 10
 * years, L123-22; connection logs 12 months) or a litigation hold keeps (Art. 17(3)(e)):
 * those are copied to the intermediate archive with their reason and only the fields
 * needed as proof (P4.5), and unlinked from the person where they stay in place. A row
 * linked through another table's row (a contract through its contacts, a payment
 * through its invoice) concerns the person only through that row: once that row is
 * gone or unlinked, it remains a record of the organisation (recital 14). The opposition
 * entry, holding no link to the person, stays. One transaction, one audit event (table
 * names only), then the touched tables are vacuumed so deleted values leave the files.
 */
export async function erasePerson(db: Kysely<Database>, policy: LoadedPolicy, personIds: readonly string[], options: ErasureOptions): Promise<ErasureReport> {
  if (options.reason.trim() === '') throw new RempartError('VALIDATION_FAILED', 'An erasure needs its reason.', { details: [{ field: 'reason', message: 'required' }] });
  const { now } = options;
  const holds = statutoryHolds(policy);
  const catalogue = rightsCatalogue();
  const deleted: Record<string, number> = {};
  const unlinked: Record<string, number> = {};
  const kept = new Map<string, { table: string; count: number; basis: string; until: string | null }>();
  const keep = (table: string, basis: string, until: string | null) => {
    const k = `${table}\u0000${basis}`;
    const cur = kept.get(k) ?? { table, count: 0, basis, until };
    cur.count++;
    if (cur.until !== null && (until === null || until > cur.until)) cur.until = until;
    kept.set(k, cur);
  };
  const touched = new Set<string>();
  const identifiers: string[] = [];
  let oppositionKept = false;
  let recipientsNotified = 0;
  let expiredInPlace = false;
  const journalled: JournalEntry[] = [];

  // Inside the caller's transaction when given one (a restore replays erasures in its own),
  // else in a transaction of its own.
  const run = async (tx: Kysely<Database>): Promise<void> => {
    const raw = tx.withoutPlugins();
    for (const personId of personIds) {
      const person = await tx.selectFrom('people').select(['email', 'phones', 'lastName', 'firstName']).where('id', '=', personId).executeTakeFirst();
      const phones = (person?.phones ?? []).map((p) => p.number);
      if (person?.email) identifiers.push(person.email);
      identifiers.push(...phones);
      if (person && options.journal !== false) {
        const entry = await journalErasure(tx, options.key, { emails: [person.email], phones }, now);
        if (entry) journalled.push(entry);
      }
      if (person && (await isOpposed(tx, options.key, { email: person.email })) ) oppositionKept = true;
      for (const phone of phones) if (await isOpposed(tx, options.key, { phone })) oppositionKept = true;
      // Art. 19: the recipients are told, with what they need to find the person, before it goes.
      if (person) {
        recipientsNotified += await notifyRecipients(tx, options.key, { event: 'erasure', person: { email: person.email, phones, lastName: person.lastName, firstName: person.firstName }, personId, now });
      }

      const litigation = await tx.selectFrom('legalHolds').select(['id', 'reason']).where('personId', '=', personId).where('liftedAt', 'is', null).execute();

      // 1. Find every row first: a via-link must be followed before its link row goes.
      const found: { entry: TableEntry; link: TableEntry['subjects'][number]; rows: RawRow[] }[] = [];
      for (const entry of catalogue) {
        if (OWN.has(entry.table)) continue;
        if (entry.table === OPEN_REQUESTS) {
          const open = await tx.selectFrom('rightsRequests').select('id').where('personId', '=', personId).where('state', 'not in', ['answered', 'refused', 'withdrawn']).execute();
          for (let i = 0; i < open.length; i++) keep(OPEN_REQUESTS, 'GDPR Art. 12(3): the request is answered, then kept only as a keyed hash', null);
          continue;
        }
        for (const link of entry.subjects) found.push({ entry, link, rows: await rowsThrough(tx, entry, link, personId) });
      }

      // 2. Archive what a hold keeps.
      for (const { entry, rows } of found) {
        const hold: TableHold | undefined = holds.get(entry.table);
        for (const row of rows) {
          const recordId = 'id' in row && row.id !== null ? String(row.id) : null;
          for (const l of litigation) {
            await archive(tx, { table: entry.table, recordId, personId, data: proofData(entry, row, true), reason: `Litigation hold (GDPR Art. 17(3)(e)): ${l.reason}`, holdUntil: null, legalHoldId: l.id, now });
            keep(entry.table, 'GDPR Art. 17(3)(e): litigation hold', null);
            touched.add('archived_records');
          }
          if (!hold) continue;
          const day = isoDay(row[hold.dateColumn]);
          const until = day === null ? null : hold.until(day);
          if (until === null || endOfDay(until) <= now) {
            if (hold.inPlace) expiredInPlace = true;
            continue;
          }
          await archive(tx, { table: entry.table, recordId, personId, data: hold.inPlace ? {} : proofData(entry, row, false), reason: hold.basis, holdUntil: endOfDay(until), legalHoldId: null, now });
          touched.add('archived_records');
          keep(entry.table, hold.basis, until);
        }
      }

      // 3. Delete or unlink, children before parents (the catalogue lists parents first), the people row last.
      for (const { entry, link, rows } of [...found].reverse().sort((a, b) => Number(a.link.column === 'id') - Number(b.link.column === 'id'))) {
        if (link.via || rows.length === 0) continue;
        const hold = holds.get(entry.table);
        if (hold?.inPlace) continue; // append-only by law: kept as is, purged by its own engine
        touched.add(entry.table);
        if (hold) {
          const res = await sql`update ${sql.table(entry.table)} set ${sql.ref(link.column)} = null where ${sql.ref(link.column)} = ${personId}`.execute(raw);
          add(unlinked, entry.table, Number(res.numAffectedRows ?? 0));
          continue;
        }
        const res = await sql`delete from ${sql.table(entry.table)} where ${sql.ref(link.column)} = ${personId}`.execute(raw);
        add(deleted, entry.table, Number(res.numAffectedRows ?? 0));
      }

      // 4. The holds and the archive of the person: kept while active, otherwise gone.
      const lifted = await tx.deleteFrom('legalHolds').where('personId', '=', personId).where('liftedAt', 'is not', null).executeTakeFirst();
      add(deleted, 'legal_holds', Number(lifted.numDeletedRows));
      for (let i = 0; i < litigation.length; i++) keep('legal_holds', 'GDPR Art. 17(3)(e): litigation hold', null);
      const expired = await sql`
        delete from archived_records a where a.person_id = ${personId}
          and not ((a.hold_until is not null and a.hold_until > ${now})
               or (a.hold_until is null and exists (select 1 from legal_holds h where h.id = a.legal_hold_id and h.lifted_at is null)))`.execute(raw);
      add(deleted, 'archived_records', Number(expired.numAffectedRows ?? 0));
      // The retention archive (P4.5): under a litigation hold it all stays; otherwise
      // accounting records still inside their hold (L123-22) stay, unlinked from the
      // person, and everything else of theirs goes.
      if (litigation.length === 0) {
        const accounting = [...holds.values()].filter((h) => !h.inPlace).map((h) => h.table);
        const today = isoDay(now)!;
        const keptAccounting = await sql`
          update archive.records set person_id = null
          where person_id = ${personId} and source_table = any(${accounting}::text[]) and delete_on > ${today}::date`.execute(raw);
        const n = Number(keptAccounting.numAffectedRows ?? 0);
        if (n > 0) {
          add(unlinked, ARCHIVE_TABLE, n);
          for (let i = 0; i < n; i++) keep(ARCHIVE_TABLE, 'Code de commerce L123-22: accounting records kept in the archive', null);
        }
        const gone = await sql`delete from archive.records where person_id = ${personId}`.execute(raw);
        add(deleted, ARCHIVE_TABLE, Number(gone.numAffectedRows ?? 0));
        if (n + Number(gone.numAffectedRows ?? 0) > 0) touched.add(ARCHIVE_TABLE);
      } else {
        const held = await sql<{ n: string | number }>`select count(*) as n from archive.records where person_id = ${personId}`.execute(raw);
        for (let i = 0; i < Number(held.rows[0]?.n ?? 0); i++) keep(ARCHIVE_TABLE, 'GDPR Art. 17(3)(e): litigation hold', null);
      }
      if (Number(lifted.numDeletedRows) > 0) touched.add('legal_holds');
      if (Number(expired.numAffectedRows ?? 0) > 0) touched.add('archived_records');
    }

    const event: GateAuditEvent = {
      at: now,
      actor: options.actor.id,
      role: options.actor.role,
      purpose: null,
      action: 'delete',
      resource: 'subject',
      recordIds: [],
      personIds: [...personIds],
      fields: [...touched].sort(),
      reason: options.reason,
    };
    await options.audit.inTransaction(tx as Transaction<Database>, [event]);
  };
  const inCallerTransaction = db.isTransaction;
  if (inCallerTransaction) await run(db);
  else await db.transaction().execute(run);

  // The data directory's copy of the journal, once the erasure is committed (journal.ts).
  if (options.dataDir) await appendJournalFile(options.dataDir, journalled);

  // Connection logs are append-only (P4.4): the person's entries past their 12 months
  // leave through the legal purge itself, which the erasure runs now rather than wait.
  // (In a caller's transaction the purge is left to the daily job: it needs its own.)
  if (expiredInPlace && !inCallerTransaction) {
    add(deleted, 'connection_logs', await purgeConnectionLogs(db, now));
    touched.add('connection_logs');
  }

  // File stores: messages and uploads naming the person (P5.3: "every trace").
  let filesDeleted = 0;
  if (options.dataDir && identifiers.length > 0) {
    const needles = identifiers.map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
    for (const f of await fileStoreFiles(options.dataDir)) {
      const text = await searchableText(f.path);
      if (needles.some((n) => text.includes(n))) {
        await unlink(f.path);
        filesDeleted++;
      }
    }
  }

  // VACUUM cannot run in a transaction: a caller that gave one vacuums after its commit.
  if (!inCallerTransaction) await vacuum(db, [...touched], options.vacuum ?? 'plain');
  return {
    personIds: [...personIds],
    deleted,
    unlinked,
    kept: [...kept.values()].sort((a, b) => a.table.localeCompare(b.table)),
    filesDeleted,
    oppositionKept,
    recipientsNotified,
  };
}

/**
 * VACUUM the tables, outside any transaction (PostgreSQL refuses it inside one), on
 * both engines: deleted tuples leave the heap and the indexes, so their values do not
 * linger for whoever reads the files (P5.3). FULL also rewrites the files.
 */
export async function vacuum(db: Kysely<Database>, tables: readonly string[], mode: 'plain' | 'full' | 'none' = 'plain'): Promise<void> {
  if (mode === 'none') return;
  for (const table of [...new Set(tables)].sort()) {
    await sql`vacuum ${sql.raw(mode === 'full' ? '(full, analyze)' : '(analyze)')} ${sql.table(table)}`.execute(db.withoutPlugins());
  }
}
