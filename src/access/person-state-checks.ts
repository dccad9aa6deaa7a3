// The gate's person-state hook. It lives in access/ beside the gate, which enforces the person's state (the
// gate knows the actor, the purpose and the person's state); rights/restriction/ writes that state and
// re-exports this hook, so the gate's runtime never imports a right (layers import downward only).
import type { Kysely } from 'kysely';
import type { Actor } from './actor.js';
import type { PersonStateChecks } from './gate.js';
import { mayPerform } from './permissions.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import type { LoadedPolicy, Operation } from '../policy/index.js';

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
