/**
 * `npx tsx bench/retention.ts --people N [--engine postgres|pglite] [--batch-size N]`, and
 * `npm run bench -- --only retention [--size small|full]` (bench/run.ts): the retention
 * sweep (issue 5) beside hand-written SQL making the same changes without audit or
 * batching, on two stores seeded identically, in the same run; then `retention plan`
 * over the swept data. A third of the people change: the client contacts of ended
 * relationships are archived (with their orders, deliveries, complaints, invoices and
 * payments; surveys deleted), old prospects deleted. About 10 dependent rows per person.
 */
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../src/db/database.js';
import type { Database } from '../src/db/schema.js';
import { loadPolicy } from '../src/policy/index.js';
import { previewRetention } from '../src/retention/preview.js';
import { runRetention } from '../src/retention/sweep.js';
import { openFreshStore } from './engines.js';
import { HeapSampler, peakRssBytes, summarise, type CaseResult } from './harness.js';

const AT = '2024-06-01';

/**
 * Seeds `people` people set-based: organisations of 4 people, one contract each
 * (ended 2020-06-30 for half of them, open for the rest); 2/3 client contacts, 1/3
 * prospects (half collected in 2020, half in 2023). Per client contact: 1 contract
 * link, 2 orders, 2 deliveries, 1 survey, 1 complaint, 2 invoices, 2 payments, 2 logs.
 */
export async function seedRetentionBench(db: Kysely<Database>, people: number): Promise<Record<string, number>> {
  const raw = db.withoutPlugins();
  const orgs = Math.ceil(people / 4);
  const u = (prefix: string, expr: string) => sql.raw(`('${prefix}' || lpad(to_hex(${expr}), 24, '0'))::uuid`);
  await sql`insert into organisations (id, name) select ${u('00000001', 'g')}, 'Org ' || g from generate_series(1, ${orgs}) g`.execute(raw);
  await sql`insert into contracts (id, organisation_id, offer, start_date, end_date, status)
    select ${u('00000002', 'g')}, ${u('00000001', 'g')}, 'audit', date '2018-01-01',
      case when g % 2 = 0 then date '2020-06-30' end, case when g % 2 = 0 then 'ended' else 'active' end
    from generate_series(1, ${orgs}) g`.execute(raw);
  await sql`insert into people (id, purpose, relation, last_name, first_name, email, organisation_id, source, collected_at)
    select ${u('00000003', 'g')}, case when g % 3 = 0 then 'prospecting' else 'crm' end,
      case when g % 3 = 0 then 'prospect' else 'client_contact' end, 'Nom' || g, 'Prénom' || g, 'p' || g || '@exemple.fr',
      case when g % 3 = 0 then null else ${u('00000001', '(g + 3) / 4')} end, 'bench',
      case when g % 3 = 0 and g % 2 = 0 then timestamptz '2020-03-01' else timestamptz '2023-03-01' end
    from generate_series(1, ${people}) g`.execute(raw);
  const crm = sql.raw(`from generate_series(1, ${people}) g where g % 3 <> 0`);
  await sql`insert into contract_contacts (contract_id, person_id) select ${u('00000002', '(g + 3) / 4')}, ${u('00000003', 'g')} ${crm}`.execute(raw);
  for (const k of [1, 2]) {
    await sql`insert into orders (id, organisation_id, person_id, number, ordered_at, amount)
      select ${u(`0000001${k}`, 'g')}, ${u('00000001', '(g + 3) / 4')}, ${u('00000003', 'g')}, 'O' || ${k} || '-' || g, date '2019-03-01', 100 ${crm}`.execute(raw);
    await sql`insert into deliveries (id, order_id, organisation_id, recipient_person_id, recipient_name, delivery_address)
      select ${u(`0000002${k}`, 'g')}, ${u(`0000001${k}`, 'g')}, ${u('00000001', '(g + 3) / 4')}, ${u('00000003', 'g')}, 'Nom' || g, '{"city":"Paris"}'::jsonb ${crm}`.execute(raw);
    await sql`insert into invoices (id, organisation_id, person_id, number, issue_date, due_date, amount, status)
      select ${u(`0000003${k}`, 'g')}, ${u('00000001', '(g + 3) / 4')}, ${u('00000003', 'g')}, 'F' || ${k} || '-' || g, date '2019-05-10', date '2019-06-10', 100, 'paid' ${crm}`.execute(raw);
    await sql`insert into payments (id, invoice_id, organisation_id, amount, paid_at)
      select ${u(`0000004${k}`, 'g')}, ${u(`0000003${k}`, 'g')}, ${u('00000001', '(g + 3) / 4')}, 100, date '2019-06-01' ${crm}`.execute(raw);
    await sql`insert into connection_logs (id, at, service, event, outcome)
      select ${u(`0000005${k}`, 'g')}, timestamptz '2023-01-01' + (g % 700) * interval '1 day', 'backoffice', 'login', 'success' ${crm}`.execute(raw);
  }
  await sql`insert into surveys (id, person_id, organisation_id, survey, score, answered_at)
    select ${u('00000061', 'g')}, ${u('00000003', 'g')}, ${u('00000001', '(g + 3) / 4')}, 'nps', 8, timestamptz '2019-01-01' ${crm}`.execute(raw);
  await sql`insert into complaints (id, person_id, organisation_id, subject, opened_at)
    select ${u('00000062', 'g')}, ${u('00000003', 'g')}, ${u('00000001', '(g + 3) / 4')}, 'retard', timestamptz '2019-01-01' ${crm}`.execute(raw);
  await sql`analyze`.execute(raw);
  const counts: Record<string, number> = {};
  for (const t of ['people', 'contract_contacts', 'orders', 'deliveries', 'invoices', 'payments', 'surveys', 'complaints', 'connection_logs']) {
    const r = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(t)}`.execute(raw);
    counts[t] = Number(r.rows[0]!.n);
  }
  return counts;
}

/**
 * The same changes as the sweep at AT, hand-written: one statement per table, no batches, no audit.
 * Ended relationships (2020-06-30) are past 3 years on 2024-06-01 and not past 5: archived; invoices of
 * 2019 are inside their 10-year hold: archived; prospects collected 2020-03-01 are past 3 years: deleted.
 */
export async function handWritten(db: Kysely<Database>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const raw = tx.withoutPlugins();
    await sql`create temp table due_people on commit drop as
      select p.id, date '2025-06-30' as day from people p join contracts c on c.organisation_id = p.organisation_id
      where p.purpose = 'crm' and c.end_date is not null`.execute(raw);
    await sql`create temp table due_invoices on commit drop as
      select i.id, i.person_id from invoices i join contracts c on c.organisation_id = i.organisation_id where c.end_date is not null`.execute(raw);
    const ins = (table: string, id: string, person: string, data: string, from: string, day: string, end = 'anonymise') =>
      sql.raw(`insert into archive.records (source_table, id, purpose, person_id, organisation_id, data, reason, archived_at, delete_on, end_action)
        select '${table}', ${id}, 'crm', ${person}, t.organisation_id, ${data}, 'bench', timestamptz '${AT}', ${day}, '${end}' ${from}`);
    await sql`${ins('deliveries', 't.id::text', 'u.id', `jsonb_build_object('id', t.id, 'order_id', t.order_id, 'organisation_id', t.organisation_id, 'delivered_at', t.delivered_at, 'status', t.status)`, 'from deliveries t join due_people u on t.recipient_person_id = u.id', 'u.day')}`.execute(raw);
    await sql`${ins('orders', 't.id::text', 'u.id', `jsonb_build_object('id', t.id, 'organisation_id', t.organisation_id, 'contract_id', t.contract_id, 'number', t.number, 'ordered_at', t.ordered_at, 'amount', t.amount, 'status', t.status)`, 'from orders t join due_people u on t.person_id = u.id', 'u.day')}`.execute(raw);
    await sql`${ins('complaints', 't.id::text', 'u.id', `jsonb_build_object('id', t.id, 'organisation_id', t.organisation_id, 'subject', t.subject, 'status', t.status, 'opened_at', t.opened_at, 'closed_at', t.closed_at)`, 'from complaints t join due_people u on t.person_id = u.id', 'u.day')}`.execute(raw);
    await sql.raw(`insert into archive.records (source_table, id, purpose, person_id, organisation_id, data, reason, archived_at, delete_on, end_action)
      select 'contract_contacts', t.contract_id || '/' || t.person_id, 'crm', u.id, null, jsonb_build_object('contract_id', t.contract_id, 'person_id', t.person_id), 'bench', timestamptz '${AT}', u.day, 'anonymise'
      from contract_contacts t join due_people u on t.person_id = u.id`).execute(raw);
    await sql`${ins('people', 't.id::text', 't.id', `jsonb_build_object('id', t.id, 'relation', t.relation, 'last_name', t.last_name, 'first_name', t.first_name, 'organisation_id', t.organisation_id, 'source', t.source, 'collected_at', t.collected_at)`, 'from people t join due_people u on t.id = u.id', 'u.day')}`.execute(raw);
    await sql`${ins('invoices', 't.id::text', 't.person_id', `jsonb_build_object('id', t.id, 'organisation_id', t.organisation_id, 'contract_id', t.contract_id, 'number', t.number, 'issue_date', t.issue_date, 'due_date', t.due_date, 'amount', t.amount, 'currency', t.currency, 'status', t.status)`, 'from invoices t join due_invoices u on t.id = u.id', `date '2029-12-31'`, 'delete')}`.execute(raw);
    await sql`${ins('payments', 't.id::text', 'u.person_id', `jsonb_build_object('id', t.id, 'invoice_id', t.invoice_id, 'organisation_id', t.organisation_id, 'amount', t.amount, 'paid_at', t.paid_at, 'method', t.method, 'reference', t.reference)`, 'from payments t join due_invoices u on t.invoice_id = u.id', `date '2029-12-31'`, 'delete')}`.execute(raw);
    for (const [t, c] of [['deliveries', 'recipient_person_id'], ['orders', 'person_id'], ['complaints', 'person_id'], ['surveys', 'person_id'], ['contract_contacts', 'person_id']] as const) {
      await sql`delete from ${sql.table(t)} where ${sql.ref(c)} in (select id from due_people)`.execute(raw);
    }
    await sql`delete from payments where invoice_id in (select id from due_invoices)`.execute(raw);
    await sql`delete from invoices where id in (select id from due_invoices)`.execute(raw);
    await sql`delete from people where id in (select id from due_people)`.execute(raw);
    await sql`delete from people where purpose = 'prospecting' and greatest(collected_at, coalesce(last_contact_at, collected_at)) < timestamptz '2021-06-01'`.execute(raw);
    await sql`select set_config('rempart.purge', 'on', true)`.execute(raw);
    await sql`delete from connection_logs where at < timestamptz '2023-06-01'`.execute(raw);
  });
}

/** A digest of the archive's content (all but the free-text reason): the two stores must end with the same archive. */
async function archiveDigest(db: Kysely<Database>): Promise<string> {
  const r = await sql<{ d: string | null }>`
    select md5(string_agg(md5(concat_ws('|', source_table, id, purpose, person_id, organisation_id, data::text, archived_at, delete_on, end_action)), '' order by source_table, id)) as d
    from archive.records`.execute(db.withoutPlugins());
  return r.rows[0]?.d ?? '';
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

/** Runs the three measures on `engine` with `people` people. */
export async function retentionCase(engine: Engine, people: number, batchSize = 5000, progress: (line: string) => void = () => undefined): Promise<CaseResult[]> {
  const policy = await loadPolicy('policies/certilience.yaml');
  const [a, b] = [await openFreshStore(engine, 'retention-sweep'), await openFreshStore(engine, 'retention-sql')];
  try {
    const counts = await seedRetentionBench(a.db, people);
    await seedRetentionBench(b.db, people);
    progress(`seeded two stores: ${JSON.stringify(counts)}`);
    const heap = new HeapSampler();
    heap.start();
    const sweep = await timed(() => runRetention(a.db, policy, { at: new Date(`${AT}T00:00:00Z`), batchSize }));
    progress(`sweep: ${(sweep.ms / 1000).toFixed(1)} s`);
    const base = await timed(() => handWritten(b.db));
    progress(`hand-written SQL: ${(base.ms / 1000).toFixed(1)} s`);
    const plan = await timed(() => previewRetention(a.db, policy, AT));
    progress(`plan: ${(plan.ms / 1000).toFixed(1)} s`);
    const peakHeap = heap.stop();
    const archived = Number((await sql<{ n: string }>`select count(*) as n from archive.records`.execute(a.db)).rows[0]!.n);
    const archivedSql = Number((await sql<{ n: string }>`select count(*) as n from archive.records`.execute(b.db)).rows[0]!.n);
    const sameArchive = (await archiveDigest(a.db)) === (await archiveDigest(b.db));
    const rss = peakRssBytes();
    const extra = { counts, changed: sweep.value.changed, batches: sweep.value.batches, archivedRows: archived, archivedRowsHandWritten: archivedSql, sameArchive, ratio: sweep.ms / base.ms };
    const result = (id: string, label: string, ms: number): CaseResult => ({ id, label, engine, timings: summarise([ms]), peakRssBytes: rss, peakHeapBytes: peakHeap, rows: people, unit: 'people', extra });
    return [
      result('retention-sweep', `retention run (batches of ${batchSize}, audited)`, sweep.ms),
      result('retention-sql', 'hand-written SQL, same changes, no batches or audit', base.ms),
      result('retention-plan', 'retention plan over the swept data', plan.ms),
    ];
  } finally {
    await a.close();
    await b.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { people: { type: 'string', default: '3000' }, engine: { type: 'string', default: 'postgres' }, 'batch-size': { type: 'string', default: '5000' } } });
  const engine = values.engine === 'pglite' ? 'pglite' : 'postgres';
  const results = await retentionCase(engine, Number(values.people), Number(values['batch-size']), (line) => console.error(`${new Date().toISOString()} ${line}`));
  for (const r of results) console.log(`${r.engine} ${r.id}: ${r.timings?.medianMs.toFixed(0)} ms — ${r.label}`);
  const x = results[0]!.extra!;
  console.log(JSON.stringify({ counts: x.counts, changed: x.changed, batches: x.batches, archivedRows: x.archivedRows, archivedRowsHandWritten: x.archivedRowsHandWritten, sameArchive: x.sameArchive, ratio: x.ratio, peakRssMB: Math.round(results[0]!.peakRssBytes / 1e6), peakHeapMB: Math.round(results[0]!.peakHeapBytes / 1e6) }));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
