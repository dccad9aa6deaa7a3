import type { Kysely } from 'kysely';
import { appendInTransaction } from '../../access/audit/index.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';

/**
 * "The last contact from the person" (annex art. 4, P4.2) starts the 3-year clock of
 * prospecting and file-exchange data again. It is set only by the person's own acts
 * (R-PROS-7): a reply, a form they filled in, a click on a link, an order, a call, or a
 * "yes" to the re-permission message. An email being opened is not one: an open is seen
 * through a pixel, often fired by the mail client itself, and is no act of will (CNIL,
 * R-PROS-10); so `'open'` is not a PersonalAct and cannot be passed here.
 */
export const PERSONAL_ACTS = ['reply', 'form', 'click', 'order', 'call', 'repermission_yes'] as const;
/** One of the person's own acts that counts as a contact from them (R-PROS-7). */
export type PersonalAct = (typeof PERSONAL_ACTS)[number];

/** True for the acts that count; `'open'` and anything else are refused. */
export function isPersonalAct(act: unknown): act is PersonalAct {
  return typeof act === 'string' && (PERSONAL_ACTS as readonly string[]).includes(act);
}

/**
 * The one function that moves `people.last_contact_at` (P4.2, R-PROS-7): to `at`, only
 * forward (an act reported late never moves the clock back), with one audit entry when it
 * moves. A person no longer on file (deleted or archived) is left alone. The type refuses
 * an open at compile time; the check below refuses it from untyped callers at run time.
 */
export async function recordPersonalContact(db: Kysely<Database>, personId: string, act: PersonalAct, at: Date): Promise<void> {
  if (!isPersonalAct(act)) {
    throw new RempartError('VALIDATION_FAILED', `not an act of the person (R-PROS-7): ${String(act)}; an email open never counts as a contact`, {
      details: [{ field: 'act', message: `must be one of ${PERSONAL_ACTS.join(', ')}` }],
    });
  }
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new RempartError('VALIDATION_FAILED', 'recordPersonalContact: invalid date for at', { details: [{ field: 'at', message: 'must be a valid date' }] });
  }
  // Inside the caller's transaction when there is one (a click handler may hold one).
  const run = async (tx: Kysely<Database>): Promise<void> => {
    const moved = await tx
      .updateTable('people')
      .set({ lastContactAt: at, updatedAt: at })
      .where('id', '=', personId)
      .where((eb) => eb.or([eb('lastContactAt', 'is', null), eb('lastContactAt', '<', at)]))
      .returning(['purpose'])
      .executeTakeFirst();
    if (moved === undefined) return;
    await appendInTransaction(tx, [
      {
        at,
        actor: 'system:last-contact',
        role: null,
        purpose: moved.purpose,
        action: 'update',
        resource: 'people',
        recordIds: [personId],
        personIds: [personId],
        fields: ['last_contact_at'],
        reason: `contact from the person: ${act} (R-PROS-7)`,
      },
    ]);
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}
