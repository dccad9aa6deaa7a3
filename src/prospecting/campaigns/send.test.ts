import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { systemActor } from '../../access/actor.js';
import { createToken } from '../../access/auth/index.js';
import { buildApp } from '../../app.js';
import type { Mailer } from '../../mail/index.js';
import type { CapturedMail } from '../../../test/smtp-capture.js';
import { addOpposition, isOpposed, objectToProspecting } from '../../rights/opposition/index.js';
import { createCampaign } from './campaigns.js';
import { createSegment } from './segments.js';
import { ART14_NOTICE_AFTER_DAYS, messageUrls, sendArt14Notices, sendCampaign, type SendDeps } from './send.js';
import { countEligible } from './guard.js';
import { addPerson } from './test-support.js';
import { mailer, policy, smtp, useCampaignMail } from '../../../test/campaign-mail.js';
import { runDailyJobs } from '../../jobs/daily.js';

const NOW = new Date('2026-11-26T10:00:00Z');
const DAY = 86_400_000;
useCampaignMail('rempart-campaigns-');

const pathOf = (url: string): string => new URL(url).pathname;
const to = (email: string): CapturedMail => {
  const m = smtp.messages.find((x) => x.envelopeTo.includes(email));
  if (!m) throw new Error('no message to this address');
  return m;
};

describeEachEngine('campaign sending', (store) => {
  const key = randomBytes(32);
  let app: FastifyInstance;
  let auth: Record<string, string>;
  const deps = (over: Partial<SendDeps> = {}): SendDeps => ({ db: store().db, policy, key, mailer, publicUrl: 'https://crm.certilience.example', optOutMailto: 'desinscription@certilience.example', ...over });

  beforeAll(async () => {
    app = await buildApp({ store: store(), policy, now: () => NOW, mailer, serverKey: key, publicUrl: 'https://crm.certilience.example' });
    auth = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'marketing', name: 'campaign tests' })).token}` };
  });
  afterAll(async () => app.close());

  it('R-PROS-5 R-PROS-10 R-PROS-11 R-PROS-7 a campaign over the API: sender identity, RFC 8058 headers, one-click POST to the opposition list, Art. 14 in the first message to an imported person, no pixel, clicks count and opens do not', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const src = 'api-campaign';
    const prospect = await addPerson(db, { source: src, email: 'claire.martin@acme-industrie.fr', relation: 'prospect', collectedAt: new Date('2026-11-20T09:00:00Z') });
    const client = await addPerson(db, { source: src, email: 'paul.durand@client.fr', relation: 'client_contact' });

    const seg = await app.inject({ method: 'POST', url: '/api/v1/segments', headers: auth, payload: { name: 'Salon', kind: 'promotion', criteria: { sources: [src] } } });
    expect(seg.statusCode, seg.body).toBe(201);
    const preview = await app.inject({ method: 'GET', url: `/api/v1/segments/${seg.json<{ id: string }>().id}/preview`, headers: auth });
    expect(preview.json()).toMatchObject({ eligible: 2 });
    const camp = await app.inject({
      method: 'POST',
      url: '/api/v1/campaigns',
      headers: auth,
      payload: { name: 'Offre audit', segmentId: seg.json<{ id: string }>().id, subject: 'Notre offre d’audit', body: 'Bonjour {{firstName}},\n\nDécouvrez notre offre : https://www.certilience.example/offre-audit.', trackOpens: true },
    });
    expect(camp.statusCode, camp.body).toBe(201);
    const campaignId = camp.json<{ id: string }>().id;
    const sent = await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/send`, headers: auth, payload: {} });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ sent: 2, withArt14: 1, failed: 0, stoppedAtSend: 0 });
    await smtp.waitFor(2);

    for (const email of ['claire.martin@acme-industrie.fr', 'paul.durand@client.fr']) {
      const m = to(email);
      // R-PROS-5: who sends, and the opt-out in the headers (RFC 8058 §3.1) and the body.
      expect(m.headers.from).toContain('CERTILIENCE');
      // The links point at the configured public URL (AppOptions.publicUrl), never the request's host.
      expect(m.headers['list-unsubscribe']).toMatch(/^<https:\/\/crm\.certilience\.example\/u\/[A-Za-z0-9_-]{40,60}>$/);
      expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
      const optOutUrl = /<(http[^>]+)>/.exec(m.headers['list-unsubscribe'] ?? '')?.[1] ?? '';
      expect(m.text).toContain(optOutUrl);
      expect(m.html).toContain(optOutUrl);
      expect(m.text).toContain('Ce message vous est adressé par CERTILIENCE');
      // The footer's link to the privacy portal carries nothing that names the person (issue 15).
      expect(m.text).toMatch(/Vos données et vos droits .*: https?:\/\/[^\s]+\/portal\s/);
      // No personal data in any URL of the message.
      for (const url of [...m.text.matchAll(/https?:\/\/\S+/g)].map((x) => x[0])) {
        expect(url).not.toMatch(/claire|martin|paul|durand|acme|client\.fr/i);
        expect(url).not.toContain(prospect);
      }
      // R-PROS-10: no open pixel without consent (none recorded here), whatever the campaign asked.
      expect(m.html).not.toMatch(/<img/i);
      expect(m.html).not.toContain('/o/');
      // The tracked link replaces the raw one.
      expect(m.text).not.toContain('https://www.certilience.example/offre-audit');
      expect(m.text).toMatch(/https:\/\/crm\.certilience\.example\/c\/[A-Za-z0-9_-]+/);
      expect(m.text).not.toContain('localhost');
    }
    // R-PROS-11: the imported person's first message carries the Art. 14 information; the client contact's does not.
    const art14 = to('claire.martin@acme-industrie.fr').text;
    expect(art14).toContain('RGPD, article 14');
    expect(art14).toContain(`Origine de vos données : ${src}`);
    expect(art14).toContain('Intérêt légitime');
    expect(art14).toContain("Droit d'opposition");
    expect(art14).toMatch(/vous opposer à tout moment/);
    expect(art14).toContain('CNIL');
    expect(art14).toContain('3 ans à compter de la collecte ou du dernier contact');
    expect(to('claire.martin@acme-industrie.fr').text).toContain('Bonjour Claire,');
    expect(to('paul.durand@client.fr').text).not.toContain('article 14');

    // Every solicitation logged: person, campaign, channel, time; never the body.
    const log = await db.selectFrom('solicitations').selectAll().where('campaignId', '=', campaignId).orderBy('personId').execute();
    expect(log.map((r) => r.personId).sort()).toEqual([prospect, client].sort());
    for (const r of log) {
      expect(Object.keys(r).sort()).toEqual(['art14Included', 'campaignId', 'channel', 'clickedAt', 'id', 'kind', 'openedAt', 'personId', 'sentAt']);
      expect(r.channel).toBe('email');
      expect(r.sentAt.toISOString()).toBe(NOW.toISOString());
      expect(r.art14Included).toBe(r.personId === prospect);
    }
    // Sending twice is refused.
    expect((await app.inject({ method: 'POST', url: `/api/v1/campaigns/${campaignId}/send`, headers: auth, payload: {} })).statusCode).toBe(409);

    // R-PROS-7: a click redirects and counts as the person's contact.
    const clickPath = pathOf(/https?:\/\/\S+\/c\/[A-Za-z0-9_-]+/.exec(to('claire.martin@acme-industrie.fr').text)?.[0] ?? '');
    const click = await app.inject({ method: 'GET', url: clickPath });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://www.certilience.example/offre-audit');
    const afterClick = await db.selectFrom('people').select('lastContactAt').where('id', '=', prospect).executeTakeFirstOrThrow();
    expect(afterClick.lastContactAt?.toISOString()).toBe(NOW.toISOString());
    // R-PROS-10: an open (pixel) is noted on the message and never counts as a contact.
    const paulLog = log.find((r) => r.personId === client);
    const pixel = pathOf(messageUrls({ key, publicUrl: 'http://x' }, paulLog?.id ?? '').pixelUrl);
    const open = await app.inject({ method: 'GET', url: pixel });
    expect(open.headers['content-type']).toBe('image/gif');
    const paul = await db.selectFrom('people').select('lastContactAt').where('id', '=', client).executeTakeFirstOrThrow();
    expect(paul.lastContactAt).toBeNull();
    expect((await db.selectFrom('solicitations').select('openedAt').where('id', '=', paulLog?.id ?? '').executeTakeFirstOrThrow()).openedAt).not.toBeNull();
    // An altered token leads nowhere.
    expect((await app.inject({ method: 'GET', url: `${clickPath.slice(0, -2)}AA` })).statusCode).toBe(404);

    // R-PROS-5: GET shows a button (link scanners must not unsubscribe anyone); the one-click POST writes to the opposition list at once.
    const optOutPath = pathOf(/<(http[^>]+)>/.exec(to('paul.durand@client.fr').headers['list-unsubscribe'] ?? '')?.[1] ?? '');
    const get = await app.inject({ method: 'GET', url: optOutPath });
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('<form method="post"');
    expect(await isOpposed(db, key, { email: 'paul.durand@client.fr' })).toBe(false);
    const post = await app.inject({ method: 'POST', url: optOutPath, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(post.statusCode).toBe(200);
    expect(await isOpposed(db, key, { email: 'paul.durand@client.fr', channel: 'email' })).toBe(true);
    const state = await db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', client).executeTakeFirstOrThrow();
    expect(state.objectedProspectingAt?.toISOString()).toBe(NOW.toISOString());
    const again = await countEligible({ db, policy, key }, { criteria: { sources: [src] }, use: 'solicitation', now: NOW });
    expect(again.eligible).toBe(1);
    expect(again.excluded.objected).toBe(1);
  });

  it('R-PROS-4 R-PROS-3 the guard runs again at send: an objection recorded after selection stops the message', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const src = 'send-time';
    const a = await addPerson(db, { source: src, email: 'a.premier@acme.fr' });
    const b = await addPerson(db, { source: src, email: 'b.second@acme.fr' });
    const c = await addPerson(db, { source: src, email: 'c.troisieme@acme.fr' });
    const segment = await createSegment(db, { name: 'send-time', kind: 'prospecting', criteria: { sources: [src] } }, NOW);
    // Selected: all three.
    expect((await countEligible({ db, policy, key }, { criteria: segment.criteria, use: 'solicitation', now: NOW })).eligible).toBe(3);
    // Between selection and send, c's address goes on the opposition list.
    await addOpposition(db, key, { email: 'c.troisieme@acme.fr' }, { channel: 'all', now: NOW });
    // While the campaign goes out, b objects right after the first message left.
    let objected = false;
    const racing: Mailer = {
      ...mailer,
      async send(message) {
        const r = await mailer.send(message);
        if (!objected) {
          objected = true;
          await objectToProspecting(db, key, b, { now: NOW });
        }
        return r;
      },
    };
    const campaign = await createCampaign(db, { name: 'race', segmentId: segment.id, subject: 'Offre', body: 'Bonjour.' }, NOW);
    const report = await sendCampaign(deps({ mailer: racing }), campaign.id, { actor: systemActor('test'), now: NOW });
    expect(report).toMatchObject({ sent: 1, stoppedAtSend: 1, failed: 0 });
    expect(report.excluded.opposition_list).toBe(1);
    await smtp.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages.flatMap((m) => m.envelopeTo)).toEqual(['a.premier@acme.fr']);
    const logged = await db.selectFrom('solicitations').select('personId').where('campaignId', '=', campaign.id).execute();
    expect(logged.map((r) => r.personId)).toEqual([a]);
    expect(logged.map((r) => r.personId)).not.toContain(c);
    // The mailto alternative is in the header when an address is configured.
    expect(smtp.messages[0]?.headers['list-unsubscribe']).toMatch(/^<https:\/\/crm\.certilience\.example\/u\/[A-Za-z0-9_-]+>, <mailto:desinscription@certilience\.example\?subject=unsubscribe>$/);
  });

  it('R-PROS-4 a dry run sends nothing and logs nothing', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    await addPerson(db, { source: 'dry' });
    const segment = await createSegment(db, { name: 'dry', kind: 'study', criteria: { sources: ['dry'] } }, NOW);
    const campaign = await createCampaign(db, { name: 'dry', segmentId: segment.id, subject: 'Étude', body: 'Bonjour.' }, NOW);
    const report = await sendCampaign(deps(), campaign.id, { actor: systemActor('test'), now: NOW, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, sent: 1, withArt14: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages).toHaveLength(0);
    expect(await db.selectFrom('solicitations').select('id').where('campaignId', '=', campaign.id).execute()).toHaveLength(0);
  });

  it('R-PROS-11 imported people not yet informed get the Art. 14 information on their own within one month of collection, once', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const src = 'art14-job';
    const old = await addPerson(db, { source: src, email: 'ancien@prospect.fr', collectedAt: new Date(NOW.getTime() - (ART14_NOTICE_AFTER_DAYS + 2) * DAY) });
    const personal = await addPerson(db, { source: src, email: 'prive@gmail.com', collectedAt: new Date(NOW.getTime() - 28 * DAY) });
    const recent = await addPerson(db, { source: src, email: 'recent@prospect.fr', collectedAt: new Date(NOW.getTime() - 5 * DAY) });
    const client = await addPerson(db, { source: src, email: 'client@prospect.fr', relation: 'client_contact', collectedAt: new Date(NOW.getTime() - 60 * DAY) });
    const objector = await addPerson(db, { source: src, email: 'refus@prospect.fr', collectedAt: new Date(NOW.getTime() - 25 * DAY) });
    await objectToProspecting(db, key, objector, { now: NOW });
    const mine = [old, personal, recent, client, objector];
    const before = await db.selectFrom('solicitations').select('personId').where('art14Included', '=', true).execute();
    const report = await sendArt14Notices(deps(), { now: NOW, actor: systemActor('art14') });
    const after = await db.selectFrom('solicitations').select(['personId', 'kind']).where('art14Included', '=', true).execute();
    const fresh = after.filter((r) => !before.some((b) => b.personId === r.personId));
    // The personal address gets it too: informing is an obligation, not prospecting (no L34-5 consent needed).
    expect(fresh.filter((r) => mine.includes(r.personId)).map((r) => r.personId).sort()).toEqual([old, personal].sort());
    expect(fresh.every((r) => r.kind === 'art14_notice')).toBe(true);
    expect(report.sent).toBe(fresh.length);
    expect(report.excluded.objected).toBeGreaterThanOrEqual(1);
    await smtp.waitFor(fresh.length);
    const m = to('ancien@prospect.fr');
    expect(m.subject).toContain('CERTILIENCE');
    expect(m.text).toContain('RGPD, article 14');
    expect(m.text).toContain(`Origine de vos données : ${src}`);
    expect(m.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(smtp.messages.flatMap((x) => x.envelopeTo)).not.toContain('refus@prospect.fr');
    expect(smtp.messages.flatMap((x) => x.envelopeTo)).not.toContain('recent@prospect.fr');
    // Once: the next day's run sends nothing to them again.
    smtp.messages.length = 0;
    const second = await sendArt14Notices(deps(), { now: new Date(NOW.getTime() + DAY), actor: systemActor('art14') });
    expect(second.sent).toBe(0);
  });

  it('R-PROS-11 the daily jobs send the Art. 14 notices', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    await addPerson(db, { source: 'daily', email: 'quotidien@prospect.fr', collectedAt: new Date(NOW.getTime() - 25 * DAY) });
    const report = await runDailyJobs(db, NOW, key, undefined, { art14: { policy, key, mailer, publicUrl: 'https://crm.certilience.example' } });
    expect(report.art14NoticesSent).toBeGreaterThanOrEqual(1);
    await smtp.waitFor(report.art14NoticesSent ?? 1);
    expect(to('quotidien@prospect.fr').text).toContain('RGPD, article 14');
    expect((await runDailyJobs(db, NOW, key, undefined, { art14: { policy, key, mailer, publicUrl: 'https://crm.certilience.example' } })).art14NoticesSent).toBe(0);
  });

  it('R-PROS-4 two sends of one campaign at once give each person one message', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    for (let i = 0; i < 3; i++) await addPerson(db, { source: 'twice', email: `twice${i}@acme.fr`, relation: 'client_contact' });
    const segment = await createSegment(db, { name: 'twice', kind: 'loyalty', criteria: { sources: ['twice'] } }, NOW);
    const campaign = await createCampaign(db, { name: 'twice', segmentId: segment.id, subject: 'Fidélité', body: 'Merci.' }, NOW);
    const [r1, r2] = await Promise.all([
      sendCampaign(deps(), campaign.id, { actor: systemActor('test'), now: NOW }),
      sendCampaign(deps(), campaign.id, { actor: systemActor('test'), now: NOW }),
    ]);
    expect(r1.sent + r2.sent).toBe(3);
    expect(r1.alreadySent + r2.alreadySent).toBe(3);
    await smtp.waitFor(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages.flatMap((m) => m.envelopeTo).sort()).toEqual(['twice0@acme.fr', 'twice1@acme.fr', 'twice2@acme.fr']);
  });
});
