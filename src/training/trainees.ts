import type { Selectable } from 'kysely';
import type { GateSession } from '../access/gate.js';
import { newId } from '../db/ids.js';
import { RempartError } from '../errors.js';
import { detectShape, readRecords, resolveColumns, type ColumnMapping } from '../prospecting/import/index.js';
import { cleanText, fold, normaliseEmailAddress, splitFullName } from '../prospecting/normalise/index.js';
import type { ImportWarning, RejectedRow } from '../prospecting/import/index.js';
import { assertOpen, authorise, engagementFor, RESOURCE, type TrainingDeps } from './context.js';
import type { TrainingTraineesTable } from './tables.js';

/** A trainee as presented to the client (its employee's data, for the client only). */
export interface TraineeView {
  readonly id: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly department: string | null;
  readonly jobTitle: string | null;
}

/** What a trainee is created or corrected from. */
export interface TraineeInput {
  readonly email?: string;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly department?: string | null;
  readonly jobTitle?: string | null;
}

/** The report of a trainees import, shaped as the prospecting import's. */
export interface TraineeImportReport {
  readonly imported: number;
  readonly created: number;
  /** Rows for an address already a trainee of this engagement: updated in place (never merged across engagements or with prospects). */
  readonly merged: number;
  readonly rejected: readonly RejectedRow[];
  readonly warnings: readonly ImportWarning[];
  readonly rows: number;
  readonly blankRows: number;
  readonly dryRun: false;
  readonly encoding: string;
  readonly delimiter: string | null;
  readonly columns: Readonly<Record<string, string>>;
}

const FIELDS = ['email', 'first_name', 'last_name', 'department', 'job_title'];
const DEPARTMENT_HEADERS = new Set(['departement', 'department', 'service', 'direction', 'equipe', 'team', 'division', 'dept']);

/** The presenter of a trainee. */
export function presentTrainee(row: Selectable<TrainingTraineesTable>): TraineeView {
  return { id: row.id, email: row.email, firstName: row.firstName, lastName: row.lastName, department: row.department, jobTitle: row.jobTitle };
}

const text = (v: string | null | undefined): string | null => {
  if (v === null || v === undefined) return null;
  const c = cleanText(v);
  return c === '' ? null : c.slice(0, 200);
};

type Prepared = { email: string; firstName: string | null; lastName: string | null; department: string | null; jobTitle: string | null };

async function upsert(deps: TrainingDeps, session: GateSession, engagementId: string, rows: readonly Prepared[]): Promise<{ created: number; merged: number }> {
  if (rows.length === 0) return { created: 0, merged: 0 };
  const now = deps.now();
  return deps.db.transaction().execute(async (tx) => {
    const existing = new Set(
      (await tx.selectFrom('trainingTrainees').select('email').where('engagementId', '=', engagementId).where('email', 'in', rows.map((r) => r.email)).execute()).map((r) => r.email),
    );
    const out = await tx
      .insertInto('trainingTrainees')
      .values(rows.map((r) => ({ id: newId(now.getTime()), engagementId, ...r, createdAt: now, updatedAt: now })))
      .onConflict((oc) =>
        oc.columns(['engagementId', 'email']).doUpdateSet((eb) => ({
          firstName: eb.fn.coalesce(eb.ref('excluded.firstName'), eb.ref('trainingTrainees.firstName')),
          lastName: eb.fn.coalesce(eb.ref('excluded.lastName'), eb.ref('trainingTrainees.lastName')),
          department: eb.fn.coalesce(eb.ref('excluded.department'), eb.ref('trainingTrainees.department')),
          jobTitle: eb.fn.coalesce(eb.ref('excluded.jobTitle'), eb.ref('trainingTrainees.jobTitle')),
          updatedAt: now,
        })),
      )
      .returning('id')
      .execute();
    await session.recordWrite(tx, 'create', RESOURCE.trainees, 'training', out.map((r) => r.id), FIELDS);
    return { created: rows.filter((r) => !existing.has(r.email)).length, merged: rows.filter((r) => existing.has(r.email)).length };
  });
}

/**
 * Imports the client's employees into one engagement, on the client's instruction
 * (Art. 28(3)(a)). Reads CSV/XLSX with the prospecting import's reader and column
 * mapping, but none of its matching or merging: trainees live only in their engagement,
 * and an address that is also a prospect of CERTILIENCE stays two separate records.
 */
export async function importTrainees(deps: TrainingDeps, session: GateSession, engagementId: string, path: string, options: { readonly mapping?: ColumnMapping } = {}): Promise<TraineeImportReport> {
  await authorise(session, 'create', RESOURCE.trainees);
  const engagement = await engagementFor(session, deps.db, engagementId);
  assertOpen(engagement);
  const shape = await detectShape(path);
  let columns: ReturnType<typeof resolveColumns> | null = null;
  let departmentAt = -1;
  const rejected: RejectedRow[] = [];
  const warnings: ImportWarning[] = [];
  let rows = 0;
  let blankRows = 0;
  let created = 0;
  let merged = 0;
  let batch = new Map<string, Prepared>();
  const flush = async () => {
    const r = await upsert(deps, session, engagementId, [...batch.values()]);
    created += r.created;
    merged += r.merged;
    batch = new Map();
  };
  for await (const rec of readRecords(path, shape)) {
    if (columns === null) {
      columns = resolveColumns(rec.values, options.mapping);
      departmentAt = rec.values.findIndex((h, i) => columns!.fields[i] === null && DEPARTMENT_HEADERS.has(fold(h)));
      if (!columns.fields.includes('email')) {
        throw new RempartError('VALIDATION_FAILED', 'No column of the file is an email address; give a mapping file (--mapping).', { details: [{ line: 1, message: 'no email column' }] });
      }
      for (const h of columns.unmapped) if (rec.values.indexOf(h) !== departmentAt) warnings.push({ field: h, reason: 'column not recognised; ignored (map it with --mapping)' });
      continue;
    }
    if (rec.values.every((v) => v.trim() === '')) {
      blankRows++;
      continue;
    }
    rows++;
    const get = (field: string): string | null => {
      const i = columns!.fields.indexOf(field as never);
      return i < 0 ? null : text(rec.values[i]);
    };
    const email = normaliseEmailAddress(get('email') ?? '');
    if (email === null) {
      rejected.push({ row: rows, line: rec.line, field: 'email', reason: get('email') === null ? 'missing' : 'is not a valid email address' });
      continue;
    }
    let firstName = get('firstName');
    let lastName = get('lastName');
    const full = get('fullName');
    if (full !== null && firstName === null && lastName === null) ({ firstName, lastName } = splitFullName(full));
    batch.set(email.email, { email: email.email, firstName, lastName, department: departmentAt >= 0 ? text(rec.values[departmentAt]) : null, jobTitle: get('jobTitle') });
    if (batch.size >= 1000) await flush();
  }
  await flush();
  return {
    imported: created + merged,
    created,
    merged,
    rejected,
    warnings,
    rows,
    blankRows,
    dryRun: false,
    encoding: shape.encoding,
    delimiter: shape.delimiter,
    columns: { ...(columns?.byHeader ?? {}), ...(columns && departmentAt >= 0 ? { [Object.keys(columns.byHeader)[departmentAt] ?? '']: 'department' } : {}) },
  };
}

/** Adds one trainee through the API, on the client's instruction. */
export async function addTrainee(deps: TrainingDeps, session: GateSession, engagementId: string, input: TraineeInput): Promise<TraineeView> {
  await authorise(session, 'create', RESOURCE.trainees);
  const engagement = await engagementFor(session, deps.db, engagementId);
  assertOpen(engagement);
  const email = normaliseEmailAddress(input.email ?? '');
  if (email === null) throw new RempartError('VALIDATION_FAILED', 'The trainee needs a valid email address.', { details: [{ field: 'email', message: 'is not a valid email address' }] });
  await upsert(deps, session, engagementId, [{ email: email.email, firstName: text(input.firstName), lastName: text(input.lastName), department: text(input.department), jobTitle: text(input.jobTitle) }]);
  const row = await deps.db.selectFrom('trainingTrainees').selectAll().where('engagementId', '=', engagementId).where('email', '=', email.email).executeTakeFirstOrThrow();
  return presentTrainee(row);
}

/** The trainees of an engagement, each read audited before the answer leaves. */
export async function listTrainees(deps: TrainingDeps, session: GateSession, engagementId: string): Promise<TraineeView[]> {
  await authorise(session, 'read', RESOURCE.trainees);
  await engagementFor(session, deps.db, engagementId);
  const rows = await deps.db.selectFrom('trainingTrainees').selectAll().where('engagementId', '=', engagementId).orderBy('email').execute();
  if (rows.length > 0) await session.recordAccess('read', RESOURCE.trainees, 'training', rows.map((r) => r.id), FIELDS);
  return rows.map(presentTrainee);
}

async function traineeIn(deps: TrainingDeps, engagementId: string, traineeId: string): Promise<Selectable<TrainingTraineesTable>> {
  const row = /^[0-9a-f-]{36}$/i.test(traineeId)
    ? await deps.db.selectFrom('trainingTrainees').selectAll().where('engagementId', '=', engagementId).where('id', '=', traineeId).executeTakeFirst()
    : undefined;
  if (!row) throw new RempartError('NOT_FOUND', 'No such trainee in this engagement.', { details: [{ field: 'traineeId', message: 'refers to no trainee of the engagement' }] });
  return row;
}

/** Everything the engagement holds about one trainee, for the client answering its employee (Art. 15, via Art. 28(3)(e)). */
export async function exportTrainee(deps: TrainingDeps, session: GateSession, engagementId: string, traineeId: string): Promise<Record<string, unknown>> {
  await authorise(session, 'export', RESOURCE.trainees);
  await engagementFor(session, deps.db, engagementId);
  const row = await traineeIn(deps, engagementId, traineeId);
  const events = await deps.db
    .selectFrom('trainingPhishingEvents as e')
    .innerJoin('trainingCampaigns as c', 'c.id', 'e.campaignId')
    .select(['c.gophishCampaignId', 'e.kind', 'e.occurredAt'])
    .where('e.traineeId', '=', row.id)
    .orderBy('e.occurredAt')
    .execute();
  const statements = await deps.db.selectFrom('trainingStatements').select(['raw']).where('engagementId', '=', engagementId).where('traineeId', '=', row.id).orderBy('storedAt').execute();
  await session.recordAccess('export', RESOURCE.trainees, 'training', [row.id], FIELDS);
  return {
    trainee: presentTrainee(row),
    phishingEvents: events.map((e) => ({ campaign: Number(e.gophishCampaignId), kind: e.kind, at: e.occurredAt.toISOString() })),
    statements: statements.map((s) => JSON.parse(s.raw) as unknown),
  };
}

/** Corrects a trainee on the client's instruction (Art. 16 via Art. 28(3)(e)). */
export async function correctTrainee(deps: TrainingDeps, session: GateSession, engagementId: string, traineeId: string, patch: TraineeInput): Promise<TraineeView> {
  await authorise(session, 'update', RESOURCE.trainees);
  assertOpen(await engagementFor(session, deps.db, engagementId));
  const row = await traineeIn(deps, engagementId, traineeId);
  const set: Partial<Prepared> = {};
  if (patch.email !== undefined) {
    const email = normaliseEmailAddress(patch.email);
    if (email === null) throw new RempartError('VALIDATION_FAILED', 'The email address is not valid.', { details: [{ field: 'email', message: 'is not a valid email address' }] });
    set.email = email.email;
  }
  for (const k of ['firstName', 'lastName', 'department', 'jobTitle'] as const) if (patch[k] !== undefined) set[k] = text(patch[k]);
  const fields = Object.keys(set).map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  if (fields.length === 0) throw new RempartError('VALIDATION_FAILED', 'Nothing to correct.', { details: [{ message: 'give at least one of email, firstName, lastName, department, jobTitle' }] });
  const out = await deps.db.transaction().execute(async (tx) => {
    const updated = await tx.updateTable('trainingTrainees').set({ ...set, updatedAt: deps.now() }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
    await session.recordWrite(tx, 'update', RESOURCE.trainees, 'training', [row.id], fields);
    return updated;
  });
  return presentTrainee(out);
}

/** Deletes a trainee and its results on the client's instruction (Art. 17 via Art. 28(3)(e)); its statements are detached. */
export async function deleteTrainee(deps: TrainingDeps, session: GateSession, engagementId: string, traineeId: string): Promise<void> {
  await authorise(session, 'delete', RESOURCE.trainees);
  await engagementFor(session, deps.db, engagementId);
  const row = await traineeIn(deps, engagementId, traineeId);
  await deps.db.transaction().execute(async (tx) => {
    // The statements name the employee in their actor: they go with the trainee.
    await tx.deleteFrom('trainingStatements').where('engagementId', '=', engagementId).where('traineeId', '=', row.id).execute();
    await tx.deleteFrom('trainingTrainees').where('id', '=', row.id).execute();
    await session.recordWrite(tx, 'delete', RESOURCE.trainees, 'training', [row.id], FIELDS);
  });
}
