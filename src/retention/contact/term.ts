import { addDuration, compareDates } from '../../policy/index.js';
import type { IsoDate, Policy, PurposeId, RepermissionRule } from '../../policy/types.js';

/**
 * The retention term of data kept "three years from collection or the last contact from
 * the person" (annex art. 4, P4.2), counted in whole days (UTC) exactly as the retention
 * planner counts them (src/retention/plan.ts): a run on the term day or later deletes.
 */

/** The UTC calendar day of an instant. */
export function utcDay(at: Date): IsoDate {
  return at.toISOString().slice(0, 10);
}

/** The day the clock starts: the later of collection and the last contact from the person. */
export function clockStart(collectedAt: Date, lastContactAt: Date | null): IsoDate {
  const collected = utcDay(collectedAt);
  if (lastContactAt === null) return collected;
  const last = utcDay(lastContactAt);
  return compareDates(last, collected) > 0 ? last : collected;
}

/** The term: the first day the data is past its active period. */
export function contactTerm(collectedAt: Date, lastContactAt: Date | null, active: string): IsoDate {
  return addDuration(clockStart(collectedAt, lastContactAt), active);
}

/** The default lead time of the re-permission message (P4.2): 30 days before the term. */
export const DEFAULT_REPERMISSION: RepermissionRule = Object.freeze({ before: 'P30D' });

/** The purposes that get a re-permission message, with their active period and rule. */
export function repermissionPurposes(policy: Policy): readonly { readonly purpose: PurposeId; readonly active: string; readonly rule: RepermissionRule }[] {
  return policy.purposes
    .filter((p) => p.retention.start === 'collection_or_last_contact')
    .map((p) => ({ purpose: p.id, active: p.retention.active, rule: p.retention.repermission ?? DEFAULT_REPERMISSION }));
}

/**
 * Whether `today` is a day to send the message for a term: with `before`, from the day the
 * term is `before` away until the day before the term; with `after` (an answer window),
 * from the term until the window closes. Pure.
 */
export function inRepermissionWindow(today: IsoDate, term: IsoDate, rule: RepermissionRule): boolean {
  if (rule.after !== undefined) return compareDates(today, term) >= 0 && compareDates(today, addDuration(term, rule.after)) < 0;
  const before = rule.before ?? DEFAULT_REPERMISSION.before ?? 'P30D';
  return compareDates(addDuration(today, before), term) >= 0 && compareDates(today, term) < 0;
}

/**
 * The day the data is deleted when no yes comes: the term, or with an answer window
 * `after` the term, the day that window closes. The retention sweep must use this day.
 */
export function deletionDay(term: IsoDate, rule: RepermissionRule | undefined): IsoDate {
  return rule?.after === undefined ? term : addDuration(term, rule.after);
}
