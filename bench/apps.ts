import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AuditWriter, auditSink, chainPending, startChainer } from '../src/access/audit/index.js';
import { authPlugin, createToken, requireActor } from '../src/access/auth/index.js';
import { Gate, type AuditSink } from '../src/access/gate.js';
import { buildApp } from '../src/app.js';
import { getRecord } from '../src/crm/commands.js';
import { resource } from '../src/crm/resources.js';
import { recordSchema } from '../src/crm/schemas.js';
import type { Store } from '../src/db/database.js';
import { RempartError } from '../src/errors.js';
import { errorHandler } from '../src/http/error-handler.js';
import { ErrorResponse } from '../src/http/schemas.js';
import { validatorCompiler } from '../src/http/validation.js';
import { loadPolicy, type LoadedPolicy } from '../src/policy/index.js';
import { BENCH_DIR } from './harness.js';

/** The policy every bench app runs under. */
export function benchPolicy(): Promise<LoadedPolicy> {
  return loadPolicy(join(BENCH_DIR, '..', 'policies', 'certilience.yaml'));
}

/** The role of the bench's API token: the dpo reads every field of a person, so nothing is filtered out. */
export const BENCH_ROLE = 'dpo';

/** A fresh API token for the bench (role {@link BENCH_ROLE}), as `Authorization` header value. */
export async function benchBearer(store: Store, policy: LoadedPolicy): Promise<string> {
  const { token } = await createToken(store.db, policy, { role: BENCH_ROLE, name: 'bench' });
  return `Bearer ${token}`;
}

/** An app under test, with what to send on each request. */
export interface BenchApp {
  readonly app: FastifyInstance;
  /** Request headers (the bearer token, when the app authenticates). */
  readonly headers: Readonly<Record<string, string>>;
  /** Flushes and stops what runs beside the app (audit writer, chainer). */
  close(): Promise<void>;
}

/** The real app: buildApp, gate, audit and authentication by bearer token. */
export async function gatedApp(store: Store, policy: LoadedPolicy): Promise<BenchApp> {
  const app = await buildApp({ store, policy, logger: false });
  const authorization = await benchBearer(store, policy);
  return { app, headers: { authorization }, close: () => app.close() };
}

/**
 * What the minimal app adds in front of getRecord (for the step-by-step experiment):
 * - `auth`: the auth plugin (bearer token lookup and a connection-log row per request) and requireActor;
 * - `gate`: the gate's checks and presenter, with its audit events sent to `audit`:
 *   `none` (a sink that drops them), `queue` (AuditWriter without chaining: one durable
 *   insert into audit_queue per flush), `chain` (AuditWriter as buildApp makes it: the
 *   insert, then chainPending after each flush), or `background` (an experiment: the
 *   writer does not chain, and startChainer's timer alone links the queue, every 200 ms).
 */
export interface Layers {
  readonly auth?: boolean;
  readonly gate?: 'none' | 'queue' | 'chain' | 'background';
}

const DROP_AUDIT: AuditSink = { inTransaction: async () => undefined, durable: async () => undefined };

/**
 * The ungated read: a minimal Fastify app with the API's validator compiler, error
 * handler and response schema (`recordSchema(resource('people'))`), whose only route
 * calls getRecord directly with `{ db, policy, now }`: no authentication, no gate, no
 * audit. With `layers`, the steps of the real path are put back one at a time, so their
 * costs can be told apart; the real app itself is {@link gatedApp}.
 */
export async function minimalApp(store: Store, policy: LoadedPolicy, layers: Layers = {}): Promise<BenchApp> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 200 } });
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.addSchema(ErrorResponse);
  const db = store.db;
  const now = (): Date => new Date();
  const spec = resource('people');
  const schema = {
    params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
    response: { 200: recordSchema(spec), 400: ErrorResponse, 404: ErrorResponse },
  };

  let headers: Record<string, string> = {};
  if (layers.auth) {
    await app.register(authPlugin, { db, policy, now, identifierKey: randomBytes(32) });
    headers = { authorization: await benchBearer(store, policy) };
  }
  const closers: (() => Promise<void>)[] = [];
  const gate = layers.gate;
  if (gate === undefined) {
    app.get('/api/v1/people/:id', { schema }, async (req) => getRecord({ db, policy, now }, spec, (req.params as { id: string }).id));
  } else {
    if (!layers.auth) throw new Error('the gate needs an actor: set layers.auth');
    let audit = DROP_AUDIT;
    if (gate !== 'none') {
      const writer = new AuditWriter(db, { chain: gate === 'chain' });
      closers.push(() => writer.close());
      audit = auditSink(writer);
    }
    if (gate === 'background') {
      const stop = startChainer(db);
      closers.push(async () => {
        stop();
        await chainPending(db);
      });
    }
    const g = new Gate({ db, policy, now, audit });
    app.get('/api/v1/people/:id', { schema, preHandler: requireActor }, async (req) => {
      if (!req.actor) throw new RempartError('UNAUTHENTICATED', 'Sign in first.');
      return g.for(req.actor).get(spec, (req.params as { id: string }).id);
    });
  }
  app.setNotFoundHandler((_req, reply) => reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'No such route.', details: [] } }));
  await app.ready();
  return {
    app,
    headers,
    async close() {
      await app.close();
      for (const c of closers) await c();
    },
  };
}
