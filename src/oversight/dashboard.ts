import type { Kysely } from 'kysely';
import type { Actor } from '../access/actor.js';
import { recentVerifications, type AuditVerification } from '../access/audit/index.js';
import { mayHandleRightsRequests, mayOverseeProcessing, mayReadAccessRecords } from '../access/duties.js';
import { recentFailures, type FailedConnection } from '../access/connection-logs/index.js';
import type { GateSession } from '../access/gate.js';
import { consentMonths, type ConsentMonth } from '../consent/index.js';
import type { Database } from '../db/schema.js';
import type { LoadedPolicy } from '../policy/index.js';
import type { PlanSummary } from '../retention/plan.js';
import { previewRetention } from '../retention/preview.js';
import { oppositionListSize } from '../rights/opposition/index.js';
import { countOpenRequests, listRequestPage, parisDate, type RequestSummary } from '../rights/requests/index.js';
import { overdueEngagements, type OverdueEngagement } from '../training/retention.js';

/**
 * The dpo's dashboard. Each section is there only when the actor's grants allow it
 * (src/access/duties.ts), else null, so one route serves the dpo and it alike.
 */
export interface Dashboard {
  readonly today: string;
  readonly requests: { readonly open: number; readonly overdue: number; readonly items: readonly RequestSummary[] } | null;
  readonly retention: PlanSummary | null;
  readonly consents: { readonly months: readonly ConsentMonth[] } | null;
  readonly opposition: { readonly entries: number } | null;
  /** Training engagements past their end and not closed: to close (package to the client, destruction, certificate). */
  readonly trainingToClose: { readonly items: readonly OverdueEngagement[] } | null;
  readonly auditChain: { readonly lastVerification: AuditVerification | null; readonly entries: number } | null;
  readonly failedSignIns: { readonly last24h: number; readonly last7d: number; readonly items: readonly FailedConnection[] } | null;
}

/** Builds the dashboard for the actor; reads of personal data (sign-in failures, requests) are audited through its gate. */
export async function buildDashboard(db: Kysely<Database>, policy: LoadedPolicy, session: GateSession, now: Date): Promise<Dashboard> {
  const actor: Actor = session.actor;
  const oversee = mayOverseeProcessing(policy, actor);
  const today = parisDate(now);

  let requests: Dashboard['requests'] = null;
  if (mayHandleRightsRequests(policy, actor)) {
    // Open requests by the deadline in force, the overdue first (flagged `overdue`).
    const page = await listRequestPage(db, { open: true, now, limit: 50 });
    const counts = await countOpenRequests(db, now);
    await session.recordAccess('read', 'rights-requests', null, page.items.map((r) => r.id), ['type', 'state', 'received_at', 'due_at']);
    requests = { ...counts, items: page.items };
  }

  const retention = oversee ? await previewRetention(db, policy, today) : null;
  const consents = oversee ? { months: await consentMonths(db, now) } : null;
  const opposition = oversee
? { entries: await oppositionListSize(db) } : null;

  // The processor's duty at the end of the service (annex art. 4; Art. 28(3)(g)): nothing closes by itself.
  const trainingToClose = oversee ? { items: await overdueEngagements(db, today) } : null;

  let auditChain: Dashboard['auditChain'] = null;
  let failedSignIns: Dashboard['failedSignIns'] = null;
  if (mayReadAccessRecords(policy, actor)) {
    const [last] = await recentVerifications(db, 1);
    const entries = await db.selectFrom('auditEntries').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    auditChain = { lastVerification: last ?? null, entries: Number(entries.n) };
    const failures = await recentFailures(db, now);
    // Source addresses and accounts are personal data: the read is audited (P1.7, P2.5).
    await session.recordAccess('read', 'connection-logs', 'connection_logs', failures.items.map((i) => i.id), ['account_id', 'source_ip']);
    failedSignIns = failures;
  }
  return { today, requests, retention, consents, opposition, trainingToClose, auditChain, failedSignIns };
}
