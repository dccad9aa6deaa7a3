import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { buildApp } from '../../app.js';
import { runDailyJobs } from '../../jobs/daily.js';
import type { Database } from '../../db/schema.js';
import { createMailer, type Mailer } from '../../mail/index.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../test/smtp-capture.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { addOpposition, isOpposed } from '../../rights/opposition/index.js';
import { sendRepermissionRequests, type RepermissionLinks } from './repermission.js';
import { contactTerm, deletionDay, inRepermissionWindow } from './term.js';
import { signRepermissionToken, verifyRepermissionToken } from './token.js';

// Collected on 2023-12-26: the 3-year term is 2026-12-26; with a 30-day lead time the
// message may go from 2026-11-26 (the lead-time boundary) to 2026-12-25.
const COLLECTED = '2023-12-26T10:00:00Z';
const TERM = '2026-12-26';
const at = (day: string): Date => new Date(`${day}T04:00:00Z`);

let policy: LoadedPolicy;
let smtp: SmtpCapture;
let mailer: Mailer;
const outbox = mkdtempSync(join(tmpdir(), 'rempart-repermission-'));

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
  smtp = await startSmtpCapture();
  mailer = createMailer({ smtpUrl: smtp.url, outboxDir: outbox });
});
afterAll(async () => {
  mailer.close();
  await smtp.close();
  rmSync(outbox, { recursive: true, force: true });
});

describe('re-permission window', () => {
  it('P4.2 the window opens the day the term is 30 days away and closes the day before the term; an answer window runs after it', () => {
    const rule = { before: 'P30D' };
    expect(inRepermissionWindow('2026-11-25', TERM, rule)).toBe(false);
    expect(inRepermissionWindow('2026-11-26', TERM, rule)).toBe(true);
    expect(inRepermissionWindow('2026-12-25', TERM, rule)).toBe(true);
    expect(inRepermissionWindow(TERM, TERM, rule)).toBe(false);
    const after = { after: 'P15D' };
    expect(inRepermissionWindow('2026-12-25', TERM, after)).toBe(false);
    expect(inRepermissionWindow(TERM, TERM, after)).toBe(true);
    expect(inRepermissionWindow('2027-01-09', TERM, after)).toBe(true);
    expect(inRepermissionWindow('2027-01-10', TERM, after)).toBe(false);
    expect(deletionDay(TERM, rule)).toBe(TERM);
    expect(deletionDay(TERM, after)).toBe('2027-01-10');
  });

  it('P4.2 the link token is opaque and signed: no personal data, altered or foreign tokens refused', () => {
    const key = randomBytes(32);
    const id = randomUUID();
    const token = signRepermissionToken(key, id);
    expect(verifyRepermissionToken(key, token)).toBe(id);
    expect(verifyRepermissionToken(randomBytes(32), token)).toBeNull();
    // A change in the middle (the last base64url character also holds padding bits).
    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    expect(verifyRepermissionToken(key, altered)).toBeNull();
    expect(token).not.toContain(id.replace(/-/g, ''));
  });
});

async function prospect(db: Kysely<Database>, email: string, collectedAt = COLLECTED, purpose: 'prospecting' | 'file_sharing' = 'prospecting'): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('people')
    .values({
      id,
      purpose,
      relation: 'prospect',
      lastName: 'Durand',
      email,
      phones: '[]',
      postalAddresses: JSON.stringify([{ line1: '1 rue de la Paix', postcode: '75002', city: 'Paris', country: 'FR' }]),
      source: 'salon',
      collectedAt,
    })
    .execute();
  return id;
}

describeEachEngine('re-permission', (store) => {
  const key = randomBytes(32);
  const links: RepermissionLinks = { serverKey: key, publicUrl: 'https://crm.certilience.example' };
  let app: FastifyInstance;
  let now = at('2026-11-26');
  const to = (email: string): CapturedMail[] => smtp.messages.filter((m) => m.envelopeTo.includes(email));
  const tokenOf = (m: CapturedMail): string => {
    const match = /https:\/\/crm\.certilience\.example\/rp\/([A-Za-z0-9_-]+)(?!\/stop)\s/.exec(m.text);
    if (!match?.[1]) throw new Error('no yes link');
    return match[1];
  };

  beforeAll(async () => {
    app = await buildApp({ store: store(), policy, now: () => now, mailer, serverKey: key });
  });
  afterAll(async () => app.close());

  it('P4.2 one message at the lead time: none the day before the boundary, one on it, never a second for the same term; objectors and restricted people get none', async () => {
    const db = store().db;
    const anne = `anne.${randomUUID()}@example.fr`;
    const anneId = await prospect(db, anne);
    const shared = `shared.${randomUUID()}@example.fr`;
    await prospect(db, shared, COLLECTED, 'file_sharing');
    const objector = `objector.${randomUUID()}@example.fr`;
    await prospect(db, objector);
    await addOpposition(db, key, { email: objector }, { channel: 'all', now: at('2025-01-01') });
    const restricted = `restricted.${randomUUID()}@example.fr`;
    const restrictedId = await prospect(db, restricted);
    await db.insertInto('personStates').values({ personId: restrictedId, restrictedAt: at('2026-01-01'), restrictionReason: 'accuracy contested' }).execute();
    // Term 2026-11-25: reached on the first run, so never asked (the sweep deletes at the term).
    const late = `late.${randomUUID()}@example.fr`;
    await prospect(db, late, '2023-11-25T10:00:00Z');

    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-11-25'), links)).toEqual({ sent: 0 });
    expect(smtp.messages.filter((m) => [anne, shared].some((e) => m.envelopeTo.includes(e)))).toHaveLength(0);

    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-11-26'), links)).toEqual({ sent: 2 });
    await smtp.waitFor(1);
    const [mail] = to(anne);
    expect(mail).toBeDefined();
    if (!mail) return;
    expect(mail.subject).toContain('continuer à recevoir');
    expect(mail.text).toContain('26 décembre 2026');
    expect(mail.headers['list-unsubscribe']).toMatch(/^<https:\/\/crm\.certilience\.example\/rp\/[A-Za-z0-9_-]+\/stop>$/);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    // No personal data in the links.
    for (const url of mail.text.match(/https:\/\/\S+/g) ?? []) {
      expect(url).not.toContain('anne');
      expect(url).not.toContain(anneId);
    }
    expect(to(shared)).toHaveLength(1);
    expect(to(objector)).toHaveLength(0);
    expect(to(restricted)).toHaveLength(0);
    expect(to(late)).toHaveLength(0);

    // The day after the boundary, and the day before the term: nothing more for the same term.
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-11-27'), links)).toEqual({ sent: 0 });
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-12-25'), links)).toEqual({ sent: 0 });
    expect(to(anne)).toHaveLength(1);
    const rows = await db.selectFrom('repermissionRequests').select(['termAt']).where('personId', '=', anneId).execute();
    expect(rows.map((r) => r.termAt.toISOString())).toEqual([`${TERM}T00:00:00.000Z`]);
  });

  it('P4.2 a missed boundary is caught up the day after it, and a term already reached gets no message', async () => {
    const db = store().db;
    const bob = `bob.${randomUUID()}@example.fr`;
    // Term 2026-12-27: boundary 2026-11-27; the job runs one day after it.
    await prospect(db, bob, '2023-12-27T10:00:00Z');
    const gone = `gone.${randomUUID()}@example.fr`;
    await prospect(db, gone, '2023-11-28T10:00:00Z'); // term 2026-11-28
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-11-28'), links)).toEqual({ sent: 1 });
    expect(to(bob)).toHaveLength(1);
    expect(to(gone)).toHaveLength(0);
  });

  it('P4.2 R-PROS-7 yes restarts the clock: opening the page does not count, the POST does, and the term moves three years on', async () => {
    const db = store().db;
    const cleo = `cleo.${randomUUID()}@example.fr`;
    const cleoId = await prospect(db, cleo, '2023-12-29T10:00:00Z'); // term 2026-12-29
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-12-01'), links)).toEqual({ sent: 1 });
    await smtp.waitFor(1);
    const [mail] = to(cleo);
    if (!mail) throw new Error('no message to cleo');
    const token = tokenOf(mail);

    now = at('2026-12-02');
    const page = await app.inject({ method: 'GET', url: `/rp/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain(`<form method="post" action="${token}/stop?lang=fr">`);
    expect(page.body).toContain('<link rel="stylesheet" href="/public.css">');
    expect(page.body).toMatch(/<footer class="pub-footer">[\s\S]*href="\/portal\?lang=fr"[\s\S]*href="\/notice\?lang=fr"/);
    const person = async () => db.selectFrom('people').select(['collectedAt', 'lastContactAt']).where('id', '=', cleoId).executeTakeFirstOrThrow();
    expect((await person()).lastContactAt).toBeNull();
    expect(contactTerm((await person()).collectedAt, null, 'P3Y')).toBe('2026-12-29');

    const yes = await app.inject({ method: 'POST', url: `/rp/${token}?lang=en` });
    expect(yes.statusCode).toBe(200);
    expect(yes.body).toContain('<html lang="en">');
    expect(yes.body).toContain('Your answer is recorded');
    expect(yes.body).toContain(`<a class="lang-switch" href="/rp/${token}?lang=fr"`);
    const after = await person();
    expect(after.lastContactAt).toEqual(now);
    expect(contactTerm(after.collectedAt, after.lastContactAt, 'P3Y')).toBe('2029-12-02');
    const answered = await db.selectFrom('repermissionRequests').select('answeredAt').where('personId', '=', cleoId).executeTakeFirstOrThrow();
    expect(answered.answeredAt).toEqual(now);

    // A second click changes nothing more; no new message before the new term's lead time.
    now = at('2026-12-10');
    expect((await app.inject({ method: 'POST', url: `/rp/${token}` })).statusCode).toBe(200);
    expect((await person()).lastContactAt).toEqual(at('2026-12-02'));
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-12-28'), links)).toEqual({ sent: 0 });
    expect(await sendRepermissionRequests(db, policy, mailer, at('2029-11-02'), links)).toEqual({ sent: 1 });
    expect(to(cleo)).toHaveLength(2);

    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    expect((await app.inject({ method: 'GET', url: `/rp/${altered}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/rp/not-a-token' })).statusCode).toBe(404);
  });

  it('P4.2 R-PROS-5 the stop link puts the person on the opposition list at once', async () => {
    const db = store().db;
    const dan = `dan.${randomUUID()}@example.fr`;
    const danId = await prospect(db, dan, '2023-12-30T10:00:00Z');
    expect(await sendRepermissionRequests(db, policy, mailer, at('2026-12-01'), links)).toEqual({ sent: 1 });
    await smtp.waitFor(1);
    const [mail] = to(dan);
    if (!mail) throw new Error('no message to dan');
    const stop = /<https:\/\/crm\.certilience\.example(\/rp\/[A-Za-z0-9_-]+\/stop)>/.exec(mail.headers['list-unsubscribe'] ?? '')?.[1];
    expect(stop).toBeDefined();
    const res = await app.inject({ method: 'POST', url: stop ?? '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect(await isOpposed(db, key, { email: dan })).toBe(true);
    const state = await db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', danId).executeTakeFirst();
    expect(state?.objectedProspectingAt).not.toBeNull();
  });

  it('P4.2 the daily job sends the messages due that day, once', async () => {
    const db = store().db;
    const eve = `eve.${randomUUID()}@example.fr`;
    await prospect(db, eve, '2024-01-20T10:00:00Z'); // term 2027-01-20, boundary 2026-12-21
    const extras = { repermission: { policy, mailer, links } };
    expect((await runDailyJobs(db, at('2026-12-20'), key, undefined, extras)).repermissionSent).toBe(0);
    expect((await runDailyJobs(db, at('2026-12-21'), key, undefined, extras)).repermissionSent).toBe(1);
    expect((await runDailyJobs(db, at('2026-12-22'), key, undefined, extras)).repermissionSent).toBe(0);
    expect(to(eve)).toHaveLength(1);
  });
});
