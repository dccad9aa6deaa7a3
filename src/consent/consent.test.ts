import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import type { Actor } from '../access/actor.js';
import { createAccessRuntime, type AccessRuntime } from '../access/runtime.js';
import { newId } from '../db/ids.js';
import { errorHandler } from '../http/error-handler.js';
import { ErrorResponse } from '../http/schemas.js';
import { validatorCompiler } from '../http/validation.js';
import { createMailer, type Mailer } from '../mail/index.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../test/smtp-capture.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { addOpposition } from '../rights/opposition/index.js';
import { verifySignature } from '../rights/recipients/index.js';
import { rightsRequestRoutes } from '../rights/requests/index.js';
import {
  CONSENT_EXPORT_SCHEMA,
  consentRoutes,
  createTransfer,
  hasActiveConsent,
  recordConsent,
  sweepConsentRecords,
  withdrawalToken,
  type ConsentDeps,
  type ConsentExport27560,
  type ConsentProof,
  type Partner,
} from './index.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const KEY = Buffer.alloc(32, 7);
const SECRET = 'partner-hook-secret-0123456789';

let policy: LoadedPolicy;
let hook: Server;
let hookUrl = '';
const hookCalls: { body: string; signature: string | undefined }[] = [];

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
  hook = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookCalls.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-rempart-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/consent-hook`;
});
afterAll(() => new Promise<void>((r) => hook.close(() => r())));

function actorFor(role: string | undefined): Actor | null {
  if (role === undefined) return null;
  return { kind: 'user', id: `user:${role}`, role: role === 'operator' ? null : role, scopeOrganisationId: null, accountId: null };
}

describeEachEngine('consent and file exchange', (store) => {
  let app: FastifyInstance;
  let smtp: SmtpCapture;
  let mailer: Mailer;
  let access: AccessRuntime;
  let clock = new Date('2026-11-26T10:00:00Z');
  let deps: ConsentDeps;
  let orgBank = '';
  let orgRetail = '';
  const tick = (ms = 60_000) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent' });
    const db = store().db;
    deps = { db, policy, now: () => clock, serverKey: KEY, mailer, fetch: globalThis.fetch, publicUrl: 'https://rempart.example' };
    access = createAccessRuntime({ db, policy, now: () => clock, chainer: false });
    orgBank = newId();
    orgRetail = newId();
    await db.insertInto('organisations').values([
      { id: orgBank, name: 'Banque Test', sector: 'Banque', addresses: '[]' },
      { id: orgRetail, name: 'Commerce Test', sector: 'Commerce', addresses: '[]' },
    ]).execute();
    app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setErrorHandler(errorHandler);
    app.addSchema(ErrorResponse);
    app.decorateRequest('actor', null);
    app.decorateRequest('authSession', null);
    app.addHook('onRequest', async (req) => {
      const role = req.headers['x-test-role'];
      req.actor = actorFor(typeof role === 'string' ? role : undefined);
    });
    await app.register(consentRoutes, {
      deps,
      session: (req) => access.gate.for(req.actor as Actor),
    });
    await app.register(rightsRequestRoutes, { prefix: '/api/v1', deps: { db, policy, now: () => clock, mailer, serverKey: KEY }, policy, session: (req) => access.gate.for(req.actor as Actor) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await access.close();
    mailer.close();
    await smtp.close();
  });

  const person = async (lastName: string, organisationId = orgBank): Promise<{ id: string; email: string }> => {
    const id = newId();
    const email = `${lastName.toLowerCase()}.${id.slice(-6)}@example.test`;
    await store().db.insertInto('people').values({ id, relation: 'client_contact', lastName, firstName: 'Test', email, phones: '[]', postalAddresses: '[]', organisationId, source: 'test', collectedAt: clock }).execute();
    return { id, email };
  };
  const addPartnerApi = (body: Record<string, unknown>, role = 'marketing') => app.inject({ method: 'POST', url: '/api/v1/partners', headers: { 'x-test-role': role }, payload: body });
  const newPartner = async (body: Record<string, unknown> = {}): Promise<Partner> => {
    const res = await addPartnerApi({ name: `Partenaire ${newId().slice(-4)}`, kind: 'partner', country: 'FR', webhookUrl: hookUrl, hmacSecret: SECRET, ...body });
    expect(res.statusCode).toBe(201);
    return res.json<Partner>();
  };
  const consent = (personId: string, partnerId: string, state: string, extra: Record<string, unknown> = {}) =>
    app.inject({ method: 'POST', url: `/api/v1/people/${personId}/consents`, headers: { 'x-test-role': 'marketing' }, payload: { partnerId, state, channel: 'web_form', ...extra } });
  const transferIds = async (partnerId: string, segment?: string) => {
    const t = await createTransfer(deps, { partnerId, ...(segment ? { segment } : {}), actor: actorFor('operator') as Actor, fileName: '/tmp/out.csv' });
    const lines = t.csv.toString('utf8').trim().split('\r\n');
    return { t, header: lines[0], emails: lines.slice(1).map((l) => l.split(',')[2]) };
  };
  const mailsTo = async (address: string, count = 1): Promise<CapturedMail[]> => {
    for (let i = 0; i < 500; i++) {
      const got = smtp.messages.filter((m) => m.envelopeTo.includes(address));
      if (got.length >= count) return got;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no mail to the test address (${count} expected)`);
  };

  it('P3.1 POST /partners refuses a recipient outside the EU/EEA without adequacy or safeguard, and records the ground of the others', async () => {
    const refused = await addPartnerApi({ name: 'Rio', kind: 'partner', country: 'BR', email: 'dpo@rio.test' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'safeguard' }] } });
    expect((await addPartnerApi({ name: 'US plain', kind: 'partner', country: 'US', email: 'a@us.test' })).statusCode).toBe(400);
    // A declared adequacy where no decision exists is no ground.
    expect((await addPartnerApi({ name: 'Rio', kind: 'partner', country: 'BR', safeguard: 'adequacy', email: 'dpo@rio.test' })).statusCode).toBe(400);
    const grounds: Record<string, string> = {};
    for (const [country, safeguard] of [['BR', 'scc'], ['US', 'adequacy'], ['JP', undefined], ['DE', undefined], ['IN', 'bcr']] as const) {
      const res = await addPartnerApi({ name: `P ${country}`, kind: 'group_company', country, ...(safeguard ? { safeguard } : {}), email: `dpo@${country.toLowerCase()}.test` });
      expect(res.statusCode).toBe(201);
      grounds[country] = res.json<Partner>().transferGround;
    }
    expect(grounds).toEqual({ BR: 'scc', US: 'adequacy', JP: 'adequacy', DE: 'eu_eea', IN: 'bcr' });
    // A role with no grant on file sharing may not register one.
    expect((await addPartnerApi({ name: 'X', kind: 'partner', country: 'FR', email: 'x@x.test' }, 'logistics')).statusCode).toBe(403);
  });

  it('P1.6 a transfer includes only consents active at that instant: absent, given, withdrawn, withdrawn between two transfers', async () => {
    const partner = await newPartner();
    const absent = await person('Absent');
    const given = await person('Given');
    const withdrawnBefore = await person('Withdrawn');
    const between = await person('Between');
    const later = await person('Later');
    for (const p of [given, withdrawnBefore, between]) expect((await consent(p.id, partner.id, 'given')).statusCode).toBe(201);
    tick();
    expect((await consent(withdrawnBefore.id, partner.id, 'withdrawn')).statusCode).toBe(201);
    expect((await consent(absent.id, partner.id, 'refused')).statusCode).toBe(201);
    tick();
    hookCalls.length = 0;

    const first = await transferIds(partner.id);
    expect(first.header).toBe('lastName,firstName,email,phone,jobTitle,organisation');
    expect(first.emails.sort()).toEqual([between.email, given.email].sort());
    // Left out for want of a consent: the one who withdrew and the one who refused (the one never asked is not counted).
    expect(first.t.leftOut).toEqual({ noConsent: 2, restricted: 0, objected: 0, oppositionList: 0 });
    expect(hookCalls).toHaveLength(0);

    // Between the two transfers, one withdraws (the API's one call); the partner, which has their data, is told.
    tick();
    const w = await app.inject({ method: 'POST', url: `/api/v1/people/${between.id}/consents/${partner.id}/withdraw`, headers: { 'x-test-role': 'marketing' } });
    expect(w.statusCode).toBe(201);
    expect(w.json()).toMatchObject({ partnersNotified: [partner.id], events: [{ state: 'withdrawn' }] });
    expect(hookCalls).toHaveLength(1);
    expect(verifySignature(SECRET, hookCalls[0]!.body, hookCalls[0]!.signature)).toBe(true);
    expect(JSON.parse(hookCalls[0]!.body)).toMatchObject({ event: 'consent_withdrawn', partnerId: partner.id, person: { email: between.email } });
    // A consent given after the instant does not count for it.
    expect((await consent(later.id, partner.id, 'given')).statusCode).toBe(201);
    expect(await hasActiveConsent(store().db, later.id, partner.id, new Date(clock.getTime() - 1))).toBe(false);
    expect(await hasActiveConsent(store().db, later.id, partner.id, clock)).toBe(true);
    expect(await hasActiveConsent(store().db, between.id, partner.id, clock)).toBe(false);
    expect(await hasActiveConsent(store().db, absent.id, partner.id, clock)).toBe(false);

    tick();
    const second = await transferIds(partner.id);
    expect(second.emails.sort()).toEqual([given.email, later.email].sort());

    // The log: who, which fields, when, the file's hash.
    const log = await store().db.selectFrom('transfers').selectAll().where('partnerId', '=', partner.id).orderBy('createdAt').execute();
    expect(log.map((l) => l.rowCount)).toEqual([2, 2]);
    expect(log[0]).toMatchObject({ fileName: 'out.csv', fileSha256: first.t.sha256, fields: ['lastName', 'firstName', 'email', 'phone', 'jobTitle', 'organisation'] });
    const audit = await store().db.selectFrom('auditQueue').selectAll().execute();
    expect(JSON.stringify(audit)).toContain('transfers');
  });

  it('P1.6 a restricted, objecting or opposed person is never transferred, and the segment narrows the file', async () => {
    const partner = await newPartner();
    const ok = await person('Ok');
    const retail = await person('Retail', orgRetail);
    const restricted = await person('Restricted');
    const objecting = await person('Objecting');
    const opposed = await person('Opposed');
    const phoneOpposed = await person('PhoneOpposed');
    await store().db.updateTable('people').set({ phones: JSON.stringify([{ number: '+33 6 12 34 56 78', type: 'mobile' }]) }).where('id', '=', phoneOpposed.id).execute();
    await addOpposition(store().db, KEY, { phone: '06 12 34 56 78' }, { now: clock });
    for (const p of [ok, retail, restricted, objecting, opposed, phoneOpposed]) expect((await consent(p.id, partner.id, 'given')).statusCode).toBe(201);
    await store().db.insertInto('personStates').values({ personId: restricted.id, restrictedAt: clock, restrictionReason: 'accuracy contested' }).execute();
    await store().db.insertInto('personStates').values({ personId: objecting.id, objectionOtherAt: clock, objectionOtherGrounds: 'no' }).execute();
    await addOpposition(store().db, KEY, { email: opposed.email }, { now: clock });
    tick();
    const all = await transferIds(partner.id);
    expect(all.emails.sort()).toEqual([ok.email, retail.email].sort());
    // Who the file left out, by rule: counts only.
    expect(all.t.leftOut).toEqual({ noConsent: 0, restricted: 1, objected: 1, oppositionList: 2 });
    expect((await transferIds(partner.id, 'sector=Commerce')).emails).toEqual([retail.email]);
    await expect(transferIds(partner.id, 'colour=blue')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('P1.6 withdrawal by the receipt link without login: GET confirms, POST withdraws at once; receipts and partner notices arrive by SMTP', async () => {
    const partner = await newPartner({ webhookUrl: undefined, hmacSecret: undefined, email: 'privacy@partner-mail.test' });
    const p = await person('Linked');
    const given = await consent(p.id, partner.id, 'given', { language: 'en', evidence: 'form-42' });
    expect(given.json()).toMatchObject({ receiptSent: true });
    const [receipt] = await mailsTo(p.email);
    const link = /https:\/\/rempart\.example(\/consent\/withdraw\/[A-Za-z0-9_-]+)/.exec(receipt!.text);
    expect(link).not.toBeNull();
    const path = link![1]!;
    expect(path).not.toContain(p.email.split('@')[0]);
    expect(path).not.toContain(p.id);
    tick();
    await transferIds(partner.id);

    const page = await app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('Retirer votre consentement à la transmission de vos données à');
    expect(page.body).not.toContain(p.email);
    expect(await hasActiveConsent(store().db, p.id, partner.id, clock)).toBe(true);

    tick();
    // The page speaks the browser's language (French by default), in the public layout.
    const post = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' }, payload: 'List-Unsubscribe=One-Click' });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('Consent withdrawn');
    expect(post.body).toContain('<link rel="stylesheet" href="/public.css">');
    expect(post.body).toContain('href="/portal?lang=en"');
    expect(post.body).toContain('href="/notice?lang=en"');
    expect(post.body).toContain(`href="${path}?lang=fr"`);
    expect(await hasActiveConsent(store().db, p.id, partner.id, clock)).toBe(false);
    const history = await store().db.selectFrom('consentEvents').select(['state', 'channel']).where('partnerId', '=', partner.id).orderBy('eventAt').execute();
    expect(history).toEqual([{ state: 'given', channel: 'web_form' }, { state: 'withdrawn', channel: 'link' }]);
    // Twice: nothing new.
    expect((await app.inject({ method: 'POST', url: path })).statusCode).toBe(200);
    expect(await store().db.selectFrom('consentEvents').select('id').where('partnerId', '=', partner.id).execute()).toHaveLength(2);
    // A forged token is refused.
    const forged = withdrawalToken(Buffer.alloc(32, 1), history.length > 0 ? newId() : '');
    expect((await app.inject({ method: 'POST', url: `/consent/withdraw/${forged}` })).statusCode).toBe(404);

    // The person's confirmation and the partner's notice, through the real SMTP server.
    const [, confirmation] = await mailsTo(p.email, 2);
    expect(confirmation!.subject).toMatch(/retrait de votre consentement|withdrawal of your consent/);
    const [notice] = await mailsTo('privacy@partner-mail.test');
    expect(notice!.text).toContain('consent_withdrawn');
    const log = await store().db.selectFrom('consentNotices').selectAll().where('partnerId', '=', partner.id).execute();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ lastStatus: 'delivered', payloadSealed: null });
  });

  it('P1.6 ISO/IEC TS 27560: the export validates against the JSON Schema written from the standard, and the notice version defaults to the policy in force (D3)', async () => {
    const partner = await newPartner();
    const p = await person('Export');
    await consent(p.id, partner.id, 'given');
    tick();
    await consent(p.id, partner.id, 'withdrawn', { noticeVersion: 'v-2018-06-20' });
    const res = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/export`, headers: { 'x-test-role': 'dpo' } });
    expect(res.statusCode).toBe(200);
    const exp = res.json<ConsentExport27560>();
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(CONSENT_EXPORT_SCHEMA);
    expect(validate(exp), JSON.stringify(validate.errors)).toBe(true);
    expect(exp.records.map((r) => [r.event.state, r.notice.version])).toEqual([
      ['given', policy.version.hash],
      ['withdrawn', 'v-2018-06-20'],
    ]);
    expect(exp.records[0]).toMatchObject({ controller: { name: policy.controller.name }, recipients: [{ id: partner.id, transferGround: 'eu_eea' }], purpose: { id: 'file_sharing' } });
    // The schema bites: a record without its jurisdiction or with an unknown state fails.
    const { jurisdiction: _j, ...noJurisdiction } = exp.records[0]!;
    expect(validate({ ...exp, records: [noJurisdiction] })).toBe(false);
    expect(validate({ ...exp, records: [{ ...exp.records[0]!, event: { ...exp.records[0]!.event, state: 'maybe' } }] })).toBe(false);
  });

  it('P1.6 the history is append-only: UPDATE, DELETE and TRUNCATE are refused; only the retention sweep deletes, after consent_proofs', async () => {
    const partner = await newPartner();
    const p = await person('Append');
    await consent(p.id, partner.id, 'given');
    const db = store().db;
    await expect(db.updateTable('consentEvents').set({ state: 'refused' }).where('partnerId', '=', partner.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('consentEvents').where('partnerId', '=', partner.id).execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate consent_events cascade`.execute(db)).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('transfers').execute()).rejects.toThrow(/append-only/);
    tick();
    await consent(p.id, partner.id, 'withdrawn');
    // consent_proofs: withdrawn + P5Y. A day short, nothing goes; past it, the chain goes.
    const withdrawnAt = clock;
    const short = new Date(withdrawnAt.getTime() + (5 * 365) * 86_400_000);
    expect((await sweepConsentRecords(db, policy, short)).consentEvents).toBe(0);
    const past = new Date(withdrawnAt.getTime() + (5 * 366 + 1) * 86_400_000);
    const swept = await sweepConsentRecords(db, policy, past);
    expect(swept.consentEvents).toBeGreaterThanOrEqual(2);
    expect(await db.selectFrom('consentEvents').select('id').where('partnerId', '=', partner.id).execute()).toEqual([]);
  });

  it('P1.6 the proof for the dpo: consent history and transfers as JSON and as a printable page', async () => {
    const partner = await newPartner();
    const p = await person('Proof');
    await consent(p.id, partner.id, 'given', { evidence: 'form-77', textShown: 'Acceptez-vous que vos coordonnées soient transmises à nos partenaires ?' });
    tick();
    const { t } = await transferIds(partner.id);
    const json = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/proof?partnerId=${partner.id}`, headers: { 'x-test-role': 'dpo' } });
    expect(json.statusCode).toBe(200);
    const proof = json.json<ConsentProof>();
    expect(proof.activeNow).toBe(true);
    expect(proof.history).toHaveLength(1);
    expect(proof.history[0]).toMatchObject({ event: { state: 'given', evidence: 'form-77' }, notice: { textShown: 'Acceptez-vous que vos coordonnées soient transmises à nos partenaires ?' } });
    expect(proof.transfers).toEqual([expect.objectContaining({ id: t.transferId, fileSha256: t.sha256, consentRecordId: proof.history[0]!.recordId })]);
    const html = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/proof.html?partnerId=${partner.id}`, headers: { 'x-test-role': 'dpo' } });
    expect(html.headers['content-type']).toMatch(/text\/html/);
    // Its one inline style is allowed by hash, never by 'unsafe-inline' (Art. 32).
    expect(html.headers['content-security-policy']).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/]+='/);
    expect(html.body).toContain(t.sha256);
    expect(html.body).toContain('form-77');
    const byAccept = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/proof?partnerId=${partner.id}`, headers: { 'x-test-role': 'dpo', accept: 'text/html' } });
    expect(byAccept.body).toContain('<h1>Proof of consent');
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/proof`, headers: { 'x-test-role': 'logistics' } })).statusCode).toBe(403);
  });

  it('P1.6 Global Privacy Control: gpc.json is served; Sec-GPC: 1 on a verified portal request records an objection for every partner', async () => {
    const gpc = await app.inject({ method: 'GET', url: '/.well-known/gpc.json' });
    expect(gpc.json()).toEqual({ gpc: true, lastUpdate: policy.version.effectiveDate });
    const partner = await newPartner();
    const p = await person('Gpc');
    await consent(p.id, partner.id, 'given');
    tick();
    const opened = await app.inject({ method: 'POST', url: '/api/v1/requests', headers: { 'sec-gpc': '1' }, payload: { type: 'access', email: p.email, language: 'en' } });
    expect(opened.statusCode).toBe(202);
    const { id } = opened.json<{ id: string }>();
    // Not yet identified: nothing recorded.
    expect(await hasActiveConsent(store().db, p.id, partner.id, clock)).toBe(true);
    const [codeMail] = await mailsTo(p.email, 2).then((m) => m.filter((x) => /\b\d{6}\b/.test(x.text)));
    const code = /\b(\d{6})\b/.exec(codeMail!.text)![1]!;
    const verified = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, headers: { 'sec-gpc': '1' }, payload: { code } });
    expect(verified.statusCode).toBe(200);
    expect(await hasActiveConsent(store().db, p.id, partner.id, clock)).toBe(false);
    const events = await store().db.selectFrom('consentEvents').select(['state', 'channel', 'partnerId']).where('channel', '=', 'gpc').execute();
    expect(events).toContainEqual({ state: 'withdrawn', channel: 'gpc', partnerId: partner.id });
    const partners = await store().db.selectFrom('partners').select('id').execute();
    const subject = await store().db.selectFrom('consentSubjects').select('id').where('personId', '=', p.id).executeTakeFirstOrThrow();
    const gpcFor = await store().db.selectFrom('consentEvents').select('partnerId').where('subjectId', '=', subject.id).where('channel', '=', 'gpc').execute();
    expect(gpcFor).toHaveLength(partners.length);
  });

  it('P1.6 recordConsent refuses an unknown person or partner, naming what is missing', async () => {
    const partner = await newPartner();
    await expect(recordConsent(deps, { personId: newId(), partnerId: partner.id, state: 'given', channel: 'x', collector: 'user:t' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const p = await person('Nobody');
    expect((await consent(p.id, newId(), 'given')).statusCode).toBe(404);
  });
});
