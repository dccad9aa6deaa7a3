import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { personContact, setPersonState } from '../restriction/person-state.js';
import { normalisePhone } from './identifiers.js';
import { addOpposition } from './opposition-list.js';
import type { OppositionChannel } from './tables.js';

/**
 * Objection to prospecting (GDPR Art. 21(2)–(3); P5.6): absolute and immediate. The
 * person's email and phones go on the opposition list and the objection is recorded on
 * them in one transaction, so no selection made after the call can include them.
 */
export async function objectToProspecting(db: Kysely<Database>, key: Buffer, personId: string, options: { now?: Date } = {}): Promise<void> {
  const now = options.now ?? new Date();
  // Inside the caller's transaction when given one (the one-click opt-out withdraws consents in the same one).
  const run = async (tx: Kysely<Database>) => {
    const contact = await personContact(tx, personId);
    const email = contact.email;
    // A number that is no phone number cannot be matched at send time: only valid ones go on the list.
    const phones = contact.phones.filter((p) => normalisePhone(p) !== null);
    if (email === null && phones.length === 0) {
      throw new RempartError('VALIDATION_FAILED', `Person ${personId} has no email or phone to put on the opposition list.`);
    }
    if (email !== null) await addOpposition(tx, key, { email }, { channel: 'all', now });
    for (const phone of phones) await addOpposition(tx, key, { phone }, { channel: 'all', now });
    await setPersonState(tx, personId, { objectedProspectingAt: now });
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

/**
 * Objection to prospecting on one channel only (GDPR Art. 21(2): "at any time", and the
 * person may choose the means they no longer want): the person's identifiers that reach
 * that channel go on the opposition list for it, so a selection for that channel leaves
 * them out while the others still reach them. `all` is objectToProspecting.
 */
export async function objectToProspectingOn(
  db: Kysely<Database>,
  key: Buffer,
  personId: string,
  channel: OppositionChannel,
  options: { now?: Date } = {},
): Promise<void> {
  if (channel === 'all') return objectToProspecting(db, key, personId, options);
  const now = options.now ?? new Date();
  const run = async (tx: Kysely<Database>) => {
    const contact = await personContact(tx, personId);
    const phones = contact.phones.filter((p) => normalisePhone(p) !== null);
    // A letter is addressed by name and address, which the list does not hold: the person's
    // e-mail and phones are the keys a postal selection is checked against too.
    const emails = channel === 'phone' || contact.email === null ? [] : [contact.email];
    const numbers = channel === 'email' ? [] : phones;
    if (emails.length === 0 && numbers.length === 0) {
      throw new RempartError('VALIDATION_FAILED', `Person ${personId} has no identifier that reaches the ${channel} channel.`, { details: [{ field: 'channel', message: 'no identifier for this channel' }] });
    }
    for (const email of emails) await addOpposition(tx, key, { email }, { channel, now });
    for (const phone of numbers) await addOpposition(tx, key, { phone }, { channel, now });
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

/**
 * Objection to other processing based on legitimate interest (Art. 21(1); P5.6): the
 * processing stops at once (the gate refuses edits and exports) until the dpo records a
 * decision with its grounds. A new objection reopens any earlier decision.
 */
export async function objectToOtherProcessing(db: Kysely<Database>, personId: string, grounds: string, options: { now?: Date } = {}): Promise<void> {
  if (grounds.trim() === '') throw new RempartError('VALIDATION_FAILED', 'An objection needs the grounds the person gave.', { details: [{ field: 'grounds', message: 'required' }] });
  const now = options.now ?? new Date();
  await db.transaction().execute(async (tx) => {
    await personContact(tx, personId);
    await setPersonState(tx, personId, { objectionOtherAt: now, objectionOtherGrounds: grounds, decision: null, decisionGrounds: null, decidedAt: null });
  });
}

/**
 * The dpo's decision on an objection to other processing (Art. 21(1)): `upheld` (the
 * processing stays stopped for good) or `overridden` (compelling legitimate grounds
 * that override the person's interests, which must be stated), with its grounds.
 */
export async function decideObjection(
  db: Kysely<Database>,
  personId: string,
  decision: { readonly decision: 'upheld' | 'overridden'; readonly grounds: string; readonly now?: Date },
): Promise<void> {
  if (decision.grounds.trim() === '') throw new RempartError('VALIDATION_FAILED', 'A decision on an objection needs its grounds.', { details: [{ field: 'grounds', message: 'required' }] });
  const updated = await db
    .updateTable('personStates')
    .set({ decision: decision.decision, decisionGrounds: decision.grounds, decidedAt: decision.now ?? new Date() })
    .where('personId', '=', personId)
    .where('objectionOtherAt', 'is not', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new RempartError('NOT_FOUND', `No objection to decide for person ${personId}.`);
}
