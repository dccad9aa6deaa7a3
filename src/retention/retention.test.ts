import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import type { Database } from '../db/schema.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { previewRetention, isPastRetention } from './preview.js';
import { runRetention } from './sweep.js';
import { seedRetentionFixture, type RetentionFixture } from './test-support.js';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

async function count(db: Kysely<Database>, table: string, where: string, id: string): Promise<number> {
  const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(where)}::text = ${id}`.execute(db.withoutPlugins());
  return Number(r.rows[0]!.n);
}
const inPeople = (db: Kysely<Database>, id: string) => count(db, 'people', 'id', id);
const inArchive = (db: Kysely<Database>, id: string) => count(db, 'archive.records', 'id', id);

describeEachEngine('retention sweep, time travel at every boundary (P4.1–P4.6)', (store) => {
  let policy: LoadedPolicy;
  let f: RetentionFixture;
  const db = () => store().db;
  /** Runs the sweep on `d`, then checks a second run finds nothing due (idempotent, P4.6). */
  const runOn = async (d: string) => {
    await runRetention(db(), policy, { at: day(d), batchSize: 2 });
    const plan = await previewRetention(db(), policy, d);
    expect(plan.due.filter((l) => l.count > 0), `nothing due right after a run on ${d}`).toEqual([]);
  };

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    f = await seedRetentionFixture(db());
  });

  // The runs travel forward in time on one store, each boundary checked the day before and the day after.

  it('P4.1 a client contact stays active the day before the 3 years after the relationship ends (2023-06-29)', async () => {
    await runOn('2023-06-29');
    expect(await inPeople(db(), f.client)).toBe(1);
    expect(await count(db(), 'invoices', 'id', f.invoice)).toBe(1);
    expect(await inArchive(db(), f.client)).toBe(0);
  });

  it('P4.1 P4.5 the day after, the contact and their records are in the archive with only the kept fields; the rest is deleted', async () => {
    await runOn('2023-07-01');
    expect(await inPeople(db(), f.client)).toBe(0);
    const archived = await sql<{ source_table: string; data: Record<string, unknown>; delete_on: string; end_action: string }>`
      select source_table, data, delete_on::text as delete_on, end_action from archive.records where person_id = ${f.client} or id = ${f.invoice} order by source_table`.execute(db().withoutPlugins());
    const tables = archived.rows.map((r) => r.source_table);
    expect(tables).toEqual(expect.arrayContaining(['people', 'orders', 'deliveries', 'complaints', 'contract_contacts', 'invoices']));
    expect(tables).not.toContain('surveys');
    expect(await count(db(), 'surveys', 'id', f.survey)).toBe(0);
    const personRow = archived.rows.find((r) => r.source_table === 'people')!;
    expect(Object.keys(personRow.data).sort()).toEqual(['collected_at', 'first_name', 'id', 'last_name', 'organisation_id', 'relation', 'source']);
    expect(JSON.stringify(archived.rows)).not.toContain('@exemple.fr');
    expect(personRow).toMatchObject({ delete_on: '2025-06-30', end_action: 'anonymise' });
    // Archived rows keep their ids; the invoice's accounting hold runs 10 years from the close of the year of its last payment.
    expect(archived.rows.find((r) => r.source_table === 'invoices')).toMatchObject({ delete_on: '2030-12-31', end_action: 'delete' });
    expect(await count(db(), 'invoices', 'id', f.invoice)).toBe(0);
    expect(await count(db(), 'payments', 'id', f.payment)).toBe(0);
    expect(await inArchive(db(), f.payment)).toBe(1);
    // An open-ended contract keeps its contact active; a litigation hold keeps its person.
    expect(await inPeople(db(), f.openClient)).toBe(1);
    expect(await inPeople(db(), f.heldClient)).toBe(1);
  });

  it('P4.1 each batch left one audit event with counts and record ids', async () => {
    const events = await sql<{ event: { resource: string; recordIds: string[]; reason: string } }>`select event from audit_queue`.execute(db().withoutPlugins());
    const chained = await sql<{ n: string | number }>`select count(*) as n from audit_entries where resource = 'retention'`.execute(db().withoutPlugins()).catch(() => ({ rows: [{ n: 0 }] }));
    const retention = events.rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { resource: string; recordIds: string[]; reason: string }).filter((e) => e.resource === 'retention');
    expect(retention.length + Number(chained.rows[0]!.n)).toBeGreaterThan(0);
    const people = retention.find((e) => e.recordIds.includes(f.client));
    expect(people?.reason).toMatch(/archive people=\d/);
  });

  it('P4.2 a prospect is kept the day before 3 years from collection, deleted the day after', async () => {
    await runOn('2024-03-14');
    expect(await inPeople(db(), f.prospect)).toBe(1);
    expect(await isPastRetention(db(), policy, f.prospect, '2024-03-14')).toBe(false);
    expect(await isPastRetention(db(), policy, f.prospect, '2024-03-15')).toBe(true);
    await runOn('2024-03-16');
    expect(await inPeople(db(), f.prospect)).toBe(0);
    expect(await inArchive(db(), f.prospect)).toBe(0);
  });

  it('P4.2 file-exchange data: 3 years from collection, ± 1 day', async () => {
    // 2025-02-10 is its term; the runs above were before it.
    await runOn('2025-02-09');
    expect(await inPeople(db(), f.shared)).toBe(1);
    await runOn('2025-02-11');
    expect(await inPeople(db(), f.shared)).toBe(0);
  });

  it('P4.4 a connection-log entry is purged 12 months after it was written, ± 1 day', async () => {
    await runOn('2025-05-10');
    expect(await count(db(), 'connection_logs', 'id', f.log)).toBe(1);
    await runOn('2025-05-12');
    expect(await count(db(), 'connection_logs', 'id', f.log)).toBe(0);
  });

  it('P4.1 the archived contact is anonymised at the 5-year limitation, ± 1 day; the invoice stays under its hold', async () => {
    await runOn('2025-06-29');
    expect(await inArchive(db(), f.client)).toBe(1);
    await runOn('2025-07-01');
    expect(await inArchive(db(), f.client)).toBe(0);
    expect(await count(db(), 'archive.records', 'person_id', f.client)).toBe(0);
    expect(await inArchive(db(), f.invoice)).toBe(1);
    expect(await inPeople(db(), f.heldClient)).toBe(1);
  });

  it('P4.2 a last contact from the person restarts the 3 years: deleted 3 years after it, ± 1 day', async () => {
    await runOn('2025-08-31');
    expect(await inPeople(db(), f.contacted)).toBe(1);
    await runOn('2025-09-02');
    expect(await inPeople(db(), f.contacted)).toBe(0);
  });

  it('closed rights requests are deleted 5 years after closing, ± 1 day', async () => {
    await runOn('2026-01-09');
    expect(await count(db(), 'rights_requests', 'id', f.closedRequest)).toBe(1);
    await runOn('2026-01-11');
    expect(await count(db(), 'rights_requests', 'id', f.closedRequest)).toBe(0);
  });

  it('P4.1 L123-22 invoices and payments leave the archive 10 years after the close of their financial year, ± 1 day; erasure holds likewise', async () => {
    await runOn('2030-12-30');
    expect(await inArchive(db(), f.invoice)).toBe(1);
    await runOn('2031-01-01');
    expect(await inArchive(db(), f.invoice)).toBe(0);
    expect(await inArchive(db(), f.payment)).toBe(0);
    // The erasure's held copy: kept through 2030-12-31, released on 2031-01-01.
    expect(await count(db(), 'archived_records', 'id', f.erasureHeld)).toBe(0);
  });

  it('P4.1 a litigation hold keeps the person past every term until the dpo lifts it; then the next run ends them', async () => {
    await runOn('2031-01-02');
    expect(await inPeople(db(), f.heldClient)).toBe(1);
    await sql`update legal_holds set lifted_at = ${new Date('2031-01-02T10:00:00Z')} where id = ${f.heldId}`.execute(db().withoutPlugins());
    const plan = await previewRetention(db(), policy, '2031-01-03');
    expect(plan.due.find((l) => l.purpose === 'crm' && l.action === 'anonymise')?.count).toBe(1);
    await runOn('2031-01-03');
    expect(await inPeople(db(), f.heldClient)).toBe(0);
    // Never archived: past its end, it is ended directly.
    expect(await inArchive(db(), f.heldClient)).toBe(0);
    expect(await inPeople(db(), f.openClient)).toBe(1);
  });
});

describeEachEngine('retention plan (P4.6)', (store) => {
  let policy: LoadedPolicy;
  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    await seedRetentionFixture(store().db, 7);
  });

  it('P4.6 the plan shows what is due on a date and what changes in the 30/90/365 days after, without changing anything', async () => {
    const plan = await previewRetention(store().db, policy, '2023-06-01');
    const line = (w: '30' | '90' | '365', purpose: string, action: string) => plan.upcoming[w].find((l) => l.purpose === purpose && l.action === action)?.count;
    expect(plan.at).toBe('2023-06-01');
    expect(plan.due.every((l) => l.count === 0)).toBe(true);
    // Client contact and invoice archived 2023-06-30: within 30 days.
    expect(line('30', 'crm', 'archive')).toBe(2);
    expect(line('90', 'crm', 'archive')).toBe(2);
    // Prospect deleted 2024-03-15: within 365 days, not 90.
    expect(line('90', 'prospecting', 'delete')).toBe(0);
    expect(line('365', 'prospecting', 'delete')).toBe(1);
    const later = await previewRetention(store().db, policy, '2026-02-01');
    const due = (purpose: string, action: string) => later.due.find((l) => l.purpose === purpose && l.action === action)?.count;
    expect(due('crm', 'anonymise')).toBe(1);
    expect(due('prospecting', 'delete')).toBe(2);
    expect(due('file_sharing', 'delete')).toBe(1);
    expect(due('connection_logs', 'delete')).toBe(1);
    expect(due('closed_requests', 'delete')).toBe(1);
    expect(await sql`select 1 from people`.execute(store().db).then((r) => r.rows.length)).toBe(6);
  });
});

describe('retention plan input', () => {
  it('P4.6 a plan date that is not a calendar date is refused', async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    await expect(previewRetention(null as unknown as Kysely<Database>, policy, '2023-13-01')).rejects.toThrow(/calendar date/);
  });
});
