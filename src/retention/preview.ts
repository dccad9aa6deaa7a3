import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { isIsoDate, type LoadedPolicy } from '../policy/index.js';
import type { IsoDate } from '../policy/types.js';
import { archiveGroups, closedRequestGroups, connectionLogGroups, erasureHoldGroups, invoiceGroups, peopleGroups, peoplePage } from './facts.js';
import { consentRecordCounts, staffAccountGroups } from './accountability.js';
import { trainingRetentionCounts } from '../training/retention.js';
import { PlanAccumulator, planRecord, retentionRules, type PlanSummary, type RecordPlan } from './plan.js';

/**
 * `rempart retention plan`: the facts of every record, counted in groups of records
 * sharing them (one set-based pass per kind: the process holds counts, never the
 * records), through the pure planner, by purpose and action for `at` and the 30, 90
 * and 365 days after it (P4.6: what will be archived or deleted at any future date).
 */
export async function previewRetention(db: Kysely<Database>, policy: LoadedPolicy, at: IsoDate): Promise<PlanSummary> {
  if (!isIsoDate(at)) throw new RempartError('VALIDATION_FAILED', `"${at}" is not a calendar date YYYY-MM-DD.`, { details: [{ field: 'at', message: 'a date such as 2027-01-31' }] });
  const rules = retentionRules(policy);
  const acc = new PlanAccumulator(rules, at);
  for (const groups of [peopleGroups, invoiceGroups]) {
    for (const f of await groups(db)) acc.add(f);
  }
  for (const groups of [archiveGroups, erasureHoldGroups, connectionLogGroups, closedRequestGroups, staffAccountGroups]) {
    for (const f of await groups(db)) acc.add(f);
  }
  // Consent proofs and transfer logs: counted by the consent sweep's own conditions.
  for (const c of await consentRecordCounts(db, policy, at)) acc.addCounted(c.purpose, 'delete', c.due, c.windows);
  // Training engagements past their end and not closed (issue 19, src/training/retention.ts).
  if (rules.training) {
    const t = await trainingRetentionCounts(db, at);
    acc.addCounted('training', rules.training.end, t.due, t.windows);
  }
  return acc.summary();
}

/**
 * One person's retention on day `at` (P4.2, R-PROS-4): their phase, what a run that day
 * does to them and the next change. Null when the person is not in the operational
 * tables (archived or gone). What the prospecting selection and the re-permission
 * call: a person is past retention when `due` is not null.
 */
export async function personRetention(db: Kysely<Database>, policy: LoadedPolicy, personId: string, at: IsoDate): Promise<RecordPlan | null> {
  const page = await peoplePage(db, null, 1, personId);
  const row = page.rows[0];
  if (!row || row.id !== personId) return null;
  return planRecord(retentionRules(policy), row.facts, at);
}

/** Whether the person is past their retention on day `at` (or no longer in the operational tables). */
export async function isPastRetention(db: Kysely<Database>, policy: LoadedPolicy, personId: string, at: IsoDate): Promise<boolean> {
  const plan = await personRetention(db, policy, personId, at);
  return plan === null || plan.due !== null;
}
