import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import type { PersonStateChecks } from '../../access/gate.js';
import { mayPerform } from '../../access/permissions.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy, Operation } from '../../policy/index.js';
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

/*
 * What the gate refuses, and why:
 * - restricted (Art. 18(2)): the data "shall, with the exception of storage, only be
 *   processed" with consent, for legal claims, to protect another person or for an
 *   important public interest. Reading what is stored stays possible (staff answering
 *   the person, the dpo checking a claim): every read is audited anyway. Everything
 *   else (create, update, delete, export) is refused, except for the dpo, who handles
 *   the restriction, the legal claims and its lifting.
 * - objected to legitimate-interest processing, no decision yet or the objection upheld
 *   (Art. 21(1)): the processing stops, so edits and exports are refused; reads stay,
 *   for the same reasons. A decision `overridden` (compelling grounds, recorded by the
 *   dpo) lets processing resume.
 * Refusals name no person and carry no value (the message goes back to the caller).
 */
const RESTRICTED_ALLOWS: ReadonlySet<Operation> = new Set(['read']);
const OBJECTION_REFUSES: ReadonlySet<Operation> = new Set(['update', 'export']);

/**
 * The gate's person-state hook (src/access/gate.ts) for restriction (P5.4) and objection
 * (P5.6). The roles the policy gives the `rights_requests` task (the dpo) handle the
 * restriction and the claims, so they pass; so does the local operator.
 */
export function personStateChecks(policy: Pick<LoadedPolicy, 'roles'>): PersonStateChecks {
  return {
    mayRefuse: (operation: Operation) => !RESTRICTED_ALLOWS.has(operation) || OBJECTION_REFUSES.has(operation),
    async assertProcessable(db: Kysely<Database>, actor: Actor, operation: Operation, personIds: readonly string[]): Promise<void> {
      if (personIds.length === 0 || (actor.role !== null && mayPerform(policy, actor, 'rights_requests'))) return;
      const states = await db
        .selectFrom('personStates')
        .select(['restrictedAt', 'objectionOtherAt', 'decision'])
        .where('personId', 'in', [...personIds])
        .where((eb) => eb.or([eb('restrictedAt', 'is not', null), eb('objectionOtherAt', 'is not', null)]))
        .execute();
      for (const s of states) {
        if (s.restrictedAt && !RESTRICTED_ALLOWS.has(operation)) {
          throw new RempartError('FORBIDDEN', `The processing of a person this record concerns is restricted (GDPR Art. 18): only the dpo may ${operation} it.`);
        }
        if (s.objectionOtherAt && s.decision !== 'overridden' && OBJECTION_REFUSES.has(operation)) {
          throw new RempartError('FORBIDDEN', `A person this record concerns objected to this processing (GDPR Art. 21); it is stopped until the dpo decides.`);
        }
      }
    },
  };
}
