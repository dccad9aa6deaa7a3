import type { Kysely, Transaction } from 'kysely';
import {
  createRecord,
  deleteRecord,
  getRecord,
  listRecords,
  updateRecord,
  type CrmContext,
  type ListOptions,
  type Page,
  type Presented,
  type RowCondition,
  type RowScope,
  type WriteInfo,
} from '../crm/commands.js';
import { joinsOrganisationName, resource, type ResourceSpec } from '../crm/resources.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import type { LoadedPolicy, Operation, PurposeId, RoleTask } from '../policy/index.js';
import type { Actor } from './actor.js';
import { toQueuedEvent, type AuditEvent } from './audit/event.js';
import { can, canSeeField, forbiddenWrites, mayPerform, presentFor, purposesFor, tableEntryOf, toSnake } from './permissions.js';

/**
 * The one gate to personal data. Every route and CLI command that reads or writes
 * client-relationship records calls a GateSession, which
 *   1. refuses what the actor's role has no grant for (annex art. 2, P2.1–P2.4),
 *   2. restricts rows (purposes granted; a recovery body's handed invoices only),
 *   3. lets through only the fields the role may see (its presenter),
 *   4. asks the person-state checks of later issues (restriction P5.4, archive P4.5),
 *   5. writes the audit entry: in the write's own transaction, or durably before a
 *      read's answer leaves (GDPR Art. 5(2); P2.5).
 */

/** An audit event as the gate emits it (src/access/audit): field names only, never values. */
export type GateAuditEvent = AuditEvent;

/** Where the gate writes its audit events (implemented by src/access/audit). */
export interface AuditSink {
  /** Appends inside a write's transaction: committed with it or not at all. */
  inTransaction(tx: Transaction<Database>, events: readonly GateAuditEvent[]): Promise<void>;
  /** Appends and resolves once durable (group-committed across concurrent reads). */
  durable(events: readonly GateAuditEvent[]): Promise<void>;
}

/**
 * Checks on the state of the people a record concerns, filled by later issues:
 * restriction (P5.4) refuses every processing but the dpo's; objection (P5.6) and
 * archive (P4.5) are applied the same way. The default refuses nothing.
 */
export interface PersonStateChecks {
  assertProcessable(db: Kysely<Database>, actor: Actor, operation: Operation, personIds: readonly string[]): Promise<void>;
  /**
   * False when no person state can refuse `operation` (restriction and objection leave
   * reads alone): the gate then skips the lookup, so a read costs one statement.
   * Absent: every operation is checked.
   */
  mayRefuse?(operation: Operation): boolean;
}

/** What the gate is built from. */
export interface GateDeps {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  readonly audit: AuditSink;
  readonly personState?: PersonStateChecks;
}

/** Builds gate sessions for actors. */
export class Gate {
  readonly #deps: GateDeps;

  constructor(deps: GateDeps) {
    this.#deps = deps;
  }

  /** The gate as seen by one actor. */
  for(actor: Actor): GateSession {
    return new GateSession(this.#deps, actor);
  }
}

type Row = Record<string, unknown>;

function forbidden(message: string, fields: readonly string[] = []): RempartError {
  return new RempartError('FORBIDDEN', message, { details: fields.map((field) => ({ field, message: 'not within your role' })) });
}

/** The gate for one actor; cheap to create per request. */
export class GateSession {
  readonly #deps: GateDeps;
  readonly actor: Actor;
  #scopeKind: Promise<string | null> | undefined;

  constructor(deps: GateDeps, actor: Actor) {
    this.#deps = deps;
    this.actor = actor;
  }

  /** Creates a record if the role may create it for its purpose, with every field sent. */
  async create(spec: ResourceSpec, input: Readonly<Record<string, unknown>>): Promise<Presented> {
    await this.#require(spec, 'create');
    const out = await createRecord(this.#ctx(spec, undefined), spec, input);
    return this.#present(spec, out);
  }

  /** Reads one record within the actor's rows and fields. */
  async get(spec: ResourceSpec, id: string): Promise<Presented> {
    const scope = await this.#scope(spec, 'read');
    const row = await getRecord(this.#ctx(spec, scope), spec, id);
    const [presented] = await this.#presentAndAudit(spec, [row]);
    return presented as Presented;
  }

  /**
   * Lists records within the actor's rows, each through the role's presenter, with the
   * name of its organisation where the role may read it; a search looks only into the
   * fields the role may see.
   */
  async list(spec: ResourceSpec, options: ListOptions = {}): Promise<Page> {
    const scope = await this.#scope(spec, 'read');
    const page = await listRecords(await this.#listCtx(spec, scope, options.search !== undefined), spec, options);
    return { items: await this.#presentAndAudit(spec, page.items), nextCursor: page.nextCursor };
  }

  /** Changes a record within the actor's rows, if the role may write every field sent. */
  async update(spec: ResourceSpec, id: string, patch: Readonly<Record<string, unknown>>): Promise<Presented> {
    const scope = await this.#scope(spec, 'update');
    const out = await updateRecord(this.#ctx(spec, scope), spec, id, patch);
    return this.#present(spec, out);
  }

  /** Deletes a record within the actor's rows. */
  async delete(spec: ResourceSpec, id: string): Promise<void> {
    const scope = await this.#scope(spec, 'delete');
    await deleteRecord(this.#ctx(spec, scope), spec, id);
  }

  /**
   * For data outside the record types (connection logs, the audit trail): refuses with
   * 403, and records the refusal, unless the role holds the grant.
   */
  async assertCan(operation: Operation, purpose: PurposeId, category: string, resource: string): Promise<void> {
    if (can(this.#deps.policy, this.actor, operation, purpose, category)) return;
    await this.#deps.audit.durable([this.#rawEvent('denied', resource, purpose, [], [], [], `no grant to ${operation} ${resource}`)]);
    throw forbidden(`Your role may not ${operation} ${resource.replace('-', ' ')}.`);
  }

  /** True when the policy gives the actor's role this accountability task (`roles[].tasks`). */
  performs(task: RoleTask): boolean {
    return mayPerform(this.#deps.policy, this.actor, task);
  }

  /** Like assertCan, for an accountability task (reading the audit trail): 403, recorded, unless the role carries it. */
  async assertTask(task: RoleTask, resource: string): Promise<void> {
    if (this.performs(task)) return;
    await this.#deps.audit.durable([this.#rawEvent('denied', resource, null, [], [], [], `no task ${task}`)]);
    throw forbidden(`Your role does not have the task ${task}.`);
  }

  /** Records a read or export of data outside the record types, durably, before the answer leaves. */
  async recordAccess(
    action: 'read' | 'export',
    resource: string,
    purpose: string | null,
    recordIds: readonly string[],
    fields: readonly string[],
    personIds: readonly string[] = [],
  ): Promise<void> {
    // The people concerned are named, so the read shows in their own trail (Art. 15(1)(c)).
    await this.#recordDurably(action, resource, purpose, recordIds, fields, personIds);
  }

  /**
   * Records a change made by a command that writes outside the record types without a
   * transaction of the gate's (the steps of a rights request: extend, refuse, answer,
   * withdraw, doubt, ID document), durably, before the answer leaves, naming the person so
   * that the change shows in their own trail (P2.5, Art. 15(1)(c)).
   */
  async recordChange(action: 'update' | 'delete', resource: string, purpose: string | null, recordIds: readonly string[], fields: readonly string[], personIds: readonly string[] = []): Promise<void> {
    await this.#recordDurably(action, resource, purpose, recordIds, fields, personIds);
  }

  /**
   * Records a write of data outside the record types (training engagements) inside the
   * write's own transaction: committed with it or not at all (P2.5).
   */
  async recordWrite(tx: Transaction<Database>, action: 'create' | 'update' | 'delete', resource: string, purpose: string, recordIds: readonly string[], fields: readonly string[]): Promise<void> {
    await this.#deps.audit.inTransaction(tx, [this.#rawEvent(action, resource, purpose, recordIds, [], fields)]);
  }

  /**
   * The audit queue row (`audit_queue.event`) of a write, for a command that inserts it in
   * the very statement that writes the data (a CTE: both or neither), where a transaction
   * of its own would cost round trips on a hot path (the training platforms' webhooks).
   */
  queuedWriteEvent(action: 'create' | 'update' | 'delete', resource: string, purpose: string, recordIds: readonly string[], fields: readonly string[]): string {
    return JSON.stringify(toQueuedEvent(this.#rawEvent(action, resource, purpose, recordIds, [], fields)));
  }

  #ctx(spec: ResourceSpec, scope: RowScope | undefined): CrmContext {
    const { db, policy, now } = this.#deps;
    return { db, policy, now, ...(scope ? { scope } : {}), onWrite: (tx, write) => this.#onWrite(tx, write) };
  }

  /** The context of a list: the row scope, the organisations whose name may be joined and, for a search, the fields it may look into. */
  async #listCtx(spec: ResourceSpec, scope: RowScope | undefined, searching: boolean): Promise<CrmContext> {
    const organisationNames = await this.#organisationNameScope(spec);
    const searchable = searching && scope ? this.#searchable(spec, scope.purposes) : undefined;
    return { ...this.#ctx(spec, scope), ...(organisationNames ? { organisationNames } : {}), ...(searchable ? { searchable } : {}) };
  }

  /**
   * The organisations whose name the actor may see beside a record: those it could read
   * itself (their purpose granted, its row rules), name included. Organisation names are
   * not personal data (GDPR recital 14), but what a role reaches still follows its grants.
   * Undefined: no name is joined.
   */
  async #organisationNameScope(spec: ResourceSpec): Promise<RowScope | undefined> {
    if (!joinsOrganisationName(spec)) return undefined;
    const organisations = resource('organisations');
    const { policy } = this.#deps;
    const purposes = purposesFor(policy, this.actor, organisations, 'read').filter((p) => canSeeField(policy, this.actor, organisations, 'name', p));
    if (purposes.length === 0) return undefined;
    if (this.actor.role === null) return { purposes };
    const where = await this.#rowCondition(organisations);
    return { purposes, ...(where ? { where } : {}) };
  }

  /** By purpose, the searchable fields of `spec` the actor may see. */
  #searchable(spec: ResourceSpec, purposes: readonly string[]): Record<string, readonly string[]> {
    const { policy } = this.#deps;
    return Object.fromEntries(purposes.map((p) => [p, spec.search.filter((f) => canSeeField(policy, this.actor, spec, f, p as PurposeId))]));
  }

  async #require(spec: ResourceSpec, operation: Operation): Promise<PurposeId[]> {
    const purposes = purposesFor(this.#deps.policy, this.actor, spec, operation);
    if (purposes.length === 0) {
      // Refusals are recorded too: an attempt is part of the accountability trail.
      await this.#deps.audit.durable([this.#event('denied', spec, null, [], [], [], `no grant to ${operation} ${spec.name}`)]);
      throw forbidden(`Your role may not ${operation} ${spec.name.replace('-', ' ')}.`);
    }
    return purposes;
  }

  async #scope(spec: ResourceSpec, operation: Operation): Promise<RowScope | undefined> {
    const purposes = await this.#require(spec, operation);
    if (this.actor.role === null) return undefined;
    const where = await this.#rowCondition(spec);
    return { purposes, ...(where ? { where } : {}) };
  }

  /**
   * Row rules for actors bound to an organisation. A recovery body sees only the
   * debtor data of the overdue invoices handed to it (annex art. 2; P2.4); a
   * subcontractor reaches no client-relationship record (P2.2: only the purposes of
   * its contract); a subsidiary is a recipient of the relationship data as such.
   */
  async #rowCondition(spec: ResourceSpec): Promise<RowCondition | undefined> {
    const org = this.actor.scopeOrganisationId;
    if (!org) return undefined;
    this.#scopeKind ??= (this.#deps.db as unknown as Kysely<Record<string, Record<string, unknown>>>)
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', org)
      .executeTakeFirst()
      .then((r) => (r ? String(r.kind) : null));
    const kind = await this.#scopeKind;
    if (kind === 'subsidiary') return undefined;
    if (kind !== 'recovery_body') return (eb) => eb.val(false);
    const handedInvoiceIds = (eb: Parameters<RowCondition>[0]) =>
      eb
        .selectFrom('debtCases as d')
        .innerJoin('invoices as i', 'i.id', 'd.invoiceId')
        .select('d.invoiceId')
        .where('d.recoveryBodyId', '=', org)
        .where('i.status', '=', 'overdue');
    switch (spec.name) {
      case 'invoices':
        return (eb) => eb('id', 'in', handedInvoiceIds(eb));
      case 'debt-cases':
        return (eb) => eb('recoveryBodyId', '=', org);
      case 'payments':
        return (eb) => eb('invoiceId', 'in', handedInvoiceIds(eb));
      case 'people':
        return (eb) => eb('id', 'in', eb.selectFrom('invoices').select('personId').where('id', 'in', handedInvoiceIds(eb)));
      case 'organisations':
        return (eb) =>
          eb.or([eb('id', '=', org), eb('id', 'in', eb.selectFrom('invoices').select('organisationId').where('id', 'in', handedInvoiceIds(eb)))]);
      default:
        return (eb) => eb.val(false);
    }
  }

  async #onWrite(tx: Transaction<Database>, write: WriteInfo): Promise<void> {
    const { policy } = this.#deps;
    const operation: Operation = write.action;
    const spec = write.spec;
    const purposes = new Set([write.before?.purpose, write.after?.purpose].filter((p): p is PurposeId => typeof p === 'string'));
    for (const purpose of purposes) {
      const allowed = spec.category === null ? purposesFor(policy, this.actor, spec, operation).includes(purpose) : can(policy, this.actor, operation, purpose, spec.category);
      if (!allowed) throw forbidden(`Your role may not ${operation} ${spec.name.replace('-', ' ')} processed for ${purpose}.`);
      const fields = forbiddenWrites(policy, this.actor, spec, operation, purpose, write.fields);
      if (fields.length > 0) throw forbidden(`Your role may not write some of these fields.`, fields);
    }
    const rows = [write.before, write.after].filter((r): r is Presented => r !== null);
    const personIds = await this.#personIds(spec, rows, tx);
    await this.#deps.personState?.assertProcessable(tx, this.actor, operation, personIds);
    const purpose = String(write.after?.purpose ?? write.before?.purpose ?? '');
    await this.#deps.audit.inTransaction(tx, [this.#event(write.action, spec, purpose, [write.id], personIds, write.fields)]);
  }

  async #present(spec: ResourceSpec, record: Presented): Promise<Presented> {
    return presentFor(this.#deps.policy, this.actor, spec, record).record;
  }

  async #presentAndAudit(spec: ResourceSpec, rows: readonly Presented[]): Promise<Presented[]> {
    const { policy } = this.#deps;
    const out: Presented[] = [];
    const byPurpose = new Map<string, { ids: string[]; fields: Set<string>; rows: Presented[] }>();
    // The organisations whose name goes out beside the records, by their purpose: read as
    // a GET of each would be, so the trail shows them too.
    const organisationsRead = new Map<string, Set<string>>();
    for (const row of rows) {
      const { organisationName, organisationPurpose, ...columns } = row;
      const { record, personalFields } = presentFor(policy, this.actor, spec, columns);
      // The name goes with the link only: a role that may not see which organisation a
      // person belongs to does not learn it from the name either.
      if (typeof organisationName === 'string' && typeof record.organisationId === 'string') {
        record.organisationName = organisationName;
        const purpose = String(organisationPurpose);
        const ids = organisationsRead.get(purpose) ?? new Set<string>();
        ids.add(record.organisationId);
        organisationsRead.set(purpose, ids);
      }
      out.push(record);
      const key = String(row.purpose);
      const group = byPurpose.get(key) ?? { ids: [], fields: new Set<string>(), rows: [] };
      group.ids.push(String(row.id));
      group.rows.push(row);
      for (const f of personalFields) group.fields.add(f);
      byPurpose.set(key, group);
    }
    if (rows.length > 0) {
      const allPersonIds = await this.#personIds(spec, rows, this.#deps.db);
      const personState = this.#deps.personState;
      if (personState && (personState.mayRefuse?.('read') ?? true)) await personState.assertProcessable(this.#deps.db, this.actor, 'read', allPersonIds);
      const events: GateAuditEvent[] = [];
      for (const [purpose, g] of byPurpose) {
        const personIds = byPurpose.size === 1 ? allPersonIds : await this.#personIds(spec, g.rows, this.#deps.db);
        events.push(this.#event('read', spec, purpose, g.ids, personIds, [...g.fields]));
      }
      // Organisations concern no person (catalogue: subjects []), and none of their fields is personal.
      for (const [purpose, ids] of organisationsRead) events.push(this.#event('read', resource('organisations'), purpose, [...ids].sort(), [], []));
      // The entry is durable before the answer leaves (P2.5).
      await this.#deps.audit.durable(events);
    }
    return out;
  }

  /** The people these records concern, following the catalogue's subject links. */
  async #personIds(spec: ResourceSpec, rows: readonly Row[], db: Kysely<Database>): Promise<string[]> {
    const ids = new Set<string>();
    const loose = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    for (const link of tableEntryOf(spec).subjects) {
      if (!link.via) {
        const field = link.column === 'id' ? 'id' : toCamel(link.column);
        for (const r of rows) if (typeof r[field] === 'string') ids.add(r[field]);
        continue;
      }
      if (link.via.table === 'contract_contacts') {
        for (const r of rows) for (const p of (r.contactIds as string[] | undefined) ?? []) ids.add(p);
        continue;
      }
      const keys = rows.map((r) => r[toCamel(link.via!.subjectColumn)]).filter((k): k is string => typeof k === 'string');
      if (keys.length === 0) continue;
      const found = await loose
        .selectFrom(toCamel(link.via.table))
        .select(toCamel(link.column))
        .where(toCamel(link.via.column), 'in', keys)
        .execute();
      for (const f of found) {
        const v = f[toCamel(link.column)];
        if (typeof v === 'string') ids.add(v);
      }
    }
    return [...ids].sort();
  }

  #event(
    action: GateAuditEvent['action'],
    spec: ResourceSpec,
    purpose: string | null,
    recordIds: readonly string[],
    personIds: readonly string[],
    fields: readonly string[],
    reason: string | null = null,
  ): GateAuditEvent {
    return this.#rawEvent(action, spec.name, purpose, recordIds, personIds, fields.map(toSnake), reason);
  }

  /** One event outside the record types, committed before the answer leaves (recordAccess, recordChange). */
  async #recordDurably(action: GateAuditEvent['action'], resource: string, purpose: string | null, recordIds: readonly string[], fields: readonly string[], personIds: readonly string[]): Promise<void> {
    await this.#deps.audit.durable([this.#rawEvent(action, resource, purpose, recordIds, personIds, fields)]);
  }

  #rawEvent(
    action: GateAuditEvent['action'],
    resource: string,
    purpose: string | null,
    recordIds: readonly string[],
    personIds: readonly string[],
    fields: readonly string[],
    reason: string | null = null,
  ): GateAuditEvent {
    return { at: this.#deps.now(), actor: this.actor.id, role: this.actor.role, purpose, action, resource, recordIds, personIds, fields, reason };
  }
}

function toCamel(s: string): string {
  return s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
