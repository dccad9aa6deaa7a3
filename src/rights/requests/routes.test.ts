import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Actor } from '../../access/actor.js';
import { newId } from '../../db/ids.js';
import { errorHandler } from '../../http/error-handler.js';
import { ErrorResponse } from '../../http/schemas.js';
import { validatorCompiler } from '../../http/validation.js';
import { createMailer, type Mailer } from '../../mail/index.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../test/smtp-capture.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { rightsRequestRoutes, type RequestDeps } from './index.js';

const KEY = Buffer.alloc(32, 3);
const KNOWN = 'claire.petit@example.fr';
const UNKNOWN = 'stranger@example.fr';

let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

/** The actor a test request acts as, from a test-only header (the real app sets it in the auth plugin). */
function actorFor(role: string | undefined): Actor | null {
  if (role === undefined) return null;
  return { kind: 'user', id: `user:${role}`, role: role === 'operator' ? null : role, scopeOrganisationId: null, accountId: null };
}

describeEachEngine('rights request routes', (store) => {
  let app: FastifyInstance;
  let smtp: SmtpCapture;
  let mailer: Mailer;
  const logLines: string[] = [];
  let clock = new Date('2026-11-26T10:00:00Z');

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent' });
    const deps: RequestDeps = { db: store().db, policy, now: () => clock, mailer, serverKey: KEY };
    await store()
      .db.insertInto('people')
      .values({ id: newId(), relation: 'client_contact', email: KNOWN, phones: [], postalAddresses: [], source: 'test', collectedAt: clock })
      .execute();
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    });
    app = Fastify({ logger: { level: 'trace', stream } });
    app.setValidatorCompiler(validatorCompiler);
    app.setErrorHandler(errorHandler);
    app.addSchema(ErrorResponse);
    app.decorateRequest('actor', null);
    app.addHook('onRequest', async (req) => {
      const role = req.headers['x-test-role'];
      req.actor = actorFor(typeof role === 'string' ? role : undefined);
    });
    await app.register(rightsRequestRoutes, { prefix: '/api/v1', deps, limits: { openPerIp: 4, windowMs: 60_000 }, executor: async () => ({ summary: 'Nothing is held.' }) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    mailer.close();
    await smtp.close();
  });

  const open = (email: string, ip = '198.51.100.1') =>
    app.inject({ method: 'POST', url: '/api/v1/requests', remoteAddress: ip, payload: { type: 'access', email, language: 'en' } });
  const mailTo = async (address: string): Promise<CapturedMail> => {
    for (let i = 0; i < 500; i++) {
      const got = smtp.messages.filter((m) => m.envelopeTo.includes(address));
      if (got.length > 0) return got[got.length - 1] as CapturedMail;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no mail');
  };

  it('P5 POST /requests is public and answers 202 with the same body whether or not the email is known (no enumeration)', async () => {
    const a = await open(KNOWN);
    const b = await open(UNKNOWN);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    const { id: idA, ...restA } = a.json<{ id: string }>();
    const { id: idB, ...restB } = b.json<{ id: string }>();
    expect(restA).toEqual(restB);
    expect(restA).toEqual({ state: 'identity_pending', message: expect.stringContaining('30 minutes') });
    expect(idA).not.toBe(idB);
    expect(Object.keys(a.headers).sort()).toEqual(Object.keys(b.headers).sort());
    expect(a.headers['content-length']).toBe(b.headers['content-length']);
  });

  it('P5 POST /requests is rate-limited per IP: 429 RATE_LIMITED with Retry-After', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 4; i++) expect((await open(`rate${i}@example.fr`, ip)).statusCode).toBe(202);
    const limited = await open('rate5@example.fr', ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await open('rate6@example.fr', '198.51.100.78')).statusCode).toBe(202);
  });

  it('P5 POST /requests validates its body and never echoes the email', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'gossip', email: 'not-an-email' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('not-an-email');
  });

  it('P5 verify: a wrong code is 400, the right one 200 with the due date; then the staff routes need the dpo', async () => {
    const email = 'verify.route@example.fr';
    const { id } = (await open(email, '198.51.100.2')).json<{ id: string }>();
    const code = /^(\d{6})$/m.exec((await mailTo(email)).text)?.[1] ?? '';
    const wrong = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code: code === '000000' ? '111111' : '000000' } });
    expect(wrong.statusCode).toBe(400);
    const ok = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ id, state: 'in_progress', dueAt: '2026-12-28' });

    expect((await app.inject({ method: 'GET', url: '/api/v1/requests' })).statusCode).toBe(401);
    const forbidden = await app.inject({ method: 'GET', url: '/api/v1/requests', headers: { 'x-test-role': 'sales' } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const list = await app.inject({ method: 'GET', url: '/api/v1/requests', headers: { 'x-test-role': 'dpo' } });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ items: { id: string }[] }>().items.map((r) => r.id)).toContain(id);
    expect(list.body).not.toContain('@example.fr');
    const asOperator = await app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: { 'x-test-role': 'operator' } });
    expect(asOperator.statusCode).toBe(200);
    expect(asOperator.json()).toMatchObject({ id, state: 'in_progress', contactEmail: email, dueAt: '2026-12-28' });

    clock = new Date('2026-12-29T10:00:00Z');
    const overdue = await app.inject({ method: 'GET', url: '/api/v1/requests?overdue=true', headers: { 'x-test-role': 'dpo' } });
    expect(overdue.json<{ items: { id: string; overdue: boolean }[] }>().items).toContainEqual(expect.objectContaining({ id, overdue: true }));
    const late = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/extend`, headers: { 'x-test-role': 'dpo' }, payload: { reason: 'complex' } });
    expect(late.statusCode).toBe(409);
    clock = new Date('2026-11-26T10:00:00Z');
  });

  it('P5.7 staff: extend, refuse (a reason is required) and answer through the routes', async () => {
    const dpo = { 'x-test-role': 'dpo' };
    const ids: string[] = [];
    for (const email of ['r1@example.fr', 'r2@example.fr']) {
      const { id } = (await open(email, '198.51.100.3')).json<{ id: string }>();
      const code = /^(\d{6})$/m.exec((await mailTo(email)).text)?.[1] ?? '';
      expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);
      ids.push(id);
    }
    const [first, second] = ids as [string, string];
    const ext = await app.inject({ method: 'POST', url: `/api/v1/requests/${first}/extend`, headers: dpo, payload: { reason: 'Twelve systems to search.', months: 1 } });
    expect(ext.statusCode).toBe(200);
    expect(ext.json()).toMatchObject({ state: 'extended', extendedDueAt: '2027-01-26', extensionReason: 'Twelve systems to search.' });
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${second}/refuse`, headers: dpo, payload: { reason: '' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${second}/refuse`, headers: dpo, payload: {} })).statusCode).toBe(400);
    const refused = await app.inject({ method: 'POST', url: `/api/v1/requests/${second}/refuse`, headers: dpo, payload: { reason: 'Manifestly excessive.' } });
    expect(refused.json()).toEqual({ id: second, state: 'refused' });
    const refusal = await mailTo('r2@example.fr');
    expect(refusal.text).toContain('Reason: Manifestly excessive.');
    expect(refusal.text).toContain('8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02');
    const answered = await app.inject({ method: 'POST', url: `/api/v1/requests/${first}/answer`, headers: dpo });
    expect(answered.json()).toEqual({ id: first, state: 'answered' });
    expect((await mailTo('r1@example.fr')).text).toContain('Nothing is held.');
    const read = await app.inject({ method: 'GET', url: `/api/v1/requests/${first}`, headers: dpo });
    expect(read.json()).toMatchObject({ state: 'answered', contactEmail: null, personId: null, subjectHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('P5 no email in any URL or log line', async () => {
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const email of [KNOWN, UNKNOWN, 'verify.route@example.fr', 'r1@example.fr']) expect(all).not.toContain(email);
    expect(all).not.toMatch(/@example\.fr/);
  });
});
