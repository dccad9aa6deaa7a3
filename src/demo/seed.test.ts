import { sql, type Kysely } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { createTestStore, describeEachEngine } from '../../test/engines.js';
import type { Database } from '../db/schema.js';
import { DEMO_TABLES, type DemoCounts } from './generate.js';
import { hasPeople, seedDemo } from './seed.js';
import { isValidSiret } from '../identifiers/siret.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const OPTIONS = { people: 400, seed: 20261126, now: NOW } as const;

/** Tables in snake_case, as SQL names them. */
const SQL_TABLE: Record<(typeof DEMO_TABLES)[number], string> = {
  organisations: 'organisations',
  people: 'people',
  contracts: 'contracts',
  contractContacts: 'contract_contacts',
  orders: 'orders',
  deliveries: 'deliveries',
  invoices: 'invoices',
  payments: 'payments',
  debtCases: 'debt_cases',
  complaints: 'complaints',
  tickets: 'tickets',
  surveys: 'surveys',
};

/** Every row of every demo table, in a stable order, as JSON text (so Dates and jsonb compare alike). */
async function dump(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of DEMO_TABLES) {
    const name = SQL_TABLE[table];
    const order = table === 'contractContacts' ? 'contract_id, person_id' : 'id';
    const r = await sql<{ row: unknown }>`select to_jsonb(t) as row from ${sql.table(name)} t order by ${sql.raw(order)}`.execute(db);
    out[table] = r.rows.map((x) => JSON.stringify(x.row));
  }
  return out;
}

async function one<T>(db: Kysely<Database>, query: ReturnType<typeof sql<T>>): Promise<T> {
  const r = await query.execute(db);
  const row = r.rows[0];
  if (row === undefined) throw new Error('no row');
  return row;
}

describeEachEngine('seedDemo', (store, engine) => {
  let counts: DemoCounts;

  beforeAll(async () => {
    expect(await hasPeople(store().db)).toBe(false);
    const progress: number[] = [];
    counts = await seedDemo(store().db, { ...OPTIONS, onProgress: (p) => progress.push(p.people) });
    expect(progress.at(-1)).toBe(OPTIONS.people);
  });

  it('writes what it reports, and hasPeople sees it', async () => {
    expect(await hasPeople(store().db)).toBe(true);
    expect(counts.people).toBe(OPTIONS.people);
    for (const table of DEMO_TABLES) {
      const r = await one(store().db, sql<{ n: number }>`select count(*)::int as n from ${sql.table(SQL_TABLE[table])}`);
      expect(r.n, table).toBe(counts[table]);
    }
  });

  it('refuses to seed a database that already holds people', async () => {
    await expect(seedDemo(store().db, { ...OPTIONS, seed: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await hasPeople(store().db)).toBe(true);
  });

  it('writes the same rows for the same seed, on a second database', async () => {
    const other = await createTestStore(engine);
    try {
      await seedDemo(other.db, OPTIONS);
      expect(await dump(other.db)).toEqual(await dump(store().db));
    } finally {
      await other.close();
    }
  });

  it('stores valid SIRETs and jsonb contact details', async () => {
    const orgs = await store().db.selectFrom('organisations').select(['siret', 'addresses']).execute();
    for (const o of orgs) {
      expect(isValidSiret(o.siret ?? ''), o.siret ?? '').toBe(true);
      expect(Array.isArray(o.addresses)).toBe(true);
    }
    const person = await store().db.selectFrom('people').select(['phones', 'postalAddresses']).where('relation', '=', 'client_contact').limit(1).executeTakeFirstOrThrow();
    expect(Array.isArray(person.phones)).toBe(true);
    expect(person.phones[0]?.number).toMatch(/^\+33\d{9}$/);
  });

  it('has contracts of all four ages', async () => {
    const now = NOW.toISOString().slice(0, 10);
    const r = await one(
      store().db,
      sql<{ running: number; under3: number; mid: number; over5: number }>`
        select count(*) filter (where end_date is null or end_date > ${now}::date)::int as running,
               count(*) filter (where end_date <= ${now}::date and end_date > ${now}::date - interval '3 years')::int as under3,
               count(*) filter (where end_date <= ${now}::date - interval '3 years' and end_date > ${now}::date - interval '5 years')::int as mid,
               count(*) filter (where end_date <= ${now}::date - interval '5 years')::int as over5
        from contracts`,
    );
    expect(r.running).toBeGreaterThan(0);
    expect(r.under3).toBeGreaterThan(0);
    expect(r.mid).toBeGreaterThan(0);
    expect(r.over5).toBeGreaterThan(0);
  });

  it('has paid invoices with matching payments, and overdue ones', async () => {
    const r = await one(
      store().db,
      sql<{ paid: number; unmatched: number; overdue: number }>`
        select (select count(*)::int from invoices where status = 'paid') as paid,
               (select count(*)::int from invoices i where status = 'paid'
                  and not exists (select 1 from payments p where p.invoice_id = i.id and p.amount = i.amount)) as unmatched,
               (select count(*)::int from invoices where status = 'overdue') as overdue`,
    );
    expect(r.paid).toBeGreaterThan(0);
    expect(r.unmatched).toBe(0);
    expect(r.overdue).toBeGreaterThan(0);
  });

  it('hands only overdue invoices to recovery bodies', async () => {
    const rows = await store()
      .db.selectFrom('debtCases as d')
      .innerJoin('invoices as i', 'i.id', 'd.invoiceId')
      .innerJoin('organisations as b', 'b.id', 'd.recoveryBodyId')
      .select(['i.status as invoiceStatus', 'b.kind as bodyKind', 'i.organisationId as invoiceOrg', 'd.organisationId as caseOrg'])
      .execute();
    expect(rows.length).toBe(counts.debtCases);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.invoiceStatus).toBe('overdue');
      expect(r.bodyKind).toBe('recovery_body');
      expect(r.caseOrg).toBe(r.invoiceOrg);
    }
  });

  it('files prospects under the prospecting purpose, in prospect organisations', async () => {
    const r = await one(
      store().db,
      sql<{ prospects: number; misfiled: number }>`
        select count(*)::int as prospects,
               count(*) filter (where p.purpose <> 'prospecting' or o.kind <> 'prospect')::int as misfiled
        from people p join organisations o on o.id = p.organisation_id
        where p.relation = 'prospect'`,
    );
    expect(r.prospects).toBe(OPTIONS.people / 4);
    expect(r.misfiled).toBe(0);
  });
});
