import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LoadedPolicy } from '../policy/index.js';

/** What one sweep deleted. */
export interface ConsentSweepReport {
  readonly consentEvents: number;
  readonly consentNotices: number;
  readonly transfers: number;
  readonly transferItems: number;
}

/**
 * The retention sweep of consent proofs and transfer logs (GDPR Art. 5(1)(e), 5(2)),
 * the only deletion the append-only triggers allow (it sets `rempart.consent_sweep`
 * for its own transaction):
 * - a consent chain (one person, one partner) whose latest event is a withdrawal or a
 *   refusal goes once `accountabilityRetention.consent_proofs` (active + archive, from
 *   that event) has passed; a given consent is kept while it stands. A chain whose
 *   person was erased counts from its latest event too.
 * - a transfer and its items go once `transfer_logs` (from the transfer) has passed.
 * PostgreSQL reads the policy's ISO 8601 durations (`P5Y`) as intervals.
 */
export async function sweepConsentRecords(db: Kysely<Database>, policy: LoadedPolicy, now: Date): Promise<ConsentSweepReport> {
  const proofs = policy.accountabilityRetention.consent_proofs;
  const logs = policy.accountabilityRetention.transfer_logs;
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('rempart.consent_sweep', 'on', true)`.execute(tx);
    const expiredChains = sql`
      select subject_id, partner_id from (
        select distinct on (e.subject_id, e.partner_id) e.subject_id, e.partner_id, e.state, e.event_at, s.id as linked
          from consent_events e left join consent_subjects s on s.id = e.subject_id
         order by e.subject_id, e.partner_id, e.event_at desc, e.id desc) l
       where (l.state <> 'given' or l.linked is null)
         and l.event_at + ${proofs.active}::interval + ${proofs.archive}::interval <= ${now}`;
    const items = await sql`
      delete from transfer_items i using transfers t
       where t.id = i.transfer_id and t.created_at + ${logs.active}::interval + ${logs.archive}::interval <= ${now}`.execute(tx);
    const transfers = await sql`
      delete from transfers t where t.created_at + ${logs.active}::interval + ${logs.archive}::interval <= ${now}
         and not exists (select 1 from transfer_items i where i.transfer_id = t.id)`.execute(tx);
    const notices = await sql`
      delete from consent_notices n where (n.subject_id, n.partner_id) in (${expiredChains})
         and (n.delivered_at is not null or n.gave_up_at is not null)`.execute(tx);
    const events = await sql`
      delete from consent_events e where (e.subject_id, e.partner_id) in (${expiredChains})
         and not exists (select 1 from transfer_items i where i.consent_event_id = e.id)
         and not exists (select 1 from consent_notices n where n.consent_event_id = e.id)`.execute(tx);
    return {
      consentEvents: Number(events.numAffectedRows ?? 0),
      consentNotices: Number(notices.numAffectedRows ?? 0),
      transfers: Number(transfers.numAffectedRows ?? 0),
      transferItems: Number(items.numAffectedRows ?? 0),
    };
  });
}
