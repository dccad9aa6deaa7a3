import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import type { AuditEvent } from '../../access/audit/index.js';
import { CATALOGUE } from '../../catalogue/catalogue.js';
import type { Database, Phone, PostalAddress } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { materialiseProvenance } from './provenance.js';
import { writeHistory, type HistoryRow } from './history.js';
import { decideField, DEFAULT_SOURCE_RANKING, type MatchKind, type SourceRanking } from './survivorship.js';

/**
 * Merging records of one person (R-PROS-2), set-based: a chunk of clusters (each a
 * survivor and the records merged into it) costs a fixed number of statements, whatever
 * the number of clusters. The record-linkage pass merged one pair at a time, about 30
 * statements per merged record (measured: 238 s for 16,679 merged records at 1,000,000
 * imported rows); the rules are those of that pairwise merge, applied in TypeScript to
 * rows read once (`planMerge`), then written with one statement per table.
 */

/** A survivor and the records merged into it, in merge order. */
export interface MergeCluster {
  readonly survivorId: string;
  readonly otherIds: readonly string[];
}

/** What `mergeClusters` did with each cluster. */
export interface MergeOutcome {
  /** Clusters merged. */
  readonly merged: readonly MergeCluster[];
  /** Clusters left as they are because a member is restricted (GDPR Art. 18). */
  readonly restricted: readonly MergeCluster[];
  /** Clusters left as they are because a member no longer exists (erased since it was read). */
  readonly missing: readonly MergeCluster[];
}

/** The fields survivorship decides one by one; phones and addresses are united instead. */
export const MERGE_SCALARS = ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId'] as const;
type Scalar = (typeof MERGE_SCALARS)[number];

/** A person's row as the merge reads and writes it. */
export interface MergePerson {
  readonly id: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly jobTitle: string | null;
  readonly organisationId: string | null;
  readonly phones: readonly Phone[] | null;
  readonly postalAddresses: readonly PostalAddress[] | null;
  readonly source: string;
  readonly collectedAt: Date;
}

/** One provenance row of a person. */
export interface MergeProvenance {
  readonly field: string;
  readonly source: string;
  readonly collectedAt: Date;
  readonly importJobId: string | null;
  readonly chosen: boolean;
}

/** The columns of `person_states` besides the key, as the merge handles them. */
const STATE_COLUMNS = [
  ['objectedProspectingAt', 'objected_prospecting_at', 'timestamptz'],
  ['objectionOtherAt', 'objection_other_at', 'timestamptz'],
  ['objectionOtherGrounds', 'objection_other_grounds', 'text'],
  ['decision', 'decision', 'text'],
  ['decisionGrounds', 'decision_grounds', 'text'],
  ['decidedAt', 'decided_at', 'timestamptz'],
  ['restrictedAt', 'restricted_at', 'timestamptz'],
  ['restrictionReason', 'restriction_reason', 'text'],
  ['liftNoticeSentAt', 'lift_notice_sent_at', 'timestamptz'],
  ['individualAt', 'individual_at', 'timestamptz'],
] as const;
type StateKey = (typeof STATE_COLUMNS)[number][0];
/** A `person_states` row without its key. */
export type MergeState = { readonly [K in StateKey]: Date | string | null };

/** A survivor as the merge leaves it. */
export interface MergePlan {
  readonly person: MergePerson;
  /** The survivor's provenance rows after the merge (its own and those moved over). */
  readonly provenance: readonly MergeProvenance[];
  /** The survivor's states after the merge; null when no member had a row. */
  readonly state: MergeState | null;
  /** Scalar fields that took another record's value (for the audit entry). */
  readonly changed: readonly Scalar[];
  /** Values not kept, for the survivor's history (survivorship.ts). */
  readonly history: readonly HistoryRow[];
}

/** How a merge decides its fields: how the records were matched, and the policy's source ranking. */
export interface SurvivorshipRules {
  readonly match: MatchKind;
  readonly ranking: SourceRanking;
}

const empty = (v: unknown) => v === null || v === '';

/**
 * The survivor after merging each other record into it in turn (pure). For each scalar
 * field the most recent non-empty value by source date wins (the chosen provenance row's
 * date, else the record's collection date); phones (by number) and addresses (by first
 * line and postcode) are united; the earliest collection date and its source stay (GDPR
 * Art. 14: when the data was first collected). Provenance: the others' rows move over; a
 * field another record won keeps that record's source chosen and unchooses the
 * survivor's; a (field, source) both hold keeps the later date. States: the strictest of
 * each (`strictestState`), so an objection on either stays (GDPR Art. 21(3)). Sequential on purpose: a later record is compared with
 * the survivor as the earlier ones left it, as the pairwise merge did.
 */
export function planMerge(
  survivor: MergePerson,
  others: readonly MergePerson[],
  provenanceOf: (id: string) => readonly MergeProvenance[],
  stateOf: (id: string) => MergeState | undefined,
  rules: SurvivorshipRules = { match: 'reviewed', ranking: DEFAULT_SOURCE_RANKING },
): MergePlan {
  let s: MergePerson = survivor;
  const history: HistoryRow[] = [];
  const prov: MergeProvenance[] = [...provenanceOf(survivor.id)];
  let state: MergeState | null = stateOf(survivor.id) ?? null;
  const changed = new Set<Scalar>();
  const dateOf = (rows: readonly MergeProvenance[], field: string, fallback: Date) => (rows.find((r) => r.chosen && r.field === field)?.collectedAt ?? fallback).getTime();
  for (const o of others) {
    const moved = provenanceOf(o.id);
    const winners = new Set<string>();
    const patch: Partial<Record<Scalar, string | null>> = {};
    const sourceOf = (rows: readonly MergeProvenance[], field: string, fallback: string) => rows.find((r) => r.chosen && r.field === field)?.source ?? fallback;
    for (const f of MERGE_SCALARS) {
      if (empty(o[f])) continue;
      // Field by field by the rules of survivorship.ts: a typo of the held value, a
      // secondary e-mail or a value a fuzzy match brings does not replace it; what is not
      // kept goes to history with its source.
      const d = decideField(
        f,
        { value: s[f], source: sourceOf(prov, f, s.source), collectedAt: new Date(dateOf(prov, f, s.collectedAt)) },
        { value: o[f], source: sourceOf(moved, f, o.source), collectedAt: new Date(dateOf(moved, f, o.collectedAt)) },
        rules.match,
        rules.ranking,
      );
      if (d.history) history.push({ personId: survivor.id, field: f, ...d.history });
      if (d.keep === 'offered') {
        patch[f] = o[f];
        winners.add(f);
        changed.add(f);
      }
    }
    const phones: Phone[] = [...(s.phones ?? [])];
    for (const p of o.phones ?? []) if (!phones.some((q) => q.number === p.number)) phones.push(p);
    const addresses: PostalAddress[] = [...(s.postalAddresses ?? [])];
    for (const a of o.postalAddresses ?? []) if (!addresses.some((b) => b.line1 === a.line1 && b.postcode === a.postcode)) addresses.push(a);
    const earliest = o.collectedAt.getTime() < s.collectedAt.getTime() ? { source: o.source, collectedAt: o.collectedAt } : {};
    s = { ...s, ...patch, ...earliest, phones, postalAddresses: addresses };

    for (let i = 0; i < prov.length; i++) if (winners.has(prov[i]!.field) && prov[i]!.chosen) prov[i] = { ...prov[i]!, chosen: false };
    for (const m of moved) {
      const chosen = m.chosen && winners.has(m.field);
      const at = prov.findIndex((r) => r.field === m.field && r.source === m.source);
      if (at < 0) prov.push({ ...m, chosen });
      else {
        const e = prov[at]!;
        prov[at] = { ...e, collectedAt: m.collectedAt.getTime() > e.collectedAt.getTime() ? m.collectedAt : e.collectedAt, chosen: e.chosen || chosen };
      }
    }

    const os = stateOf(o.id);
    if (os) state = strictestState(state ?? (Object.fromEntries(STATE_COLUMNS.map(([k]) => [k, null])) as MergeState), os);
  }
  return { person: s, provenance: prov, state, changed: [...changed], history };
}

const time = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());
/** The earlier of two optional dates (either when the other is missing). */
const earliest = (a: Date | string | null, b: Date | string | null) => {
  const [ta, tb] = [time(a), time(b)];
  return ta === null ? b : tb === null || ta <= tb ? a : b;
};
/** How strict an objection to other processing is (Art. 21(1)): upheld, then pending (Art. 18(1)(d) meanwhile), then overridden. */
const objectionRank = (s: MergeState) => (s.objectionOtherAt === null ? 0 : s.decision === 'upheld' ? 3 : s.decision === null ? 2 : 1);

/**
 * The states of one person known under two records, the strictest kept (issue 17, item
 * 6): an objection to prospecting and the individual flag from the earlier date either
 * record has (GDPR Art. 21(3): an objection, once made, stays); an objection to other
 * processing whole from the record where it is strictest (upheld, then pending, then
 * overridden; its decision and grounds never mixed with another record's); a restriction
 * from whichever has one (restricted records are never merged, so this is only defence).
 * Pure.
 */
export function strictestState(a: MergeState, b: MergeState): MergeState {
  const objection = objectionRank(b) > objectionRank(a) || (objectionRank(b) === objectionRank(a) && objectionRank(a) > 0 && time(b.objectionOtherAt)! < time(a.objectionOtherAt)!) ? b : a;
  const restriction = a.restrictedAt === null && b.restrictedAt !== null ? b : a;
  return {
    objectedProspectingAt: earliest(a.objectedProspectingAt, b.objectedProspectingAt),
    objectionOtherAt: objection.objectionOtherAt,
    objectionOtherGrounds: objection.objectionOtherGrounds,
    decision: objection.decision,
    decisionGrounds: objection.decisionGrounds,
    decidedAt: objection.decidedAt,
    restrictedAt: restriction.restrictedAt,
    restrictionReason: restriction.restrictionReason,
    liftNoticeSentAt: restriction.liftNoticeSentAt ?? (restriction === a ? b : a).liftNoticeSentAt,
    individualAt: earliest(a.individualAt, b.individualAt),
  };
}

/** Tables whose person link the merge handles itself. */
const HANDLED = new Set(['people', 'person_field_history', 'prospect_field_provenance', 'dedupe_review_queue', 'person_states', 'contract_contacts']);

/** Every catalogued (table, column) that holds a person's id directly, to re-point. */
const LINKS = CATALOGUE.flatMap((t) => (HANDLED.has(t.table) || t.keyedBy !== undefined ? [] : t.subjects.filter((l) => !l.via && l.column !== 'id').map((l) => ({ table: t.table, column: l.column }))));

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const inList = (ids: readonly string[]) => sql<SqlBool>`id = any(${[...ids]}::uuid[])`;

/**
 * Merges each cluster's other records into its survivor (R-PROS-2) inside `tx`, with the
 * rules of `planMerge`; the statements do not grow with the number of clusters (one per
 * table, rows passed as arrays and joined with unnest). Every table the catalogue links to
 * a person is re-pointed to the survivor, contract contacts and review pairs without
 * duplicates, and the other records are deleted. A cluster with a restricted member (GDPR
 * Art. 18: their data may not be processed) or a member gone is left as it is and
 * reported, so one such cluster does not undo the others. Clusters must not share records.
 * Audit: per cluster, one update entry (the survivor, the fields that changed) and one
 * delete entry (the records merged away), with `reason`.
 */
export async function mergeClusters(
  tx: Kysely<Database>,
  clusters: readonly MergeCluster[],
  actor: Actor,
  now: Date,
  reason: string | ((cluster: MergeCluster) => string),
  rules: SurvivorshipRules = { match: 'reviewed', ranking: DEFAULT_SOURCE_RANKING },
): Promise<MergeOutcome> {
  const all = clusters.flatMap((c) => [c.survivorId, ...c.otherIds]);
  if (new Set(all).size !== all.length) throw new RempartError('INTERNAL', 'Merge clusters share a record.');
  if (all.length === 0) return { merged: [], restricted: [], missing: [] };

  // Locked in id order, so two merges over overlapping records (a reviewer and the pass)
  // wait for each other instead of deadlocking; the second then finds the record gone.
  const people = await tx
    .selectFrom('people')
    .select(['id', 'firstName', 'lastName', 'email', 'jobTitle', 'organisationId', 'phones', 'postalAddresses', 'source', 'collectedAt'])
    .where(inList(all))
    .orderBy('id')
    .forUpdate()
    .execute();
  const personOf = new Map<string, MergePerson>(people.map((p) => [p.id, p]));
  const states = await tx.selectFrom('personStates').selectAll().where(sql<SqlBool>`person_id = any(${all}::uuid[])`).execute();
  const stateOf = new Map<string, MergeState>(states.map(({ personId, ...rest }) => [personId, rest]));

  const merged: MergeCluster[] = [];
  const restricted: MergeCluster[] = [];
  const missing: MergeCluster[] = [];
  for (const c of clusters) {
    const ids = [c.survivorId, ...c.otherIds];
    if (c.otherIds.length === 0) continue;
    if (!ids.every((id) => personOf.has(id))) missing.push(c);
    else if (ids.some((id) => (stateOf.get(id)?.restrictedAt ?? null) !== null)) restricted.push(c);
    else merged.push(c);
  }
  if (merged.length === 0) return { merged, restricted, missing };

  const live = merged.flatMap((c) => [c.survivorId, ...c.otherIds]);
  // Implicit provenance (the record's own source and date, no rows) is written out first
  // for both sides, so that the survivor ends with a row for every field it holds.
  await materialiseProvenance(tx, live);
  const provRows = await tx.selectFrom('prospectFieldProvenance').selectAll().where(sql<SqlBool>`person_id = any(${live}::uuid[])`).orderBy('personId').orderBy('field').orderBy('source').execute();
  const provOf = new Map<string, MergeProvenance[]>();
  for (const { personId, ...r } of provRows) {
    const list = provOf.get(personId);
    if (list) list.push(r);
    else provOf.set(personId, [r]);
  }

  const plans = merged.map((c) => ({
    cluster: c,
    plan: planMerge(
      personOf.get(c.survivorId)!,
      c.otherIds.map((id) => personOf.get(id)!),
      (id) => provOf.get(id) ?? [],
      (id) => stateOf.get(id),
      rules,
    ),
  }));
  const survivorIds = plans.map((p) => p.cluster.survivorId);
  // The other → survivor mapping, as arrays every re-pointing statement joins on (with
  // each other's place in its cluster's merge order, for the contract contacts).
  const otherIds = merged.flatMap((c) => c.otherIds);
  const mapSurvivors = merged.flatMap((c) => c.otherIds.map(() => c.survivorId));
  const mapOrder = merged.flatMap((c) => c.otherIds.map((_, i) => i));

  // People: the survivors as planned. Source and collection date are passed only where an
  // earlier record gave them (null keeps the stored value, to the microsecond).
  const col = <T,>(f: (p: MergePerson, before: MergePerson) => T) => plans.map((p) => f(p.plan.person, personOf.get(p.cluster.survivorId)!));
  const earlier = (p: MergePerson, before: MergePerson) => p.collectedAt.getTime() !== before.collectedAt.getTime() || p.source !== before.source;
  await sql`
    update people p set first_name = u.first_name, last_name = u.last_name, email = u.email, job_title = u.job_title, organisation_id = u.organisation_id,
      phones = u.phones::jsonb, postal_addresses = u.postal_addresses::jsonb, source = coalesce(u.source, p.source), collected_at = coalesce(u.collected_at, p.collected_at),
      updated_at = ${now}::timestamptz
    from unnest(${col((p) => p.id)}::uuid[], ${col((p) => p.firstName)}::text[], ${col((p) => p.lastName)}::text[], ${col((p) => p.email)}::text[],
      ${col((p) => p.jobTitle)}::text[], ${col((p) => p.organisationId)}::uuid[], ${col((p) => JSON.stringify(p.phones ?? []))}::text[],
      ${col((p) => JSON.stringify(p.postalAddresses ?? []))}::text[], ${col((p, b) => (earlier(p, b) ? p.source : null))}::text[],
      ${col((p, b) => (earlier(p, b) ? p.collectedAt.toISOString() : null))}::timestamptz[])
      as u(id, first_name, last_name, email, job_title, organisation_id, phones, postal_addresses, source, collected_at)
    where p.id = u.id`.execute(tx);

  // Provenance: the others' rows go; the survivors' rows that are new or changed are written
  // (untouched rows are left alone, keeping the database's own timestamps to the microsecond).
  await sql`delete from prospect_field_provenance where person_id = any(${otherIds}::uuid[])`.execute(tx);
  const provWrites = plans.flatMap(({ cluster, plan }) => {
    const before = provOf.get(cluster.survivorId) ?? [];
    return plan.provenance.flatMap((r) => {
      const was = before.find((b) => b.field === r.field && b.source === r.source);
      return was && was.chosen === r.chosen && was.collectedAt.getTime() === r.collectedAt.getTime() ? [] : [{ personId: cluster.survivorId, ...r }];
    });
  });
  if (provWrites.length > 0) {
    const pc = <T,>(f: (r: (typeof provWrites)[number]) => T) => provWrites.map(f);
    await sql`
      insert into prospect_field_provenance (person_id, field, source, collected_at, import_job_id, chosen)
      select * from unnest(${pc((r) => r.personId)}::uuid[], ${pc((r) => r.field)}::text[], ${pc((r) => r.source)}::text[], ${pc((r) => r.collectedAt.toISOString())}::timestamptz[],
        ${pc((r) => r.importJobId)}::uuid[], ${pc((r) => r.chosen)}::boolean[])
      on conflict (person_id, field, source) do update set collected_at = excluded.collected_at, chosen = excluded.chosen`.execute(tx);
  }

  // States: the survivors' merged rows (only where an other had one), then the others' rows go.
  const stateWrites = plans.filter((p) => p.plan.state !== null && p.cluster.otherIds.some((id) => stateOf.has(id)));
  if (stateWrites.length > 0) {
    const columns = STATE_COLUMNS.map(([, c]) => sql.ref(c));
    const arrays = STATE_COLUMNS.map(([k, , type]) => {
      const values = stateWrites.map((p) => {
        const v = p.plan.state![k];
        return v instanceof Date ? v.toISOString() : v;
      });
      return type === 'timestamptz' ? sql`${values}::timestamptz[]` : sql`${values}::text[]`;
    });
    await sql`
      insert into person_states (person_id, ${sql.join(columns)})
      select * from unnest(${stateWrites.map((p) => p.cluster.survivorId)}::uuid[], ${sql.join(arrays)})
      on conflict (person_id) do update set ${sql.join(STATE_COLUMNS.map(([, c]) => sql`${sql.ref(c)} = ${sql.ref(`excluded.${c}`)}`))}`.execute(tx);
    await sql`delete from person_states where person_id = any(${otherIds}::uuid[])`.execute(tx);
  }

  // Contract contacts (primary key contract + person): an other's row goes when its
  // survivor, or an earlier record of its cluster, is already a contact of that contract.
  await sql`
    delete from contract_contacts c
    using unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[], ${mapOrder}::int[]) as m(other, survivor, ord)
    where c.person_id = m.other and exists (
      select 1 from contract_contacts d
      left join unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[], ${mapOrder}::int[]) as n(other, survivor, ord) on n.other = d.person_id
      where d.contract_id = c.contract_id and (d.person_id = m.survivor or (n.survivor = m.survivor and n.ord < m.ord)))`.execute(tx);
  await sql`
    update contract_contacts c set person_id = m.survivor
    from unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[]) as m(other, survivor)
    where c.person_id = m.other`.execute(tx);

  // Every other table the catalogue links to a person: one statement per linking column.
  for (const link of LINKS) {
    await sql`
      update ${sql.table(link.table)} t set ${sql.ref(link.column)} = m.survivor
      from unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[]) as m(other, survivor)
      where t.${sql.ref(link.column)} = m.other`.execute(tx);
  }

  // Review pairs follow their records; a pair that now repeats another is dropped, a
  // decided one kept before a pending one (a rejection must not be shadowed by a pending
  // duplicate), the oldest pending one otherwise; one inside a cluster is accepted.
  for (const side of ['left_person_id', 'right_person_id'] as const) {
    await sql`
      update dedupe_review_queue q set ${sql.ref(side)} = m.survivor
      from unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[]) as m(other, survivor)
      where q.${sql.ref(side)} = m.other`.execute(tx);
  }
  // A pending pair whose two records are now one was settled by this merge: no reviewer should see it.
  await sql`
    update dedupe_review_queue set status = 'accepted', decided_at = ${now}::timestamptz, decided_by = ${actor.id}
    where status = 'pending' and left_person_id = right_person_id and left_person_id = any(${survivorIds}::uuid[])`.execute(tx);
  await sql`
    delete from dedupe_review_queue q
    where q.status = 'pending' and q.left_person_id <> q.right_person_id
      and (q.left_person_id = any(${survivorIds}::uuid[]) or q.right_person_id = any(${survivorIds}::uuid[]))
      and exists (
        select 1 from dedupe_review_queue o
        where o.id <> q.id
          -- Narrowed by the survivors (a repeat of q holds q's survivor too), so the
          -- left/right indexes answer instead of a scan of the whole queue.
          and (o.left_person_id = any(${survivorIds}::uuid[]) or o.right_person_id = any(${survivorIds}::uuid[]))
          and least(o.left_person_id, o.right_person_id) = least(q.left_person_id, q.right_person_id)
          and greatest(o.left_person_id, o.right_person_id) = greatest(q.left_person_id, q.right_person_id)
          and (o.status <> 'pending' or o.id < q.id))`.execute(tx);

  // History: the others' values not kept before follow them to the survivor (a value the
  // survivor has from the same source already is not repeated), then this merge's own.
  await sql`
    insert into person_field_history (id, person_id, field, value, source, collected_at, reason, import_job_id, recorded_at)
    select h.id, m.survivor, h.field, h.value, h.source, h.collected_at, h.reason, h.import_job_id, h.recorded_at
    from person_field_history h join unnest(${otherIds}::uuid[], ${mapSurvivors}::uuid[]) as m(other, survivor) on h.person_id = m.other
    on conflict do nothing`.execute(tx);
  await sql`delete from person_field_history where person_id = any(${otherIds}::uuid[])`.execute(tx);
  await writeHistory(tx, plans.flatMap((p) => p.plan.history), null, now);

  await sql`delete from people where id = any(${otherIds}::uuid[])`.execute(tx);

  const events: AuditEvent[] = plans.flatMap(({ cluster, plan }) => {
    const base = { at: now, actor: actor.id, role: actor.role, purpose: 'prospecting', resource: 'people', reason: typeof reason === 'string' ? reason : reason(cluster) } as const;
    return [
      { ...base, action: 'update', recordIds: [cluster.survivorId], personIds: [cluster.survivorId, ...cluster.otherIds], fields: [...plan.changed.map(snake), 'phones', 'postal_addresses'] },
      { ...base, action: 'delete', recordIds: [...cluster.otherIds], personIds: [...cluster.otherIds], fields: [] },
    ];
  });
  await appendInTransaction(tx, events);
  return { merged, restricted, missing };
}
