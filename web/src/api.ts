/**
 * A small typed client of the Rempart JSON API (/api/v1) and of /healthz. The types
 * mirror the response schemas of src/crm/schemas.ts and src/access/auth/routes.ts; the
 * server validates every response against them, so the casts below trust a checked shape.
 *
 * Every call goes with the session cookie (`credentials: 'same-origin'`); every write
 * also carries the CSRF token given at sign-in. A 401 from a data call means the session
 * ended: the listeners of onSessionLost() hear of it (the app goes back to sign-in).
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

/**
 * What every record carries. Every other field may be absent: the server sends only the
 * fields the signed-in role may see (its presenter), so views must tolerate any gap.
 */
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
  readonly name?: string;
  readonly kind?: OrganisationKind;
  readonly siret?: string | null;
  readonly vatNumber?: string | null;
  readonly sector?: string | null;
  readonly headcount?: number | null;
  readonly addresses?: readonly PostalAddress[];
}

export interface Person extends RecordBase {
  readonly lastName?: string | null;
  readonly firstName?: string | null;
  readonly email?: string | null;
  readonly phones?: readonly Phone[];
  readonly postalAddresses?: readonly PostalAddress[];
  readonly jobTitle?: string | null;
  readonly organisationId?: string | null;
  /** In lists: the organisation's name, joined by the server; absent when the role may not read it. */
  readonly organisationName?: string;
  readonly relation?: Relation;
  readonly source?: string;
  readonly collectedAt?: string;
  readonly lastContactAt?: string | null;
}

export interface Contract extends RecordBase {
  readonly organisationId?: string;
  readonly organisationName?: string;
  readonly contactIds?: readonly string[];
  readonly offer?: string;
  readonly startDate?: string;
  readonly endDate?: string | null;
  readonly status?: ContractStatus;
}

export interface Invoice extends RecordBase {
  readonly organisationId?: string;
  readonly organisationName?: string;
  readonly contractId?: string | null;
  readonly personId?: string | null;
  readonly number?: string;
  readonly issueDate?: string;
  readonly dueDate?: string;
  readonly amount?: number;
  readonly currency?: string;
  readonly status?: InvoiceStatus;
}

export interface Complaint extends RecordBase {
  readonly personId?: string | null;
  readonly organisationId?: string | null;
  readonly organisationName?: string;
  readonly subject?: string;
  readonly description?: string | null;
  readonly status?: CaseStatus;
  readonly openedAt?: string;
  readonly closedAt?: string | null;
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

/** List filters: the query parameters of a list besides limit and cursor (`q` searches). */
export type ListQuery = Readonly<Record<string, string | undefined>>;

export interface ErrorDetail {
  readonly field: string;
  readonly message: string;
}

/** An error answered by the API (`{"error":{"code","message","details"}}`) or a network failure. */
export class ApiError extends Error {
  /** Seconds to wait before trying again, from Retry-After (429). */
  readonly retryAfterSeconds: number | null;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[],
    options?: ErrorOptions & { readonly retryAfterSeconds?: number | null },
  ) {
    super(message, options);
    this.name = 'ApiError';
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }

  /** The role of the signed-in account has no grant for this (403 FORBIDDEN). */
  get forbidden(): boolean {
    return this.status === 403 && !this.csrfRefused;
  }

  /** The write was refused for a missing or stale x-csrf-token (the session changed). */
  get csrfRefused(): boolean {
    return this.status === 403 && this.details.some((d) => d.field === CSRF_HEADER);
  }
}

/** Wraps anything thrown into an ApiError. */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'CLIENT', 'Erreur inattendue.', [], { cause: e });
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly details?: readonly ErrorDetail[] };
}

// ---------------------------------------------------------------------------------------
// Session state. The session cookie is HttpOnly: this page never sees it. What the page
// keeps is the CSRF token, in memory only (never in storage, so no other script or tab
// reads it; a reload asks GET /api/v1/session for it again).

/** The header the server wants on every cookie-authenticated write. */
const CSRF_HEADER = 'x-csrf-token';

let csrfToken: string | null = null;
/**
 * Bumped at every sign-in and sign-out: an answer to a request sent under an earlier
 * session must not end the current one (a 401 from before a new sign-in, say).
 */
let epoch = 0;

/** Why the page lost its session: the server said 401, or refused the CSRF token. */
export type SessionLoss = 'unauthenticated' | 'csrf';
type SessionListener = (why: SessionLoss) => void;
const sessionListeners = new Set<SessionListener>();

/** Calls `listener` when a data call finds the session gone; returns the unsubscriber. */
export function onSessionLost(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => {
    sessionListeners.delete(listener);
  };
}

function adoptSession(view: SessionView): SessionView {
  if (view.csrfToken !== csrfToken) epoch++;
  csrfToken = view.csrfToken;
  return view;
}

function dropSession(): void {
  csrfToken = null;
  epoch++;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

interface RequestOptions {
  readonly body?: unknown;
  /** A multipart form (a file upload): sent as is, the browser sets its content type and boundary. */
  readonly form?: FormData;
  /** The answer is a file: resolved as a DownloadedFile (errors are still JSON). */
  readonly asFile?: boolean;
  /**
   * The /session routes answer 401 for a wrong password or code: that is the answer to
   * show, not a sign that the session ended.
   */
  readonly sessionRoute?: boolean;
}

async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const { body, form } = options;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers[CSRF_HEADER] = csrfToken;
  const sentUnder = epoch;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(form !== undefined ? { body: form } : body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', 'Le serveur est injoignable.', [], { cause });
  }
  if (options.asFile && res.ok) return { blob: await res.blob(), headers: res.headers } satisfies DownloadedFile as T;
  const text = await res.text();
  const json: unknown = text ? safeParse(text) : null;
  if (!res.ok) {
    const err = (json as ErrorBody | null)?.error;
    const retryAfter = Number(res.headers.get('retry-after'));
    const error = new ApiError(res.status, err?.code ?? 'HTTP_' + String(res.status), err?.message ?? `Erreur HTTP ${res.status}.`, err?.details ?? [], {
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    });
    if (!options.sessionRoute && sentUnder === epoch && (error.status === 401 || error.csrfRefused)) {
      const why: SessionLoss = error.status === 401 ? 'unauthenticated' : 'csrf';
      if (why === 'unauthenticated') dropSession();
      for (const listener of [...sessionListeners]) listener(why);
    }
    throw error;
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
  return request<Organisation>('POST', '/api/v1/organisations', { body: input });
}

// ---------------------------------------------------------------------------------------
// Session routes (src/access/auth/routes.ts).

/** The signed-in account, as GET/POST /api/v1/session describe it. */
export interface Account {
  readonly id: string;
  readonly email: string;
  /** A role id of the policy (e.g. `manager`, `logistics`). */
  readonly role: string;
  readonly scopeOrganisationId: string | null;
}

export interface SessionView {
  readonly account: Account;
  readonly csrfToken: string;
  /** True until the second factor is verified (or enrolled): meanwhile no data route answers. */
  readonly mfaRequired: boolean;
  /** Whether the account has an authenticator app set up (verify) or must enrol first. */
  readonly totpEnabled: boolean;
}

export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
}

/** The session of this browser, or null when nobody is signed in. */
export async function getSession(): Promise<SessionView | null> {
  try {
    return adoptSession(await request<SessionView>('GET', '/api/v1/session', { sessionRoute: true }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      dropSession();
      return null;
    }
    throw e;
  }
}

/** Signs in; a wrong email, password or code rejects with a 401 ApiError. */
export async function signIn(email: string, password: string): Promise<SessionView> {
  return adoptSession(await request<SessionView>('POST', '/api/v1/session', { body: { email, password }, sessionRoute: true }));
}

/** Passes the second factor with a code of the authenticator app or a recovery code. */
export async function verifyTotp(code: string): Promise<SessionView> {
  return adoptSession(await request<SessionView>('POST', '/api/v1/session/totp/verify', { body: { code }, sessionRoute: true }));
}

/** Starts enrolling an authenticator app with the one-time enrolment code given with the account: the secret is shown this once. */
export function enrolTotp(enrolmentCode: string): Promise<TotpEnrolment> {
  return request<TotpEnrolment>('POST', '/api/v1/session/totp/enrol', { body: { enrolmentCode }, sessionRoute: true });
}

/** Finishes the enrolment with a first code (the enrolment code is spent); returns the ten recovery codes, shown this once. */
export function confirmTotp(code: string, enrolmentCode: string): Promise<{ readonly recoveryCodes: readonly string[] }> {
  return request<{ recoveryCodes: string[] }>('POST', '/api/v1/session/totp/confirm', { body: { code, enrolmentCode }, sessionRoute: true });
}

/** Signs out: the server revokes the session. The page forgets it even if the server cannot be reached. */
export async function signOut(): Promise<void> {
  try {
    await request<null>('DELETE', '/api/v1/session', { sessionRoute: true });
  } catch (e) {
    // A session that already ended is as signed out as can be.
    if (!(e instanceof ApiError && e.status === 401)) throw e;
  } finally {
    dropSession();
  }
}

// ---------------------------------------------------------------------------------------
// The dpo's workspace and the navigation (src/access/navigation.ts, src/rights/requests/routes.ts,
// src/oversight/routes.ts): typed where the pages read them.

/** Reads a JSON route of the API (the session cookie travels; a 401 brings the sign-in back). */
export function apiGet<T>(path: string): Promise<T> {
  return request<T>('GET', path);
}

/** Posts JSON to a route of the API, with the session's CSRF token. */
export function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body === undefined ? {} : { body });
}

/** A file the API answered with, and its response headers (e.g. a transfer's id and SHA-256). */
export interface DownloadedFile {
  readonly blob: Blob;
  readonly headers: Headers;
}

/** Posts JSON to a route that answers with a file (not JSON), with the session's CSRF token; an error answer is the API's JSON error. */
export function apiPostForFile(path: string, body: unknown): Promise<DownloadedFile> {
  return request<DownloadedFile>('POST', path, { body, asFile: true });
}

/** Posts a multipart form (a file and its fields) to a route of the API, with the session's CSRF token. */
export function apiUpload<T>(path: string, form: FormData): Promise<T> {
  return request<T>('POST', path, { form });
}

/** The back office's pages the signed-in role may open (GET /api/v1/navigation). */
export interface Navigation {
  readonly role: string | null;
  /** The role's name in the policy, per language. */
  readonly roleLabel: { readonly fr: string; readonly en: string } | null;
  readonly pages: readonly string[];
  readonly actions: readonly string[];
}
