import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import type { PersonStateChecks } from '../../access/gate.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { Operation } from '../../policy/index.js';
import { personContact, setPersonState } from './person-state.js';

/** What the person is sent before a restriction is lifted (Art. 18(3)). */
export interface LiftNotice {
  readonly personId: string;
  readonly email: string | null;
  readonly restrictedAt: Date;
}

/** Restricts the processing of a person's data (GDPR Art. 18(1); P5.4): stored, used for nothing else. */
export async function restrict(db: Kysely<Database>, personId: string, reason: string, options: { now?: Date } = {}): Promise<void> {
  const now = options.now ?? new Date();
  await db.transaction().execute(async (tx) => {
    await personContact(tx, personId);
    await setPersonState(tx, personId, { restrictedAt: now, restrictionReason: reason, liftNoticeSentAt: null });
  });
}

/**
 * Lifts a restriction. Art. 18(3): the person is told BEFORE it is lifted, so `notify`
 * runs first and its sending is recorded; when it fails, the restriction stays.
 */
export async function unrestrict(
  db: Kysely<Database>,
  personId: string,
  options: { readonly notify: (notice: LiftNotice) => Promise<void>; readonly now?: () => Date },
): Promise<void> {
  const now = options.now ?? (() => new Date());
  const { email } = await personContact(db, personId);
  const state = await db.selectFrom('personStates').select(['restrictedAt']).where('personId', '=', personId).executeTakeFirst();
  if (!state?.restrictedAt) throw new RempartError('CONFLICT', `Person ${personId} is not restricted.`);
  await options.notify({ personId, email, restrictedAt: state.restrictedAt });
  await setPersonState(db, personId, { liftNoticeSentAt: now() });
  await db.updateTable('personStates').set({ restrictedAt: null, restrictionReason: null }).where('personId', '=', personId).execute();
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

/** The gate's person-state hook (src/access/gate.ts) for restriction (P5.4) and objection (P5.6). */
export function personStateChecks(): PersonStateChecks {
  return {
    async assertProcessable(db: Kysely<Database>, actor: Actor, operation: Operation, personIds: readonly string[]): Promise<void> {
      if (personIds.length === 0 || actor.role === 'dpo') return;
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
