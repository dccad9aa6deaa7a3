import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { appendInTransaction, type AuditEvent } from '../access/audit/index.js';
import { purgeConnectionLogs } from '../access/connection-logs/index.js';
import { CATALOGUE, type TableEntry } from '../catalogue/catalogue.js';
import { sweepConsentRecords } from '../consent/sweep.js';
import { newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { isoDay } from '../rights/erasure/holds.js';
import type { LoadedPolicy } from '../policy/index.js';
import type { IsoDate, RetentionEnd } from '../policy/types.js';
import { foldIntoStatistics } from './statistics/fold.js';
import { statisticsSettings, type StatisticsByPurpose } from './statistics/settings.js';
import { ARCHIVE_TABLE } from './catalogue-entries.js';
import { archiveKeepsIssues } from './archive-keeps.js';
import { formatPath } from '../policy/path.js';
import { archiveGroups, closedRequestGroups, erasureHoldGroups, invoicesPage, peoplePage, type IdentifiedFacts } from './facts.js';
import { sweepStaffAccounts } from './accountability.js';
import { planRecord, retentionRules, type RetentionAction, type RetentionRules } from './plan.js';

/**
 * The retention sweep (P4.1–P4.6, GDPR Art. 5(1)(e)): applies the planner's `due`
 * actions in batches. Each batch is one transaction holding its changes and one audit
 * event with the counts and the record ids, so a run killed anywhere leaves whole
 * batches behind, and the next run, which recomputes what is due, finishes the job:
 * the end state is that of one clean run (archive rows take the run's day, never the
 * wall clock). A second run on the same day finds nothing due (idempotent).
 *
 * The SQL is set-based per table, walking the catalogue for the tables that hold a
 * person's rows, as erasure does: one statement per table and batch deletes the rows
 * (`= ANY` of the batch's ids, on the indexes) and archives what the policy keeps of
 * them from its RETURNING, so each row is read once and never deleted without its
 * archive row. Invoices go before people: an invoice is archived under its person.
 */

/** How a sweep runs. */
export interface SweepOptions {
  /** The instant the sweep applies the policy at (the real time, or `--at` to replay). */
  readonly at: Date;
  /** The instant written in the audit events; defaults to `at`. */
  readonly now?: Date;
  /** Records planned per batch (default 1000). */
  readonly batchSize?: number;
  /** Who runs it, as recorded in `retention_runs` (default `system:retention`). */
  readonly actor?: string;
  /** The wall clock of the run's record (default: the real time). */
  readonly clock?: () => Date;
  /** Called after each committed batch (progress output). */
  readonly onBatch?: (batch: SweepBatch) => void;
}

/** One committed batch. */
export interface SweepBatch {
  readonly step: string;
  /** Rows changed, by `purpose action table`. */
  readonly counts: Readonly<Record<string, number>>;
}

/** What a sweep did, by purpose and action (root records: people, invoices, log entries, requests). */
export interface SweepReport {
  readonly at: IsoDate;
  readonly batches: number;
  readonly changed: readonly { readonly purpose: string; readonly action: RetentionAction; readonly count: number }[];
  /** Rows changed, by table, dependants included. */
  readonly rows: Readonly<Record<string, number>>;
}

const ACTOR = 'system:retention';

/** Tables the person walk leaves alone: roots handled apart, stores with retention of their own, append-only logs. */
const WALK_SKIP = new Set([
  'people',
  'invoices',
  'legal_holds',
  'archived_records',
  ARCHIVE_TABLE,
  // Open requests must still be answered (Art. 12(3)); a closed one holds no person id.
  'rights_requests',
  'accounts',
  'sessions',
  // Append-only, purged by its own function (P4.4).
  'connection_logs',
]);

/** Rows that hang off a walked row by a foreign key: archived with it (their parent's person and day). */
const DEPENDANTS: Readonly<Record<string, readonly { readonly table: string; readonly column: string }[]>> = {
  orders: [{ table: 'deliveries', column: 'order_id' }],
  invoices: [
    { table: 'payments', column: 'invoice_id' },
    { table: 'debt_cases', column: 'invoice_id' },
  ],
};

/** The tables holding a person's rows by a direct link, children first (the catalogue lists parents first). */
export function personTables(): { entry: TableEntry; column: string }[] {
  return CATALOGUE.filter((e) => !WALK_SKIP.has(e.table))
    .flatMap((entry) => entry.subjects.filter((s) => !s.via).map((s) => ({ entry, column: s.column })))
    .reverse();
}

function entryOf(table: string): TableEntry {
  const e = CATALOGUE.find((t) => t.table === table);
  if (!e) throw new RempartError('INTERNAL', `Table ${table} is not in the catalogue.`);
  return e;
}

/** The record's id in the archive: its `id`, or its key columns joined (`contract_id/person_id`). */
function keyOf(entry: TableEntry, alias: string): RawBuilder<unknown> {
  if ('id' in entry.columns) return sql`${sql.ref(`${alias}.id`)}::text`;
  const keys = Object.keys(entry.columns).filter((c) => c.endsWith('_id'));
  return sql`concat_ws('/', ${sql.join(keys.map((k) => sql.ref(`${alias}.${k}`)))})`;
}

function dataOf(entry: TableEntry, alias: string, keeps: readonly string[]): RawBuilder<unknown> {
  const cols = keeps.filter((c) => c in entry.columns);
  if (cols.length === 0) return sql`'{}'::jsonb`;
  return sql`jsonb_build_object(${sql.join(cols.map((c) => sql`${sql.lit(c)}, ${sql.ref(`${alias}.${c}`)}`))})`;
}

/** Checks the policy's `archiveKeeps` against the catalogue: a table or column it names must exist. */
export function checkArchiveKeeps(policy: Pick<LoadedPolicy, 'purposes'>): string[] {
  return archiveKeepsIssues(policy).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

interface Ctx {
  readonly rules: RetentionRules;
  readonly keeps: Readonly<Record<string, readonly string[]>>;
  readonly at: Date;
  readonly day: IsoDate;
  readonly reason: string;
  /** The policy's `retention.statistics` per purpose (k, dimensions): what the fold keeps (R-PROS-8). */
  readonly statistics: StatisticsByPurpose;
}

type Tx = Transaction<Database>;

const n = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);

/** What a batch archives: `keys[i]` (a person's or an invoice's id) with the day its records leave the archive, `days[i]`. */
interface Archiving {
  readonly keys: readonly string[];
  readonly days: readonly IsoDate[];
  readonly purpose: string;
  readonly end: RetentionEnd;
}

/**
 * Deletes the rows of `entry` that `where` picks (over the alias `d`) and, in the same
 * statement, archives those whose `key` has an archive day, keeping only the `keeps`
 * columns (P4.5). The archive rows are built from the DELETE's RETURNING, so each row is
 * read once and no row can be deleted without its archive row (same statement). `key` is
 * what the row is archived by (its person, or its invoice), `person` the person it is
 * filed under in the archive; both are expressions over `d`.
 */
async function moveRows(tx: Tx, ctx: Ctx, entry: TableEntry, keeps: readonly string[] | undefined, where: RawBuilder<unknown>, key: RawBuilder<unknown>, person: RawBuilder<unknown>, archiving: Archiving | null, counts: Record<string, number>): Promise<void> {
  const raw = tx.withoutPlugins();
  const t = sql.table(entry.table);
  const add = (k: string, v: number) => {
    counts[k] = (counts[k] ?? 0) + v;
  };
  if (archiving === null || archiving.keys.length === 0 || keeps === undefined) {
    add(`delete ${entry.table}`, n(await sql`delete from ${t} d where ${where}`.execute(raw)));
    return;
  }
  const org = 'organisation_id' in entry.columns ? sql`gone.organisation_id` : sql`null::uuid`;
  const res = await sql<{ deleted: string | number; archived: string | number }>`
    with gone as (delete from ${t} d where ${where} returning d.*, ${key} as retention_key, ${person} as retention_person),
    kept as (
      insert into archive.records (source_table, id, purpose, person_id, organisation_id, data, reason, archived_at, delete_on, end_action)
      select ${entry.table}, ${keyOf(entry, 'gone')}, ${archiving.purpose}, gone.retention_person, ${org}, ${dataOf(entry, 'gone', keeps)},
        ${ctx.reason}, ${ctx.at}, u.day, ${archiving.end}
      from gone join unnest(${[...archiving.keys]}::uuid[], ${[...archiving.days]}::date[]) as u(key, day) on u.key = gone.retention_key
      on conflict (source_table, id) do nothing
      returning 1)
    select (select count(*) from gone) as deleted, (select count(*) from kept) as archived`.execute(raw);
  const r = res.rows[0]!;
  add(`archive ${entry.table}`, Number(r.archived));
  add(`delete ${entry.table}`, Number(r.deleted));
}

/**
 * Moves the people `ids` and every row linked to them, one statement per table: the
 * people in `archiving` go to the archive (the kept columns of each row), the others
 * are deleted. Rows hanging off a walked row (an order's deliveries) are archived with
 * their parent's person; without archiving, the foreign key's cascade deletes them.
 * `= any(array)` keeps each statement on the indexes of the batch's rows, whatever the
 * size of the table.
 */
async function movePeople(tx: Tx, ctx: Ctx, ids: readonly string[], archiving: Archiving | null, counts: Record<string, number>): Promise<void> {
  const all = () => sql`${[...ids]}::uuid[]`;
  for (const { entry, column } of [...personTables(), { entry: entryOf('people'), column: 'id' }]) {
    const t = sql.table(entry.table);
    const col = sql.ref(`d.${column}`);
    for (const dep of DEPENDANTS[entry.table] ?? []) {
      const keeps = ctx.keeps[dep.table];
      if (archiving === null || keeps === undefined) continue;
      const fk = sql.ref(`d.${dep.column}`);
      const parent = sql`(select t.${sql.ref(column)} from ${t} t where t.id = ${fk})`;
      await moveRows(tx, ctx, entryOf(dep.table), keeps, sql`${fk} = any(array(select t.id from ${t} t where t.${sql.ref(column)} = any(${all()})))`, parent, parent, archiving, counts);
    }
    await moveRows(tx, ctx, entry, ctx.keeps[entry.table], sql`${col} = any(${all()})`, col, col, archiving, counts);
  }
}

/**
 * Moves the invoices `ids` with their payments and debt cases: those in `archiving` to
 * the archive (Code de commerce L123-22 keeps them there, even when the policy keeps no
 * column of them), the others deleted. Filed under the invoice's person.
 */
async function moveInvoices(tx: Tx, ctx: Ctx, ids: readonly string[], archiving: Archiving | null, counts: Record<string, number>): Promise<void> {
  const all = () => sql`${[...ids]}::uuid[]`;
  for (const dep of DEPENDANTS.invoices ?? []) {
    const fk = sql.ref(`d.${dep.column}`);
    await moveRows(tx, ctx, entryOf(dep.table), ctx.keeps[dep.table] ?? [], sql`${fk} = any(${all()})`, fk, sql`(select t.person_id from invoices t where t.id = ${fk})`, archiving, counts);
  }
  await moveRows(tx, ctx, entryOf('invoices'), ctx.keeps.invoices ?? [], sql`d.id = any(${all()})`, sql`d.id`, sql`d.person_id`, archiving, counts);
}

function event(ctx: Ctx, now: Date, purpose: string | null, recordIds: readonly string[], personIds: readonly string[], counts: Readonly<Record<string, number>>): AuditEvent {
  const summary = Object.entries(counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return {
    at: now,
    actor: ACTOR,
    role: null,
    purpose,
    action: 'delete',
    resource: 'retention',
    recordIds: [...recordIds],
    personIds: [...personIds],
    fields: Object.keys(counts).filter((k) => (counts[k] ?? 0) > 0).sort(),
    reason: `${ctx.reason}: ${summary}`,
  };
}

/** Runs the sweep at `options.at`; see the module comment. */
export async function runRetention(db: Kysely<Database>, policy: LoadedPolicy, options: SweepOptions): Promise<SweepReport> {
  const rules = retentionRules(policy);
  const problems = checkArchiveKeeps(policy);
  if (problems.length > 0) throw new RempartError('POLICY_INVALID', `The policy's archiveKeeps names what does not exist: ${problems.join('; ')}.`);
  const day = isoDay(options.at);
  if (day === null) throw new RempartError('VALIDATION_FAILED', 'The retention sweep needs a valid date.');
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RempartError('VALIDATION_FAILED', 'The batch size must be a positive integer.', { details: [{ field: 'batchSize', message: 'a positive integer' }] });
  const now = options.now ?? options.at;
  const startedAt = (options.clock ?? (() => new Date()))();
  const crm = policy.purposes.find((p) => p.id === 'crm')!.retention;
  const ctx: Ctx = { rules, keeps: crm.archiveKeeps ?? {}, at: options.at, day, reason: `Retention sweep of ${day} (GDPR Art. 5(1)(e), P4)`, statistics: statisticsSettings(policy) };
  const changed = new Map<string, number>();
  const rows: Record<string, number> = {};
  let batches = 0;
  const count = (purpose: string, action: RetentionAction, k: number) => {
    if (k > 0) changed.set(`${purpose}\u0000${action}`, (changed.get(`${purpose}\u0000${action}`) ?? 0) + k);
  };
  const commit = async (step: string, purpose: string | null, work: (tx: Tx, counts: Record<string, number>) => Promise<{ recordIds: readonly string[]; personIds: readonly string[] }>) => {
    const counts: Record<string, number> = {};
    await db.transaction().execute(async (tx) => {
      const ids = await work(tx, counts);
      await appendInTransaction(tx, [event(ctx, now, purpose, ids.recordIds, ids.personIds, counts)]);
    });
    for (const [k, v] of Object.entries(counts)) rows[k.replace(/^\S+ /, '')] = (rows[k.replace(/^\S+ /, '')] ?? 0) + v;
    batches++;
    options.onBatch?.({ step, counts });
  };

  // Pages are read with JIT compilation off: a page's plan is a few thousand index look-ups,
  // which PostgreSQL's cost estimate would otherwise compile for longer than it runs.
  const read = <T>(page: (tx: Tx) => Promise<T>) =>
    db.transaction().execute(async (tx) => {
      await sql`set local jit = off`.execute(tx);
      return page(tx);
    });

  // 1. Invoices with their payments and debt cases: archived with the relationship, deleted when the accounting hold allows.
  // Before the people, so an invoice is archived under its person (deleting the person first would null its person_id).
  for (let after: string | null = null; ; ) {
    const page: { rows: IdentifiedFacts[]; last: string | null } = await read((tx) => invoicesPage(tx, after, batchSize));
    if (page.last === null) break;
    after = page.last;
    const archive: { id: string; day: IsoDate }[] = [];
    const gone: string[] = [];
    for (const { id, facts } of page.rows) {
      const plan = planRecord(rules, facts, day);
      if (plan.due === 'archive') archive.push({ id, day: plan.next!.on });
      else if (plan.due !== null) gone.push(id);
    }
    if (archive.length === 0 && gone.length === 0) continue;
    await commit('invoices', 'crm', async (tx, counts) => {
      const archiving = { keys: archive.map((a) => a.id), days: archive.map((a) => a.day), purpose: 'crm', end: 'delete' as const };
      await moveInvoices(tx, ctx, [...archiving.keys, ...gone], archiving, counts);
      count('crm', 'archive', archive.length);
      count('crm', 'delete', gone.length);
      return { recordIds: [...archive.map((a) => a.id), ...gone], personIds: [] };
    });
  }

  // 2. People, page by page: archive the relationship's contacts, delete prospects (statistics first) and whoever is past their end.
  for (let after: string | null = null; ; ) {
    const page: { rows: IdentifiedFacts[]; last: string | null } = await read((tx) => peoplePage(tx, after, batchSize));
    if (page.last === null) break;
    after = page.last;
    const archive: { id: string; day: IsoDate }[] = [];
    const ended = new Map<string, string[]>();
    for (const { id, facts } of page.rows) {
      const plan = planRecord(rules, facts, day);
      if (plan.due === 'archive') archive.push({ id, day: plan.next!.on });
      else if (plan.due !== null) {
        const k = `${plan.purpose}\u0000${plan.due}`;
        const ids = ended.get(k);
        if (ids) ids.push(id);
        else ended.set(k, [id]);
      }
    }
    if (archive.length === 0 && ended.size === 0) continue;
    await commit('people', null, async (tx, counts) => {
      const all = archive.map((a) => a.id);
      count('crm', 'archive', all.length);
      for (const [k, ids] of [...ended].sort()) {
        const [purpose, action] = k.split('\u0000') as [string, RetentionAction];
        // R-PROS-8: the aggregates survive the people they are computed from, folded in the deleting transaction.
        if (purpose !== 'crm') await foldIntoStatistics(tx, ids, options.at, ctx.statistics);
        count(purpose, action, ids.length);
        all.push(...ids);
      }
      // One pass over the tables for the whole batch: the archived contacts' rows go to the archive, the others' are deleted.
      const archiving = { keys: archive.map((a) => a.id), days: archive.map((a) => a.day), purpose: 'crm', end: rules.crm.end };
      await movePeople(tx, ctx, all, archiving, counts);
      return { recordIds: all, personIds: all };
    });
  }

  // 3. The archive: records past their end day leave it, with their dependants (same day), unless a litigation hold keeps the person.
  const dueArchive = (await archiveGroups(db)).some((f) => planRecord(rules, f, day).due !== null);
  while (dueArchive) {
    let got = 0;
    await commit('archive', null, async (tx, counts) => {
      const res = await sql<{ source_table: string; id: string; person_id: string | null; purpose: string; end_action: RetentionEnd }>`
        with due as (
          select r.source_table, r.id from archive.records r
          where r.delete_on <= ${day}::date
            and not (r.person_id is not null and exists (select 1 from legal_holds h where h.person_id = r.person_id and h.lifted_at is null))
          order by r.delete_on, r.source_table, r.id limit ${batchSize})
        delete from archive.records r using due where r.source_table = due.source_table and r.id = due.id
        returning r.source_table, r.id, r.person_id, r.purpose, r.end_action`.execute(tx.withoutPlugins());
      got = res.rows.length;
      for (const r of res.rows) {
        counts[`${r.end_action} archive.${r.source_table}`] = (counts[`${r.end_action} archive.${r.source_table}`] ?? 0) + 1;
        if (r.source_table === 'people' || r.source_table === 'invoices') count(r.purpose, r.end_action, 1);
      }
      // A person who leaves the archive leaves their accounting records behind under their own hold
      // (Code de commerce L123-22), unlinked from them, as the erasure does (GDPR Art. 5(1)(e)).
      const left = res.rows.filter((r) => r.source_table === 'people').map((r) => r.id);
      if (left.length > 0) {
        const unlinked = n(await sql`update archive.records set person_id = null where person_id = any(${left}::uuid[]) and delete_on > ${day}::date`.execute(tx.withoutPlugins()));
        if (unlinked > 0) counts['unlink archive.records'] = unlinked;
      }
      const roots = res.rows.filter((r) => r.source_table === 'people' || r.source_table === 'invoices');
      return { recordIds: roots.map((r) => r.id), personIds: [...new Set(res.rows.flatMap((r) => (r.person_id ? [r.person_id] : [])))] };
    });
    if (got < batchSize) break;
  }

  // 4. The erasure's held records (archived_records) whose statutory hold ended or whose litigation hold was lifted.
  const dueHeld = (await erasureHoldGroups(db)).some((f) => planRecord(rules, f, day).due !== null);
  while (dueHeld) {
    let got = 0;
    await commit('erasure holds', 'crm', async (tx, counts) => {
      const res = await sql<{ id: string; person_id: string | null }>`
        with due as (
          select a.id from archived_records a left join legal_holds h on h.id = a.legal_hold_id
          where (case when a.hold_until is not null then (a.hold_until at time zone 'UTC')::date + 1
                      when h.id is null then (a.archived_at at time zone 'UTC')::date
                      when h.lifted_at is not null then (h.lifted_at at time zone 'UTC')::date end) <= ${day}::date
          order by a.id limit ${batchSize})
        delete from archived_records a using due where a.id = due.id returning a.id, a.person_id`.execute(tx.withoutPlugins());
      got = res.rows.length;
      counts['delete archived_records'] = got;
      count('crm', 'delete', got);
      return { recordIds: res.rows.map((r) => r.id), personIds: [...new Set(res.rows.flatMap((r) => (r.person_id ? [r.person_id] : [])))] };
    });
    if (got < batchSize) break;
  }

  // 5. Closed rights requests (a keyed hash only) past their accountability period: the planner picks the closing days.
  const closedDays = (await closedRequestGroups(db)).filter((f) => f.kind === 'closed_request' && planRecord(rules, f, day).due !== null).map((f) => (f.kind === 'closed_request' ? f.closedOn : ''));
  while (closedDays.length > 0) {
    let got = 0;
    await commit('closed requests', null, async (tx, counts) => {
      const res = await sql<{ id: string }>`
        with due as (
          select id from rights_requests where state in ('answered', 'refused', 'withdrawn')
            and (closed_at at time zone 'UTC')::date = any(${closedDays}::date[]) order by id limit ${batchSize})
        delete from rights_requests r using due where r.id = due.id returning r.id`.execute(tx.withoutPlugins());
      got = res.rows.length;
      counts['delete rights_requests'] = got;
      count('closed_requests', rules.closedRequests.end, got);
      return { recordIds: res.rows.map((r) => r.id), personIds: [] };
    });
    if (got < batchSize) break;
  }

  // 5b. Deactivated staff accounts past accountabilityRetention.staff_accounts (src/retention/accountability.ts).
  await sweepStaffAccounts(db, rules, day, options.at, batchSize, commit, count);

  // 6. Connection logs through their own purge, the only way out of the append-only table (P4.4).
  const purged = await purgeConnectionLogs(db, options.at, rules.connectionLogs.active);
  if (purged > 0) {
    count('connection_logs', 'delete', purged);
    rows.connection_logs = purged;
    // The purge commits on its own; its audit event follows it (a crash in between loses the event, never the purge's effect).
    await db.transaction().execute((tx) => appendInTransaction(tx, [event(ctx, now, 'connection_logs', [], [], { 'delete connection_logs': purged })]));
    batches++;
  }

  // 7. Consent proofs and transfer logs (accountabilityRetention.consent_proofs, transfer_logs; Art. 5(2), 7(1)):
  // through the consent module's own sweep, the only deletion its append-only triggers allow.
  const consent = await sweepConsentRecords(db, policy, options.at);
  const consentCounts = {
    'delete consent_events': consent.consentEvents,
    'delete consent_notices': consent.consentNotices,
    'delete transfers': consent.transfers,
    'delete transfer_items': consent.transferItems,
  };
  if (Object.values(consentCounts).some((v) => v > 0)) {
    count('consent_proofs', 'delete', consent.consentEvents);
    count('transfer_logs', 'delete', consent.transfers);
    for (const [k, v] of Object.entries(consentCounts)) if (v > 0) rows[k.replace(/^\S+ /, '')] = (rows[k.replace(/^\S+ /, '')] ?? 0) + v;
    // Like the log purge, the consent sweep commits on its own; its audit event follows it.
    await db.transaction().execute((tx) => appendInTransaction(tx, [event(ctx, now, null, [], [], consentCounts)]));
    batches++;
  }

  const report: SweepReport = {
    at: day,
    batches,
    changed: [...changed].map(([k, c]) => {
      const [purpose, action] = k.split('\u0000') as [string, RetentionAction];
      return { purpose, action, count: c };
    }),
    rows,
  };
  // The run's own record, for the dpo's "last runs and what they did" (Art. 5(2)): counts only.
  await db
    .insertInto('retentionRuns')
    .values({
      id: newId(),
      startedAt,
      finishedAt: (options.clock ?? (() => new Date()))(),
      appliedAt: day,
      actor: options.actor ?? ACTOR,
      batches,
      changed: JSON.stringify(report.changed),
      rows: JSON.stringify(rows),
    })
    .execute();
  return report;
}
