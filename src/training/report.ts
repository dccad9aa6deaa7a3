import { sql } from 'kysely';
import type { GateSession } from '../access/gate.js';
import { authorise, engagementFor, RESOURCE, type TrainingDeps } from './context.js';
import type { PhishingKind } from './tables.js';

/** Per-kind counts of distinct trainees. */
export type PhishingCounts = Record<PhishingKind, number>;

/** The client's report of an engagement: figures only, no one named. */
export interface EngagementReport {
  readonly engagementId: string;
  readonly generatedAt: string;
  readonly trainees: number;
  readonly campaigns: readonly ({ readonly campaign: number; readonly firstSeenAt: string } & PhishingCounts)[];
  readonly departments: readonly ({ readonly department: string } & PhishingCounts)[];
  readonly courses: readonly {
    readonly activity: string;
    readonly learners: number;
    readonly completed: number;
    readonly completionRate: number | null;
    readonly passed: number;
    readonly failed: number;
    readonly passRate: number | null;
    readonly averageScore: number | null;
  }[];
  /** Per campaign in the order they started: the share of the sent who clicked, submitted, reported. */
  readonly trend: readonly { readonly campaign: number; readonly clickRate: number | null; readonly submitRate: number | null; readonly reportRate: number | null }[];
  /** Statements whose actor is not a trainee of the engagement (accepted, as an LRS must). */
  readonly unmatchedStatements: number;
}

const KINDS: readonly PhishingKind[] = ['sent', 'opened', 'clicked', 'submitted', 'reported'];
const zero = (): PhishingCounts => ({ sent: 0, opened: 0, clicked: 0, submitted: 0, reported: 0 });
const rate = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 10000) / 10000);
const VERB = { completed: 'http://adlnet.gov/expapi/verbs/completed', passed: 'http://adlnet.gov/expapi/verbs/passed', failed: 'http://adlnet.gov/expapi/verbs/failed' };

/**
 * Builds the report per campaign and per department (phishing) and per course
 * (e-learning). Counts are of distinct trainees, so a replayed event never counts twice.
 * Aggregates only: the read is audited as one access to the engagement's results.
 */
export async function engagementReport(deps: TrainingDeps, session: GateSession, engagementId: string): Promise<EngagementReport> {
  await authorise(session, 'read', RESOURCE.events);
  await engagementFor(session, deps.db, engagementId);
  const db = deps.db;
  const [trainees] = await db.selectFrom('trainingTrainees').select((eb) => eb.fn.countAll<string>().as('n')).where('engagementId', '=', engagementId).execute();
  const byCampaign = await db
    .selectFrom('trainingPhishingEvents as e')
    .innerJoin('trainingCampaigns as c', 'c.id', 'e.campaignId')
    .select(['c.gophishCampaignId as campaign', 'c.firstSeenAt', 'e.kind', sql<string>`count(distinct e.trainee_id)`.as('n')])
    .where('e.engagementId', '=', engagementId)
    .groupBy(['c.gophishCampaignId', 'c.firstSeenAt', 'e.kind'])
    .execute();
  const campaigns = new Map<number, { campaign: number; firstSeenAt: string } & PhishingCounts>();
  for (const r of byCampaign) {
    const c = Number(r.campaign);
    const entry = campaigns.get(c) ?? { campaign: c, firstSeenAt: r.firstSeenAt.toISOString(), ...zero() };
    entry[r.kind] = Number(r.n);
    campaigns.set(c, entry);
  }
  const byDepartment = await db
    .selectFrom('trainingPhishingEvents as e')
    .innerJoin('trainingTrainees as t', 't.id', 'e.traineeId')
    .select([sql<string>`coalesce(t.department, '')`.as('department'), 'e.kind', sql<string>`count(distinct e.trainee_id)`.as('n')])
    .where('e.engagementId', '=', engagementId)
    .groupBy([sql`coalesce(t.department, '')`, 'e.kind'])
    .execute();
  const departments = new Map<string, { department: string } & PhishingCounts>();
  for (const r of byDepartment) {
    const d = r.department === '' ? '(none)' : r.department;
    const entry = departments.get(d) ?? { department: d, ...zero() };
    entry[r.kind] = Number(r.n);
    departments.set(d, entry);
  }
  // Aggregated in the database, never loaded: an engagement may hold millions of statements (BENCHMARKS.md).
  const who = sql`coalesce(trainee_id::text, actor_key)`;
  const result = sql`statement -> 'result'`;
  const courseRows = await sql<{ activity: string; learners: string; completed: string; passed: string; failed: string; average: number | string | null }>`
    select object_id as activity,
      count(distinct ${who}) as learners,
      count(distinct ${who}) filter (where verb_id = ${VERB.completed} or ${result} -> 'completion' = 'true'::jsonb) as completed,
      count(distinct ${who}) filter (where verb_id = ${VERB.passed} or (verb_id <> ${VERB.failed} and ${result} -> 'success' = 'true'::jsonb)) as passed,
      count(distinct ${who}) filter (where verb_id = ${VERB.failed} or ${result} -> 'success' = 'false'::jsonb) as failed,
      avg((${result} -> 'score' ->> 'scaled')::float8) filter (where jsonb_typeof(${result} -> 'score' -> 'scaled') = 'number') as average
    from training_statements where engagement_id = ${engagementId}::uuid and object_id is not null
    group by object_id`.execute(db);
  const unmatchedRow = await db.selectFrom('trainingStatements').select((eb) => eb.fn.countAll<string>().as('n')).where('engagementId', '=', engagementId).where('traineeId', 'is', null).executeTakeFirstOrThrow();
  const unmatched = Number(unmatchedRow.n);
  const courses = new Map(courseRows.rows.map((r) => [r.activity, { learners: Number(r.learners), completed: Number(r.completed), passed: Number(r.passed), failed: Number(r.failed), average: r.average === null ? null : Number(r.average) }]));
  const campaignList = [...campaigns.values()].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.campaign - b.campaign);
  await session.recordAccess('read', RESOURCE.events, 'training', [engagementId], ['kind', 'statement']);
  return {
    engagementId,
    generatedAt: deps.now().toISOString(),
    trainees: Number(trainees?.n ?? 0),
    campaigns: campaignList,
    departments: [...departments.values()].sort((a, b) => a.department.localeCompare(b.department)),
    courses: [...courses.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([activity, c]) => ({
        activity,
        learners: c.learners,
        completed: c.completed,
        completionRate: rate(c.completed, c.learners),
        passed: c.passed,
        failed: c.failed,
        passRate: rate(c.passed, c.passed + c.failed),
        averageScore: c.average === null ? null : Math.round(c.average * 10000) / 10000,
      })),
    trend: campaignList.map((c) => ({ campaign: c.campaign, clickRate: rate(c.clicked, c.sent), submitRate: rate(c.submitted, c.sent), reportRate: rate(c.reported, c.sent) })),
    unmatchedStatements: unmatched,
  };
}

const cell = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

/** The report as one CSV table (a row per campaign, department and course); cells that a spreadsheet would run as formulas are quoted. */
export function reportCsv(r: EngagementReport): string {
  const header = ['scope', 'name', ...KINDS, 'learners', 'completed', 'completion_rate', 'passed', 'failed', 'pass_rate', 'average_score'];
  const lines = [header.join(',')];
  for (const c of r.campaigns) lines.push(['campaign', c.campaign, ...KINDS.map((k) => c[k]), '', '', '', '', '', '', ''].map(cell).join(','));
  for (const d of r.departments) lines.push(['department', d.department, ...KINDS.map((k) => d[k]), '', '', '', '', '', '', ''].map(cell).join(','));
  for (const c of r.courses) lines.push(['course', c.activity, '', '', '', '', '', c.learners, c.completed, c.completionRate, c.passed, c.failed, c.passRate, c.averageScore].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
