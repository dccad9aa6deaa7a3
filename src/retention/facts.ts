import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RetentionFacts } from './plan.js';

/**
 * The retention facts of the records, read from the database for the pure planner.
 * People and invoices come page by page in id order (keyset), so a run streams and
 * its memory does not grow with the base; the rest comes as groups of records sharing
 * the same facts (the day a log was written, an archive row's end day) with a count.
 */

/** A record's id with its facts. */
export interface IdentifiedFacts {
  readonly id: string;
  readonly facts: RetentionFacts;
}

type Raw = Kysely<Database>;

/**
 * The end of the commercial relationship of a person: the last end day of the
 * contracts of their organisation and of the contracts they are a contact of; null
 * while one of them is open-ended or when there is none (a client contact with no
 * ended contract stays active).
 */
const RELATIONSHIP_END = sql`(
  select case when count(*) = 0 or bool_or(x.end_date is null) then null else max(x.end_date)::text end
  from (
    select c.end_date from contracts c where c.organisation_id = p.organisation_id
    union all
    select c.end_date from contract_contacts cc join contracts c on c.id = cc.contract_id where cc.person_id = p.id
  ) x)`;

const ACTIVE_HOLD = (personColumn: string) =>
  sql`exists (select 1 from legal_holds h where h.person_id = ${sql.ref(personColumn)} and h.lifted_at is null)`;

/** One page of people after `after` (exclusive), at most `limit`, with their facts. Purposes without a clock here (training) are skipped. */
export async function peoplePage(db: Raw, after: string | null, limit: number, only?: string): Promise<{ rows: IdentifiedFacts[]; last: string | null }> {
  const res = await sql<{ id: string; purpose: string; collected_on: string; last_contact_on: string | null; relationship_end: string | null; held: boolean }>`
    with p as (
      select id, purpose, organisation_id, collected_at, last_contact_at from people
      where ${after === null ? sql`true` : sql`id > ${after}`} and ${only === undefined ? sql`true` : sql`id = ${only}`} order by id limit ${limit})
    select p.id, p.purpose,
      to_char(p.collected_at at time zone 'UTC', 'YYYY-MM-DD') as collected_on,
      to_char(p.last_contact_at at time zone 'UTC', 'YYYY-MM-DD') as last_contact_on,
      case when p.purpose = 'crm' then ${RELATIONSHIP_END} end as relationship_end,
      ${ACTIVE_HOLD('p.id')} as held
    from p order by p.id`.execute(db.withoutPlugins());
  const rows: IdentifiedFacts[] = [];
  for (const r of res.rows) {
    const held = r.held;
    if (r.purpose === 'crm') rows.push({ id: r.id, facts: { kind: 'crm_person', relationshipEnd: r.relationship_end, held } });
    else if (r.purpose === 'prospecting' || r.purpose === 'file_sharing')
      rows.push({ id: r.id, facts: { kind: 'contact_person', purpose: r.purpose, collectedOn: r.collected_on, lastContactOn: r.last_contact_on, held } });
  }
  return { rows, last: res.rows.length === 0 ? null : res.rows[res.rows.length - 1]!.id };
}

/** One page of invoices, with the relationship of their organisation and their last payment. */
export async function invoicesPage(db: Raw, after: string | null, limit: number): Promise<{ rows: IdentifiedFacts[]; last: string | null }> {
  const res = await sql<{ id: string; issued_on: string; last_paid_on: string | null; relationship_end: string | null; held: boolean }>`
    with i as (
      select id, organisation_id, person_id, issue_date from invoices
      where ${after === null ? sql`true` : sql`id > ${after}`} order by id limit ${limit})
    select i.id, i.issue_date::text as issued_on,
      (select max(y.paid_at)::text from payments y where y.invoice_id = i.id) as last_paid_on,
      (select case when count(*) = 0 or bool_or(c.end_date is null) then null else max(c.end_date)::text end
         from contracts c where c.organisation_id = i.organisation_id) as relationship_end,
      (i.person_id is not null and ${ACTIVE_HOLD('i.person_id')}) as held
    from i order by i.id`.execute(db.withoutPlugins());
  return {
    rows: res.rows.map((r) => ({
      id: r.id,
      facts: { kind: 'invoice', relationshipEnd: r.relationship_end, issuedOn: r.issued_on, lastPaidOn: r.last_paid_on, held: r.held },
    })),
    last: res.rows.length === 0 ? null : res.rows[res.rows.length - 1]!.id,
  };
}

/** The archive's root records (people, invoices) grouped by their end; their dependants share it. */
export async function archiveGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ purpose: string; end_action: 'delete' | 'anonymise'; delete_on: string; held: boolean; n: string | number }>`
    select purpose, end_action, delete_on::text as delete_on, held, count(*) as n from (
      select r.purpose, r.end_action, r.delete_on,
        (r.person_id is not null and ${ACTIVE_HOLD('r.person_id')}) as held
      from archive.records r where r.source_table in ('people', 'invoices')) x
    group by 1, 2, 3, 4`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({
    kind: 'archived',
    purpose: r.purpose as 'crm',
    deleteOn: r.delete_on,
    endAction: r.end_action,
    held: r.held,
    count: Number(r.n),
  }));
}

/** The erasure's held records (`archived_records`), by the day they are released. */
export async function erasureHoldGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ released_on: string | null; held: boolean; n: string | number }>`
    select released_on, held, count(*) as n from (
      select
        case when a.hold_until is not null then ((a.hold_until at time zone 'UTC')::date + 1)::text
             when h.id is null then (a.archived_at at time zone 'UTC')::date::text
             when h.lifted_at is not null then (h.lifted_at at time zone 'UTC')::date::text end as released_on,
        (a.hold_until is null and h.id is not null and h.lifted_at is null) as held
      from archived_records a left join legal_holds h on h.id = a.legal_hold_id) x
    group by 1, 2`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({ kind: 'erasure_hold', releasedOn: r.released_on, held: r.held, count: Number(r.n) }));
}

/** Connection-log entries by the day they were written. */
export async function connectionLogGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ logged_on: string; n: string | number }>`
    select (at at time zone 'UTC')::date::text as logged_on, count(*) as n from connection_logs group by 1`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({ kind: 'connection_log', loggedOn: r.logged_on, count: Number(r.n) }));
}

/** Closed rights requests (only a keyed hash left) by the day they closed. */
export async function closedRequestGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ closed_on: string; n: string | number }>`
    select (closed_at at time zone 'UTC')::date::text as closed_on, count(*) as n from rights_requests
    where state in ('answered', 'refused', 'withdrawn') and closed_at is not null group by 1`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({ kind: 'closed_request', closedOn: r.closed_on, count: Number(r.n) }));
}

/**
 * The last end day of each organisation's contracts, and of each contact's contract links,
 * computed once for the whole base: what RELATIONSHIP_END computes person by person.
 */
const RELATIONSHIP_ENDS = sql`
  org_end as (
    select organisation_id, count(*) as n, bool_or(end_date is null) as open, max(end_date) as last
    from contracts group by organisation_id),
  contact_end as (
    select cc.person_id, count(*) as n, bool_or(c.end_date is null) as open, max(c.end_date) as last
    from contract_contacts cc join contracts c on c.id = cc.contract_id group by cc.person_id),
  held as (select distinct person_id from legal_holds where lifted_at is null and person_id is not null)`;

/**
 * The people's facts for the plan, counted in groups of people sharing them, in one
 * set-based pass (the plan needs counts, not ids). A group is what the planner reads:
 * for a client contact, the end of the relationship; for a prospect or a person of the
 * shared file, the later of collection and last contact (given as `collectedOn`, with no
 * last contact: the planner starts the clock at the later of the two). So the groups
 * number at most the distinct days, whatever the number of people.
 */
export async function peopleGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ purpose: string; relationship_end: string | null; start_on: string | null; held: boolean; n: string | number }>`
    with ${RELATIONSHIP_ENDS}
    select p.purpose,
      case when p.purpose = 'crm' then
        case when coalesce(o.n, 0) + coalesce(k.n, 0) = 0 or coalesce(o.open, false) or coalesce(k.open, false) then null
             else greatest(o.last, k.last)::text end end as relationship_end,
      case when p.purpose <> 'crm' then to_char(greatest(p.collected_at, p.last_contact_at) at time zone 'UTC', 'YYYY-MM-DD') end as start_on,
      h.person_id is not null as held,
      count(*) as n
    from people p
      left join org_end o on p.purpose = 'crm' and o.organisation_id = p.organisation_id
      left join contact_end k on p.purpose = 'crm' and k.person_id = p.id
      left join held h on h.person_id = p.id
    where p.purpose in ('crm', 'prospecting', 'file_sharing')
    group by 1, 2, 3, 4`.execute(db.withoutPlugins());
  return res.rows.map((r): RetentionFacts => {
    const count = Number(r.n);
    if (r.purpose === 'crm') return { kind: 'crm_person', relationshipEnd: r.relationship_end, held: r.held, count };
    return { kind: 'contact_person', purpose: r.purpose as 'prospecting' | 'file_sharing', collectedOn: r.start_on!, lastContactOn: null, held: r.held, count };
  });
}

/**
 * The invoices' facts for the plan, in groups, in one set-based pass. The accounting hold
 * runs from the close of the financial year of the later of the issue and the last
 * payment (the close is monotonic in the day), so that later day is given as `issuedOn`,
 * with no payment. Invoices of open relationships have no schedule: one group whatever their days.
 */
export async function invoiceGroups(db: Raw): Promise<RetentionFacts[]> {
  const res = await sql<{ relationship_end: string | null; last_on: string | null; held: boolean; n: string | number }>`
    with ${RELATIONSHIP_ENDS},
    paid as (select invoice_id, max(paid_at) as last from payments group by invoice_id),
    i as (
      select case when o.organisation_id is null or o.open then null else o.last::text end as relationship_end,
        greatest(i.issue_date, y.last::date)::text as last_on,
        h.person_id is not null as held
      from invoices i
        left join org_end o on o.organisation_id = i.organisation_id
        left join paid y on y.invoice_id = i.id
        left join held h on h.person_id = i.person_id)
    select relationship_end, case when relationship_end is null then null else last_on end as last_on, held, count(*) as n
    from i group by 1, 2, 3`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({
    kind: 'invoice',
    relationshipEnd: r.relationship_end,
    issuedOn: r.last_on ?? '0001-01-01',
    lastPaidOn: null,
    held: r.held,
    count: Number(r.n),
  }));
}
