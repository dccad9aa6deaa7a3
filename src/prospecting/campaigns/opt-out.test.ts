import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { systemActor } from '../../access/actor.js';
import { buildApp } from '../../app.js';
import {
  activeScopeConsents,
  consentedToElectronicProspecting,
  consentedToOpenTracking,
  consentHistory,
  consentProof,
  recordConsent,
  type ConsentDeps,
} from '../../consent/index.js';
import type { Database } from '../../db/schema.js';
import type { CapturedMail } from '../../../test/smtp-capture.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { isOpposed, normaliseEmail, normalisePhone, objectToProspecting, oppositionHash } from '../../rights/opposition/index.js';
import { createCampaign } from './campaigns.js';
import { OPT_OUT_CHANNEL, optOut } from './links.js';
import { createSegment } from './segments.js';
import { sendCampaign } from './send.js';
import { addPerson } from './test-support.js';
import { mailer, policy, smtp, useCampaignMail } from '../../../test/campaign-mail.js';
import { signToken } from './tokens.js';

/**
 * The one-click opt-out of a campaign message (R-PROS-5, RFC 8058) is an objection to
 * prospecting (P5.6, GDPR Art. 21(2)–(3)): besides the opposition list, it withdraws the
 * person's consents to the controller's email prospecting and open tracking (Art. 7(3)),
 * in the same transaction, so the consent record stops saying they consent.
 */
const NOW = new Date('2026-11-26T10:00:00Z');
const HOUR = 3_600_000;
const PUBLIC_URL = 'https://crm.certilience.example';
useCampaignMail('rempart-opt-out-');

type Scope = 'email_prospecting' | 'open_tracking';

/** The audit events about a person, queued or already chained. */
async function auditOf(db: Kysely<Database>, personId: string): Promise<{ actor: string; action: string; resource: string; recordIds: string[]; fields: string[]; reason: string | null }[]> {
  const queued = (await db.selectFrom('auditQueue').select('event').execute()).map(
    (r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { actor: string; action: string; resource: string; recordIds: string[]; personIds: string[]; fields: string[]; reason: string | null },
  );
  const chained = await db.selectFrom('auditEntries').select(['actor', 'action', 'resource', 'recordIds', 'personIds', 'fields', 'reason']).execute();
  return [...queued, ...chained].filter((e) => e.personIds.includes(personId));
}

const optOutUrlOf = (m: CapturedMail): string => /<(http[^>]+)>/.exec(m.headers['list-unsubscribe'] ?? '')?.[1] ?? '';

describeEachEngine('one-click opt-out and consents', (store) => {
  const key = randomBytes(32);
  let app: FastifyInstance;
  let clock = NOW;
  // No mailer: a consent given here sends no receipt, so every mail captured is a campaign's.
  const consentDeps = (): ConsentDeps => ({ db: store().db, policy, now: () => clock, serverKey: key });
  const give = async (personId: string, scope: Scope, at = new Date(NOW.getTime() - 24 * HOUR)) => {
    clock = at;
    await recordConsent(consentDeps(), { personId, scope, state: 'given', channel: 'web_form', collector: 'user:test', evidence: `form submission ${personId.slice(-6)}` });
    clock = NOW;
  };
  const active = async (personId: string, at = NOW): Promise<Scope[]> => {
    const out: Scope[] = [];
    for (const scope of ['email_prospecting', 'open_tracking'] as const) if ((await activeScopeConsents(store().db, scope, [personId], at)).has(personId)) out.push(scope);
    return out;
  };
  /** Sends a one-person campaign; returns the message the person received. */
  const campaignTo = async (source: string, email: string, trackOpens = false): Promise<CapturedMail> => {
    const db = store().db;
    const segment = await createSegment(db, { name: source, kind: 'prospecting', criteria: { sources: [source] } }, NOW);
    const campaign = await createCampaign(db, { name: source, segmentId: segment.id, subject: 'Offre', body: 'Bonjour.', trackOpens }, NOW);
    const report = await sendCampaign({ db, policy, key, mailer, publicUrl: PUBLIC_URL }, campaign.id, { actor: systemActor('test'), now: NOW });
    expect(report.sent).toBe(1);
    await smtp.waitFor(1);
    const m = smtp.messages.find((x) => x.envelopeTo.some((t) => t.toLowerCase() === email.toLowerCase()));
    if (!m) throw new Error('no message to this address');
    return m;
  };
  const post = (url: string) =>
    app.inject({ method: 'POST', url: new URL(url).pathname, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
  const noticeCounts = async () => ({
    consent: (await store().db.selectFrom('consentNotices').select('id').execute()).length,
    recipients: (await store().db.selectFrom('recipientNotifications').select('id').execute()).length,
  });

  beforeAll(async () => {
    app = await buildApp({ store: store(), policy, now: () => NOW, mailer, serverKey: key, publicUrl: PUBLIC_URL });
  });
  afterAll(async () => app.close());

  it('R-PROS-5 P5.6 the RFC 8058 one-click POST withdraws the email_prospecting and open_tracking consents with the opposition-list write, audited, and sends nothing', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const email = 'Claire.Retrait@Gmail.com';
    const person = await addPerson(db, { source: 'opt-out-both', email });
    await give(person, 'email_prospecting');
    await give(person, 'open_tracking');
    expect(await active(person)).toEqual(['email_prospecting', 'open_tracking']);
    const m = await campaignTo('opt-out-both', email, true);
    // Both consents active: the personal address was selected and the message carries the pixel.
    expect(m.html).toContain('/o/');
    const notices = await noticeCounts();
    smtp.messages.length = 0;

    const res = await post(optOutUrlOf(m));
    expect(res.statusCode).toBe(200);

    // The opposition list and the objection, as before.
    expect(await isOpposed(db, key, { email, channel: 'email' })).toBe(true);
    expect((await db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', person).executeTakeFirstOrThrow()).objectedProspectingAt?.toISOString()).toBe(NOW.toISOString());
    // The consents: withdrawn at the instant of the click, for every question the campaigns ask.
    expect(await active(person)).toEqual([]);
    expect(await active(person, new Date(NOW.getTime() + 24 * HOUR))).toEqual([]);
    expect((await consentedToElectronicProspecting(db, [person], NOW)).has(person)).toBe(false);
    expect((await consentedToOpenTracking(db, [person], NOW)).has(person)).toBe(false);
    const withdrawals = (await consentHistory(db, person)).filter((e) => e.state === 'withdrawn');
    expect(withdrawals.map((e) => e.scope).sort()).toEqual(['email_prospecting', 'open_tracking']);
    for (const e of withdrawals) {
      expect(e.channel).toBe(OPT_OUT_CHANNEL);
      expect(e.collector).toBe('system:opt-out');
      expect(e.eventAt.toISOString()).toBe(NOW.toISOString());
      expect(e.partnerId).toBeNull();
      expect(e.recipient).toMatchObject({ kind: 'controller', name: policy.controller.name });
      expect(e.evidence).toMatch(/^one-click opt-out \(RFC 8058\) from solicitation [0-9a-f-]{36}$/);
      // No personal data in the proof.
      expect(e.evidence).not.toMatch(/claire|retrait|gmail/i);
    }
    // The dpo's proof shows the withdrawal.
    for (const scope of ['email_prospecting', 'open_tracking'] as const) {
      const proof = await consentProof(db, policy, person, undefined, NOW, scope);
      expect(proof.activeNow).toBe(false);
      expect(proof.history.map((r) => r.event.state)).toEqual(['given', 'withdrawn']);
      expect(proof.history.at(-1)?.event.channel).toBe(OPT_OUT_CHANNEL);
    }
    // Audited with the write: the consent events and the objection.
    const audit = await auditOf(db, person);
    const consentAudit = audit.filter((e) => e.resource === 'consents' && e.actor === 'system:opt-out');
    expect(consentAudit).toHaveLength(1);
    expect(consentAudit[0]?.action).toBe('create');
    expect([...(consentAudit[0]?.recordIds ?? [])].sort()).toEqual(withdrawals.map((e) => e.id).sort());
    expect(audit.filter((e) => e.resource === 'person_states' && e.actor === 'system:opt-out')).toHaveLength(1);

    // Nothing sent: no mail to the person who just asked for none, no notice to a partner
    // or a recipient (the controller itself is the recipient of these two scopes).
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages).toHaveLength(0);
    expect(await noticeCounts()).toEqual(notices);
  });

  it('R-PROS-5 P5.6 the link in the body works the same way (GET shows the button, its form POSTs) and a second click adds nothing', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const email = 'paul.second@orange.fr';
    const person = await addPerson(db, { source: 'opt-out-body', email });
    await give(person, 'email_prospecting');
    const m = await campaignTo('opt-out-body', email);
    const bodyUrl = optOutUrlOf(m);
    // The body carries the very link of the header.
    expect(m.text).toContain(bodyUrl);
    const page = await app.inject({ method: 'GET', url: new URL(bodyUrl).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect(page.body).toContain('name="List-Unsubscribe" value="One-Click"');
    // In the public layout, French by default, with the switch to the same page in English.
    expect(page.body).toContain('<link rel="stylesheet" href="/public.css">');
    expect(page.body).toContain('<html lang="fr">');
    expect(page.body).toContain(`href="${new URL(bodyUrl).pathname}?lang=en"`);
    expect(page.body).toMatch(/<footer class="pub-footer">[\s\S]*href="\/portal\?lang=fr"[\s\S]*href="\/notice\?lang=fr"/);
    expect(page.body).toContain('<meta name="robots" content="noindex">');
    expect((await app.inject({ method: 'GET', url: `${new URL(bodyUrl).pathname}?lang=en` })).body).toContain('Unsubscribe</button>');
    // A GET (a link scanner) withdraws nothing.
    expect(await active(person)).toEqual(['email_prospecting']);
    expect((await post(bodyUrl)).statusCode).toBe(200);
    expect(await active(person)).toEqual([]);

    const events = (await consentHistory(db, person)).length;
    const audit = (await auditOf(db, person)).filter((e) => e.resource === 'consents').length;
    // Second click, and a third through the other door: no new consent event, no new consent audit.
    expect((await post(bodyUrl)).statusCode).toBe(200);
    const payload = new URL(bodyUrl).pathname.slice('/u/'.length);
    expect(await optOut({ db, key, policy }, payload, new Date(NOW.getTime() + HOUR))).toBe('opted_out');
    expect((await consentHistory(db, person)).length).toBe(events);
    expect((await auditOf(db, person)).filter((e) => e.resource === 'consents').length).toBe(audit);
    expect(await active(person, new Date(NOW.getTime() + 2 * HOUR))).toEqual([]);
    expect(await isOpposed(db, key, { email })).toBe(true);
  });

  it('R-PROS-5 P5.6 a person without consents opts out as before: on the opposition list, no consent record created', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const email = 'sans.consentement@acme-industrie.fr';
    const person = await addPerson(db, { source: 'opt-out-none', email });
    const m = await campaignTo('opt-out-none', email);
    expect((await post(optOutUrlOf(m))).statusCode).toBe(200);
    expect(await isOpposed(db, key, { email, channel: 'email' })).toBe(true);
    expect(await consentHistory(db, person)).toEqual([]);
    // No consent pseudonym made up for someone who never consented.
    expect(await db.selectFrom('consentSubjects').select('id').where('personId', '=', person).execute()).toEqual([]);
    expect((await auditOf(db, person)).filter((e) => e.resource === 'consents')).toEqual([]);
  });

  it('P5.6 R-PROS-5 a consent withdrawn before the click, or only refused, gets no second event', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const email = 'deja.retire@free.fr';
    const person = await addPerson(db, { source: 'opt-out-earlier', email });
    await give(person, 'email_prospecting', new Date(NOW.getTime() - 48 * HOUR));
    await give(person, 'open_tracking', new Date(NOW.getTime() - 48 * HOUR));
    clock = new Date(NOW.getTime() - 24 * HOUR);
    await recordConsent(consentDeps(), { personId: person, scope: 'open_tracking', state: 'withdrawn', channel: 'portal', collector: 'user:test' });
    clock = NOW;
    const m = await campaignTo('opt-out-earlier', email);
    expect((await post(optOutUrlOf(m))).statusCode).toBe(200);
    const history = await consentHistory(db, person);
    expect(history.map((e) => `${e.scope}:${e.state}:${e.channel}`)).toEqual([
      'email_prospecting:given:web_form',
      'open_tracking:given:web_form',
      'open_tracking:withdrawn:portal',
      'email_prospecting:withdrawn:unsubscribe_link',
    ]);
    // A refusal is no consent: nothing to withdraw.
    smtp.messages.length = 0;
    const refusedEmail = 'a.refuse@laposte.net';
    const refused = await addPerson(db, { source: 'opt-out-refused', email: refusedEmail });
    await give(refused, 'email_prospecting');
    clock = new Date(NOW.getTime() - 24 * HOUR);
    await recordConsent(consentDeps(), { personId: refused, scope: 'open_tracking', state: 'refused', channel: 'web_form', collector: 'user:test' });
    clock = NOW;
    const r = await campaignTo('opt-out-refused', refusedEmail);
    expect((await post(optOutUrlOf(r))).statusCode).toBe(200);
    expect((await consentHistory(db, refused)).map((e) => `${e.scope}:${e.state}`)).toEqual(['email_prospecting:given', 'open_tracking:refused', 'email_prospecting:withdrawn']);
  });

  it('P5.6 R-PROS-5 the opposition-list write is the one a rights-request objection makes', async () => {
    const db = store().db;
    const shape = { email: ' Same.Shape@Example.FR ', phone: '06 12 34 56 78' };
    const viaLink = await addPerson(db, { source: 'opt-out-same', ...shape });
    const viaRights = await addPerson(db, { source: 'opt-out-same-rights', email: 'other.shape@example.fr', phone: '07 98 76 54 32' });
    const solicitationId = '0193f0a0-0000-7000-8000-000000000001';
    await db.insertInto('solicitations').values({ id: solicitationId, personId: viaLink, campaignId: null, kind: 'art14_notice', channel: 'email', sentAt: NOW, art14Included: true }).execute();
    expect(await optOut({ db, key, policy }, signToken(key, { action: 'u', solicitationId, link: 0 }), NOW)).toBe('opted_out');
    await objectToProspecting(db, key, viaRights, { now: NOW });
    const rows = async (email: string, phone: string) => {
      const e = oppositionHash(key, 'email', normaliseEmail(email));
      const p = oppositionHash(key, 'phone', normalisePhone(phone) ?? '');
      const found = await db.selectFrom('oppositionList').selectAll().where((eb) => eb.or([eb('emailHash', '=', e), eb('phoneHash', '=', p)])).orderBy('emailHash').execute();
      return found.map((r) => ({ email: r.emailHash === e, phone: r.phoneHash === p, channel: r.channel, createdAt: r.createdAt.toISOString(), keepUntil: r.keepUntil.toISOString() }));
    };
    const a = await rows(shape.email, shape.phone);
    expect(a).toHaveLength(2);
    expect(a).toEqual(await rows('other.shape@example.fr', '07 98 76 54 32'));
    const state = async (id: string) => (await db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', id).executeTakeFirstOrThrow()).objectedProspectingAt?.toISOString();
    expect(await state(viaLink)).toBe(await state(viaRights));
  });

  it('P5.6 R-PROS-5 one transaction: when the consent withdrawal cannot be recorded, the opposition-list write is rolled back too', async () => {
    const db = store().db;
    const email = 'atomique@wanadoo.fr';
    const person = await addPerson(db, { source: 'opt-out-atomic', email });
    await give(person, 'email_prospecting');
    const solicitationId = '0193f0a0-0000-7000-8000-000000000002';
    await db.insertInto('solicitations').values({ id: solicitationId, personId: person, campaignId: null, kind: 'art14_notice', channel: 'email', sentAt: NOW, art14Included: true }).execute();
    const token = signToken(key, { action: 'u', solicitationId, link: 0 });
    // A policy without the prospecting purpose: the 27560 record of the withdrawal cannot be built.
    const broken = { ...policy, purposes: policy.purposes.filter((p) => p.id !== 'prospecting') } as LoadedPolicy;
    await expect(optOut({ db, key, policy: broken }, token, NOW)).rejects.toMatchObject({ code: 'POLICY_INVALID' });
    expect(await isOpposed(db, key, { email })).toBe(false);
    expect(await db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', person).executeTakeFirst()).toBeUndefined();
    expect(await active(person)).toEqual(['email_prospecting']);
    // With the policy as it is, the same click does it all.
    expect(await optOut({ db, key, policy }, token, NOW)).toBe('opted_out');
    expect(await isOpposed(db, key, { email })).toBe(true);
    expect(await active(person)).toEqual([]);
  });
});
