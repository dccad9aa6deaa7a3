import { sql, type Kysely, type Transaction } from 'kysely';
import { consentSweepDue } from '../consent/sweep.js';
import type { Database } from '../db/schema.js';
import { addDuration, type LoadedPolicy } from '../policy/index.js';
import type { IsoDate, RetentionEnd } from '../policy/types.js';
import { planRecord, WINDOWS, type RetentionAction, type RetentionFacts, type RetentionRules } from './plan.js';

/**
 * Retention of the accountability records beside the purposes' data (GDPR Art. 5(2),
 * `accountabilityRetention` in the policy): what `retention plan` counts and the sweep
 * applies for consent proofs, transfer logs and staff accounts.
 *
 * - Consent proofs and transfer logs are counted with the consent sweep's own conditions
 *   (`consentSweepDue`, src/consent/sweep.ts), evaluated at the instants a run on `at` and
 *   on `at` + 30/90/365 days would use: one rule, so right after a run nothing is due.
 * - A staff account is deactivated for good (`disabled_at`; there is no re-activation).
 *   `staff_accounts` (default: P6Y after deactivation, the period of the audit entries
 *   that name it, then anonymise) drops its identifying fields — email, password hash,
 *   second-factor secrets, lockout state, sessions — and keeps the row with its id, role
 *   and dates, so that `user:<id>` in the audit chain still resolves to an account of that
 *   role (the chain is never rewritten). `end: delete` removes the row instead (its
 *   sessions go with it; connection logs and audit entries keep the bare id).
 */

/** Counts of the consent module's records a run would delete: on `at` and within each window after it. */
export interface CountedLine {
  readonly purpose: 'consent_proofs' | 'transfer_logs';
  readonly due: number;
  readonly windows: Readonly<Record<(typeof WINDOWS)[number], number>>;
}

/** The instant a run on `day` applies the policy at (`rempart retention run --at DAY`: midnight UTC). */
export const runInstant = (day: IsoDate): Date => new Date(`${day}T00:00:00Z`);

/** Consent proofs (events) and transfer logs (transfers) the consent sweep removes on `at` and in the 30/90/365 days after. */
export async function consentRecordCounts(db: Kysely<Database>, policy: Pick<LoadedPolicy, 'accountabilityRetention'>, at: IsoDate): Promise<CountedLine[]> {
  const raw = db.withoutPlugins();
  const countAt = async (day: IsoDate) => {
    const due = consentSweepDue(policy, runInstant(day));
    const r = await sql<{ events: string | number; transfers: string | number }>`
      select (select count(*) from consent_events e where ${due.event}) as events,
             (select count(*) from transfers t where ${due.transfer}) as transfers`.execute(raw);
    return { events: Number(r.rows[0]!.events), transfers: Number(r.rows[0]!.transfers) };
  };
  const now = await countAt(at);
  const later = await Promise.all(WINDOWS.map(async (w) => [w, await countAt(addDuration(at, { years: 0, months: 0, days: w }))] as const));
  const windows = (k: 'events' | 'transfers') => Object.fromEntries(later.map(([w, c]) => [w, c[k] - now[k]])) as Record<(typeof WINDOWS)[number], number>;
  return [
    { purpose: 'consent_proofs', due: now.events, windows: windows('events') },
    { purpose: 'transfer_logs', due: now.transfers, windows: windows('transfers') },
  ];
}

/** Deactivated staff accounts not yet ended, grouped by the day they were deactivated. */
export async function staffAccountGroups(db: Kysely<Database>): Promise<RetentionFacts[]> {
  const res = await sql<{ disabled_on: string; n: string | number }>`
    select (disabled_at at time zone 'UTC')::date::text as disabled_on, count(*) as n from accounts
    where disabled_at is not null and anonymised_at is null group by 1`.execute(db.withoutPlugins());
  return res.rows.map((r) => ({ kind: 'staff_account', disabledOn: r.disabled_on, count: Number(r.n) }));
}

/**
 * Ends at most `limit` of the deactivated accounts whose deactivation day is one of `days`
 * (the planner chose them): anonymises them at `at` or deletes them, per the policy.
 * Returns their ids; none once all are done (idempotent).
 */
export async function endStaffAccounts(tx: Transaction<Database>, days: readonly IsoDate[], end: RetentionEnd, at: Date, limit: number): Promise<string[]> {
  const raw = tx.withoutPlugins();
  const due = sql`
    select id from accounts where disabled_at is not null and anonymised_at is null
      and (disabled_at at time zone 'UTC')::date = any(${[...days]}::date[]) order by id limit ${limit}`;
  if (end === 'delete') {
    const res = await sql<{ id: string }>`delete from accounts a using (${due}) d where a.id = d.id returning a.id`.execute(raw);
    return res.rows.map((r) => r.id);
  }
  // The email is NOT NULL and unique: a placeholder made of the id alone (RFC 2606 reserves .invalid).
  const res = await sql<{ id: string }>`
    update accounts a set email = a.id::text || '@anonymised.invalid', password_hash = '', totp_secret = null, totp_enabled = false,
      totp_last_step = null, recovery_code_hashes = '[]'::jsonb, failed_attempts = 0, locked_until = null, anonymised_at = ${at}
    from (${due}) d where a.id = d.id returning a.id`.execute(raw);
  const ids = res.rows.map((r) => r.id);
  if (ids.length > 0) await sql`delete from sessions where account_id = any(${ids}::uuid[])`.execute(raw);
  return ids;
}

/** The sweep's batch committer: runs `work` in one transaction with one audit event (src/retention/sweep.ts). */
export type CommitBatch = (
  step: string,
  purpose: string | null,
  work: (tx: Transaction<Database>, counts: Record<string, number>) => Promise<{ recordIds: readonly string[]; personIds: readonly string[] }>,
) => Promise<void>;

/** The sweep's step for staff accounts: the planner picks the deactivation days that are due, then batches end them. */
export async function sweepStaffAccounts(
  db: Kysely<Database>,
  rules: RetentionRules,
  day: IsoDate,
  at: Date,
  batchSize: number,
  commit: CommitBatch,
  count: (purpose: string, action: RetentionAction, n: number) => void,
): Promise<void> {
  const days = (await staffAccountGroups(db)).flatMap((f) => (f.kind === 'staff_account' && planRecord(rules, f, day).due !== null ? [f.disabledOn] : []));
  const end = rules.staffAccounts.end;
  while (days.length > 0) {
    let got = 0;
    await commit('staff accounts', null, async (tx, counts) => {
      const ids = await endStaffAccounts(tx, days, end, at, batchSize);
      got = ids.length;
      counts[`${end} accounts`] = got;
      count('staff_accounts', end, got);
      return { recordIds: ids, personIds: [] };
    });
    if (got < batchSize) break;
  }
}
