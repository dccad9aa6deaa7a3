import type { ExportRow, ExportValue } from '../../src/rights/export/collect.js';
import type { ErasurePreview as ServerErasurePreview, PortalOverview } from '../../src/rights/portal/space.js';

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

// The shapes of the space's answers are the server's own types (type-only imports, erased from the bundle), so the
// page and the API cannot drift apart.

export type Value = ExportValue;
export type Row = ExportRow;

/** GET /api/v1/portal/me. */
export type Space = PortalOverview;
export type AccessExport = NonNullable<PortalOverview['export']>;

/** GET /api/v1/portal/me/erasure. */
export type ErasurePreview = ServerErasurePreview;
