import { addDuration, compareDates, parseDuration, type LoadedPolicy } from '../policy/index.js';
import type { IsoDate, IsoDuration, PurposeId, RepermissionRule, RetentionEnd } from '../policy/types.js';
import { deletionDay } from './contact/term.js';
import { RempartError } from '../errors.js';

/**
 * The retention planner (P4.1–P4.6): pure. Given what is known of a record (its
 * retention facts) and a day, it says in which phase the record is, what a run on
 * that day must do to it, and when it next changes. No clock: the day is a parameter,
 * so `rempart retention plan --at` can show any future day and the tests can travel.
 *
 * Boundaries are days (`YYYY-MM-DD`, UTC): a record whose active period of P3Y starts
 * on 2020-06-30 is archived by a run on 2023-06-30 or later, and not by one on
 * 2023-06-29 (`addDuration` clamps 29 February to 28 February, never past the term).
 */

/** What a run does to a record. */
export type RetentionAction = 'archive' | 'delete' | 'anonymise';
/** Where a record is: in the operational tables, in the archive, or frozen by a litigation hold. */
export type RetentionPhase = 'active' | 'archived' | 'held';

/** The rule of the accountability records the sweep handles (closed rights requests). */
export interface AccountabilityTerm {
  readonly active: IsoDuration;
  readonly archive: IsoDuration;
  readonly end: RetentionEnd;
}

/** Retention from collection or last contact: with `repermission.after`, the data stays through the answer window (P4.2). */
export interface ContactRule {
  readonly active: IsoDuration;
  readonly archive: IsoDuration;
  readonly end: RetentionEnd;
  readonly repermission?: RepermissionRule;
}

/** The policy's retention, reduced to what the planner reads. */
export interface RetentionRules {
  readonly crm: { readonly active: IsoDuration; readonly archive: IsoDuration; readonly end: RetentionEnd; readonly archivesPeople: boolean };
  readonly prospecting: ContactRule;
  readonly fileSharing: ContactRule;
  readonly connectionLogs: { readonly active: IsoDuration };
  /** The accounting hold (Code de commerce L123-22): its duration, from the close of the financial year. */
  readonly accountingHold: { readonly duration: IsoDuration; readonly basis: string } | null;
  /** The last day of the financial year, `MM-DD`. */
  readonly financialYearEnd: string;
  readonly closedRequests: AccountabilityTerm;
  /** Staff accounts, from their deactivation (`accountabilityRetention.staff_accounts`). */
  readonly staffAccounts: AccountabilityTerm;
  /**
   * Training data ends with the engagement (annex art. 4: restituted, then destroyed,
   * Art. 28(3)(g)). No engagement is recorded yet (the training issue builds them), so the
   * plan shows its line with zero counts; null when the policy has no training purpose.
   */
  readonly training: { readonly end: RetentionEnd } | null;
}

/** The facts of one record (or, with `count`, of that many records sharing them). */
export type RetentionFacts = (
  | {
      /** A client contact or colleague (purpose crm): the clock runs from the end of the commercial relationship. */
      readonly kind: 'crm_person';
      /** The last day of the last contract of the person or their organisation; null while one is open-ended or none exists. */
      readonly relationshipEnd: IsoDate | null;
    }
  | {
      /** A prospect (prospecting) or a person in the shared file (file_sharing): from collection or the last contact. */
      readonly kind: 'contact_person';
      readonly purpose: 'prospecting' | 'file_sharing';
      readonly collectedOn: IsoDate;
      readonly lastContactOn: IsoDate | null;
    }
  | {
      /** An invoice with its payments (ledger entries) and debt cases. */
      readonly kind: 'invoice';
      readonly relationshipEnd: IsoDate | null;
      readonly issuedOn: IsoDate;
      readonly lastPaidOn: IsoDate | null;
    }
  | {
      /** A record in the intermediate archive, with the day it leaves it. */
      readonly kind: 'archived';
      readonly purpose: PurposeId;
      readonly deleteOn: IsoDate;
      readonly endAction: RetentionEnd;
    }
  | {
      /** A record the erasure kept under a hold (`archived_records`): released the day after its hold ends, or when the litigation hold is lifted. */
      readonly kind: 'erasure_hold';
      readonly releasedOn: IsoDate | null;
    }
  | { readonly kind: 'connection_log'; readonly loggedOn: IsoDate }
  | { readonly kind: 'closed_request'; readonly closedOn: IsoDate }
  /** A deactivated staff account not yet ended, by the day it was deactivated. */
  | { readonly kind: 'staff_account'; readonly disabledOn: IsoDate }
) & {
  /** Under a litigation hold set by the dpo (GDPR Art. 17(3)(e)): nothing changes until it is lifted. */
  readonly held?: boolean;
  readonly count?: number;
};

/** One scheduled change. */
export interface RetentionStep {
  readonly action: RetentionAction;
  readonly on: IsoDate;
}

/** The planner's answer for one record on one day. */
export interface RecordPlan {
  /** The purpose (or accountability record) the change is counted under. */
  readonly purpose: string;
  readonly phase: RetentionPhase;
  /** What a run on that day does; null when nothing is due. */
  readonly due: RetentionAction | null;
  /** The first change strictly after that day; null when none is scheduled (open relationship, hold). */
  readonly next: RetentionStep | null;
  /** Every change from that day on, including the due one. */
  readonly steps: readonly RetentionStep[];
}

const later = (a: IsoDate, b: IsoDate): IsoDate => (compareDates(a, b) >= 0 ? a : b);
const isZero = (d: IsoDuration): boolean => {
  const p = parseDuration(d);
  return p.years === 0 && p.months === 0 && p.days === 0;
};

/** The close of the financial year a day falls in (`MM-DD` is its last day). */
export function financialYearClose(day: IsoDate, financialYearEnd: string): IsoDate {
  const close = `${day.slice(0, 4)}-${financialYearEnd}`;
  // 29 February closes on the 28th in common years; a close before the day is next year's.
  const valid = financialYearEnd === '02-29' && !isLeap(Number(day.slice(0, 4))) ? `${day.slice(0, 4)}-02-28` : close;
  return compareDates(valid, day) >= 0 ? valid : `${String(Number(day.slice(0, 4)) + 1).padStart(4, '0')}-${financialYearEnd}`;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** The first day an accounting record may go: its hold from the close of the financial year. */
export function accountingHoldEnd(rules: RetentionRules, day: IsoDate): IsoDate {
  if (!rules.accountingHold) return day;
  return addDuration(financialYearClose(day, rules.financialYearEnd), rules.accountingHold.duration);
}

/** A two-phase life: archived at `active` after `start`, then ended `archive` later (no archive step when it is empty). */
function lifeFrom(start: IsoDate, active: IsoDuration, archive: IsoDuration, end: RetentionEnd, archives: boolean, endNoEarlierThan?: IsoDate): RetentionStep[] {
  const archiveOn = addDuration(start, active);
  let endOn = addDuration(archiveOn, archive);
  if (endNoEarlierThan !== undefined) endOn = later(endOn, endNoEarlierThan);
  if (!archives || compareDates(archiveOn, endOn) >= 0) return [{ action: end, on: endOn }];
  return [
    { action: 'archive', on: archiveOn },
    { action: end, on: endOn },
  ];
}

/** The purpose label, stored phase and whole schedule of a record. */
export function schedule(rules: RetentionRules, facts: RetentionFacts): { purpose: string; phase: RetentionPhase; steps: RetentionStep[] } {
  const heldPhase = (purpose: string, phase: RetentionPhase) => ({ purpose, phase: facts.held ? ('held' as const) : phase });
  switch (facts.kind) {
    case 'crm_person': {
      const base = heldPhase('crm', 'active');
      if (facts.held || facts.relationshipEnd === null) return { ...base, steps: [] };
      return { ...base, steps: lifeFrom(facts.relationshipEnd, rules.crm.active, rules.crm.archive, rules.crm.end, rules.crm.archivesPeople) };
    }
    case 'contact_person': {
      const rule = facts.purpose === 'prospecting' ? rules.prospecting : rules.fileSharing;
      const base = heldPhase(facts.purpose, 'active');
      if (facts.held) return { ...base, steps: [] };
      const start = facts.lastContactOn === null ? facts.collectedOn : later(facts.collectedOn, facts.lastContactOn);
      // Nothing of a prospect is worth archiving as proof: its archive period is P0D. A re-permission
      // message sent at the term with an answer window keeps the data until that window closes
      // (`deletionDay`, the day the re-permission module also counts with), never longer.
      return { ...base, steps: lifeFrom(start, rule.active, rule.archive, rule.end, false, deletionDay(addDuration(start, rule.active), rule.repermission)) };
    }
    case 'invoice': {
      const base = heldPhase('crm', 'active');
      if (facts.held || facts.relationshipEnd === null) return { ...base, steps: [] };
      // L123-22: 10 years from the close of the financial year of the invoice and of its last payment, whatever the relationship says.
      const holdEnd = later(accountingHoldEnd(rules, facts.issuedOn), facts.lastPaidOn ? accountingHoldEnd(rules, facts.lastPaidOn) : facts.issuedOn);
      return { ...base, steps: lifeFrom(facts.relationshipEnd, rules.crm.active, rules.crm.archive, 'delete', true, holdEnd) };
    }
    case 'archived': {
      const base = heldPhase(facts.purpose, 'archived');
      return { ...base, steps: facts.held ? [] : [{ action: facts.endAction, on: facts.deleteOn }] };
    }
    case 'erasure_hold': {
      const base = heldPhase('crm', 'archived');
      return { ...base, steps: facts.held || facts.releasedOn === null ? [] : [{ action: 'delete', on: facts.releasedOn }] };
    }
    case 'connection_log': {
      // purgeConnectionLogs deletes what is strictly older than the run's instant minus 12 months:
      // a run at midnight of the day after the anniversary removes the day's entries.
      // The logs are append-only: they have no archive phase, only their active period.
      const anniversary = addDuration(facts.loggedOn, rules.connectionLogs.active);
      return { purpose: 'connection_logs', phase: 'active', steps: [{ action: 'delete', on: addDuration(anniversary, 'P1D') }] };
    }
    case 'closed_request':
      return {
        purpose: 'closed_requests',
        phase: 'active',
        steps: [{ action: rules.closedRequests.end, on: addDuration(addDuration(facts.closedOn, rules.closedRequests.active), rules.closedRequests.archive) }],
      };
    case 'staff_account':
      return {
        purpose: 'staff_accounts',
        phase: 'active',
        steps: [{ action: rules.staffAccounts.end, on: addDuration(addDuration(facts.disabledOn, rules.staffAccounts.active), rules.staffAccounts.archive) }],
      };
  }
}

/**
 * The plan of one record on day `at`: the change due now (the last step reached: a
 * record past both its archive and its end day is ended directly), and the next one.
 */
export function planRecord(rules: RetentionRules, facts: RetentionFacts, at: IsoDate): RecordPlan {
  const { purpose, phase, steps } = schedule(rules, facts);
  const reached = steps.filter((s) => compareDates(s.on, at) <= 0);
  const ahead = steps.filter((s) => compareDates(s.on, at) > 0);
  const due = reached.length > 0 ? reached[reached.length - 1]!.action : null;
  return { purpose, phase, due, next: ahead[0] ?? null, steps: due === null ? ahead : [{ action: due, on: at }, ...ahead] };
}

/** The `(purpose, action, count)` lines of the plan output. */
export interface PlanLine {
  readonly purpose: string;
  readonly action: RetentionAction;
  readonly count: number;
}

/** `rempart retention plan --json`: what a run on `at` changes, and what changes in the 30, 90 and 365 days after. */
export interface PlanSummary {
  readonly at: IsoDate;
  readonly due: readonly PlanLine[];
  readonly upcoming: { readonly '30': readonly PlanLine[]; readonly '90': readonly PlanLine[]; readonly '365': readonly PlanLine[] };
}

/** The windows of `upcoming`, in days after `at`. */
export const WINDOWS = [30, 90, 365] as const;

/** The (purpose, action) pairs the rules can produce, in output order: every line appears, zero or not. */
export function planLines(rules: RetentionRules): PlanLine[] {
  const lines: PlanLine[] = [];
  const push = (purpose: string, action: RetentionAction) => {
    if (!lines.some((l) => l.purpose === purpose && l.action === action)) lines.push({ purpose, action, count: 0 });
  };
  if (rules.crm.archivesPeople && !isZero(rules.crm.archive)) push('crm', 'archive');
  push('crm', rules.crm.end);
  push('crm', 'delete'); // accounting records and the erasure's held records always end in deletion
  push('prospecting', rules.prospecting.end);
  push('file_sharing', rules.fileSharing.end);
  push('connection_logs', 'delete');
  push('closed_requests', rules.closedRequests.end);
  // Counted by the consent sweep's own conditions (src/retention/accountability.ts).
  push('consent_proofs', 'delete');
  push('transfer_logs', 'delete');
  push('staff_accounts', rules.staffAccounts.end);
  if (rules.training) push('training', rules.training.end);
  return lines;
}

/** Accumulates record plans into the summary; feed it every record, in any order. */
export class PlanAccumulator {
  private readonly due = new Map<string, number>();
  private readonly windows = new Map<number, Map<string, number>>(WINDOWS.map((w) => [w, new Map()]));
  private readonly limits: ReadonlyMap<number, IsoDate>;

  constructor(
    private readonly rules: RetentionRules,
    readonly at: IsoDate,
  ) {
    this.limits = new Map(WINDOWS.map((w) => [w, addDuration(at, { years: 0, months: 0, days: w })]));
  }

  /** Plans one record (or `facts.count` records) and counts its changes. */
  add(facts: RetentionFacts): RecordPlan {
    const plan = planRecord(this.rules, facts, this.at);
    const n = facts.count ?? 1;
    if (n <= 0) return plan;
    if (plan.due !== null) bump(this.due, `${plan.purpose}\u0000${plan.due}`, n);
    for (const step of plan.steps) {
      if (compareDates(step.on, this.at) <= 0) continue;
      for (const w of WINDOWS) if (compareDates(step.on, this.limits.get(w)!) <= 0) bump(this.windows.get(w)!, `${plan.purpose}\u0000${step.action}`, n);
    }
    return plan;
  }

  /** Adds records counted elsewhere: `due` now and, per window, those changing after `at` and by its end. */
  addCounted(purpose: string, action: RetentionAction, due: number, windows: Readonly<Record<(typeof WINDOWS)[number], number>>): void {
    if (due > 0) bump(this.due, `${purpose}\u0000${action}`, due);
    for (const w of WINDOWS) if (windows[w] > 0) bump(this.windows.get(w)!, `${purpose}\u0000${action}`, windows[w]);
  }

  summary(): PlanSummary {
    const lines = (counts: Map<string, number>): PlanLine[] => {
      const out = planLines(this.rules).map((l) => ({ ...l, count: counts.get(`${l.purpose}\u0000${l.action}`) ?? 0 }));
      for (const [k, count] of counts) {
        const [purpose, action] = k.split('\u0000') as [string, RetentionAction];
        if (!out.some((l) => l.purpose === purpose && l.action === action)) out.push({ purpose, action, count });
      }
      return out;
    };
    return {
      at: this.at,
      due: lines(this.due),
      upcoming: { '30': lines(this.windows.get(30)!), '90': lines(this.windows.get(90)!), '365': lines(this.windows.get(365)!) },
    };
  }
}

function bump(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** The rules the planner reads, from the policy; refuses a policy the sweep cannot apply. */
export function retentionRules(policy: Pick<LoadedPolicy, 'purposes' | 'accountabilityRetention'>): RetentionRules {
  const purpose = (id: PurposeId) => {
    const p = policy.purposes.find((x) => x.id === id);
    if (!p) throw new RempartError('POLICY_INVALID', `The retention sweep needs purpose ${id} in the policy.`);
    return p.retention;
  };
  const crm = purpose('crm');
  const hold = crm.holds?.find((h) => h.records.includes('invoice') || h.records.includes('ledger_entry'));
  if (hold && hold.from !== 'financial_year_end') {
    throw new RempartError('POLICY_INVALID', `The accounting hold of purpose crm must run from financial_year_end, not ${hold.from}.`);
  }
  const logs = purpose('connection_logs');
  if (!isZero(logs.archive)) throw new RempartError('POLICY_INVALID', 'Connection logs are append-only and have no archive phase: purpose connection_logs needs archive P0D.');
  const closed = policy.accountabilityRetention.closed_requests;
  const staff = policy.accountabilityRetention.staff_accounts;
  const training = policy.purposes.find((x) => x.id === 'training');
  return {
    crm: { active: crm.active, archive: crm.archive, end: crm.end, archivesPeople: crm.archiveKeeps?.people !== undefined },
    prospecting: purpose('prospecting'),
    fileSharing: purpose('file_sharing'),
    connectionLogs: { active: logs.active },
    accountingHold: hold ? { duration: hold.duration, basis: hold.basis } : null,
    financialYearEnd: crm.financialYearEnd ?? '12-31',
    closedRequests: { active: closed.active, archive: closed.archive, end: closed.end },
    staffAccounts: { active: staff.active, archive: staff.archive, end: staff.end },
    training: training ? { end: training.retention.end } : null,
  };
}
