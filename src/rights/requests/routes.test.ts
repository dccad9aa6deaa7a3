import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Actor } from '../../access/actor.js';
import { createAccessRuntime, type AccessRuntime } from '../../access/runtime.js';
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
  let access: AccessRuntime;
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
    access = createAccessRuntime({ db: store().db, policy, now: () => clock, chainer: false });
    const session = (req: { actor?: Actor | null }) => access.gate.for(req.actor!);
    await app.register(rightsRequestRoutes, { prefix: '/api/v1', deps, session, policy, limits: { openPerIp: 4, windowMs: 60_000 }, executor: async () => ({ summary: 'Nothing is held.' }) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await access.close();
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

  it('P5 the queue: filters (status, type, due before, overdue), paging, and refusal from the grants (it, manager: 403)', async () => {
    const dpo = { 'x-test-role': 'dpo' };
    const ids: string[] = [];
    for (const email of ['q1@example.fr', 'q2@example.fr', 'q3@example.fr']) {
      const { id } = (await open(email, '198.51.100.9')).json<{ id: string }>();
      const code = /^(\d{6})$/m.exec((await mailTo(email)).text)?.[1] ?? '';
      expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);
      ids.push(id);
    }
    for (const role of ['it', 'manager', 'marketing']) {
      expect((await app.inject({ method: 'GET', url: '/api/v1/requests', headers: { 'x-test-role': role } })).statusCode).toBe(403);
    }
    const get = (qs: string) => app.inject({ method: 'GET', url: `/api/v1/requests?${qs}`, headers: dpo });
    const byStatus = (await get('status=in_progress&type=access')).json<{ items: { id: string; state: string; type: string }[] }>().items;
    expect(byStatus.length).toBeGreaterThanOrEqual(3);
    expect(byStatus.every((r) => r.state === 'in_progress' && r.type === 'access')).toBe(true);
    expect((await get('type=erasure')).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await get('dueBefore=2026-12-27')).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await get('dueBefore=2026-12-28')).json<{ items: { id: string }[] }>().items.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    expect((await get('dueBefore=tomorrow')).statusCode).toBe(400);

    // Paging walks the whole list once, in due-date order.
    const all = (await get('limit=5000')).json<{ items: { id: string; effectiveDueAt: string }[] }>().items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await get(`limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((r) => r.id));
    expect((await get('cursor=bm9uc2Vuc2U')).statusCode).toBe(400);

    // Overdue first and flagged: past the first deadline the open ones lead the list.
    clock = new Date('2026-12-30T10:00:00Z');
    const late = (await get('overdue=true')).json<{ items: { id: string; overdue: boolean; daysLeft: number }[] }>().items;
    expect(late.map((r) => r.id)).toEqual(expect.arrayContaining(ids));
    expect(late.every((r) => r.overdue && r.daysLeft < 0)).toBe(true);
    clock = new Date('2026-11-26T10:00:00Z');
  });

  it('P2.5 P5 one request: identity check, the answer to review, and the read audited with the person', async () => {
    const dpo = { 'x-test-role': 'dpo' };
    const { id } = (await open(KNOWN, '198.51.100.10')).json<{ id: string }>();
    const pending = (await app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: dpo })).json<{ identity: { state: string; codeAttempts: number }; answerPreview: unknown }>();
    expect(pending.identity).toMatchObject({ state: 'code_pending', codeAttempts: 0 });
    expect(pending.answerPreview).toBeNull();
    const code = /^(\d{6})$/m.exec((await mailTo(KNOWN)).text)?.[1] ?? '';
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);
    const res = await app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: dpo });
    expect(res.statusCode).toBe(200);
    const detail = res.json<{ contactEmail: string; personId: string; identity: { state: string; verifiedAt: string }; answerPreview: { subject: string; text: string; willDo: string; attachmentNames: string[] } }>();
    expect(detail.contactEmail).toBe(KNOWN);
    expect(detail.identity.state).toBe('verified');
    expect(detail.identity.verifiedAt).not.toBeNull();
    expect(detail.answerPreview.willDo).toContain('Art. 15(3)');
    expect(detail.answerPreview.attachmentNames).toEqual(['donnees-personnelles.zip']);
    expect(detail.answerPreview.text).toContain('[The result of carrying out the right will be inserted here.]');
    expect(detail.answerPreview.text).toContain('CNIL');

    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/doubt`, headers: dpo, payload: { reason: 'The address was changed the same day.' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: dpo })).json<{ identity: { state: string } }>().identity.state).toBe('doubt');

    // Durable before the answer left: chained, or still queued for the chainer.
    type Ev = { action: string; actor: string; resource: string; recordIds: string[]; personIds: string[]; fields: string[] };
    const chained: Ev[] = await store().db.selectFrom('auditEntries').select(['action', 'actor', 'resource', 'recordIds', 'personIds', 'fields']).orderBy('seq').execute();
    const queued = (await store().db.selectFrom('auditQueue').select('event').orderBy('id').execute()).map((q) => q.event as unknown as Ev);
    const reads = [...chained, ...queued].filter((e) => e.resource === 'rights-requests' && e.recordIds.includes(id) && e.fields.includes('contact_email'));
    expect(reads.length).toBe(3);
    expect(reads[0]).toMatchObject({ action: 'read', actor: 'user:dpo', personIds: [detail.personId] });
    // The refused role leaves no read of the request.
    expect((await app.inject({ method: 'GET', url: `/api/v1/requests/${id}`, headers: { 'x-test-role': 'sales' } })).statusCode).toBe(403);
  });

  it('P5 no email in any URL or log line', async () => {
    const all = logLines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const email of [KNOWN, UNKNOWN, 'verify.route@example.fr', 'r1@example.fr']) expect(all).not.toContain(email);
    expect(all).not.toMatch(/@example\.fr/);
  });
});
