import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { systemActor } from '../../access/actor.js';
import { consentedToElectronicProspecting, consentedToOpenTracking, recordConsent, type ConsentDeps } from '../../consent/index.js';
import type { Mailer } from '../../mail/index.js';
import { createCampaign } from './campaigns.js';
import { countEligible, selectEligible, type GuardDeps } from './guard.js';
import { recordOpen } from './links.js';
import { createSegment } from './segments.js';
import { sendCampaign, type SendDeps } from './send.js';
import { addPerson } from './test-support.js';
import { mailer, policy, smtp, useCampaignMail } from '../../../test/campaign-mail.js';

/**
 * The campaign side of consent to the controller's own electronic prospecting and to open
 * tracking (src/consent, scopes `email_prospecting` and `open_tracking`): the guard and the
 * pixel decision ask the consent records, at the instant of the selection and of each message.
 */
const NOW = new Date('2026-11-26T10:00:00Z');
const HOUR = 3_600_000;
useCampaignMail('rempart-campaign-consent-');

describeEachEngine('campaigns and consent', (store) => {
  const key = randomBytes(32);
  let clock = new Date(NOW.getTime() - 48 * HOUR);
  // No mailer: the consent receipts are the consent module's concern (src/consent/scope.test.ts).
  const consentDeps = (): ConsentDeps => ({ db: store().db, policy, now: () => clock, serverKey: key });
  const guard = (): GuardDeps => ({ db: store().db, policy, key });
  const send = (over: Partial<SendDeps> = {}): SendDeps => ({ ...guard(), mailer, publicUrl: 'https://crm.certilience.example', ...over });
  const give = (personId: string, scope: 'email_prospecting' | 'open_tracking', at: Date) => {
    clock = at;
    return recordConsent(consentDeps(), { personId, scope, state: 'given', channel: 'web_form', collector: 'user:test', evidence: `form submission ${personId.slice(-6)}` });
  };
  const withdraw = (personId: string, scope: 'email_prospecting' | 'open_tracking', at: Date) => {
    clock = at;
    return recordConsent(consentDeps(), { personId, scope, state: 'withdrawn', channel: 'portal', collector: 'user:test' });
  };
  const selected = async (source: string, now = NOW): Promise<string[]> => {
    const out: string[] = [];
    for await (const page of selectEligible(guard(), { criteria: { sources: [source] }, use: 'solicitation', now, pageSize: 2 })) out.push(...page.eligible.map((p) => p.id));
    return out.sort();
  };

  it('R-PROS-6 a personal-domain address is selected only with an active email_prospecting consent, and not after its withdrawal', async () => {
    const db = store().db;
    const src = 'consent-select';
    const pro = await addPerson(db, { source: src, email: 'j.dupont@acme-industrie.fr' });
    const none = await addPerson(db, { source: src, email: 'sans.consentement@gmail.com' });
    const given = await addPerson(db, { source: src, email: 'avec.consentement@orange.fr' });
    const withdrawn = await addPerson(db, { source: src, email: 'retire@free.fr' });
    const refused = await addPerson(db, { source: src, email: 'refus@laposte.net' });
    // A consent to open tracking is not a consent to prospecting.
    const pixelOnly = await addPerson(db, { source: src, email: 'pixel.seul@hotmail.fr' });
    await give(given, 'email_prospecting', new Date(NOW.getTime() - 24 * HOUR));
    await give(withdrawn, 'email_prospecting', new Date(NOW.getTime() - 24 * HOUR));
    await withdraw(withdrawn, 'email_prospecting', new Date(NOW.getTime() - HOUR));
    clock = new Date(NOW.getTime() - 24 * HOUR);
    await recordConsent(consentDeps(), { personId: refused, scope: 'email_prospecting', state: 'refused', channel: 'phone', collector: 'user:test' });
    await give(pixelOnly, 'open_tracking', new Date(NOW.getTime() - 24 * HOUR));

    expect(await selected(src)).toEqual([pro, given].sort());
    const count = await countEligible(guard(), { criteria: { sources: [src] }, use: 'solicitation', now: NOW });
    expect(count).toMatchObject({ eligible: 2, excluded: { personal_email_without_consent: 4 } });
    // Active "at now": two hours earlier the withdrawal had not happened yet; two days earlier no consent existed.
    expect(await selected(src, new Date(NOW.getTime() - 2 * HOUR))).toEqual([pro, given, withdrawn].sort());
    expect(await selected(src, new Date(NOW.getTime() - 30 * HOUR))).toEqual([pro]);
    // The set-based question, over any id list.
    expect([...(await consentedToElectronicProspecting(db, [pro, none, given, withdrawn, refused, pixelOnly], NOW))]).toEqual([given]);
    expect(await consentedToElectronicProspecting(db, [], NOW)).toEqual(new Set());
  });

  it('R-PROS-6 a withdrawal between selection and send: the check before each message skips the person', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const src = 'consent-race';
    const a = await addPerson(db, { source: src, email: 'premiere.personne@gmail.com' });
    const b = await addPerson(db, { source: src, email: 'seconde.personne@gmail.com' });
    const c = await addPerson(db, { source: src, email: 'troisieme.personne@yahoo.fr' });
    for (const id of [a, b, c]) await give(id, 'email_prospecting', new Date(NOW.getTime() - 24 * HOUR));
    const segment = await createSegment(db, { name: 'consent-race', kind: 'prospecting', criteria: { sources: [src] } }, NOW);
    expect((await countEligible(guard(), { criteria: segment.criteria, use: 'solicitation', now: NOW })).eligible).toBe(3);
    // While the campaign goes out, b withdraws (one step, through the consent command) right after the first message left.
    let withdrew = false;
    const racing: Mailer = {
      ...mailer,
      async send(message) {
        const r = await mailer.send(message);
        if (!withdrew) {
          withdrew = true;
          await withdraw(b, 'email_prospecting', NOW);
        }
        return r;
      },
    };
    const campaign = await createCampaign(db, { name: 'consent race', segmentId: segment.id, subject: 'Offre', body: 'Bonjour.' }, NOW);
    const report = await sendCampaign(send({ mailer: racing }), campaign.id, { actor: systemActor('test'), now: NOW });
    expect(report).toMatchObject({ sent: 2, stoppedAtSend: 1, failed: 0 });
    await smtp.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.messages.flatMap((m) => m.envelopeTo).sort()).toEqual(['premiere.personne@gmail.com', 'troisieme.personne@yahoo.fr']);
    const logged = await db.selectFrom('solicitations').select('personId').where('campaignId', '=', campaign.id).execute();
    expect(logged.map((r) => r.personId).sort()).toEqual([a, c].sort());
  });

  it('R-PROS-10 R-PROS-7 a pixel only with an active open_tracking consent; an open is noted and never counts as a contact', async () => {
    smtp.messages.length = 0;
    const db = store().db;
    const src = 'consent-pixel';
    const tracked = await addPerson(db, { source: src, email: 'suivi@acme-conseil.fr' });
    const plain = await addPerson(db, { source: src, email: 'sans.suivi@acme-conseil.fr' });
    const stopped = await addPerson(db, { source: src, email: 'suivi.retire@acme-conseil.fr' });
    // Consent to prospecting is not consent to the pixel.
    const prospectingOnly = await addPerson(db, { source: src, email: 'prospection.seule@gmail.com' });
    await give(tracked, 'open_tracking', new Date(NOW.getTime() - 24 * HOUR));
    await give(stopped, 'open_tracking', new Date(NOW.getTime() - 24 * HOUR));
    await withdraw(stopped, 'open_tracking', new Date(NOW.getTime() - HOUR));
    await give(prospectingOnly, 'email_prospecting', new Date(NOW.getTime() - 24 * HOUR));
    expect([...(await consentedToOpenTracking(db, [tracked, plain, stopped, prospectingOnly], NOW))]).toEqual([tracked]);

    const segment = await createSegment(db, { name: 'consent-pixel', kind: 'promotion', criteria: { sources: [src] } }, NOW);
    const campaign = await createCampaign(db, { name: 'pixel', segmentId: segment.id, subject: 'Nouveautés', body: 'Bonjour.', trackOpens: true }, NOW);
    const report = await sendCampaign(send(), campaign.id, { actor: systemActor('test'), now: NOW });
    expect(report).toMatchObject({ sent: 4, failed: 0 });
    await smtp.waitFor(4);
    const html = (email: string): string => smtp.messages.find((m) => m.envelopeTo.includes(email))?.html ?? '';
    const pixelToken = /<img src="https:\/\/crm\.certilience\.example\/o\/([A-Za-z0-9_-]+)"/.exec(html('suivi@acme-conseil.fr'))?.[1];
    expect(pixelToken).toBeDefined();
    for (const email of ['sans.suivi@acme-conseil.fr', 'suivi.retire@acme-conseil.fr', 'prospection.seule@gmail.com']) {
      expect(html(email)).not.toMatch(/<img/i);
      expect(html(email)).not.toContain('/o/');
    }

    // R-PROS-7: the open is noted on the message, and the person's last contact does not move.
    const later = new Date(NOW.getTime() + HOUR);
    expect(await recordOpen({ db, key }, pixelToken ?? '', later)).toBe(true);
    const message = await db.selectFrom('solicitations').select(['openedAt', 'clickedAt']).where('campaignId', '=', campaign.id).where('personId', '=', tracked).executeTakeFirstOrThrow();
    expect(message.openedAt?.toISOString()).toBe(later.toISOString());
    expect(message.clickedAt).toBeNull();
    const person = await db.selectFrom('people').select('lastContactAt').where('id', '=', tracked).executeTakeFirstOrThrow();
    expect(person.lastContactAt).toBeNull();

    // A campaign that does not ask for the pixel sends none, consent or not.
    smtp.messages.length = 0;
    const quiet = await createCampaign(db, { name: 'no pixel', segmentId: segment.id, subject: 'Sans pixel', body: 'Bonjour.' }, NOW);
    expect(await sendCampaign(send(), quiet.id, { actor: systemActor('test'), now: NOW })).toMatchObject({ sent: 4 });
    await smtp.waitFor(4);
    expect(html('suivi@acme-conseil.fr')).not.toMatch(/<img/i);
  });
});
