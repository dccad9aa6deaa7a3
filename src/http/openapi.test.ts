import { validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore } from '../../test/engines.js';
import { buildApp } from '../app.js';
import type { Store } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';
import { operationIdFor } from './openapi.js';

interface Operation {
  operationId?: string;
  security?: unknown[];
  responses?: Record<string, unknown>;
  requestBody?: unknown;
  parameters?: { in: string }[];
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

describe('operationIdFor: one rule names every operation', () => {
  it.each([
    ['GET', '/api/v1/people', 'listPeople'],
    ['GET', '/api/v1/people/:id', 'getPerson'],
    ['POST', '/api/v1/people', 'createPerson'],
    ['PATCH', '/api/v1/people/:id', 'updatePerson'],
    ['DELETE', '/api/v1/people/:id', 'deletePerson'],
    ['GET', '/api/v1/people/:id/consents', 'listPersonConsents'],
    ['POST', '/api/v1/requests/:id/verify', 'verifyRequest'],
    ['POST', '/api/v1/requests/:id/extend', 'extendRequest'],
    ['GET', '/api/v1/debt-cases', 'listDebtCases'],
    ['GET', '/api/v1/session', 'getSession'],
  ])('%s %s → %s', (method, url, id) => {
    expect(operationIdFor(method, url)).toBe(id);
  });
});

// The document does not depend on the engine: one store is enough.
describe('GET /api/openapi.json (issue 16, item 9)', () => {
  let store: Store;
  let app: FastifyInstance;
  let doc: Document;

  beforeAll(async () => {
    store = await createTestStore('pglite');
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store, policy, now: () => new Date('2026-12-07T10:00:00Z') });
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json<Document>();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.has(m)).map(([m, op]): [string, string, Operation] => [path, m, op]));

  it('validates as OpenAPI 3', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0]);
    expect(result.valid, JSON.stringify(result.valid ? [] : result.errors).slice(0, 2000)).toBe(true);
  });

  it('names every operation, each name once', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(100);
    const missing = ops.filter(([, , op]) => !op.operationId).map(([p, m]) => `${m} ${p}`);
    expect(missing).toEqual([]);
    const ids = ops.map(([, , op]) => op.operationId);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(repeated).toEqual([]);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
  });

  it('documents a 2xx answer and the errors every operation can give', () => {
    for (const [path, method, op] of operations()) {
      const codes = Object.keys(op.responses ?? {});
      const where = `${method} ${path}`;
      expect(codes.some((c) => /^2\d\d$/.test(c)), `${where} has no 2xx`).toBe(true);
      expect(codes, where).toContain('500');
      if (op.requestBody) expect(codes, where).toEqual(expect.arrayContaining(['400', '413']));
      if (op.parameters?.some((p) => p.in === 'path')) expect(codes, where).toContain('404');
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (path.startsWith('/api/v1/') && !isPublic) expect(codes, where).toEqual(expect.arrayContaining(['401', '403']));
    }
  });

  it('marks the public routes as needing no credentials, and only them', () => {
    const publicOps = operations()
      .filter(([p, , op]) => p.startsWith('/api/v1/') && Array.isArray(op.security) && op.security.length === 0)
      .map(([p, m]) => `${m} ${p}`)
      .sort();
    expect(publicOps).toEqual(expect.arrayContaining(['post /api/v1/requests', 'post /api/v1/session']));
    // Every other /api/v1 route answers 401 without credentials; the document must not claim otherwise.
    expect(publicOps.every((o) => /session|requests|portal/.test(o)), publicOps.join(', ')).toBe(true);
  });
});
