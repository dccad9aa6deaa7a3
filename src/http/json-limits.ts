import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RempartError } from '../errors.js';

/**
 * Bounds on what a JSON body may hold, on every route, the public ones first (issue 20,
 * items 5 and 7). Fastify's body limit bounds the bytes; these bound the shape, before
 * any parser, validator or query sees it:
 *   - nesting depth: 200,000 nested arrays overflowed the stack (a 500); refused at
 *     `MAX_DEPTH` by a scan of the raw text, which recurses into nothing;
 *   - string length: a free-text field is a sentence or a page, never a megabyte stored
 *     and mailed; `MAX_STRING` characters;
 *   - NUL characters: PostgreSQL refuses them in text (a 500); refused here, in bodies,
 *     query strings and path parameters alike.
 * Each refusal is a 400 MALFORMED_REQUEST naming where (the field's path), never the value.
 */
export const MAX_DEPTH = 32;
export const MAX_STRING = 100_000;

function refuse(field: string, message: string): RempartError {
  return new RempartError('MALFORMED_REQUEST', `The request is refused: ${field} ${message}.`, { details: [{ field, message }] });
}

/** The deepest nesting of the raw JSON text, stopping as soon as it passes `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** The path of the first string (key or value) that is too long or holds a NUL, or null. */
export function findBadString(value: unknown, path = '(body)'): { field: string; message: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field: path, message: 'holds a NUL character' };
    if (value.length > MAX_STRING) return { field: path, message: `is longer than ${MAX_STRING} characters` };
    return null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadString(value[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // A key is named by its position, not its text: it could be anything the client sent.
      if (k.includes('\u0000') || k.length > 200) return { field: path, message: 'has a field name with a NUL character or over 200 characters' };
      const bad = findBadString(v, path === '(body)' ? k : `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return null;
}

export function jsonLimits(app: FastifyInstance): void {
  // Fastify's own parser keeps its prototype-poisoning protection; the checks run before it.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req: FastifyRequest, body: string | Buffer, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, MAX_DEPTH)) return done(refuse('(body)', `is nested deeper than ${MAX_DEPTH} levels`), undefined);
    parse(req, text, (err, value) => {
      if (err) return done(err, undefined);
      const bad = findBadString(value);
      return bad ? done(refuse(bad.field, bad.message), undefined) : done(null, value);
    });
  });
  // Query strings and path parameters: the NUL that PostgreSQL would refuse with a 500.
  app.addHook('preValidation', async (req) => {
    for (const [part, values] of [['query', req.query], ['path', req.params]] as const) {
      if (values === null || typeof values !== 'object') continue;
      for (const [k, v] of Object.entries(values as Record<string, unknown>)) {
        const bad = findBadString(v, `${part}.${k}`);
        if (bad) throw refuse(bad.field, bad.message);
      }
    }
  });
}
