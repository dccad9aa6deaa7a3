import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { invoiceGroups, invoicesPage, peopleGroups, peoplePage } from './facts.js';
import { PlanAccumulator, retentionRules } from './plan.js';
import { fixedId, seedRetentionFixture } from './test-support.js';

describeEachEngine('retention plan counted in groups (P4.6)', (store) => {
  let policy: LoadedPolicy;
  const db = () => store().db;

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    await seedRetentionFixture(db());
    // Beside the fixture: a contact linked by a contract of their own only, three prospects collected
    // the same day, a payment in a later financial year than its invoice, and one of an earlier day.
    const raw = db().withoutPlugins();
    const id = (i: number) => fixedId(9, i);
    await sql`insert into organisations (id, name) values (${id(1)}, 'Solo SA')`.execute(raw);
    await sql`insert into contracts (id, organisation_id, offer, start_date, end_date, status) values (${id(2)}, ${id(1)}, 'audit', '2017-01-01', '2021-03-31', 'ended')`.execute(raw);
    await sql`insert into people (id, purpose, relation, last_name, first_name, source, collected_at) values (${id(3)}, 'crm', 'client_contact', 'Seul', 'Ann', 'test', '2017-01-01')`.execute(raw);
    await sql`insert into contract_contacts (contract_id, person_id) values (${id(2)}, ${id(3)})`.execute(raw);
    for (const [k, hour] of [[10, '08'], [11, '12'], [12, '23']] as const) {
      await sql`insert into people (id, purpose, relation, last_name, first_name, source, collected_at) values (${id(k)}, 'prospecting', 'prospect', 'Salon', 'Bea', 'salon', ${`2021-05-04T${hour}:00:00Z`})`.execute(raw);
    }
    for (const [k, issued, paid] of [[4, '2020-12-20', '2021-01-05'], [6, '2020-06-01', '2020-05-01']] as const) {
      await sql`insert into invoices (id, organisation_id, person_id, number, issue_date, due_date, amount, status) values (${id(k)}, ${id(1)}, ${id(3)}, ${`S-${k}`}, ${issued}, ${issued}, 10, 'paid')`.execute(raw);
      await sql`insert into payments (id, invoice_id, organisation_id, amount, paid_at) values (${id(k + 1)}, ${id(k)}, ${id(1)}, 10, ${paid})`.execute(raw);
    }
  });

  it('P4.6 the people and invoices counted in groups give the plan of each record read one by one, on every boundary', async () => {
    const rules = retentionRules(policy);
    const days = ['2021-01-01', '2023-06-29', '2023-06-30', '2024-03-14', '2024-03-15', '2024-03-31', '2024-04-01', '2025-02-10', '2025-06-30', '2025-09-01', '2026-03-31', '2030-12-30', '2030-12-31', '2031-12-31', '2032-01-01'];
    for (const at of days) {
      const byRecord = new PlanAccumulator(rules, at);
      for (const read of [peoplePage, invoicesPage]) {
        for (let after: string | null = null; ; ) {
          const page = await read(db(), after, 3);
          if (page.last === null) break;
          after = page.last;
          for (const r of page.rows) byRecord.add(r.facts);
        }
      }
      const byGroup = new PlanAccumulator(rules, at);
      for (const f of [...(await peopleGroups(db())), ...(await invoiceGroups(db()))]) byGroup.add(f);
      expect(byGroup.summary(), `plan on ${at}`).toEqual(byRecord.summary());
    }
    // The groups are what the planner reads, not the records: the three prospects of one day are one row.
    expect(await peopleGroups(db())).toContainEqual({ kind: 'contact_person', purpose: 'prospecting', collectedOn: '2021-05-04', lastContactOn: null, held: false, count: 3 });
  });
});
