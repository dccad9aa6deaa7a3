import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * Completes every route's OpenAPI operation, so that a client generated from
 * `/api/openapi.json` (openapi-typescript, openapi-fetch, or any other generator) gets
 * a stable name per operation and knows every answer it may receive:
 *   - an `operationId`, derived from the method and the path by one rule (`operationIdFor`),
 *     unless the route names its own;
 *   - the error responses the server's own machinery can give, whatever the handler does:
 *     400 for a route with a schema (validation, src/http/error-handler.ts), 404 for a route
 *     with path parameters, 413 for a route with a body (`BODY_LIMIT`), 401 and 403 for a
 *     route that needs credentials (every `/api/v1` route not marked `security: []`), 500 always.
 * Routes the document hides (`hide: true`: one-click links, pixels) are left as they are.
 */

/** Verbs that end a path and name the operation (`POST /requests/:id/verify` → `verifyRequest`). */
const ACTIONS = new Set(['verify', 'extend', 'refuse', 'answer', 'withdraw', 'doubt', 'send', 'check', 'remove', 'import', 'run', 'preview', 'read', 'enrol', 'confirm', 'verify', 'close', 'rotate', 'restore']);

/** Path segments that name one thing, not a collection. */
const SINGULAR = new Set(['session', 'dashboard', 'healthz', 'notice', 'totp', 'opposition', 'audit', 'review', 'gpc', 'capabilities', 'me', 'plan']);

function words(segment: string): string[] {
  return segment.split(/[-_.]/).filter(Boolean);
}

function singular(word: string): string {
  if (word === 'people') return 'person';
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ses') && !word.endsWith('cases')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function pascal(parts: readonly string[]): string {
  return parts.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * The operationId of a route by the one rule: the path's words after `/api/v1`, a segment
 * followed by a parameter made singular (`/people/:id/consents` → `PersonConsents`), and a
 * verb from the method — `list` (a collection), `get`, `create`, `update`, `delete`, `put`
 * — or from a final action segment (`verify`, `send`, …).
 */
export function operationIdFor(method: string, url: string): string {
  const segments = url.replace(/^\/api\/v1(?=\/|$)/, '').split('/').filter(Boolean);
  const parts: string[] = [];
  let endsWithParam = false;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s.startsWith(':')) {
      endsWithParam = true;
      continue;
    }
    endsWithParam = false;
    const ws = words(s.replace(/^\./, ''));
    const beforeParam = segments[i + 1]?.startsWith(':') ?? false;
    parts.push(...(beforeParam ? [...ws.slice(0, -1), singular(ws.at(-1) ?? '')] : ws));
  }
  const last = parts.at(-1) ?? 'root';
  const m = method.toUpperCase();
  if (m === 'POST' && !endsWithParam && ACTIONS.has(last) && parts.length > 1) return `${last}${pascal(parts.slice(0, -1))}`;
  switch (m) {
    case 'GET':
    case 'HEAD':
      if (endsWithParam || SINGULAR.has(last) || !/s$|people$/.test(last)) return `get${pascal(parts)}`;
      return `list${pascal(parts)}`;
    case 'POST':
      return endsWithParam ? `post${pascal(parts)}` : `create${pascal([...parts.slice(0, -1), singular(last)])}`;
    case 'PATCH':
      return `update${pascal(parts)}`;
    case 'PUT':
      return `put${pascal(parts)}`;
    case 'DELETE':
      return `delete${pascal(parts)}`;
    default:
      return `${m.toLowerCase()}${pascal(parts)}`;
  }
}

/** Names the rule would give badly; the key is `METHOD path` as the route declares it. */
const OVERRIDES: Readonly<Record<string, string>> = {
  'POST /api/v1/session': 'signIn',
  'DELETE /api/v1/session': 'signOut',
  'POST /api/v1/session/totp/enrol': 'enrolTotp',
  'POST /api/v1/session/totp/confirm': 'confirmTotp',
  'POST /api/v1/session/totp/verify': 'verifyTotp',
  'GET /.well-known/gpc.json': 'getGpcSupport',
  'GET /api/v1/connection-logs.csv': 'exportConnectionLogsCsv',
  'GET /api/v1/audit': 'listAuditEntries',
  'GET /api/v1/opposition': 'listOppositionEntries',
  'POST /api/v1/opposition': 'addOpposition',
  'GET /api/v1/dedupe/review': 'listReviewPairs',
  'POST /api/v1/dedupe/review/:id': 'decideReviewPair',
  'POST /api/v1/dedupe/run': 'runDedupe',
  'GET /api/v1/stats/prospecting': 'getProspectingStats',
  'POST /api/v1/requests': 'openRequest',
  'PUT /api/v1/requests/:id/id-document': 'uploadRequestIdDocument',
  'GET /api/v1/people/:id/consents/export': 'exportPersonConsents',
  'GET /api/v1/people/:id/consents/proof': 'getPersonConsentProof',
  'GET /api/v1/people/:id/consents/proof.html': 'getPersonConsentProofHtml',
  'POST /api/v1/people/:id/consents': 'recordPersonConsent',
  'POST /api/v1/people/:id/prospecting-consents': 'recordPersonProspectingConsent',
  'POST /api/v1/people/:id/consents/:partnerId/withdraw': 'withdrawPersonConsent',
  'POST /api/v1/people/:id/prospecting-consents/:scope/withdraw': 'withdrawPersonProspectingConsent',
  'GET /consent/withdraw/:token': 'getConsentWithdrawal',
  'POST /consent/withdraw/:token': 'withdrawConsentByLink',
  'POST /api/v1/archive/people/:id/read': 'readArchivedPerson',
  'POST /api/v1/imports': 'startImport',
  'GET /healthz': 'getHealth',
  'GET /notice': 'getNotice',
  'GET /api/v1/documents/versions': 'listDocumentVersions',
  'GET /api/v1/documents/diff': 'getDocumentDiff',
};

interface OpenApiSchema {
  hide?: boolean;
  operationId?: string;
  security?: readonly unknown[];
  body?: unknown;
  params?: unknown;
  querystring?: unknown;
  response?: Record<string, unknown>;
}

function methods(route: RouteOptions): string[] {
  return Array.isArray(route.method) ? route.method : [route.method];
}

/**
 * Registers the hook that completes each route's operation (see the file's comment).
 * Call it on the root instance before any route plugin is registered.
 */
export function completeOpenApiOperations(app: FastifyInstance, errorSchemaRef: unknown): void {
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ?? {}) as OpenApiSchema;
    if (schema.hide) return;
    const method = methods(route).find((m) => m !== 'HEAD') ?? 'GET';
    const key = `${method} ${route.url}`;
    schema.operationId ??= OVERRIDES[key] ?? operationIdFor(method, route.url);
    const response = (schema.response ??= {});
    const add = (code: number): void => {
      response[code] ??= errorSchemaRef;
    };
    if (schema.body || schema.params || schema.querystring) add(400);
    if (schema.params) add(404);
    if (schema.body) add(413);
    const needsCredentials = route.url.startsWith('/api/v1/') && !(Array.isArray(schema.security) && schema.security.length === 0);
    if (needsCredentials) {
      add(401);
      add(403);
    } else {
      // The document's default is `session` or `token`; a public route says it needs neither.
      schema.security ??= [];
    }
    add(500);
    route.schema = schema as RouteOptions['schema'];
  });
}

/** A 2xx answer that is not JSON (an HTML page, a CSV or ZIP file), for a route's `response`. */
export function fileResponse(contentType: 'text/html' | 'text/csv' | 'application/zip' | 'application/pdf', description: string): Record<string, unknown> {
  return { description, content: { [contentType]: { schema: { type: 'string', ...(contentType === 'application/zip' || contentType === 'application/pdf' ? { format: 'binary' } : {}) } } } };
}
