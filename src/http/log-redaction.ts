import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Paths whose next segment is a one-click token (opt-out `/u/`, click `/c/`, open `/o/`,
 * re-permission `/rp/`, consent withdrawal `/consent/withdraw/`): whoever reads the token
 * acts for the person, and it links a log line to them.
 */
const TOKEN_PATHS = /^(\/(?:u|c|o|rp|consent\/withdraw)\/)[^/?#]+/;

/**
 * A URL as it may be logged: one-click tokens and every query value replaced by
 * `[redacted]` (a query may hold a search term, which can be a name or an address).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const safePath = path.replace(TOKEN_PATHS, '$1[redacted]');
  if (query === '') return q === -1 ? safePath : `${safePath}?`;
  const safeQuery = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? pair : `${pair.slice(0, eq)}=[redacted]`;
    })
    .join('&');
  return `${safePath}?${safeQuery}`;
}

/**
 * The request as logged: method, redacted URL and request id; no client address (the
 * connection log keeps it for its 12 months, P1.7; the application log is not that
 * store), no headers (cookies, tokens).
 */
export function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: redactUrl(request.url), id: request.id };
}

/**
 * Adds the redacting serializers to a logger configuration given to buildApp; a logger
 * instance or `false` is returned as it is.
 */
export function withRedactedRequests(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    serializers: {
      ...base.serializers,
      req: (req: FastifyRequest) => requestForLog(req),
    },
  };
}
