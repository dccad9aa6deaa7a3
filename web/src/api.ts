/**
 * A small typed client of the Rempart JSON API (/api/v1) and of /healthz. The types
 * mirror the response schemas of src/crm/resources.ts; the server validates every
 * response against them, so the casts below trust a checked shape.
 */

export type Engine = 'pglite' | 'postgres';

export interface Health {
  readonly status: 'ok';
  readonly database: Engine;
}

export interface PostalAddress {
  readonly label?: string;
  readonly line1: string;
  readonly line2?: string;
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

export interface Phone {
  readonly number: string;
  readonly type?: 'mobile' | 'landline' | 'fax' | 'other';
}

/** What every record carries. */
interface RecordBase {
  readonly id: string;
  readonly purpose: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type OrganisationKind = 'client' | 'prospect' | 'recovery_body' | 'subcontractor' | 'subsidiary';
export type Relation = 'client_contact' | 'colleague' | 'prospect';
export type ContractStatus = 'draft' | 'active' | 'ended' | 'terminated';
export type InvoiceStatus = 'issued' | 'paid' | 'overdue' | 'cancelled';
export type CaseStatus = 'open' | 'in_progress' | 'resolved' | 'closed';

export interface Organisation extends RecordBase {
  readonly name: string;
  readonly kind: OrganisationKind;
  readonly siret: string | null;
  readonly vatNumber: string | null;
  readonly sector: string | null;
  readonly headcount: number | null;
  readonly addresses: readonly PostalAddress[];
}

export interface Person extends RecordBase {
  readonly lastName: string | null;
  readonly firstName: string | null;
  readonly email: string | null;
  readonly phones: readonly Phone[];
  readonly postalAddresses: readonly PostalAddress[];
  readonly jobTitle: string | null;
  readonly organisationId: string | null;
  readonly relation: Relation;
  readonly source: string;
  readonly collectedAt: string;
  readonly lastContactAt: string | null;
}

export interface Contract extends RecordBase {
  readonly organisationId: string;
  readonly contactIds: readonly string[];
  readonly offer: string;
  readonly startDate: string;
  readonly endDate: string | null;
  readonly status: ContractStatus;
}

export interface Invoice extends RecordBase {
  readonly organisationId: string;
  readonly contractId: string | null;
  readonly number: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: InvoiceStatus;
}

export interface Complaint extends RecordBase {
  readonly personId: string | null;
  readonly organisationId: string | null;
  readonly subject: string;
  readonly description: string | null;
  readonly status: CaseStatus;
  readonly openedAt: string;
  readonly closedAt: string | null;
}

/** The resources the backoffice shows, by their URL segment. */
export interface Resources {
  readonly organisations: Organisation;
  readonly people: Person;
  readonly contracts: Contract;
  readonly invoices: Invoice;
  readonly complaints: Complaint;
}

export type ResourceName = keyof Resources;

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** List filters: the query parameters of a list besides limit and cursor. */
export type ListQuery = Readonly<Record<string, string | undefined>>;

export interface ErrorDetail {
  readonly field: string;
  readonly message: string;
}

/** An error answered by the API (`{"error":{"code","message","details"}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly details?: readonly ErrorDetail[] };
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', 'Le serveur est injoignable.', [], { cause });
  }
  const text = await res.text();
  const json: unknown = text ? safeParse(text) : null;
  if (!res.ok) {
    const err = (json as ErrorBody | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'HTTP_' + String(res.status), err?.message ?? `Erreur HTTP ${res.status}.`, err?.details ?? []);
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function queryString(params: ListQuery): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Liveness and database engine. */
export function getHealth(): Promise<Health> {
  return request<Health>('GET', '/healthz');
}

/** One page of a resource; pass the previous page's nextCursor to get the next. */
export function listRecords<R extends ResourceName>(
  resource: R,
  options: { readonly cursor?: string | null; readonly limit?: number; readonly filters?: ListQuery } = {},
): Promise<Page<Resources[R]>> {
  const qs = queryString({
    ...options.filters,
    limit: options.limit === undefined ? undefined : String(options.limit),
    cursor: options.cursor ?? undefined,
  });
  return request<Page<Resources[R]>>('GET', `/api/v1/${resource}${qs}`);
}

/** One record by id (ids are the only thing we ever put in a URL). */
export function getRecord<R extends ResourceName>(resource: R, id: string): Promise<Resources[R]> {
  return request<Resources[R]>('GET', `/api/v1/${resource}/${encodeURIComponent(id)}`);
}

/** What creating an organisation takes from the backoffice form. */
export interface NewOrganisation {
  readonly name: string;
  readonly siret: string | null;
}

/** Creates an organisation; an invalid field rejects with an ApiError naming it. */
export function createOrganisation(input: NewOrganisation): Promise<Organisation> {
  return request<Organisation>('POST', '/api/v1/organisations', input);
}
