/** The portal's calls to the server: JSON in and out, errors as ApiError with their fields. */

/** One field's problem, as the server's error body names it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An answer other than 2xx: the closed error code, the message and the fields concerned. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldProblem[],
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

/** Calls the API; the portal session travels in its HttpOnly cookie, never in a URL. */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text === '' ? {} : (JSON.parse(text) as unknown);
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; details?: FieldProblem[] } }).error ?? {};
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(res.status, error.code ?? 'INTERNAL', error.message ?? res.statusText, error.details ?? [], Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return json as T;
}

export type Lang = 'fr' | 'en';
export type Localized = Readonly<Record<Lang, string>>;

/** GET /api/v1/portal/home. */
export interface Home {
  readonly controller: {
    readonly name: string;
    readonly address: { readonly street: string; readonly postalCode: string; readonly city: string; readonly country: string };
    readonly email: string;
    readonly dpoEmail: string;
  };
  readonly authority: { readonly name: string; readonly address: string; readonly phone: string; readonly website: string };
  readonly purposes: readonly { readonly id: string; readonly name: Localized; readonly description: Localized; readonly dataCategories: readonly Localized[] }[];
  readonly rights: readonly string[];
}

type Value = string | number | boolean | null | readonly Value[] | { readonly [key: string]: Value };
export type Row = Readonly<Record<string, Value>>;
export type { Value };

interface Labelled {
  readonly id: string;
  readonly label: string;
}

/** The access export the space shows (src/rights/export/access-export.ts), in the person's language. */
export interface AccessExport {
  readonly generatedAt: string;
  readonly data: Readonly<Record<string, readonly Row[]>>;
  readonly context: {
    readonly purposes: readonly {
      readonly id: string;
      readonly name: string;
      readonly description: string;
      readonly legalBases: readonly Labelled[];
      readonly categories: readonly Labelled[];
      readonly recipients: readonly Labelled[];
      readonly retention: { readonly summary: string; readonly notes: string | null };
      readonly locations: readonly { readonly name: string; readonly country: string }[];
    }[];
    readonly tables: Readonly<Record<string, { readonly description: string; readonly fields: Readonly<Record<string, { readonly personal: boolean; readonly category: Labelled | null }>> }>>;
    readonly transfers: { readonly statement: string };
  };
}

/**
 * GET /api/v1/portal/me. The browser bundles import nothing of the server's modules (docs/ARCHITECTURE.md,
 * Layers), so the shapes are written here; the space's API test (src/rights/portal/space.test.ts) reads the
 * same fields from the server.
 */
export interface Space {
  readonly email: string;
  readonly expiresAt: string;
  readonly found: boolean;
  readonly export: AccessExport | null;
  readonly restricted: boolean;
  readonly opposedChannels: readonly string[];
  readonly consents: readonly {
    readonly scope: string;
    readonly partnerId: string | null;
    readonly recipient: string;
    readonly kind: string;
    readonly country: string;
    readonly state: 'given' | 'refused' | 'withdrawn' | null;
    readonly at: string | null;
    readonly text: string;
  }[];
  readonly requests: readonly {
    readonly id: string;
    readonly type: string;
    readonly state: string;
    readonly receivedAt: string;
    readonly dueAt: string;
    readonly extendedDueAt: string | null;
    readonly effectiveDueAt: string;
    readonly closedAt: string | null;
    readonly doubtReason: string | null;
    readonly hasIdDocument: boolean;
  }[];
}

/** GET /api/v1/portal/me/erasure. */
export interface ErasurePreview {
  readonly erased: readonly { readonly table: string; readonly rows: number }[];
  readonly kept: readonly { readonly table: string; readonly rows: number; readonly reason: 'statutory' | 'open_request' | 'consent_proof' | 'litigation'; readonly basis: string; readonly until: string | null }[];
  readonly oppositionKept: boolean;
}
