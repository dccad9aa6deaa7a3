import type { Expression, ExpressionBuilder, Kysely, SqlBool, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId, isUuid } from '../db/ids.js';
import { RempartError, type ErrorDetail } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import { missingMandatoryFields } from './mandatory.js';
import { joinsOrganisationName, type ResourceSpec } from './resources.js';

/**
 * The commands of the client relationship: create, read, update, delete and list any
 * record type of resources.ts. Routes and CLI commands call these and nothing below them.
 *
 * The access gate of the next issue wraps these commands (actor, purpose, audit);
 * they already take a context rather than a bare database for that reason.
 */
export interface CrmContext {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  /** The clock, passed in so that tests can travel in time. */
  readonly now: () => Date;
  /** The rows this caller may reach (set by the gate); none means every row. */
  readonly scope?: RowScope;
  /**
   * The organisations whose name may be joined to the records read (set by the gate from
   * the caller's grants); absent: no name is joined.
   */
  readonly organisationNames?: RowScope;
  /**
   * By purpose, the searchable fields the caller may see (set by the gate): a row matches
   * a search only through those, so a search never tells what a hidden field holds.
   * Absent: every searchable field of every purpose.
   */
  readonly searchable?: Readonly<Record<string, readonly string[]>>;
  /**
   * Called inside the write's transaction, after the write and before the commit:
   * the gate checks the result against the caller's grants and appends the audit
   * entry there, so a refused or failed write leaves neither data nor audit behind.
   */
  readonly onWrite?: (tx: Transaction<Database>, write: WriteInfo) => Promise<void>;
}

/** A row condition over the loosely typed view of a table. */
export type RowCondition = (eb: ExpressionBuilder<LooseDb, string>) => Expression<SqlBool>;

/** Which rows a caller may reach: rows of these purposes, and matching `where`. */
export interface RowScope {
  readonly purposes: readonly string[];
  readonly where?: RowCondition;
}

/** What a write did, for the gate's check and the audit entry. */
export interface WriteInfo {
  readonly action: 'create' | 'update' | 'delete';
  readonly spec: ResourceSpec;
  readonly id: string;
  readonly before: Presented | null;
  readonly after: Presented | null;
  /** The input fields the caller sent (names only). */
  readonly fields: readonly string[];
}

/** A record as it leaves the system: JSON-ready, camelCase. */
export type Presented = Record<string, unknown>;

/** One page of a list. */
export interface Page {
  readonly items: readonly Presented[];
  readonly nextCursor: string | null;
}

/** List options: filters by param name, a search text, a cursor from the previous page and a page size. */
export interface ListOptions {
  readonly filters?: Readonly<Record<string, unknown>>;
  /** Words that must each appear in one of the spec's searchable fields (`q`). */
  readonly search?: string;
  readonly cursor?: string;
  readonly limit?: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

// The generic commands address tables by name, which Kysely's static types cannot
// follow; this view of the database types every table as a record of unknown values.
export type LooseDb = Record<string, Record<string, unknown>>;
type Loose = Kysely<LooseDb> | Transaction<LooseDb>;
const loose = (db: Kysely<Database> | Transaction<Database>): Loose => db as unknown as Loose;

type Row = Record<string, unknown>;

/** Converts a row read from the database into its JSON form. */
export function present(spec: ResourceSpec, row: Row): Presented {
  const out: Presented = {};
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) out[k] = v.toISOString();
    else if (spec.numeric.includes(k) && v !== null && v !== undefined) out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

function notFound(spec: ResourceSpec, id: string): RempartError {
  // The id is ours, not personal data: safe to name.
  return new RempartError('NOT_FOUND', `No ${spec.noun} with id ${id}.`);
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id)) {
    throw new RempartError('VALIDATION_FAILED', 'The cursor is not one this API returned.', {
      details: [{ field: 'cursor', message: 'is not a valid cursor' }],
    });
  }
  return id;
}

function toColumns(spec: ResourceSpec, input: Readonly<Record<string, unknown>>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(input)) {
    if (k === 'contactIds') continue; // a link table, not a column
    out[k] = spec.json.includes(k) && v !== null && v !== undefined ? JSON.stringify(v) : v;
  }
  return out;
}

async function loadRow(db: Loose, spec: ResourceSpec, id: string, scope: RowScope | undefined): Promise<Row | undefined> {
  if (!isUuid(id)) return undefined;
  let q = db.selectFrom(spec.table).selectAll().where('id', '=', id);
  if (scope) q = applyScope(q, scope);
  return q.executeTakeFirst();
}

function applyScope<Q extends { where: (cb: RowCondition) => Q }>(q: Q, scope: RowScope): Q {
  const purposes = [...scope.purposes];
  let out = q.where((eb) => (purposes.length === 0 ? eb.val(false) : eb('purpose', 'in', purposes)) as Expression<SqlBool>);
  if (scope.where) out = out.where(scope.where);
  return out;
}

async function notify(ctx: CrmContext, tx: Loose, write: WriteInfo): Promise<void> {
  if (ctx.onWrite) await ctx.onWrite(tx as unknown as Transaction<Database>, write);
}

/** Checks that every referenced row exists (and is of an accepted kind), in the write's transaction. */
async function checkReferences(tx: Loose, spec: ResourceSpec, input: Readonly<Record<string, unknown>>): Promise<void> {
  const problems: ErrorDetail[] = [];
  for (const ref of spec.references) {
    const value = input[ref.field];
    if (value === undefined || value === null) continue;
    const row = await tx.selectFrom(ref.table).selectAll().where('id', '=', String(value)).executeTakeFirst();
    if (!row) problems.push({ field: ref.field, message: `refers to no existing ${ref.table === 'debtCases' ? 'debt case' : ref.table.replace(/s$/, '')}` });
    else if (ref.kinds && !ref.kinds.includes(String(row.kind))) {
      problems.push({ field: ref.field, message: `must be an organisation of kind ${ref.kinds.join(' or ')}` });
    }
  }
  if (problems.length > 0) throw new RempartError('INVALID_REFERENCE', 'Some references point to nothing valid.', { details: problems });
}

async function contactIdsOf(db: Loose, contractIds: readonly string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (contractIds.length === 0) return map;
  const rows = await db
    .selectFrom('contractContacts')
    .select(['contractId', 'personId'])
    .where('contractId', 'in', [...contractIds])
    .orderBy('personId')
    .execute();
  for (const r of rows) {
    const list = map.get(String(r.contractId)) ?? [];
    list.push(String(r.personId));
    map.set(String(r.contractId), list);
  }
  return map;
}

async function withLinks(db: Loose, spec: ResourceSpec, rows: readonly Row[]): Promise<Presented[]> {
  if (spec.name !== 'contracts') return rows.map((r) => present(spec, r));
  const links = await contactIdsOf(
    db,
    rows.map((r) => String(r.id)),
  );
  return rows.map((r) => ({ ...present(spec, r), contactIds: links.get(String(r.id)) ?? [] }));
}

/**
 * Rules of single record types that the generic command cannot express: derived
 * columns, policy-mandatory fields (P1.2), and cross-field checks. Returns extra columns.
 */
async function applyRules(
  ctx: CrmContext,
  tx: Loose,
  spec: ResourceSpec,
  merged: Readonly<Record<string, unknown>>,
  isCreate: boolean,
): Promise<Row> {
  switch (spec.name) {
    case 'contracts': {
      const crm = ctx.policy.purposes.find((p) => p.id === 'crm');
      const organisation = merged.organisationId
        ? await tx.selectFrom('organisations').select(['name']).where('id', '=', String(merged.organisationId)).executeTakeFirst()
        : undefined;
      const contactIds = Array.isArray(merged.contactIds) ? (merged.contactIds as string[]) : [];
      const contacts = contactIds.length
        ? await tx.selectFrom('people').select(['id', 'lastName', 'firstName', 'email']).where('id', 'in', contactIds).execute()
        : [];
      const unknown = contactIds.filter((id) => !contacts.some((c) => c.id === id));
      if (unknown.length > 0) {
        throw new RempartError('INVALID_REFERENCE', 'Some contacts do not exist.', {
          details: unknown.map((id) => ({ field: `contactIds[${contactIds.indexOf(id)}]`, message: 'refers to no existing person' })),
        });
      }
      const view = {
        ...merged,
        organisation,
        contacts: contactIds.map((id) => contacts.find((c) => c.id === id)),
      };
      // The columns the table cannot do without are mandatory whatever the policy says.
      const structural = ['organisation', 'offer', 'startDate'];
      const missing = missingMandatoryFields(view, [...(crm?.mandatory.contract ?? []), ...structural]);
      const unique = missing.filter((d, i) => missing.findIndex((o) => o.field === d.field) === i);
      if (unique.length > 0) {
        throw new RempartError(
          'MANDATORY_FIELDS_MISSING',
          `A contract cannot be made without these fields (${unique.map((d) => d.field).join(', ')}).`,
          { details: unique },
        );
      }
      if (merged.endDate && merged.startDate && String(merged.endDate) < String(merged.startDate)) {
        throw new RempartError('VALIDATION_FAILED', 'The contract ends before it starts.', {
          details: [{ field: 'endDate', message: 'must not be before startDate' }],
        });
      }
      return {};
    }
    case 'invoices':
      if (String(merged.dueDate) < String(merged.issueDate)) {
        throw new RempartError('VALIDATION_FAILED', 'The invoice is due before it is issued.', {
          details: [{ field: 'dueDate', message: 'must not be before issueDate' }],
        });
      }
      return {};
    case 'deliveries': {
      const order = await tx.selectFrom('orders').select(['organisationId']).where('id', '=', String(merged.orderId)).executeTakeFirst();
      return order ? { organisationId: order.organisationId } : {};
    }
    case 'payments': {
      const invoice = await tx.selectFrom('invoices').select(['organisationId']).where('id', '=', String(merged.invoiceId)).executeTakeFirst();
      return invoice ? { organisationId: invoice.organisationId } : {};
    }
    case 'debt-cases': {
      const invoice = await tx
        .selectFrom('invoices')
        .select(['organisationId', 'status'])
        .where('id', '=', String(merged.invoiceId))
        .executeTakeFirst();
      // Only an overdue invoice may be handed to a recovery body (annex art. 2; P2.4).
      if (isCreate && invoice && invoice.status !== 'overdue') {
        throw new RempartError('VALIDATION_FAILED', 'Only an overdue invoice can be handed to a recovery body.', {
          details: [{ field: 'invoiceId', message: `the invoice is ${String(invoice.status)}, not overdue` }],
        });
      }
      const extra: Row = invoice ? { organisationId: invoice.organisationId } : {};
      if (isCreate && merged.handedOverAt === undefined) extra.handedOverAt = ctx.now().toISOString().slice(0, 10);
      return extra;
    }
    case 'people':
      if (isCreate) {
        return {
          source: merged.source ?? 'api',
          collectedAt: merged.collectedAt ?? ctx.now().toISOString(),
          relation: merged.relation ?? 'client_contact',
        };
      }
      return { purpose: spec.purposeOf(merged) };
    case 'organisations':
      return isCreate ? {} : { purpose: spec.purposeOf(merged) };
    default:
      return {};
  }
}

async function replaceContacts(tx: Loose, contractId: string, contactIds: readonly string[]): Promise<void> {
  await tx.deleteFrom('contractContacts').where('contractId', '=', contractId).execute();
  if (contactIds.length > 0) {
    await tx
      .insertInto('contractContacts')
      .values(contactIds.map((personId) => ({ contractId, personId })))
      .execute();
  }
}

/** Translates constraint violations the checks above did not foresee into stable errors. */
function translateDbError(spec: ResourceSpec, e: unknown): never {
  const code = (e as { code?: string }).code;
  const constraint = (e as { constraint?: string }).constraint ?? '';
  if (code === '23505') {
    const field = /_number_/.test(constraint) ? 'number' : undefined;
    throw new RempartError('CONFLICT', `A ${spec.noun} with the same ${field ?? 'key'} already exists.`, {
      details: field ? [{ field, message: 'is already used' }] : [],
      cause: e,
    });
  }
  if (code === '23503') {
    throw new RempartError('CONFLICT', `This ${spec.noun} is still referenced by other records, or refers to a missing one.`, {
      cause: e,
    });
  }
  throw e;
}

/** Creates a record of the spec's type from validated input; returns it as presented. */
export async function createRecord(ctx: CrmContext, spec: ResourceSpec, input: Readonly<Record<string, unknown>>): Promise<Presented> {
  try {
    return await loose(ctx.db)
      .transaction()
      .execute(async (tx) => {
        await checkReferences(tx, spec, input);
        const extra = await applyRules(ctx, tx, spec, input, true);
        const merged = { ...input, ...extra };
        const id = newId(ctx.now().getTime());
        const row = await tx
          .insertInto(spec.table)
          .values({ ...toColumns(spec, merged), id, purpose: spec.purposeOf(merged) })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (spec.name === 'contracts') await replaceContacts(tx, id, (input.contactIds as string[] | undefined) ?? []);
        const [presented] = (await withLinks(tx, spec, [row])) as [Presented];
        await notify(ctx, tx, { action: 'create', spec, id, before: null, after: presented, fields: Object.keys(input) });
        return presented;
      });
  } catch (e) {
    translateDbError(spec, e);
  }
}

/** Reads one record; NOT_FOUND when there is none. */
export async function getRecord(ctx: CrmContext, spec: ResourceSpec, id: string): Promise<Presented> {
  const db = loose(ctx.db);
  const row = await loadRow(db, spec, id, ctx.scope);
  if (!row) throw notFound(spec, id);
  const [presented] = await withLinks(db, spec, [row]);
  return presented as Presented;
}

/** Applies a partial update; immutable fields are refused. */
export async function updateRecord(
  ctx: CrmContext,
  spec: ResourceSpec,
  id: string,
  patch: Readonly<Record<string, unknown>>,
): Promise<Presented> {
  const frozen = spec.immutable.filter((f) => f in patch);
  if (frozen.length > 0) {
    throw new RempartError('VALIDATION_FAILED', `Some fields of a ${spec.noun} cannot change once it exists.`, {
      details: frozen.map((field) => ({ field, message: 'cannot be changed after creation' })),
    });
  }
  try {
    return await loose(ctx.db)
      .transaction()
      .execute(async (tx) => {
        const current = await loadRow(tx, spec, id, ctx.scope);
        if (!current) throw notFound(spec, id);
        await checkReferences(tx, spec, patch);
        const [before] = (await withLinks(tx, spec, [current])) as [Presented];
        const merged = { ...before, ...patch };
        const extra = await applyRules(ctx, tx, spec, merged, false);
        const row = await tx
          .updateTable(spec.table)
          .set({ ...toColumns(spec, { ...patch, ...extra }), updatedAt: ctx.now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        if (spec.name === 'contracts' && Array.isArray(patch.contactIds)) await replaceContacts(tx, id, patch.contactIds as string[]);
        const [presented] = (await withLinks(tx, spec, [row])) as [Presented];
        await notify(ctx, tx, { action: 'update', spec, id, before, after: presented, fields: Object.keys(patch) });
        return presented;
      });
  } catch (e) {
    translateDbError(spec, e);
  }
}

/** Deletes one record; CONFLICT when other records still refer to it. */
export async function deleteRecord(ctx: CrmContext, spec: ResourceSpec, id: string): Promise<void> {
  try {
    await loose(ctx.db)
      .transaction()
      .execute(async (tx) => {
        const current = await loadRow(tx, spec, id, ctx.scope);
        if (!current) throw notFound(spec, id);
        const [before] = (await withLinks(tx, spec, [current])) as [Presented];
        await tx.deleteFrom(spec.table).where('id', '=', id).execute();
        await notify(ctx, tx, { action: 'delete', spec, id, before, after: null, fields: [] });
      });
  } catch (e) {
    translateDbError(spec, e);
  }
}

// Accented letters of French (and their neighbours) and what a search folds them to, so
// that "helene" finds "Hélène": translate() exists on every PostgreSQL, PGlite included,
// where unaccent is an extension a database may lack.
const ACCENTED = 'àáâãäåçèéêëìíîïñòóôõöùúûüýÿ';
const FOLDED = 'aaaaaaceeeeiiiinooooouuuuyy';

/** Lower case, French accents folded: what a search compares (the column side in SQL, see `folded`). */
function foldForSearch(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  for (const c of lower) {
    const i = ACCENTED.indexOf(c);
    out += i >= 0 ? FOLDED[i] : c;
  }
  return out;
}

/** Words of a search, at most eight, folded, with LIKE's wildcards taken literally. */
function searchTerms(text: string): string[] {
  return foldForSearch(text)
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '')
    .slice(0, 8)
    .map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

/** A column lower-cased and accent-folded as foldForSearch does. */
function folded(eb: ExpressionBuilder<LooseDb, string>, field: string) {
  return eb.fn('translate', [eb.fn('lower', [eb.ref(field)]), eb.val(ACCENTED), eb.val(FOLDED)]);
}

/** Every term in one of `fields`; false when no field may be searched. */
function matchAll(eb: ExpressionBuilder<LooseDb, string>, fields: readonly string[], terms: readonly string[]): Expression<SqlBool> {
  if (fields.length === 0) return eb.val(false) as unknown as Expression<SqlBool>;
  return eb.and(terms.map((t) => eb.or(fields.map((f) => eb(folded(eb, f), 'like', t)))));
}

/** The row condition of a search: per purpose, through the fields the caller may see there. */
function searchCondition(ctx: CrmContext, spec: ResourceSpec, text: string): RowCondition | undefined {
  const terms = searchTerms(text);
  if (terms.length === 0 || spec.search.length === 0) return undefined;
  const byPurpose = ctx.searchable;
  if (!byPurpose) return (eb) => matchAll(eb, spec.search, terms);
  return (eb) => {
    const parts = Object.entries(byPurpose)
      .filter(([, fields]) => fields.length > 0)
      .map(([purpose, fields]) => eb.and([eb('purpose', '=', purpose), matchAll(eb, fields, terms)]));
    return parts.length === 0 ? (eb.val(false) as unknown as Expression<SqlBool>) : eb.or(parts);
  };
}

/**
 * The records of `spec` with, for those that point to an organisation the caller may
 * read, its name and purpose: two scalar subqueries on the organisation's primary key,
 * so a page costs one statement whatever its size (issue 16, item 6). The subqueries
 * read `organisations as o`, whose unqualified columns (`id`, `purpose`) the caller's
 * row condition on organisations names.
 */
function selectRecords(db: Loose, ctx: CrmContext, spec: ResourceSpec) {
  const q = db.selectFrom(spec.table).selectAll(spec.table);
  const names = ctx.organisationNames;
  if (!names || !joinsOrganisationName(spec)) return q;
  const org = (eb: ExpressionBuilder<LooseDb, string>, column: 'name' | 'purpose') =>
    applyScope(
      eb
        .selectFrom('organisations as o')
        .select(`o.${column}`)
        .whereRef('o.id', '=', `${spec.table}.organisationId`),
      names,
    );
  return q.select((eb) => [org(eb, 'name').as('organisationName'), org(eb, 'purpose').as('organisationPurpose')]);
}

/** One page of records in creation order, filtered and searched; `nextCursor` is null on the last page. */
export async function listRecords(ctx: CrmContext, spec: ResourceSpec, options: ListOptions = {}): Promise<Page> {
  const limit = Math.min(Math.max(options.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const db = loose(ctx.db);
  let q = selectRecords(db, ctx, spec);
  for (const f of spec.filters) {
    const value = options.filters?.[f.param];
    if (value !== undefined) q = q.where(`${spec.table}.${f.column}`, '=', value);
  }
  const search = options.search === undefined ? undefined : searchCondition(ctx, spec, options.search);
  if (search) q = q.where(search);
  if (options.cursor) q = q.where(`${spec.table}.id`, '>', decodeCursor(options.cursor));
  if (ctx.scope) q = applyScope(q, ctx.scope);
  const rows = await q.orderBy(`${spec.table}.id`).limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: await withLinks(db, spec, page),
    nextCursor: rows.length > limit && last ? encodeCursor(String(last.id)) : null,
  };
}
