/**
 * Test support for the retention engine: a small base with one record at each rule and
 * each hold, whose boundaries the tests travel across. Test code only: rows go straight
 * into the tables.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The ids of the fixture, and the boundary day of each rule (the first day of the new phase). */
export interface RetentionFixture {
  /** Client contact of an organisation whose last contract ended 2020-06-30: archived 2023-06-30, anonymised 2025-06-30. */
  readonly client: string;
  /** Client contact of an organisation with an open-ended contract: stays active. */
  readonly openClient: string;
  /** Client contact, relationship ended 2020-06-30, under a dpo litigation hold. */
  readonly heldClient: string;
  readonly heldId: string;
  /** Prospect collected 2021-03-15, no contact since: deleted 2024-03-15. */
  readonly prospect: string;
  /** Prospect collected 2020-01-01, last contact from them 2022-09-01: deleted 2025-09-01. */
  readonly contacted: string;
  /** file_sharing person collected 2022-02-10: deleted 2025-02-10. */
  readonly shared: string;
  /** Invoice of `client`, issued 2019-05-10, paid 2020-02-01: archived 2023-06-30, deleted 2030-12-31 (L123-22). */
  readonly invoice: string;
  readonly payment: string;
  readonly order: string;
  readonly survey: string;
  /** A record the erasure kept until 2030-12-31 end of day: released 2031-01-01. */
  readonly erasureHeld: string;
  /** A rights request closed 2021-01-10: deleted 2026-01-10. */
  readonly closedRequest: string;
  /** Connection-log entry of 2024-05-10: purged by a run on 2025-05-11. */
  readonly log: string;
}

/** Deterministic uuids, so two fixtures (a clean run and a crashed one) hold the same ids. */
export function fixedId(prefix: number, i: number): string {
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

async function insert(db: Kysely<Database>, table: string, row: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(row);
  const values = cols.map((c) => {
    const v = row[c];
    return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
  });
  await sql`insert into ${sql.table(table)} (${sql.join(cols.map((c) => sql.ref(c)))}) values (${sql.join(values)})`.execute(db.withoutPlugins());
}

/** Seeds the fixture; `prefix` keeps the ids of two seedings apart or equal. */
export async function seedRetentionFixture(db: Kysely<Database>, prefix = 1): Promise<RetentionFixture> {
  const id = (i: number) => fixedId(prefix, i);
  const [orgEnded, orgOpen, orgHeld] = [id(1), id(2), id(3)];
  await insert(db, 'organisations', { id: orgEnded, name: 'Ended SA' });
  await insert(db, 'organisations', { id: orgOpen, name: 'Open SA' });
  await insert(db, 'organisations', { id: orgHeld, name: 'Held SA' });
  await insert(db, 'contracts', { id: id(10), organisation_id: orgEnded, offer: 'audit', start_date: '2018-01-01', end_date: '2020-06-30', status: 'ended' });
  await insert(db, 'contracts', { id: id(11), organisation_id: orgEnded, offer: 'training', start_date: '2018-01-01', end_date: '2019-12-31', status: 'ended' });
  await insert(db, 'contracts', { id: id(12), organisation_id: orgOpen, offer: 'audit', start_date: '2019-01-01', status: 'active' });
  await insert(db, 'contracts', { id: id(13), organisation_id: orgHeld, offer: 'audit', start_date: '2018-01-01', end_date: '2020-06-30', status: 'ended' });
  const person = (i: number, o: Record<string, unknown>) =>
    insert(db, 'people', { id: id(i), relation: 'client_contact', last_name: `Nom${i}`, first_name: `Prénom${i}`, email: `p${i}@exemple.fr`, source: 'contract', collected_at: new Date('2018-01-01T09:00:00Z'), ...o });
  await person(20, { organisation_id: orgEnded, job_title: 'DAF' });
  await person(21, { organisation_id: orgOpen });
  await person(22, { organisation_id: orgHeld });
  await person(23, { purpose: 'prospecting', relation: 'prospect', source: 'salon', collected_at: new Date('2021-03-15T10:00:00Z') });
  await person(24, { purpose: 'prospecting', relation: 'prospect', source: 'salon', collected_at: new Date('2020-01-01T10:00:00Z'), last_contact_at: new Date('2022-09-01T15:00:00Z') });
  await person(25, { purpose: 'file_sharing', relation: 'prospect', source: 'partner', collected_at: new Date('2022-02-10T10:00:00Z') });
  await insert(db, 'contract_contacts', { contract_id: id(10), person_id: id(20) });
  await insert(db, 'orders', { id: id(30), organisation_id: orgEnded, contract_id: id(10), person_id: id(20), number: `O-${prefix}-1`, ordered_at: '2019-03-01', amount: '1200.00' });
  await insert(db, 'deliveries', { id: id(31), order_id: id(30), organisation_id: orgEnded, recipient_person_id: id(20), recipient_name: 'Nom20', delivery_address: { line1: '1 rue X', postcode: '75001', city: 'Paris', country: 'FR' } });
  await insert(db, 'surveys', { id: id(32), person_id: id(20), organisation_id: orgEnded, survey: 'nps', score: 9, comment: 'bien', answered_at: new Date('2019-05-01T00:00:00Z') });
  await insert(db, 'complaints', { id: id(33), person_id: id(20), organisation_id: orgEnded, subject: 'retard', opened_at: new Date('2019-04-01T00:00:00Z') });
  await insert(db, 'invoices', { id: id(40), organisation_id: orgEnded, contract_id: id(10), person_id: id(20), number: `F-${prefix}-1`, issue_date: '2019-05-10', due_date: '2019-06-10', amount: '1200.00', status: 'paid' });
  await insert(db, 'payments', { id: id(41), invoice_id: id(40), organisation_id: orgEnded, amount: '1200.00', paid_at: '2020-02-01', reference: 'VIR-1' });
  await insert(db, 'legal_holds', { id: id(50), person_id: id(22), reason: 'litige prud’homal', set_by: 'user:dpo', set_at: new Date('2021-01-01T00:00:00Z') });
  await insert(db, 'archived_records', { id: id(51), source_table: 'invoices', record_id: id(52), person_id: null, data: { number: 'F-OLD' }, reason: 'Code de commerce L123-22', hold_until: new Date('2030-12-31T23:59:59.999Z'), archived_at: new Date('2020-01-01T00:00:00Z') });
  await insert(db, 'rights_requests', {
    id: id(60), type: 'access', language: 'fr', channel: 'portal', state: 'answered', received_at: new Date('2020-12-01T00:00:00Z'), due_at: '2021-01-04',
    answered_at: new Date('2021-01-04T00:00:00Z'), closed_at: new Date('2021-01-10T08:00:00Z'), notice_version: 'v1', subject_hash: 'a'.repeat(64),
  });
  await insert(db, 'connection_logs', { id: id(70), at: new Date('2024-05-10T12:00:00Z'), service: 'backoffice', event: 'login', source_ip: '10.0.0.1', source_port: 1234, user_agent: 'test', outcome: 'success' });
  return {
    client: id(20), openClient: id(21), heldClient: id(22), heldId: id(50), prospect: id(23), contacted: id(24), shared: id(25),
    invoice: id(40), payment: id(41), order: id(30), survey: id(32), erasureHeld: id(51), closedRequest: id(60), log: id(70),
  };
}

/**
 * An ordered dump of the tables retention changes: every row as text, without the bookkeeping timestamps the
 * database sets at insert (no audit tables: batch boundaries differ by design).
 */
export async function retentionDump(db: Kysely<Database>): Promise<string[]> {
  const tables = ['people', 'contract_contacts', 'orders', 'deliveries', 'surveys', 'complaints', 'tickets', 'invoices', 'payments', 'debt_cases', 'archived_records', 'rights_requests', 'connection_logs', 'archive.records'];
  const out: string[] = [];
  for (const t of tables) {
    const res = await sql<{ r: string }>`select (to_jsonb(t) - 'created_at' - 'updated_at')::text as r from ${sql.table(t)} t order by 1`.execute(db.withoutPlugins());
    out.push(...res.rows.map((row) => `${t} ${row.r}`));
  }
  // The statistics fold places people by batch (k-anonymity), so the cells may differ between a clean and a
  // resumed run; what may not differ is how many people were folded per purpose: each exactly once.
  const folded = await sql<{ r: string }>`
    select purpose || ':' || sum(count)::text as r from (
      select purpose, count from statistics_counts
      union all select purpose, count from statistics_suppressed) x group by purpose order by 1`.execute(db.withoutPlugins());
  out.push(...folded.rows.map((r) => `folded ${r.r}`));
  return out;
}

/** The SHA-256 of `retentionDump`. */
export async function retentionDigest(db: Kysely<Database>): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update((await retentionDump(db)).join('\n')).digest('hex');
}
