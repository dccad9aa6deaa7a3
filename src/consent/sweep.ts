import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LoadedPolicy } from '../policy/index.js';
import { decidingFirst } from './subjects.js';

/** What one sweep deleted. */
export interface ConsentSweepReport {
  readonly consentEvents: number;
  readonly consentNotices: number;
  readonly transfers: number;
  readonly transferItems: number;
}

/**
 * What a consent sweep at `now` removes, as SQL conditions over fixed aliases (`t`
 * transfers, `i` transfer_items, `n` consent_notices, `e` consent_events). The sweep
 * deletes these rows and `rempart retention plan` counts them (src/retention/accountability.ts):
 * one rule, so right after a run the plan finds nothing due. Each condition holds on the
 * rows as they are before the sweep (an event still referenced by an item of an expired
 * transfer counts as free: the sweep deletes that item first), and each only grows with
 * `now`, so counts at two instants give what changes between them.
 */
export function consentSweepDue(policy: Pick<LoadedPolicy, 'accountabilityRetention'>, now: Date): {
  readonly transfer: RawBuilder<boolean>;
  readonly transferItem: RawBuilder<boolean>;
  readonly notice: RawBuilder<boolean>;
  readonly event: RawBuilder<boolean>;
} {
  const proofs = policy.accountabilityRetention.consent_proofs;
  const logs = policy.accountabilityRetention.transfer_logs;
  const transferExpired = (alias: string) => sql<boolean>`${sql.ref(`${alias}.created_at`)} + ${logs.active}::interval + ${logs.archive}::interval <= ${now}`;
  // A chain is (person, scope, partner): a merged person's pseudonyms form one chain, so
  // a withdrawal under one record is not swept while a consent under the other stays,
  // which would bring that consent back (Art. 7(3)). Once the person is erased, their
  // pseudonyms are unlinked and each is a chain of its own. The controller's own scopes
  // (email_prospecting, open_tracking) have no partner, hence `is not distinct from` where
  // events are matched. Rows: each pseudonym of an expired chain, with its scope and partner.
  const expiredChains = sql`
    select distinct l.subject_id, l.scope, l.partner_id from (
      select e.subject_id, e.scope, e.partner_id, s.id is null as unlinked,
             first_value(e.state) over w as last_state, first_value(e.event_at) over w as last_at
        from consent_events e left join consent_subjects s on s.id = e.subject_id
      window w as (partition by coalesce(s.person_id, e.subject_id), e.scope, e.partner_id order by ${decidingFirst()})) l
     where (l.last_state <> 'given' or l.unlinked)
       and l.last_at + ${proofs.active}::interval + ${proofs.archive}::interval <= ${now}`;
  const noticeDue = (alias: string) =>
    sql<boolean>`(${sql.ref(`${alias}.subject_id`)}, ${sql.ref(`${alias}.partner_id`)}) in (select c.subject_id, c.partner_id from (${expiredChains}) c where c.scope = 'file_sharing')
       and (${sql.ref(`${alias}.delivered_at`)} is not null or ${sql.ref(`${alias}.gave_up_at`)} is not null)`;
  return {
    transfer: transferExpired('t'),
    transferItem: sql<boolean>`exists (select 1 from transfers t2 where t2.id = i.transfer_id and ${transferExpired('t2')})`,
    notice: noticeDue('n'),
    event: sql<boolean>`exists (select 1 from (${expiredChains}) c where c.subject_id = e.subject_id and c.scope = e.scope and c.partner_id is not distinct from e.partner_id)
       and not exists (select 1 from transfer_items i2 join transfers t2 on t2.id = i2.transfer_id where i2.consent_event_id = e.id and not (${transferExpired('t2')}))
       and not exists (select 1 from consent_notices n2 where n2.consent_event_id = e.id and not (${noticeDue('n2')}))`,
  };
}

/**
 * The retention sweep of consent proofs and transfer logs (GDPR Art. 5(1)(e), 5(2)),
 * the only deletion the append-only triggers allow (it sets `rempart.consent_sweep`
 * for its own transaction):
 * - a consent chain (one person and one partner, or one person and one of the
 *   controller's own scopes; all the pseudonyms of a merged person together) whose
 *   latest event is a withdrawal or a
 *   refusal goes once `accountabilityRetention.consent_proofs` (active + archive, from
 *   that event) has passed; a given consent is kept while it stands. A chain whose
 *   person was erased counts from its latest event too.
 * - a transfer and its items go once `transfer_logs` (from the transfer) has passed.
 * PostgreSQL reads the policy's ISO 8601 durations (`P5Y`) as intervals.
 */
export async function sweepConsentRecords(db: Kysely<Database>, policy: LoadedPolicy, now: Date): Promise<ConsentSweepReport> {
  const due = consentSweepDue(policy, now);
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('rempart.consent_sweep', 'on', true)`.execute(tx);
    // Items first, then what they held: their transfers, the notices, the events.
    const items = await sql`delete from transfer_items i where ${due.transferItem}`.execute(tx);
    const transfers = await sql`delete from transfers t where ${due.transfer}`.execute(tx);
    const notices = await sql`delete from consent_notices n where ${due.notice}`.execute(tx);
    const events = await sql`delete from consent_events e where ${due.event}`.execute(tx);
    return {
      consentEvents: Number(events.numAffectedRows ?? 0),
      consentNotices: Number(notices.numAffectedRows ?? 0),
      transfers: Number(transfers.numAffectedRows ?? 0),
      transferItems: Number(items.numAffectedRows ?? 0),
    };
  });
}
