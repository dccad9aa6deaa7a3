import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { regionOf } from '../../retention/statistics/region.js';
import { readStatistics } from '../../retention/statistics/read.js';
import { MIN_K, type StatisticsDimension } from '../../retention/statistics/settings.js';

/**
 * Commercial statistics (annex art. 1 "élaboration de statistiques commerciales";
 * R-PROS-8): counts of prospects by source, sector, région and period of collection,
 * with how many were solicited and how many clicked. Aggregates only: every group
 * smaller than k people is suppressed, and only its size joins one undimensioned total.
 */

/** The dimensions a report may be cut by. */
export const STATS_DIMENSIONS = ['source', 'sector', 'region', 'year', 'quarter', 'month'] as const;
/** One of STATS_DIMENSIONS. */
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** One group of the report. */
export interface StatsGroup {
  /** The group's value for each dimension asked for; `*` where the anonymised store cannot tell. */
  readonly key: Readonly<Partial<Record<StatsDimension, string>>>;
  /** Prospects in the group: active ones plus those deleted since and kept only as counts. */
  readonly people: number;
  /** Of them, still on file. */
  readonly active: number;
  /** Of them, deleted and counted in the anonymised statistics (src/retention/statistics). */
  readonly deleted: number;
  /** Of them, solicited at least once. */
  readonly solicited: number;
  /** Of them, who clicked a link at least once (a contact, R-PROS-7). */
  readonly clicked: number;
}

/** The report. */
export interface StatsReport {
  readonly by: readonly StatsDimension[];
  readonly k: number;
  readonly groups: readonly StatsGroup[];
  /** Active groups below k and the people in them, told only as totals. */
  readonly suppressed: { readonly groups: number; readonly people: number };
  /** Active prospects counted. */
  readonly totalPeople: number;
  /** Deleted prospects the anonymised store holds, and those it could place in no group. */
  readonly deleted: { readonly grouped: number; readonly ungrouped: number };
}

/** Dimensions the anonymised store keeps; the others are `*` for deleted people. */
const STORED: readonly StatsDimension[] = ['source', 'region', 'quarter', 'year'];

/**
 * The groups of deleted prospects (R-PROS-8: the statistics survive the deletion of the
 * people they were computed from), each ≥ k already, from the anonymised store's
 * `readStatistics`, keyed by the dimensions asked for; those it does not keep are `*`.
 */
async function storedGroups(db: Kysely<Database>, by: readonly StatsDimension[]): Promise<{ groups: { key: Partial<Record<StatsDimension, string>>; count: number }[]; grouped: number; ungrouped: number }> {
  const kept = by.filter((d): d is StatisticsDimension => STORED.includes(d));
  const read = await readStatistics(db, { purpose: 'prospecting', by: kept });
  const groups = read.groups.map((g) => {
    const key: Partial<Record<StatsDimension, string>> = {};
    for (const d of by) key[d] = (STORED.includes(d) ? g.key[d as StatisticsDimension] : undefined) ?? '*';
    return { key, count: g.count };
  });
  return { groups, grouped: read.grouped, ungrouped: read.ungrouped };
}

/** Parses `source,region,quarter`; every unknown name is reported. */
export function parseDimensions(text: string | readonly string[]): StatsDimension[] {
  const names = (typeof text === 'string' ? text.split(',') : [...text]).map((s) => s.trim()).filter((s) => s !== '');
  const bad = names.filter((n) => !(STATS_DIMENSIONS as readonly string[]).includes(n));
  if (bad.length > 0) {
    throw new RempartError('VALIDATION_FAILED', `Unknown statistics dimension(s): ${bad.join(', ')}.`, { details: [{ field: 'by', message: `expected a comma-separated list of ${STATS_DIMENSIONS.join(', ')}` }] });
  }
  return [...new Set(names)] as StatsDimension[];
}

interface Cell {
  source: string;
  sector: string | null;
  postcode: string | null;
  country: string | null;
  month: string;
  people: number | string;
  solicited: number | string;
  clicked: number | string;
}

function keyOf(cell: Cell, by: readonly StatsDimension[]): Partial<Record<StatsDimension, string>> {
  const key: Partial<Record<StatsDimension, string>> = {};
  for (const d of by) {
    if (d === 'source') key.source = cell.source;
    else if (d === 'sector') key.sector = cell.sector ?? 'unknown';
    else if (d === 'region') key.region = regionOf(cell.postcode ?? undefined, cell.country ?? undefined);
    else if (d === 'year') key.year = cell.month.slice(0, 4);
    else if (d === 'quarter') key.quarter = `${cell.month.slice(0, 4)}-Q${Math.floor((Number(cell.month.slice(5, 7)) - 1) / 3) + 1}`;
    else key.month = cell.month;
  }
  return key;
}

/**
 * The report over the active prospecting data. The database groups first (by source,
 * sector, postcode prefix and month), so only small aggregates leave it; the régions
 * come from the same mapping as the anonymised statistics store (src/retention/statistics).
 */
export async function prospectingStats(
  db: Kysely<Database>,
  policy: Pick<LoadedPolicy, 'purposes'>,
  options: { readonly by: readonly StatsDimension[]; readonly k?: number },
): Promise<StatsReport> {
  // k from the policy's prospecting statistics rule (the same k the anonymised store keeps), 5 by default.
  const k = options.k ?? policy.purposes.find((p) => p.id === 'prospecting')?.retention.statistics?.k ?? MIN_K;
  if (!Number.isInteger(k) || k < MIN_K) throw new RempartError('VALIDATION_FAILED', `The minimum group size must be an integer of at least ${MIN_K} (R-PROS-8).`, { details: [{ field: 'k', message: `at least ${MIN_K}` }] });
  const postcode = sql<string | null>`coalesce(p.postal_addresses->0->>'postcode', o.addresses->0->>'postcode')`;
  const country = sql<string | null>`coalesce(p.postal_addresses->0->>'country', o.addresses->0->>'country')`;
  const month = sql<string>`to_char(p.collected_at at time zone 'Europe/Paris', 'YYYY-MM')`;
  const cells: Cell[] = await db
    .selectFrom('people as p')
    .leftJoin('organisations as o', 'o.id', 'p.organisationId')
    .select([
      'p.source as source',
      'o.sector as sector',
      // Five digits are needed to tell a département from an overseas code, never more.
      sql<string | null>`left(${postcode}, 5)`.as('postcode'),
      country.as('country'),
      month.as('month'),
      sql<number>`count(*)`.as('people'),
      sql<number>`count(*) filter (where exists (select 1 from solicitations s where s.person_id = p.id))`.as('solicited'),
      sql<number>`count(*) filter (where exists (select 1 from solicitations s where s.person_id = p.id and s.clicked_at is not null))`.as('clicked'),
    ])
    .where('p.purpose', '=', 'prospecting')
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`, sql`5`])
    .execute();
  const groups = new Map<string, { key: Partial<Record<StatsDimension, string>>; people: number; solicited: number; clicked: number }>();
  let totalPeople = 0;
  for (const cell of cells) {
    const key = keyOf(cell, options.by);
    const id = JSON.stringify(options.by.map((d) => key[d]));
    const g = groups.get(id) ?? { key, people: 0, solicited: 0, clicked: 0 };
    g.people += Number(cell.people);
    g.solicited += Number(cell.solicited);
    g.clicked += Number(cell.clicked);
    totalPeople += Number(cell.people);
    groups.set(id, g);
  }
  // Suppress small active groups first; stored groups are ≥ k already, so adding them after reveals nothing smaller.
  const kept = new Map<string, { key: Partial<Record<StatsDimension, string>>; active: number; deleted: number; solicited: number; clicked: number }>();
  let suppressedGroups = 0;
  let suppressedPeople = 0;
  for (const [id, g] of groups) {
    if (g.people >= k) kept.set(id, { key: g.key, active: g.people, deleted: 0, solicited: g.solicited, clicked: g.clicked });
    else {
      suppressedGroups++;
      suppressedPeople += g.people;
    }
  }
  const stored = await storedGroups(db, options.by);
  for (const s of stored.groups) {
    const id = JSON.stringify(options.by.map((d) => s.key[d]));
    const g = kept.get(id) ?? { key: s.key, active: 0, deleted: 0, solicited: 0, clicked: 0 };
    g.deleted += s.count;
    kept.set(id, g);
  }
  const out: StatsGroup[] = [...kept.values()].map((g) => ({ key: g.key, people: g.active + g.deleted, active: g.active, deleted: g.deleted, solicited: g.solicited, clicked: g.clicked }));
  out.sort((a, b) => b.people - a.people || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { by: options.by, k, groups: out, suppressed: { groups: suppressedGroups, people: suppressedPeople }, totalPeople, deleted: { grouped: stored.grouped, ungrouped: stored.ungrouped } };
}
