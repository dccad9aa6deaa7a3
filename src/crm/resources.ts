import Type, { type TSchema } from 'typebox';
import type { PurposeId, TableName } from '../db/schema.js';

/**
 * The record types of the client relationship (P1.3), declared once. The generic
 * commands (commands.ts) and routes (routes.ts) are driven by these specs, so the
 * eleven resources share one implementation of create/read/update/delete/list.
 */

/** A reference from an input field to another table, checked inside the write's transaction. */
export interface Reference {
  readonly field: string;
  readonly table: TableName;
  /** For organisations: the kinds accepted (a debt case's recovery body must be one). */
  readonly kinds?: readonly string[];
}

/** A list filter: query parameter → column. */
export interface Filter {
  readonly param: string;
  readonly column: string;
  readonly schema: TSchema;
}

/** One record type of the API. */
export interface ResourceSpec {
  /** URL segment under /api/v1 and the name used in errors and audit. */
  readonly name: string;
  /** Singular noun, for messages ("organisation 0191… not found"). */
  readonly noun: string;
  readonly table: TableName;
  readonly tag: string;
  /**
   * The data category a role needs a grant on to reach these records at all (then each
   * field is checked against its own category). Null for records of legal persons.
   */
  readonly category: string | null;
  /** The purposes rows of this type can be processed for (the `purpose` column's range). */
  readonly purposes: readonly PurposeId[];
  /** Input fields (camelCase); create requires `required`, update makes all optional. */
  readonly fields: Readonly<Record<string, TSchema>>;
  readonly required: readonly string[];
  /** Fields only the server sets; appear in responses. */
  readonly outputFields: Readonly<Record<string, TSchema>>;
  /** Fields that cannot change after creation. */
  readonly immutable: readonly string[];
  readonly references: readonly Reference[];
  readonly filters: readonly Filter[];
  /**
   * The text fields a list's `q` parameter searches (any case, any part of the value);
   * empty: the list offers no search. Only the fields the caller may see are searched.
   */
  readonly search: readonly string[];
  /** Numeric columns (numeric in SQL) presented as JSON numbers. */
  readonly numeric: readonly string[];
  /** JSON columns, serialised on write. */
  readonly json: readonly string[];
  /** The purpose a new row is tagged with. */
  purposeOf(input: Readonly<Record<string, unknown>>): PurposeId;
}

const Id = (description?: string) => Type.String({ format: 'uuid', ...(description ? { description } : {}) });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DateStr = (description?: string) => Type.String({ format: 'date', ...(description ? { description } : {}) });
const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Text = (max = 500) => Type.String({ minLength: 1, maxLength: max });
const Money = () => Type.Number({ minimum: 0, maximum: 1e12, multipleOf: 0.01 });

/** A postal address (French by default). */
export const PostalAddressSchema = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 100 })),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    postcode: Type.String({ minLength: 1, maxLength: 20 }),
    city: Text(100),
    country: Type.String({ format: 'country', default: 'FR' }),
  },
  { additionalProperties: false },
);

/** A phone number in E.164 form, with its type. */
export const PhoneSchema = Type.Object(
  {
    number: Type.String({ format: 'e164' }),
    type: Type.Optional(Type.Union([Type.Literal('mobile'), Type.Literal('landline'), Type.Literal('fax'), Type.Literal('other')])),
  },
  { additionalProperties: false },
);

const enumOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ORGANISATION_KINDS = ['client', 'prospect', 'recovery_body', 'subcontractor', 'subsidiary'] as const;
export const RELATIONS = ['client_contact', 'colleague', 'prospect'] as const;
export const CONTRACT_STATUSES = ['draft', 'active', 'ended', 'terminated'] as const;
export const ORDER_STATUSES = ['placed', 'confirmed', 'delivered', 'cancelled'] as const;
export const DELIVERY_STATUSES = ['pending', 'shipped', 'delivered', 'returned'] as const;
export const INVOICE_STATUSES = ['issued', 'paid', 'overdue', 'cancelled'] as const;
export const PAYMENT_METHODS = ['transfer', 'direct_debit', 'cheque', 'card', 'other'] as const;
export const CASE_STATUSES = ['open', 'in_progress', 'resolved', 'closed'] as const;
export const DEBT_CASE_STATUSES = ['open', 'settled', 'written_off', 'litigation', 'closed'] as const;

const filter = (param: string, schema: TSchema, column = param): Filter => ({ param, column, schema });
const byOrganisation = filter('organisationId', Id());
const byPerson = filter('personId', Id());
const byStatus = (values: readonly string[]) => filter('status', enumOf(values));

const crm = (): PurposeId => 'crm';

const caseFields = {
  personId: Nullable(Id('The person concerned')),
  organisationId: Nullable(Id()),
  subject: Text(300),
  description: Nullable(Type.String({ maxLength: 10_000 })),
  status: enumOf(CASE_STATUSES),
  openedAt: DateTime(),
  closedAt: Nullable(DateTime()),
};

function caseSpec(name: 'complaints' | 'tickets', noun: string, tag: string): ResourceSpec {
  return {
    name,
    noun,
    category: 'complaint',
    purposes: ['crm'],
    table: name,
    tag,
    fields: name === 'tickets' ? { ...caseFields, orderId: Nullable(Id('The order concerned')) } : caseFields,
    required: ['subject'],
    outputFields: {},
    immutable: [],
    references: [
      { field: 'personId', table: 'people' },
      { field: 'organisationId', table: 'organisations' },
      ...(name === 'tickets' ? [{ field: 'orderId', table: 'orders' as const }] : []),
    ],
    filters: [byOrganisation, byPerson, byStatus(CASE_STATUSES)],
    search: ['subject'],
    numeric: [],
    json: [],
    purposeOf: crm,
  };
}

/** Every record type of the client relationship, in the order the API documents them. */
export const RESOURCES: readonly ResourceSpec[] = Object.freeze([
  {
    name: 'organisations',
    category: null,
    purposes: ['crm', 'prospecting'],
    noun: 'organisation',
    table: 'organisations',
    tag: 'Organisations',
    fields: {
      name: Text(300),
      kind: enumOf(ORGANISATION_KINDS),
      siret: Nullable(Type.String({ format: 'siret' })),
      vatNumber: Nullable(Type.String({ format: 'vat' })),
      sector: Nullable(Type.String({ maxLength: 200 })),
      headcount: Nullable(Type.Integer({ minimum: 0 })),
      addresses: Type.Array(PostalAddressSchema, { maxItems: 20 }),
    },
    required: ['name'],
    outputFields: {},
    immutable: [],
    references: [],
    filters: [filter('kind', enumOf(ORGANISATION_KINDS))],
    search: ['name', 'siret'],
    numeric: [],
    json: ['addresses'],
    purposeOf: (input) => (input.kind === 'prospect' ? 'prospecting' : 'crm'),
  },
  {
    name: 'people',
    category: 'identity',
    purposes: ['crm', 'prospecting'],
    noun: 'person',
    table: 'people',
    tag: 'People',
    fields: {
      relation: enumOf(RELATIONS),
      lastName: Nullable(Type.String({ maxLength: 200 })),
      firstName: Nullable(Type.String({ maxLength: 200 })),
      email: Nullable(Type.String({ format: 'email' })),
      phones: Type.Array(PhoneSchema, { maxItems: 10 }),
      postalAddresses: Type.Array(PostalAddressSchema, { maxItems: 10 }),
      jobTitle: Nullable(Type.String({ maxLength: 200 })),
      organisationId: Nullable(Id()),
      source: Type.String({ minLength: 1, maxLength: 300, description: 'Where the data was obtained (GDPR Art. 14)' }),
      collectedAt: DateTime('When the data was obtained; default: now'),
    },
    required: [],
    outputFields: { lastContactAt: Nullable(DateTime('Last act of the person themself (R-PROS-7)')) },
    immutable: [],
    references: [{ field: 'organisationId', table: 'organisations' }],
    filters: [byOrganisation, filter('relation', enumOf(RELATIONS))],
    search: ['lastName', 'firstName', 'email'],
    numeric: [],
    json: ['phones', 'postalAddresses'],
    // A prospect's data is processed for prospecting (annex art. 1, second purpose).
    purposeOf: (input) => (input.relation === 'prospect' ? 'prospecting' : 'crm'),
  },
  {
    name: 'contracts',
    category: 'contract',
    purposes: ['crm'],
    noun: 'contract',
    table: 'contracts',
    tag: 'Contracts',
    fields: {
      organisationId: Id(),
      contactIds: Type.Array(Id(), { maxItems: 50, uniqueItems: true, description: 'The people who are contacts of the contract' }),
      offer: Text(300),
      startDate: DateStr(),
      endDate: Nullable(DateStr()),
      status: enumOf(CONTRACT_STATUSES),
    },
    // What a contract needs comes from the policy (P1.2), checked in the command so
    // that every missing field is listed at once.
    required: [],
    outputFields: {},
    immutable: [],
    references: [{ field: 'organisationId', table: 'organisations' }],
    filters: [byOrganisation, byStatus(CONTRACT_STATUSES)],
    search: ['offer'],
    numeric: [],
    json: [],
    purposeOf: crm,
  },
  {
    name: 'orders',
    category: 'order',
    purposes: ['crm'],
    noun: 'order',
    table: 'orders',
    tag: 'Orders',
    fields: {
      organisationId: Id(),
      contractId: Nullable(Id()),
      personId: Nullable(Id('Who placed the order')),
      number: Text(50),
      orderedAt: DateStr(),
      amount: Money(),
      status: enumOf(ORDER_STATUSES),
    },
    required: ['organisationId', 'number', 'orderedAt', 'amount'],
    outputFields: {},
    immutable: ['number'],
    references: [
      { field: 'organisationId', table: 'organisations' },
      { field: 'contractId', table: 'contracts' },
      { field: 'personId', table: 'people' },
    ],
    filters: [byOrganisation, filter('contractId', Id()), byStatus(ORDER_STATUSES)],
    search: ['number'],
    numeric: ['amount'],
    json: [],
    purposeOf: crm,
  },
  {
    name: 'deliveries',
    category: 'delivery',
    purposes: ['crm'],
    noun: 'delivery',
    table: 'deliveries',
    tag: 'Deliveries',
    fields: {
      orderId: Id(),
      recipientPersonId: Nullable(Id()),
      recipientName: Nullable(Type.String({ maxLength: 200 })),
      deliveryAddress: PostalAddressSchema,
      shippedAt: Nullable(DateStr()),
      deliveredAt: Nullable(DateStr()),
      status: enumOf(DELIVERY_STATUSES),
    },
    required: ['orderId', 'deliveryAddress'],
    outputFields: { organisationId: Id('The organisation of the order') },
    immutable: ['orderId'],
    references: [
      { field: 'orderId', table: 'orders' },
      { field: 'recipientPersonId', table: 'people' },
    ],
    filters: [byOrganisation, filter('orderId', Id()), byStatus(DELIVERY_STATUSES)],
    search: ['recipientName'],
    numeric: [],
    json: ['deliveryAddress'],
    purposeOf: crm,
  },
  {
    name: 'invoices',
    category: 'financial',
    purposes: ['crm'],
    noun: 'invoice',
    table: 'invoices',
    tag: 'Invoices',
    fields: {
      organisationId: Id(),
      contractId: Nullable(Id()),
      personId: Nullable(Id('The billing contact')),
      number: Text(50),
      issueDate: DateStr(),
      dueDate: DateStr(),
      amount: Money(),
      currency: Type.String({ pattern: '^[A-Z]{3}$', default: 'EUR' }),
      status: enumOf(INVOICE_STATUSES),
    },
    required: ['organisationId', 'number', 'issueDate', 'dueDate', 'amount'],
    outputFields: {},
    // An issued invoice is an accounting record: its number never changes (Code de commerce L123-22).
    immutable: ['number', 'organisationId'],
    references: [
      { field: 'organisationId', table: 'organisations' },
      { field: 'contractId', table: 'contracts' },
      { field: 'personId', table: 'people' },
    ],
    filters: [byOrganisation, filter('contractId', Id()), byStatus(INVOICE_STATUSES)],
    search: ['number'],
    numeric: ['amount'],
    json: [],
    purposeOf: crm,
  },
  {
    name: 'payments',
    category: 'financial',
    purposes: ['crm'],
    noun: 'payment',
    table: 'payments',
    tag: 'Payments',
    fields: {
      invoiceId: Id(),
      amount: Money(),
      paidAt: DateStr(),
      method: enumOf(PAYMENT_METHODS),
      reference: Nullable(Type.String({ maxLength: 100 })),
    },
    required: ['invoiceId', 'amount', 'paidAt'],
    outputFields: { organisationId: Id('The organisation of the invoice') },
    immutable: ['invoiceId'],
    references: [{ field: 'invoiceId', table: 'invoices' }],
    filters: [byOrganisation, filter('invoiceId', Id())],
    search: ['reference'],
    numeric: ['amount'],
    json: [],
    purposeOf: crm,
  },
  caseSpec('complaints', 'complaint', 'Complaints'),
  caseSpec('tickets', 'ticket', 'After-sales tickets'),
  {
    name: 'surveys',
    category: 'survey',
    purposes: ['crm'],
    noun: 'survey answer',
    table: 'surveys',
    tag: 'Satisfaction surveys',
    fields: {
      personId: Nullable(Id()),
      organisationId: Nullable(Id()),
      survey: Text(200),
      score: Nullable(Type.Integer({ minimum: 0, maximum: 10 })),
      comment: Nullable(Type.String({ maxLength: 10_000 })),
      answeredAt: DateTime(),
    },
    required: ['survey'],
    outputFields: {},
    immutable: [],
    references: [
      { field: 'personId', table: 'people' },
      { field: 'organisationId', table: 'organisations' },
    ],
    filters: [byOrganisation, byPerson],
    search: ['survey'],
    numeric: [],
    json: [],
    purposeOf: crm,
  },
  {
    name: 'debt-cases',
    category: 'debt_recovery',
    purposes: ['crm'],
    noun: 'debt case',
    table: 'debtCases',
    tag: 'Debt recovery',
    fields: {
      invoiceId: Id('The overdue invoice handed over'),
      recoveryBodyId: Id('The recovery body (an organisation of kind recovery_body)'),
      status: enumOf(DEBT_CASE_STATUSES),
      handedOverAt: DateStr('Default: today'),
      closedAt: Nullable(DateStr()),
    },
    required: ['invoiceId', 'recoveryBodyId'],
    outputFields: { organisationId: Id('The debtor organisation') },
    immutable: ['invoiceId'],
    references: [
      { field: 'invoiceId', table: 'invoices' },
      { field: 'recoveryBodyId', table: 'organisations', kinds: ['recovery_body'] },
    ],
    filters: [byOrganisation, filter('recoveryBodyId', Id()), filter('invoiceId', Id()), byStatus(DEBT_CASE_STATUSES)],
    search: [],
    numeric: [],
    json: [],
    purposeOf: crm,
  },
] satisfies ResourceSpec[]);

/**
 * Whether the records of `spec` point to an organisation by `organisationId`: their
 * lists and reads then carry the organisation's name (`organisationName`), joined in
 * the same query, so a list never costs one more request per row.
 */
export function joinsOrganisationName(spec: ResourceSpec): boolean {
  return spec.name !== 'organisations' && ('organisationId' in spec.fields || 'organisationId' in spec.outputFields);
}

/** The spec named `name`; throws on a programming error. */
export function resource(name: string): ResourceSpec {
  const spec = RESOURCES.find((r) => r.name === name);
  if (!spec) throw new Error(`unknown resource ${name}`);
  return spec;
}
