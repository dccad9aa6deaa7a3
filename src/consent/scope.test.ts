import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
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
import {
  activeScopeConsents,
  addPartner,
  CONSENT_EXPORT_SCHEMA,
  consentRoutes,
  hasActiveConsent,
  recordConsent,
  recordGpcObjection,
  sweepConsentRecords,
  type ConsentDeps,
  type ConsentExport27560,
  type ConsentProof,
  type ConsentRecorded,
} from './index.js';

/**
 * Consent to the controller's own scopes (L34-5 CPCE for email prospecting, R-PROS-6;
 * the CNIL on tracking pixels, R-PROS-10): the same append-only events, proofs, receipts
 * and one-click withdrawal as consent to file exchange, with no partner.
 */
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const KEY = Buffer.alloc(32, 9);
const DAY = 86_400_000;
let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

function actorFor(role: string | undefined): Actor | null {
  if (role === undefined) return null;
  return { kind: 'user', id: `user:${role}`, role, scopeOrganisationId: null, accountId: null };
}

describeEachEngine('consent to the controller scopes', (store) => {
  let app: FastifyInstance;
  let smtp: SmtpCapture;
  let mailer: Mailer;
  let access: AccessRuntime;
  let clock = new Date('2026-11-26T10:00:00Z');
  let deps: ConsentDeps;
  const tick = (ms = 60_000) => (clock = new Date(clock.getTime() + ms));

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: '/nonexistent' });
    const db = store().db;
    deps = { db, policy, now: () => clock, serverKey: KEY, mailer, publicUrl: 'https://rempart.example' };
    access = createAccessRuntime({ db, policy, now: () => clock, chainer: false });
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
    await app.register(consentRoutes, { deps, session: (req) => access.gate.for(req.actor as Actor) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await access.close();
    mailer.close();
    await smtp.close();
  });

  const person = async (lastName: string): Promise<{ id: string; email: string }> => {
    const id = newId();
    const email = `${lastName.toLowerCase()}.${id.slice(-6)}@gmail.com`;
    await store().db.insertInto('people').values({ id, relation: 'prospect', purpose: 'prospecting', lastName, firstName: 'Test', email, phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: clock }).execute();
    return { id, email };
  };
  const give = (personId: string, body: Record<string, unknown>, role = 'marketing') =>
    app.inject({ method: 'POST', url: `/api/v1/people/${personId}/prospecting-consents`, headers: { 'x-test-role': role }, payload: { state: 'given', channel: 'web_form', ...body } });
  const status = async (personId: string) =>
    (await app.inject({ method: 'GET', url: `/api/v1/people/${personId}/prospecting-consents`, headers: { 'x-test-role': 'marketing' } })).json<{ active: { email_prospecting: boolean; open_tracking: boolean }; items: { scope: string; state: string; channel: string; partnerId: string | null }[] }>();
  const mailsTo = async (address: string, count = 1): Promise<CapturedMail[]> => {
    for (let i = 0; i < 500; i++) {
      const got = smtp.messages.filter((m) => m.envelopeTo.includes(address));
      if (got.length >= count) return got;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no mail to the test address (${count} expected)`);
  };

  it('R-PROS-6 R-PROS-10 given over the API with its proof (who, when, how), a receipt with a one-click link that withdraws it; file exchange is untouched', async () => {
    const p = await person('Portail');
    const partner = await addPartner(store().db, { name: 'Partenaire Scope', kind: 'partner', country: 'FR', email: 'dpo@partenaire.test' }, clock);
    const res = await give(p.id, { scope: 'email_prospecting', channel: 'portal', evidence: 'portal session 4711, checkbox "offres"', language: 'en' });
    expect(res.statusCode, res.body).toBe(201);
    const recorded = res.json<ConsentRecorded>();
    expect(recorded).toMatchObject({ receiptSent: true, partnersNotified: [], events: [{ scope: 'email_prospecting', partnerId: null, state: 'given', eventAt: clock.toISOString() }] });
    expect((await give(p.id, { scope: 'open_tracking' })).statusCode).toBe(201);
    expect(await status(p.id)).toMatchObject({ active: { email_prospecting: true, open_tracking: true } });
    const event = await store().db.selectFrom('consentEvents').selectAll().where('id', '=', recorded.events[0]!.id).executeTakeFirstOrThrow();
    // Who, when, how: the collector, the time, the channel and the proof; the controller is the recipient.
    expect(event).toMatchObject({ scope: 'email_prospecting', partnerId: null, collector: 'user:marketing', channel: 'portal', evidence: 'portal session 4711, checkbox "offres"', purpose: 'prospecting' });
    expect(event.recipient).toEqual({ name: policy.controller.name, kind: 'controller', country: 'FR' });
    expect(event.textShown).toContain(policy.controller.name);
    // Nothing changes for file exchange: no partner consent, no partner history.
    expect(await hasActiveConsent(store().db, p.id, partner.id, clock)).toBe(false);
    const partnerHistory = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents`, headers: { 'x-test-role': 'marketing' } });
    expect(partnerHistory.json<{ items: unknown[] }>().items).toEqual([]);
    // GPC objects to the sale of data, not to the controller's own scopes.
    tick();
    expect(await recordGpcObjection(deps, p.id, 'test signal')).toBe(1);
    expect((await status(p.id)).active).toEqual({ email_prospecting: true, open_tracking: true });

    const [receipt] = await mailsTo(p.email);
    expect(receipt!.text).toContain('receiving commercial offers from');
    const link = /https:\/\/rempart\.example(\/consent\/withdraw\/[A-Za-z0-9_-]+)/.exec(receipt!.text);
    expect(link).not.toBeNull();
    const path = link![1]!;
    expect(path).not.toContain(p.id);
    // The page speaks the reader's language (French by default): here the receipt's, English.
    const page = await app.inject({ method: 'GET', url: path, headers: { 'accept-language': 'en' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('receiving commercial offers');
    expect((await app.inject({ method: 'GET', url: `${path}?lang=fr` })).body).toContain('recevoir par courrier électronique les offres commerciales');
    expect(page.body).not.toContain(p.email);
    tick();
    const post = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' }, payload: 'List-Unsubscribe=One-Click' });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('Consent withdrawn');
    // Withdrawn at once, for that scope only.
    const after = await status(p.id);
    expect(after.active).toEqual({ email_prospecting: false, open_tracking: true });
    expect(after.items.filter((e) => e.scope === 'email_prospecting').map((e) => [e.state, e.channel])).toEqual([
      ['given', 'portal'],
      ['withdrawn', 'link'],
    ]);
    expect(await activeScopeConsents(store().db, 'email_prospecting', [p.id], clock)).toEqual(new Set());
    // The person is told the withdrawal is recorded.
    const mails = await mailsTo(p.email, 3);
    expect(mails.some((m) => /withdrawal of your consent|retrait de votre consentement/.test(m.subject ?? m.headers.subject ?? ''))).toBe(true);
    // Twice: nothing new.
    await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect((await status(p.id)).items.filter((e) => e.scope === 'email_prospecting')).toHaveLength(2);
  });

  it('R-PROS-6 R-PROS-10 withdrawal in one call; an imported consent needs its proof source; a partner or a future time is refused; grants apply', async () => {
    const p = await person('Import');
    // An import column: the consent was collected before, elsewhere; the proof names where.
    const collected = new Date(clock.getTime() - 40 * DAY);
    const noProof = await give(p.id, { scope: 'email_prospecting', channel: 'import', eventAt: collected.toISOString() });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'evidence' }] } });
    const imported = await give(p.id, { scope: 'email_prospecting', channel: 'import', eventAt: collected.toISOString(), evidence: 'salon-2026.csv row 12, column optin_email: form on the fair stand, 2026-10-17' });
    expect(imported.statusCode, imported.body).toBe(201);
    const row = await store().db.selectFrom('consentEvents').select(['eventAt', 'recordedAt']).where('id', '=', imported.json<ConsentRecorded>().events[0]!.id).executeTakeFirstOrThrow();
    expect(row.eventAt.toISOString()).toBe(collected.toISOString());
    expect(row.recordedAt.toISOString()).toBe(clock.toISOString());
    expect((await give(p.id, { scope: 'open_tracking', eventAt: new Date(clock.getTime() + DAY).toISOString() })).statusCode).toBe(400);
    await expect(recordConsent(deps, { personId: p.id, scope: 'open_tracking', partnerId: newId(), state: 'given', channel: 'web_form', collector: 'user:t' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(recordConsent(deps, { personId: p.id, state: 'given', channel: 'web_form', collector: 'user:t' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    // Sales reads prospects but holds no grant on consent; logistics nothing on prospecting.
    expect((await give(p.id, { scope: 'email_prospecting' }, 'sales')).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/prospecting-consents`, headers: { 'x-test-role': 'logistics' } })).statusCode).toBe(403);
    expect(await activeScopeConsents(store().db, 'email_prospecting', [p.id], clock)).toEqual(new Set([p.id]));

    tick();
    const w = await app.inject({ method: 'POST', url: `/api/v1/people/${p.id}/prospecting-consents/email_prospecting/withdraw`, headers: { 'x-test-role': 'prospecting' } });
    expect(w.statusCode, w.body).toBe(201);
    expect(w.json<ConsentRecorded>()).toMatchObject({ events: [{ scope: 'email_prospecting', state: 'withdrawn', partnerId: null }] });
    expect(await activeScopeConsents(store().db, 'email_prospecting', [p.id], clock)).toEqual(new Set());
    expect((await app.inject({ method: 'POST', url: `/api/v1/people/${p.id}/prospecting-consents/file_sharing/withdraw`, headers: { 'x-test-role': 'marketing' } })).statusCode).toBe(400);

    // The dpo's proof for one scope: history, active now, no transfers.
    const proof = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/proof?scope=email_prospecting`, headers: { 'x-test-role': 'dpo' } });
    expect(proof.statusCode, proof.body).toBe(200);
    expect(proof.json<ConsentProof>()).toMatchObject({ scope: 'email_prospecting', activeNow: false, transfers: [], withdrawalNotices: [] });
    expect(proof.json<ConsentProof>().history.map((r) => [r.event.state, r.event.channel])).toEqual([
      ['given', 'import'],
      ['withdrawn', 'api'],
    ]);
  });

  it('R-PROS-6 R-PROS-10 ISO/IEC TS 27560: the export covers the controller scopes (purpose prospecting, recipient the controller) and validates against the schema', async () => {
    const p = await person('Export');
    const partner = await addPartner(store().db, { name: 'Partenaire Export', kind: 'group_company', country: 'DE', email: 'dpo@export.test' }, clock);
    await recordConsent({ ...deps, mailer: undefined } as ConsentDeps, { personId: p.id, partnerId: partner.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    tick();
    expect((await give(p.id, { scope: 'email_prospecting', evidence: 'form-1' })).statusCode).toBe(201);
    expect((await give(p.id, { scope: 'open_tracking', state: 'refused', channel: 'phone' })).statusCode).toBe(201);
    const res = await app.inject({ method: 'GET', url: `/api/v1/people/${p.id}/consents/export`, headers: { 'x-test-role': 'dpo' } });
    expect(res.statusCode).toBe(200);
    const exp = res.json<ConsentExport27560>();
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(CONSENT_EXPORT_SCHEMA);
    expect(validate(exp), JSON.stringify(validate.errors)).toBe(true);
    expect(exp.records.map((r) => [r.scope, r.purpose.id, r.event.state])).toEqual([
      ['file_sharing', 'file_sharing', 'given'],
      ['email_prospecting', 'prospecting', 'given'],
      ['open_tracking', 'prospecting', 'refused'],
    ]);
    const own = exp.records[1]!;
    expect(own).toMatchObject({ recipients: [{ name: policy.controller.name, kind: 'controller', country: 'FR' }], controller: { name: policy.controller.name } });
    expect(own.notice.id).toBe('policy#purposes/prospecting/email_prospecting');
    // The schema bites: a controller recipient that claims to be a partner, or an unknown scope, fails.
    expect(validate({ ...exp, records: [{ ...own, recipients: [{ ...own.recipients[0], kind: 'partner' }] }] })).toBe(false);
    expect(validate({ ...exp, records: [{ ...own, scope: 'newsletter' }] })).toBe(false);
  });

  it('R-PROS-6 the proofs are append-only and the sweep removes a withdrawn controller chain only after consent_proofs, keeping a given one', async () => {
    const db = store().db;
    const kept = await person('Kept');
    const gone = await person('Gone');
    const noMail = { ...deps, mailer: undefined } as ConsentDeps;
    await recordConsent(noMail, { personId: kept.id, scope: 'email_prospecting', state: 'given', channel: 'web_form', collector: 'user:t' });
    await recordConsent(noMail, { personId: gone.id, scope: 'open_tracking', state: 'given', channel: 'web_form', collector: 'user:t' });
    tick();
    await recordConsent(noMail, { personId: gone.id, scope: 'open_tracking', state: 'withdrawn', channel: 'web_form', collector: 'user:t' });
    const subjects = async (id: string) => (await db.selectFrom('consentSubjects').select('id').where('personId', '=', id).executeTakeFirstOrThrow()).id;
    const goneSubject = await subjects(gone.id);
    const keptSubject = await subjects(kept.id);
    await expect(db.updateTable('consentEvents').set({ state: 'given' }).where('subjectId', '=', goneSubject).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('consentEvents').where('subjectId', '=', goneSubject).execute()).rejects.toThrow(/append-only/);
    const count = async (subjectId: string) => (await db.selectFrom('consentEvents').select('id').where('subjectId', '=', subjectId).execute()).length;
    const short = new Date(clock.getTime() + 5 * 365 * DAY);
    await sweepConsentRecords(db, policy, short);
    expect(await count(goneSubject)).toBe(2);
    const past = new Date(clock.getTime() + (5 * 366 + 1) * DAY);
    await sweepConsentRecords(db, policy, past);
    expect(await count(goneSubject)).toBe(0);
    expect(await count(keptSubject)).toBe(1);
  });
});
