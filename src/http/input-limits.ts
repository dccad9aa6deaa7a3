import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RempartError } from '../errors.js';

/** Bounds on what a request may hold, whatever its route's schema says. */
export interface InputLimits {
  /** Deepest nesting of objects and arrays in a body. */
  readonly maxDepth: number;
  /** Longest string (or object key), in UTF-16 units. */
  readonly maxStringLength: number;
}

/**
 * Defaults for every route. A deep body would overflow the stack of whatever walks it
 * next (validation, JSON storage: a 500), and a huge string ends up stored and mailed;
 * nothing Rempart takes as JSON is near either bound (campaign bodies, the largest
 * texts, stay well under 100,000 characters).
 */
export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({ maxDepth: 16, maxStringLength: 100_000 });

/** Tighter bounds for the public routes (no account: anyone on the Internet can send them). */
export const PUBLIC_INPUT_LIMITS: InputLimits = Object.freeze({ maxDepth: 6, maxStringLength: 5_000 });

/** Body limit of the public routes, in bytes (the app's default is 1 MiB). */
export const PUBLIC_BODY_LIMIT = 64 * 1024;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Tighter input bounds for this route (src/http/input-limits.ts). */
    inputLimits?: Partial<InputLimits>;
  }
}

function pathOf(parts: readonly (string | number)[]): string {
  return parts.length === 0 ? '(body)' : parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Walks `value` without recursion (a hostile body may be 200,000 levels deep) and throws
 * a 400 naming the first part that is too deep, too long or holds a NUL character
 * (PostgreSQL refuses U+0000 in text and jsonb: it would surface as a 500).
 */
export function checkInput(value: unknown, part: string, limits: InputLimits): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  const checkString = (s: string, path: readonly (string | number)[]): void => {
    const field = part === 'body' ? pathOf(path) : `${part}.${pathOf(path)}`;
    if (s.length > limits.maxStringLength) {
      throw new RempartError('VALIDATION_FAILED', `The request ${part} holds a string longer than ${limits.maxStringLength} characters.`, {
        details: [{ field, message: `must be at most ${limits.maxStringLength} characters` }],
      });
    }
    if (s.includes('\u0000')) {
      throw new RempartError('VALIDATION_FAILED', `The request ${part} holds a NUL character.`, { details: [{ field, message: 'must not contain the NUL character (U+0000)' }] });
    }
  };
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof v === 'string') {
      checkString(v, path);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= limits.maxDepth) {
      throw new RempartError('MALFORMED_REQUEST', `The request ${part} is nested deeper than ${limits.maxDepth} levels.`, {
        details: [{ field: pathOf(path.slice(0, 3)) + (path.length > 3 ? '…' : ''), message: `must be nested at most ${limits.maxDepth} levels deep` }],
      });
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      checkString(key, [...path, key]);
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

function limitsOf(request: FastifyRequest): InputLimits {
  return { ...DEFAULT_INPUT_LIMITS, ...request.routeOptions.config.inputLimits };
}

/**
 * Checks the body, query string and route parameters of every request before its schema
 * does (a preValidation hook on the root): one clear 400 instead of a stack overflow or
 * a database error.
 */
export function registerInputLimits(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const limits = limitsOf(request);
    checkInput(request.params, 'params', limits);
    checkInput(request.query, 'query', limits);
    const body: unknown = request.body;
    if (body !== undefined && body !== null && !Buffer.isBuffer(body)) checkInput(body, 'body', limits);
  });
}
