import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database, PostalAddress, PurposeId } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { parisDate } from '../../rights/requests/deadlines.js';
import { countryOfRegion, regionOf, UNKNOWN_REGION } from './region.js';
import { DEFAULT_STATISTICS, MIN_K, type StatisticsByPurpose, type StatisticsSettings } from './settings.js';

/**
 * Folding people into the anonymised statistics before they are deleted (R-PROS-8).
 *
 * Why no group below k is ever stored, even for a batch of three people:
 * each person falls in one cell (source, région, quarter of collection). A batch's cells
 * are placed level by level up a fixed generalisation ladder:
 *
 *   0  (source, région,  quarter)
 *   1  (source, région,  year)       quarter → year
 *   2  (source, country, year)       région  → country
 *   3  (*,      country, year)       source  → any
 *   4  (*,      *,       year)       country → any
 *
 * At each level a cell is stored when that stored group already exists (it holds ≥ k,
 * so adding keeps it ≥ k) or when the batch alone brings ≥ k people to it; otherwise its
 * people go up one level, summed with their neighbours. Whoever is still unplaced after
 * level 4 is added to one undimensioned counter per purpose (`statistics_suppressed`),
 * which describes no group at all. Each person is counted in exactly one stored row, so
 * rows never overlap and no small group can be recovered by subtracting one from another.
 * The database refuses any count below 5 as a last line of defence.
 *
 * Nothing identifying is read into the store: no id, no hash, no postcode, no date
 * finer than the quarter, no time of folding. What remains is a known limit: comparing
 * two snapshots taken around one sweep shows how much each stored group grew that day.
 *
 * It writes in the caller's transaction: a rollback leaves nothing, and since the
 * sweep deletes the same people in that transaction, a rerun after a crash folds each
 * person once. Calling it twice for the same people before deleting them counts them twice.
 */

/** One group's dimension values (`*` when generalised away or not asked for). */
interface Cell {
  readonly source: string;
  readonly region: string;
  readonly period: string;
}

const ANY = '*';
/** The top of the ladder; beyond it, the suppressed counter. */
const LAST_LEVEL = 4;
/** People read per query (keeps parameter lists well below PostgreSQL's limit). */
const READ_CHUNK = 1000;
/** Rows written per statement. */
const WRITE_CHUNK = 500;

/** The cell of one person at level 0, keeping only the dimensions asked for. */
function fineCell(
  person: { source: string; collectedAt: Date; postalAddresses: readonly PostalAddress[] },
  settings: StatisticsSettings,
): Cell {
  const dims = new Set(settings.dimensions);
  const address = person.postalAddresses[0];
  const day = parisDate(person.collectedAt);
  const year = day.slice(0, 4);
  const quarter = `${year}-Q${Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1}`;
  return {
    source: dims.has('source') ? person.source.trim() : ANY,
    region: dims.has('region') ? regionOf(address?.postcode, address?.country) : ANY,
    period: dims.has('quarter') ? quarter : dims.has('year') ? year : ANY,
  };
}

/** The cell one level up the ladder. */
function generalise(cell: Cell, level: number): Cell {
  switch (level) {
    case 1:
      return { ...cell, period: cell.period === ANY ? ANY : cell.period.slice(0, 4) };
    case 2:
      return { ...cell, region: cell.region === ANY || cell.region === UNKNOWN_REGION ? cell.region : countryOfRegion(cell.region) };
    case 3:
      return { ...cell, source: ANY };
    case 4:
      return { ...cell, region: ANY };
    default:
      return cell;
  }
}

function keyOf(cell: Cell): string {
  return JSON.stringify([cell.source, cell.region, cell.period]);
}

function assertSettings(purpose: PurposeId, settings: StatisticsSettings): void {
  if (!Number.isInteger(settings.k) || settings.k < MIN_K) {
    throw new RempartError('POLICY_INVALID', `statistics k for purpose ${purpose} must be an integer of at least ${MIN_K}`, {
      details: [{ field: `purposes.${purpose}.retention.statistics.k`, message: `at least ${MIN_K} (R-PROS-8)` }],
    });
  }
}

/** Places one purpose's cells up the ladder (see the module comment). */
async function place(trx: Kysely<Database>, purpose: PurposeId, k: number, fine: ReadonlyMap<string, { cell: Cell; n: number }>): Promise<void> {
  let pending = fine;
  for (let level = 0; level <= LAST_LEVEL; level++) {
    const rolled = new Map<string, { cell: Cell; n: number }>();
    for (const { cell, n } of pending.values()) {
      const up = generalise(cell, level);
      const key = keyOf(up);
      const entry = rolled.get(key);
      rolled.set(key, { cell: up, n: (entry?.n ?? 0) + n });
    }
    if (rolled.size === 0) return;
    const existing = new Set(
      (
        await trx
          .selectFrom('statisticsCounts')
          .select(['source', 'region', 'period'])
          .where('purpose', '=', purpose)
          .where('granularity', '=', level)
          .execute()
      ).map(keyOf),
    );
    const grow: { cell: Cell; n: number }[] = [];
    const create: { cell: Cell; n: number }[] = [];
    const next = new Map<string, { cell: Cell; n: number }>();
    for (const key of [...rolled.keys()].sort()) {
      const entry = rolled.get(key);
      if (entry === undefined) continue;
      if (existing.has(key)) grow.push(entry);
      else if (entry.n >= k) create.push(entry);
      else next.set(key, entry);
    }
    // An update, not an upsert: PostgreSQL checks `count >= 5` on the proposed row
    // before resolving a conflict, and the increment alone may be below 5. One statement
    // per chunk (a sweep batch may touch hundreds of groups).
    for (let i = 0; i < grow.length; i += WRITE_CHUNK) {
      const values = grow.slice(i, i + WRITE_CHUNK).map(({ cell, n }) => sql`(${cell.source}, ${cell.region}, ${cell.period}, ${n}::integer)`);
      await sql`
        update statistics_counts s set count = s.count + v.n
        from (values ${sql.join(values)}) as v(source, region, period, n)
        where s.purpose = ${purpose} and s.granularity = ${level}
          and s.source = v.source and s.region = v.region and s.period = v.period`.execute(trx);
    }
    for (let i = 0; i < create.length; i += WRITE_CHUNK) {
      await trx
        .insertInto('statisticsCounts')
        .values(create.slice(i, i + WRITE_CHUNK).map(({ cell, n }) => ({ purpose, granularity: level, ...cell, count: n })))
        .execute();
    }
    pending = next;
  }
  let suppressed = 0;
  for (const { n } of pending.values()) suppressed += n;
  if (suppressed > 0) {
    await trx
      .insertInto('statisticsSuppressed')
      .values({ purpose, count: suppressed })
      .onConflict((oc) => oc.column('purpose').doUpdateSet({ count: sql<number>`statistics_suppressed.count + excluded.count` }))
      .execute();
  }
}

/**
 * Adds the people `personIds` to the anonymised statistics of their purpose, inside the
 * caller's transaction `trx`, just before the caller deletes them. People whose purpose
 * asks for no statistics, and ids no longer in `people`, are skipped. `at` is the
 * instant of the deletion; it is deliberately not stored (see the module comment).
 * `settings` come from the policy (`statisticsSettings(policy)`); the default is the annex's.
 */
export async function foldIntoStatistics(
  trx: Kysely<Database>,
  personIds: readonly string[],
  at: Date,
  settings: StatisticsByPurpose = DEFAULT_STATISTICS,
): Promise<void> {
  if (Number.isNaN(at.getTime())) throw new RempartError('VALIDATION_FAILED', 'foldIntoStatistics: invalid date for at');
  const purposes = (Object.keys(settings) as PurposeId[]).filter((p) => settings[p] !== undefined).sort();
  if (personIds.length === 0 || purposes.length === 0) return;
  for (const purpose of purposes) {
    const s = settings[purpose];
    if (s !== undefined) assertSettings(purpose, s);
  }
  const ids = [...new Set(personIds)].sort();
  const byPurpose = new Map<PurposeId, Map<string, { cell: Cell; n: number }>>();
  for (let i = 0; i < ids.length; i += READ_CHUNK) {
    const rows = await trx
      .selectFrom('people')
      .select(['purpose', 'source', 'collectedAt', 'postalAddresses'])
      .where('id', 'in', ids.slice(i, i + READ_CHUNK))
      .where('purpose', 'in', purposes)
      .execute();
    for (const row of rows) {
      const s = settings[row.purpose];
      if (s === undefined) continue;
      const cell = fineCell(row, s);
      const key = keyOf(cell);
      const cells = byPurpose.get(row.purpose) ?? new Map<string, { cell: Cell; n: number }>();
      byPurpose.set(row.purpose, cells);
      cells.set(key, { cell, n: (cells.get(key)?.n ?? 0) + 1 });
    }
  }
  for (const purpose of [...byPurpose.keys()].sort()) {
    const s = settings[purpose];
    const cells = byPurpose.get(purpose);
    if (s !== undefined && cells !== undefined) await place(trx, purpose, s.k, cells);
  }
}
