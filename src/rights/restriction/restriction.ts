import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { notifyRecipients } from '../recipients/recipients.js';
import { personContact, setPersonState } from './person-state.js';

/** What the person is sent before a restriction is lifted (Art. 18(3)). */
export interface LiftNotice {
  readonly personId: string;
  readonly email: string | null;
  readonly restrictedAt: Date;
}

/** What restricting or lifting did beyond the person's state. */
export interface RestrictionResult {
  /** The Art. 19 notices queued to the recipients of the person's data (0 without `key`). */
  readonly recipientsNotified: number;
}

/** What the recipients are told about the person: what they need to find them in their files. */
function recipientPerson(contact: Awaited<ReturnType<typeof personContact>>) {
  return { email: contact.email, phones: contact.phones, lastName: contact.lastName, firstName: contact.firstName };
}

/**
 * Restricts the processing of a person's data (GDPR Art. 18(1); P5.4): stored, used for
 * nothing else. With `key`, each recipient of the data is told (Art. 19) in the same
 * transaction, through the one Art. 19 delivery log (src/rights/recipients); a restriction
 * renewed while in force tells no one again.
 */
export async function restrict(
  db: Kysely<Database>,
  personId: string,
  reason: string,
  options: { readonly now?: Date; readonly key?: Buffer } = {},
): Promise<RestrictionResult> {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (tx) => {
    const contact = await personContact(tx, personId);
    const before = await tx.selectFrom('personStates').select('restrictedAt').where('personId', '=', personId).executeTakeFirst();
    await setPersonState(tx, personId, { restrictedAt: now, restrictionReason: reason, liftNoticeSentAt: null });
    if (!options.key || before?.restrictedAt) return { recipientsNotified: 0 };
    return { recipientsNotified: await notifyRecipients(tx, options.key, { event: 'restriction', person: recipientPerson(contact), personId, now }) };
  });
}

/**
 * Lifts a restriction. Art. 18(3): the person is told BEFORE it is lifted, so `notify`
 * runs first and its sending is recorded; when it fails, the restriction stays. With
 * `key`, the recipients told of the restriction learn of its end (Art. 19), queued in the
 * lift's transaction, so no recipient hears of a lift that did not happen.
 */
export async function unrestrict(
  db: Kysely<Database>,
  personId: string,
  options: { readonly notify: (notice: LiftNotice) => Promise<void>; readonly now?: () => Date; readonly key?: Buffer },
): Promise<RestrictionResult> {
  const now = options.now ?? (() => new Date());
  const contact = await personContact(db, personId);
  const state = await db.selectFrom('personStates').select(['restrictedAt']).where('personId', '=', personId).executeTakeFirst();
  if (!state?.restrictedAt) throw new RempartError('CONFLICT', `Person ${personId} is not restricted.`);
  await options.notify({ personId, email: contact.email, restrictedAt: state.restrictedAt });
  const at = now();
  await setPersonState(db, personId, { liftNoticeSentAt: at });
  return db.transaction().execute(async (tx) => {
    await tx.updateTable('personStates').set({ restrictedAt: null, restrictionReason: null }).where('personId', '=', personId).execute();
    if (!options.key) return { recipientsNotified: 0 };
    return { recipientsNotified: await notifyRecipients(tx, options.key, { event: 'restriction_lifted', person: recipientPerson(contact), personId, now: at }) };
  });
}

/** Whether a person is restricted now. */
export async function isRestricted(db: Kysely<Database>, personId: string): Promise<boolean> {
  const row = await db.selectFrom('personStates').select('restrictedAt').where('personId', '=', personId).executeTakeFirst();
  return Boolean(row?.restrictedAt);
}

