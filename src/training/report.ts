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
  const statements = await db.selectFrom('trainingStatements').select(['traineeId', 'actorKey', 'verbId', 'objectId', 'statement']).where('engagementId', '=', engagementId).execute();
  const courses = new Map<string, { learners: Set<string>; completed: Set<string>; passed: Set<string>; failed: Set<string>; scores: number[] }>();
  let unmatched = 0;
  for (const s of statements) {
    if (s.traineeId === null) unmatched++;
    if (s.objectId === null) continue;
    const c = courses.get(s.objectId) ?? { learners: new Set(), completed: new Set(), passed: new Set(), failed: new Set(), scores: [] };
    const who = s.traineeId ?? s.actorKey;
    c.learners.add(who);
    const result = (s.statement.result ?? {}) as { completion?: boolean; success?: boolean; score?: { scaled?: number } };
    if (s.verbId === VERB.completed || result.completion === true) c.completed.add(who);
    if (s.verbId === VERB.passed || (s.verbId !== VERB.failed && result.success === true)) c.passed.add(who);
    if (s.verbId === VERB.failed || result.success === false) c.failed.add(who);
    if (typeof result.score?.scaled === 'number') c.scores.push(result.score.scaled);
    courses.set(s.objectId, c);
  }
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
      .map(([activity, c]) => {
        const passed = c.passed.size;
        return {
          activity,
          learners: c.learners.size,
          completed: c.completed.size,
          completionRate: rate(c.completed.size, c.learners.size),
          passed,
          failed: c.failed.size,
          passRate: rate(passed, passed + c.failed.size),
          averageScore: c.scores.length === 0 ? null : Math.round((c.scores.reduce((x, y) => x + y, 0) / c.scores.length) * 10000) / 10000,
        };
      }),
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
