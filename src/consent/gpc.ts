import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { RempartError } from '../errors.js';
import type { Database } from '../db/schema.js';
import type { ConsentDeps } from './context.js';
import { recordConsent } from './events.js';
import { decidingLast, subjectsOfPerson } from './subjects.js';

/**
 * The body of `/.well-known/gpc.json` (Global Privacy Control, section 3.4): this site
 * honours the signal. `lastUpdate` is the date of the policy in force.
 */
export function gpcSupport(effectiveDate: string): { gpc: true; lastUpdate: string } {
  return { gpc: true, lastUpdate: effectiveDate };
}

/** True when the request carries `Sec-GPC: 1` (the only valid value, GPC section 3.1). */
export function hasGpcSignal(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const v = headers['sec-gpc'];
  return (Array.isArray(v) ? v[0] : v)?.trim() === '1';
}

async function latestStates(db: Kysely<Database>, personId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  // File exchange only: GPC objects to the sale and sharing of data, not to the controller's
  // own scopes. Every pseudonym of the person; in history order, the deciding event last.
  const rows = await db
    .selectFrom('consentEvents as e')
    .select(['e.partnerId', 'e.state'])
    .where('e.subjectId', 'in', subjectsOfPerson(db, personId))
    .where('e.scope', '=', 'file_sharing')
    .orderBy(decidingLast())
    .execute();
  for (const r of rows) if (r.partnerId !== null) out.set(r.partnerId, r.state);
  return out;
}

/**
 * A Global Privacy Control signal from an identified person (annex art. 1; P1.6): an
 * objection to the sale and exchange of their file, recorded as a withdrawal of every
 * given consent and a refusal for every partner with none, channel `gpc`. Partners
 * already refused or withdrawn get no new event. Returns how many events were recorded.
 */
export async function recordGpcObjection(deps: ConsentDeps, personId: string, evidence: string): Promise<number> {
  const partners = await deps.db.selectFrom('partners').select('id').orderBy('id').execute();
  const states = await latestStates(deps.db, personId);
  const given = partners.filter((p) => states.get(p.id) === 'given').map((p) => p.id);
  const none = partners.filter((p) => !states.has(p.id)).map((p) => p.id);
  let n = 0;
  const base = { personId, channel: 'gpc', collector: 'system:gpc', evidence };
  if (given.length > 0) n += (await recordConsent(deps, { ...base, partnerId: given, state: 'withdrawn' })).events.length;
  if (none.length > 0) n += (await recordConsent(deps, { ...base, partnerId: none, state: 'refused' })).events.length;
  return n;
}

/** What honourGpc reads of a request: its headers, and its logger for a failure. */
export type GpcRequest = Pick<FastifyRequest, 'headers' | 'log'>;

/**
 * Honours Global Privacy Control for a person the portal has just identified (issue 15,
 * item 6; P1.6): when the request carries `Sec-GPC: 1`, records the objection to the sale
 * and exchange of their file (recordGpcObjection). Call it once the person is known (the
 * verified rights request, the opening of a portal session), not on every request: a
 * consent the person then gives explicitly on the portal is theirs to give. Idempotent:
 * partners already refused or withdrawn get nothing new. Never throws: what the person came
 * for stands, and a failure is logged by class and code only, never with data. Returns the
 * number of events recorded (0 without the signal).
 */
export async function honourGpc(deps: ConsentDeps, personId: string, req: GpcRequest, evidence = 'Sec-GPC: 1 on the privacy portal'): Promise<number> {
  if (!hasGpcSignal(req.headers)) return 0;
  try {
    return await recordGpcObjection(deps, personId, evidence);
  } catch (e) {
    req.log.error({ err: { name: (e as Error).name, code: e instanceof RempartError ? e.code : undefined } }, 'GPC objection not recorded');
    return 0;
  }
}
