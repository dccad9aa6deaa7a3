import type { GateSession } from '../access/gate.js';
import { newId, isUuid } from '../db/ids.js';
import { RempartError, type ErrorDetail } from '../errors.js';
import { assertOpen, authorise, engagementFor, RESOURCE, type EngagementRow, type TrainingDeps } from './context.js';
import type { EndChoice, Instructions, Platform, SubProcessor } from './tables.js';

/** What creates an engagement. */
export interface EngagementInput {
  readonly clientOrganisationId: string;
  readonly name: string;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly contractId?: string | null;
  readonly platforms?: readonly Platform[];
  readonly instructions?: string;
  readonly subProcessors?: readonly SubProcessor[];
  readonly endChoice?: EndChoice;
}

/** An engagement as the API and CLI present it (no personal data: terms of a service). */
export interface EngagementView {
  readonly id: string;
  readonly clientOrganisationId: string;
  readonly contractId: string | null;
  readonly name: string;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly platforms: readonly Platform[];
  readonly instructions: readonly Instructions[];
  readonly subProcessors: readonly SubProcessor[];
  readonly endChoice: EndChoice;
  readonly status: 'active' | 'closed';
  readonly createdAt: string;
  readonly closedAt: string | null;
}

const PLATFORMS: readonly Platform[] = ['phishing', 'elearning'];
const END_CHOICES: readonly EndChoice[] = ['return_then_destroy', 'destroy'];

/** The presenter of an engagement. */
export function presentEngagement(row: EngagementRow): EngagementView {
  return {
    id: row.id,
    clientOrganisationId: row.clientOrganisationId,
    contractId: row.contractId,
    name: row.name,
    startsOn: row.startsOn,
    endsOn: row.endsOn,
    platforms: row.platforms,
    instructions: row.instructions,
    subProcessors: row.subProcessors,
    endChoice: row.endChoice,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    closedAt: row.closedAt ? row.closedAt.toISOString() : null,
  };
}

const isDate = (s: unknown): s is string => {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  // `new Date` rolls 2027-02-31 over into March: refuse a day the calendar does not have.
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

function validate(input: EngagementInput): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (typeof input.clientOrganisationId !== 'string' || !isUuid(input.clientOrganisationId)) problems.push({ field: 'clientOrganisationId', message: 'must be the id of a client organisation' });
  if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) problems.push({ field: 'name', message: 'must be 1 to 200 characters' });
  if (!isDate(input.startsOn)) problems.push({ field: 'startsOn', message: 'must be a date (2027-01-31)' });
  if (!isDate(input.endsOn)) problems.push({ field: 'endsOn', message: 'must be a date (2027-01-31)' });
  if (isDate(input.startsOn) && isDate(input.endsOn) && input.endsOn < input.startsOn) problems.push({ field: 'endsOn', message: 'must not be before startsOn' });
  if (input.contractId != null && !isUuid(input.contractId)) problems.push({ field: 'contractId', message: 'must be a contract id' });
  for (const [i, p] of (input.platforms ?? []).entries()) if (!PLATFORMS.includes(p)) problems.push({ field: `platforms[${i}]`, message: `must be one of ${PLATFORMS.join(', ')}` });
  if (input.endChoice !== undefined && !END_CHOICES.includes(input.endChoice)) problems.push({ field: 'endChoice', message: `must be one of ${END_CHOICES.join(', ')}` });
  if (input.instructions !== undefined && (typeof input.instructions !== 'string' || input.instructions.trim() === '')) problems.push({ field: 'instructions', message: 'must be the text of the instructions' });
  for (const [i, s] of (input.subProcessors ?? []).entries()) {
    if (typeof s?.name !== 'string' || s.name.trim() === '') problems.push({ field: `subProcessors[${i}].name`, message: 'required' });
    if (typeof s?.country !== 'string' || !/^[A-Z]{2}$/.test(s.country)) problems.push({ field: `subProcessors[${i}].country`, message: 'must be an ISO 3166 country code (FR)' });
    if (typeof s?.service !== 'string' || s.service.trim() === '') problems.push({ field: `subProcessors[${i}].service`, message: 'required' });
  }
  return problems;
}

/**
 * Creates an engagement for a client organisation of the CRM. The annex's default end
 * choice is to return the data, then destroy it (Art. 28(3)(g)); the instructions are
 * version 1, dated today (Art. 28(3)(a): processing only on documented instructions).
 */
export async function createEngagement(deps: TrainingDeps, session: GateSession, input: EngagementInput): Promise<EngagementView> {
  await authorise(session, 'create');
  const problems = validate(input);
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The engagement is not valid.', { details: problems });
  if (session.actor.scopeOrganisationId !== null) throw new RempartError('FORBIDDEN', 'A client contact may not create engagements.');
  const org = await deps.db.selectFrom('organisations').select(['id', 'kind']).where('id', '=', input.clientOrganisationId).executeTakeFirst();
  if (!org || org.kind !== 'client') {
    throw new RempartError('INVALID_REFERENCE', 'The client organisation does not exist in the CRM.', { details: [{ field: 'clientOrganisationId', message: org ? 'is not a client organisation' : 'refers to no organisation' }] });
  }
  const now = deps.now();
  const id = newId(now.getTime());
  const instructions: Instructions[] = input.instructions === undefined ? [] : [{ version: 1, date: now.toISOString().slice(0, 10), text: input.instructions }];
  const row = await deps.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('trainingEngagements')
      .values({
        id,
        clientOrganisationId: input.clientOrganisationId,
        contractId: input.contractId ?? null,
        name: input.name.trim(),
        startsOn: input.startsOn,
        endsOn: input.endsOn,
        platforms: JSON.stringify(input.platforms ?? PLATFORMS),
        instructions: JSON.stringify(instructions),
        subProcessors: JSON.stringify(input.subProcessors ?? []),
        endChoice: input.endChoice ?? 'return_then_destroy',
        status: 'active',
        createdAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await session.recordWrite(tx, 'create', RESOURCE.engagements, 'training', [id], ['name', 'starts_on', 'ends_on', 'instructions']);
    return inserted;
  });
  return presentEngagement(row);
}

/** Adds a new version of the client's documented instructions; earlier versions are kept (Art. 28(3)(a)). */
export async function addInstructions(deps: TrainingDeps, session: GateSession, id: string, text: string): Promise<EngagementView> {
  await authorise(session, 'update');
  if (typeof text !== 'string' || text.trim() === '') throw new RempartError('VALIDATION_FAILED', 'The instructions are empty.', { details: [{ field: 'text', message: 'required' }] });
  const row = await engagementFor(session, deps.db, id);
  assertOpen(row);
  const now = deps.now();
  const next = [...row.instructions, { version: row.instructions.length + 1, date: now.toISOString().slice(0, 10), text }];
  const updated = await deps.db.transaction().execute(async (tx) => {
    const out = await tx.updateTable('trainingEngagements').set({ instructions: JSON.stringify(next) }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await session.recordWrite(tx, 'update', RESOURCE.engagements, 'training', [id], ['instructions']);
    return out;
  });
  return presentEngagement(updated);
}

/** The engagements the actor may see (a client contact: its own only). */
export async function listEngagements(deps: TrainingDeps, session: GateSession): Promise<EngagementView[]> {
  await authorise(session, 'read');
  let q = deps.db.selectFrom('trainingEngagements').selectAll().orderBy('createdAt').orderBy('id');
  const scope = session.actor.scopeOrganisationId;
  if (scope !== null) q = q.where('clientOrganisationId', '=', scope);
  return (await q.execute()).map(presentEngagement);
}

/** One engagement, if the actor may see it. */
export async function getEngagement(deps: TrainingDeps, session: GateSession, id: string): Promise<EngagementView> {
  await authorise(session, 'read');
  return presentEngagement(await engagementFor(session, deps.db, id));
}
