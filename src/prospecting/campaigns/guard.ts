import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { parseDuration, type LoadedPolicy } from '../../policy/index.js';
import { normaliseEmail, normalisePhone, oppositionHash } from '../../rights/opposition/index.js';
import { isPastRetention } from '../../retention/preview.js';
import { HEADCOUNT_BANDS, type SegmentCriteria } from './criteria.js';
import { findRegion } from './regions.js';
import { consentedToElectronicProspecting } from '../../consent/events.js';
import { PERSONAL_EMAIL_DOMAINS } from '../normalise/index.js';

/**
 * The selection guard (R-PROS-4, R-PROS-6, R-PROS-3): the one function through which
 * every selection, preview, campaign send and Art. 14 notice finds its people. Whoever
 * objected, is on the opposition list, is restricted (Art. 18), is past the retention
 * period or archived (no longer in `people`), or has a personal-domain email or was
 * imported as an individual (no company) without consent to electronic prospecting,
 * never comes out of it.
 */

/**
 * A personal-domain address is presumed a private person's, for whom L34-5 CPCE requires
 * prior consent to electronic prospecting (R-PROS-6). The list is the import's
 * (src/prospecting/normalise), so the import's flag and the selection's rule agree.
 */
export function isPersonalEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  return PERSONAL_EMAIL_DOMAINS.has(email.slice(at + 1).trim().toLowerCase());
}

/** Why a person matching the criteria is left out. */
export const EXCLUSION_REASONS = ['objected', 'opposition_list', 'restricted', 'past_retention', 'personal_email_without_consent', 'individual_without_consent', 'no_email'] as const;
/** One of EXCLUSION_REASONS. */
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/**
 * What the selection is for: `solicitation` (a campaign message: every rule applies) or
 * `information` (the GDPR Art. 14 notice, an obligation rather than prospecting, so the
 * L34-5 consent rule does not apply to it; the others do).
 */
export type SelectionUse = 'solicitation' | 'information';

/** What the guard reads. */
export interface GuardDeps {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  /** The server key: the opposition list holds keyed hashes (R-PROS-3). */
  readonly key: Buffer;
}

/** A person the guard let through, with what a message needs. */
export interface Selected {
  readonly id: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly relation: string;
  readonly source: string;
  readonly collectedAt: Date;
}

/** One page of a selection. */
export interface SelectionPage {
  readonly eligible: readonly Selected[];
  readonly excluded: Readonly<Partial<Record<ExclusionReason, number>>>;
}

/** How to select. */
export interface SelectionOptions {
  readonly criteria?: SegmentCriteria;
  /** Only these people (the check made again just before each message). */
  readonly personIds?: readonly string[];
  /** Only people with this relation and no message of this kind yet (the Art. 14 job). */
  readonly notInformedProspectsCollectedBefore?: Date;
  readonly use: SelectionUse;
  readonly now: Date;
  readonly pageSize?: number;
}

interface Row {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  phones: unknown;
  purpose: string;
  relation: string;
  source: string;
  collectedAt: Date;
  objected: boolean;
  restricted: boolean;
  individual: boolean;
  pastRetention: boolean;
}

/** The facts the pure rule looks at, for one person. */
export interface GuardFacts {
  readonly objected: boolean;
  readonly onOppositionList: boolean;
  readonly restricted: boolean;
  readonly pastRetention: boolean;
  readonly email: string | null;
  readonly consentedToEmailProspecting: boolean;
  /** An import found no company for the person, and they still have no organisation (person_states.individual_at). */
  readonly individual?: boolean;
}

/** Pure: the first reason a person is left out, or null when they may be selected. */
export function exclusionReason(facts: GuardFacts, use: SelectionUse): ExclusionReason | null {
  if (facts.objected) return 'objected';
  if (facts.onOppositionList) return 'opposition_list';
  if (facts.restricted) return 'restricted';
  if (facts.pastRetention) return 'past_retention';
  if (facts.email === null || facts.email.trim() === '') return 'no_email';
  // L34-5 CPCE: electronic prospecting of a private person needs prior consent; a
  // personal-domain address is presumed a private person's (R-PROS-6).
  if (use === 'solicitation' && isPersonalEmail(facts.email) && !facts.consentedToEmailProspecting) return 'personal_email_without_consent';
  // The same rule for a person an import recognised as an individual (no company, R-PROS-6).
  if (use === 'solicitation' && facts.individual === true && !facts.consentedToEmailProspecting) return 'individual_without_consent';
  return null;
}

/**
 * Past retention, set-based, for the purposes kept "trois ans à compter de leur collecte
 * ou du dernier contact émanant du Client" (annex art. 4, P4.2; prospecting and file
 * sharing): the UTC day of the later of collection and the last contact from the person,
 * plus the purpose's active period from the policy, is today or earlier. Counted in
 * whole days exactly as the retention planner does (src/retention/contact/term.ts), so
 * the selection and the sweep agree on the day. Other purposes (crm: the contract's end)
 * are asked of the retention engine per person (`isPastRetention`).
 */
function contactRetention(policy: LoadedPolicy, today: string): { readonly purposes: readonly string[]; readonly past: RawBuilder<boolean> } {
  const rules = policy.purposes.filter((p) => p.retention.start === 'collection_or_last_contact');
  if (!rules.some((p) => p.id === 'prospecting')) throw new RempartError('POLICY_INVALID', 'The policy has no prospecting purpose kept from collection or last contact; selections cannot know its retention period.');
  const start = sql`(greatest(p.collected_at, p.last_contact_at) at time zone 'UTC')::date`;
  const ors = rules.map((p) => {
    const d = parseDuration(p.retention.active);
    return sql`(p.purpose = ${p.id} and ${start} + make_interval(years => ${d.years}::int, months => ${d.months}::int, days => ${d.days}::int) <= ${today}::date)`;
  });
  return { purposes: rules.map((p) => p.id), past: sql<boolean>`(${sql.join(ors, sql` or `)})` };
}

const POSTCODE = sql<string | null>`coalesce(p.postal_addresses->0->>'postcode', o.addresses->0->>'postcode')`;

function criteriaFilters(criteria: SegmentCriteria): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (criteria.headcountBands) {
    const ors = criteria.headcountBands.map((b) => {
      const [lo, hi] = HEADCOUNT_BANDS[b];
      return hi === null ? sql<SqlBool>`o.headcount >= ${lo}` : sql<SqlBool>`o.headcount between ${lo} and ${hi}`;
    });
    out.push(sql<SqlBool>`(${sql.join(ors, sql` or `)})`);
  }
  if (criteria.sectors) out.push(sql<SqlBool>`lower(o.sector) in (${sql.join(criteria.sectors.map((s) => s.toLowerCase()))})`);
  if (criteria.regions) {
    const prefixes = criteria.regions.flatMap((r) => findRegion(r)?.prefixes ?? []);
    const two = prefixes.filter((x) => x.length === 2);
    const three = prefixes.filter((x) => x.length === 3);
    const ors: Expression<SqlBool>[] = [sql<SqlBool>`false`];
    if (two.length > 0) ors.push(sql<SqlBool>`left(${POSTCODE}, 2) in (${sql.join(two)})`);
    if (three.length > 0) ors.push(sql<SqlBool>`left(${POSTCODE}, 3) in (${sql.join(three)})`);
    // Corsican postcodes start 20; the département codes 2A/2B are not postcodes.
    out.push(sql<SqlBool>`(${sql.join(ors, sql` or `)})`);
  }
  if (criteria.jobTitleContains) out.push(sql<SqlBool>`strpos(lower(p.job_title), lower(${criteria.jobTitleContains})) > 0`);
  if (criteria.sources) out.push(sql<SqlBool>`p.source in (${sql.join(criteria.sources)})`);
  if (criteria.lastContactBefore) out.push(sql<SqlBool>`p.last_contact_at < ${new Date(`${criteria.lastContactBefore}T00:00:00Z`)}`);
  if (criteria.lastContactAfter) out.push(sql<SqlBool>`p.last_contact_at >= ${new Date(`${criteria.lastContactAfter}T00:00:00Z`)}`);
  if (criteria.relations) out.push(sql<SqlBool>`p.relation in (${sql.join(criteria.relations)})`);
  return out;
}

/** The keyed hashes of the person's email and phones, as the opposition list holds them. */
function identifierHashes(key: Buffer, row: Row): { email: string | null; phones: string[] } {
  const email = row.email !== null && row.email.trim() !== '' ? oppositionHash(key, 'email', normaliseEmail(row.email)) : null;
  const numbers = Array.isArray(row.phones) ? (row.phones as { number?: unknown }[]).map((p) => p.number).filter((n): n is string => typeof n === 'string') : [];
  const phones = numbers.map((n) => normalisePhone(n)).filter((n): n is string => n !== null).map((n) => oppositionHash(key, 'phone', n));
  return { email, phones };
}

/**
 * Set-based opposition check for a page of people: their identifiers are hashed here
 * (the key never leaves the process) and matched against the list in one query.
 * An entry for email or for every channel stops an email (R-PROS-3).
 */
async function opposedAmong(deps: GuardDeps, rows: readonly Row[]): Promise<Set<string>> {
  const byHash = new Map<string, string[]>();
  const add = (hash: string, id: string) => byHash.set(hash, [...(byHash.get(hash) ?? []), id]);
  for (const row of rows) {
    const h = identifierHashes(deps.key, row);
    if (h.email) add(h.email, row.id);
    for (const p of h.phones) add(p, row.id);
  }
  const hashes = [...byHash.keys()];
  if (hashes.length === 0) return new Set();
  const hits = await deps.db
    .selectFrom('oppositionList')
    .select(['emailHash', 'phoneHash'])
    .where((eb) => eb.or([eb('emailHash', 'in', hashes), eb('phoneHash', 'in', hashes)]))
    .where('channel', 'in', ['email', 'all'])
    .execute();
  const out = new Set<string>();
  for (const hit of hits) for (const h of [hit.emailHash, hit.phoneHash]) if (h) for (const id of byHash.get(h) ?? []) out.add(id);
  return out;
}

/**
 * Selects people page by page (keyset on id, so memory does not grow with the base),
 * applying the criteria and then every exclusion; yields the eligible people of each
 * page and how many were left out, by reason.
 */
export async function* selectEligible(deps: GuardDeps, options: SelectionOptions): AsyncGenerator<SelectionPage> {
  const pageSize = options.pageSize ?? 1000;
  const today = options.now.toISOString().slice(0, 10);
  const retention = contactRetention(deps.policy, today);
  const filters = criteriaFilters(options.criteria ?? {});
  if (options.personIds !== undefined) {
    if (options.personIds.length === 0) return;
    filters.push(sql<SqlBool>`p.id in (${sql.join(options.personIds)})`);
  }
  if (options.notInformedProspectsCollectedBefore !== undefined) {
    filters.push(sql<SqlBool>`p.relation = 'prospect'`);
    filters.push(sql<SqlBool>`p.collected_at <= ${options.notInformedProspectsCollectedBefore}`);
    filters.push(sql<SqlBool>`not exists (select 1 from solicitations s where s.person_id = p.id and s.art14_included)`);
  }
  let after: string | null = null;
  for (;;) {
    const page: Row[] = await deps.db
      .selectFrom('people as p')
      .leftJoin('organisations as o', 'o.id', 'p.organisationId')
      .leftJoin('personStates as st', 'st.personId', 'p.id')
      .select([
        'p.id',
        'p.email',
        'p.firstName',
        'p.lastName',
        'p.phones',
        'p.relation',
        'p.source',
        'p.collectedAt',
        sql<boolean>`st.objected_prospecting_at is not null`.as('objected'),
        sql<boolean>`st.restricted_at is not null`.as('restricted'),
        sql<boolean>`st.individual_at is not null and p.organisation_id is null`.as('individual'),
        'p.purpose',
        retention.past.as('pastRetention'),
      ])
      .where((eb) => eb.and([...filters, ...(after === null ? [] : [sql<SqlBool>`p.id > ${after}`])]))
      .orderBy('p.id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    after = page[page.length - 1]?.id ?? null;
    const opposed = await opposedAmong(deps, page);
    const personal = page.filter((r) => (r.email !== null && isPersonalEmail(r.email)) || r.individual).map((r) => r.id);
    const consented = options.use === 'solicitation' && personal.length > 0 ? await consentedToElectronicProspecting(deps.db, personal, options.now) : new Set<string>();
    const eligible: Selected[] = [];
    const excluded: Partial<Record<ExclusionReason, number>> = {};
    for (const row of page) {
      // Purposes whose clock is not collection or last contact (crm: the contract's end): the retention engine decides.
      if (!retention.purposes.includes(row.purpose) && !row.objected && !row.restricted && !opposed.has(row.id)) {
        row.pastRetention = await isPastRetention(deps.db, deps.policy, row.id, today);
      }
      const reason = exclusionReason(
        {
          objected: row.objected,
          onOppositionList: opposed.has(row.id),
          restricted: row.restricted,
          pastRetention: row.pastRetention,
          email: row.email,
          consentedToEmailProspecting: consented.has(row.id),
          individual: row.individual,
        },
        options.use,
      );
      if (reason === null && row.email !== null) {
        eligible.push({ id: row.id, email: row.email.trim(), firstName: row.firstName, lastName: row.lastName, relation: row.relation, source: row.source, collectedAt: row.collectedAt });
      } else if (reason !== null) excluded[reason] = (excluded[reason] ?? 0) + 1;
    }
    yield { eligible, excluded };
    if (page.length < pageSize) return;
  }
}

/** How many people a selection gives, and how many were left out by each rule. */
export interface SelectionCount {
  readonly eligible: number;
  readonly excluded: Readonly<Record<ExclusionReason, number>>;
}

/** Counts a selection through the guard (a preview: no personal data comes out). */
export async function countEligible(deps: GuardDeps, options: Omit<SelectionOptions, 'personIds'>): Promise<SelectionCount> {
  let eligible = 0;
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  for await (const page of selectEligible(deps, options)) {
    eligible += page.eligible.length;
    for (const [reason, n] of Object.entries(page.excluded) as [ExclusionReason, number][]) excluded[reason] += n;
  }
  return { eligible, excluded };
}

/** The guard again for one person, just before a message leaves: the person, or null when they may no longer be written to. */
export async function recheckBeforeSend(deps: GuardDeps, personId: string, use: SelectionUse, now: Date): Promise<Selected | null> {
  for await (const page of selectEligible(deps, { personIds: [personId], use, now })) return page.eligible[0] ?? null;
  return null;
}
