import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { hashIdentifier } from '../../access/connection-logs/index.js';
import { newId } from '../../db/ids.js';
import { createMailer, type Mailer } from '../../mail/index.js';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../../../test/smtp-capture.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import {
  MAX_CODE_ATTEMPTS,
  answerRequest,
  attachIdDocument,
  extendRequest,
  getRequest,
  listRequests,
  openRequest,
  recordDoubt,
  refuseRequest,
  subjectHash,
  verifyRequest,
  withdrawRequest,
  type RequestDeps,
  type RightExecutor,
} from './index.js';

const KEY = Buffer.alloc(32, 9);
const CLIENT = { sourceIp: '203.0.113.20', sourcePort: 40000, userAgent: 'vitest', service: 'portal' };
const CNIL = ['8 rue Vivienne, CS 30223, F-75002 Paris Cedex 02', '+33 1 53 73 22 22', 'www.cnil.fr'];
const PDF = Buffer.from('%PDF-1.4\n% fake identity card\n');

let policy: LoadedPolicy;
let smtp: SmtpCapture;
let mailer: Mailer;
let dataDir: string;
let clock: Date;

beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

describeEachEngine('rights requests', (store) => {
  // One SMTP server and data dir per engine, so each suite counts only its own messages.
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    dataDir = mkdtempSync(join(tmpdir(), 'rempart-requests-'));
    mailer = createMailer({ smtpUrl: smtp.url, outboxDir: join(dataDir, 'outbox') });
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const deps = (): RequestDeps => ({ db: store().db, policy, now: () => clock, mailer, serverKey: KEY, dataDir });

  /** The last message that reached the address. */
  async function lastMailTo(address: string, count = 1): Promise<CapturedMail> {
    const start = Date.now();
    for (;;) {
      const got = smtp.messages.filter((m) => m.envelopeTo.includes(address));
      if (got.length >= count) return got[got.length - 1] as CapturedMail;
      if (Date.now() - start > 5000) throw new Error(`no message #${count} to the address`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  const codeIn = (mail: CapturedMail): string => /^(\d{6})$/m.exec(mail.text)?.[1] ?? 'none';

  async function seedPerson(email: string): Promise<string> {
    const id = newId();
    await store()
      .db.insertInto('people')
      .values({ id, relation: 'client_contact', lastName: 'Martin', firstName: 'Jeanne', email, phones: [], postalAddresses: [], source: 'test', collectedAt: clock })
      .execute();
    return id;
  }

  /** Opens and verifies a request; returns its id. */
  async function verified(email: string, type: 'access' | 'erasure' = 'access', language: 'fr' | 'en' = 'fr'): Promise<string> {
    const before = smtp.messages.filter((m) => m.envelopeTo.includes(email)).length;
    const { id } = await openRequest(deps(), { type, email, language, channel: 'portal' });
    await verifyRequest(deps(), id, codeIn(await lastMailTo(email, before + 1)), CLIENT);
    await lastMailTo(email, before + 2);
    return id;
  }

  beforeEach(() => {
    clock = new Date('2026-11-26T10:00:00Z');
  });

  it('P5 D3 opening: the same answer and the same mail for a known and an unknown email; the person matched silently; the code stored hashed; the notice version in force recorded', async () => {
    const personId = await seedPerson('jeanne.martin@example.fr');
    const known = await openRequest(deps(), { type: 'access', email: '  Jeanne.Martin@Example.FR ', language: 'fr', channel: 'portal' });
    const unknown = await openRequest(deps(), { type: 'access', email: 'nobody.here@example.fr', language: 'fr', channel: 'portal' });
    expect(Object.keys(known).sort()).toEqual(Object.keys(unknown).sort());
    expect({ ...known, id: 'x' }).toEqual({ ...unknown, id: 'x' });

    const a = await lastMailTo('jeanne.martin@example.fr');
    const b = await lastMailTo('nobody.here@example.fr');
    expect(a.subject).toBe('CERTILIENCE : code de vérification de votre demande');
    expect(a.subject).toBe(b.subject);
    expect(a.text.replace(/\d{6}/, 'CODE')).toBe(b.text.replace(/\d{6}/, 'CODE'));
    expect(codeIn(a)).toMatch(/^\d{6}$/);
    expect(a.text).toContain("droit d'accès");
    expect(a.text).toContain('30 minutes');

    const rowKnown = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', known.id).executeTakeFirstOrThrow();
    const rowUnknown = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', unknown.id).executeTakeFirstOrThrow();
    expect(rowKnown.personId).toBe(personId);
    expect(rowUnknown.personId).toBeNull();
    expect(rowKnown.contactEmail).toBe('jeanne.martin@example.fr');
    expect(rowKnown.state).toBe('identity_pending');
    expect(rowKnown.dueAt).toBe('2026-12-28'); // 26 Dec 2026 is a Saturday
    expect(rowKnown.noticeVersion).toBe(policy.version.hash);
    expect(rowKnown.identityCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rowKnown.identityCodeHash).not.toContain(codeIn(a));
    expect(rowKnown.codeExpiresAt?.toISOString()).toBe('2026-11-26T10:30:00.000Z');
  });

  it('P1.7 every identity check is written to the connection logs with its outcome; success sends the acknowledgement with the due date (fr)', async () => {
    const email = 'paul.durand@example.fr';
    const { id } = await openRequest(deps(), { type: 'erasure', email, language: 'fr', channel: 'portal' });
    const code = codeIn(await lastMailTo(email));
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(verifyRequest(deps(), id, wrong, CLIENT)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const ok = await verifyRequest(deps(), id, code, CLIENT);
    expect(ok).toEqual({ id, state: 'in_progress', dueAt: '2026-12-28' });

    const logs = await store()
      .db.selectFrom('connectionLogs')
      .selectAll()
      .where('event', '=', 'identity_check')
      .where('identifierHash', '=', hashIdentifier(email, KEY))
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(logs.map((l) => [l.outcome, l.reason])).toEqual([
      ['failure', 'bad_code'],
      ['success', null],
    ]);
    expect(logs[0]).toMatchObject({ service: 'portal', sourceIp: '203.0.113.20', sourcePort: 40000, userAgent: 'vitest', accountId: null });
    expect(JSON.stringify(logs)).not.toContain(email);

    const ack = await lastMailTo(email, 2);
    expect(ack.subject).toBe('CERTILIENCE : nous avons bien reçu votre demande');
    expect(ack.text).toContain("droit à l'effacement");
    expect(ack.text).toContain('le 26 novembre 2026');
    expect(ack.text).toContain('au plus tard le 28 décembre 2026');
    expect(ack.text).toContain(id);
    for (const fact of CNIL) expect(ack.text).toContain(fact);
  });

  it('P5 the acknowledgement in English', async () => {
    const id = await verified('john.smith@example.com', 'access', 'en');
    const ack = await lastMailTo('john.smith@example.com', 2);
    expect(ack.subject).toBe('CERTILIENCE: we have received your request');
    expect(ack.text).toContain('right of access (GDPR Art. 15)');
    expect(ack.text).toContain('by 28 December 2026 at the latest');
    expect(ack.headers['content-language']).toBe('en');
    expect((await getRequest(store().db, id, clock)).state).toBe('in_progress');
  });

  it('P5 the code expires after 30 minutes and is then void', async () => {
    const email = 'late.reader@example.fr';
    const { id } = await openRequest(deps(), { type: 'access', email, language: 'fr', channel: 'email' });
    const code = codeIn(await lastMailTo(email));
    clock = new Date('2026-11-26T10:30:00Z');
    await expect(verifyRequest(deps(), id, code, CLIENT)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/expired/) });
    clock = new Date('2026-11-26T10:29:00Z'); // even back in time, the code is gone
    await expect(verifyRequest(deps(), id, code, CLIENT)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const row = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.identityCodeHash).toBeNull();
    expect(row.state).toBe('identity_pending');
  });

  it(`P5 at most ${MAX_CODE_ATTEMPTS} attempts: after ${MAX_CODE_ATTEMPTS} wrong codes even the right one is refused`, async () => {
    const email = 'guesser@example.fr';
    const { id } = await openRequest(deps(), { type: 'access', email, language: 'fr', channel: 'portal' });
    const code = codeIn(await lastMailTo(email));
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) {
      await expect(verifyRequest(deps(), id, wrong, CLIENT)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    // The locked request says why (the portal shows it beside the code field), still refusing the right code.
    await expect(verifyRequest(deps(), id, code, CLIENT)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/Too many wrong codes/) });
    const reasons = await store()
      .db.selectFrom('connectionLogs')
      .select(['reason', 'outcome'])
      .where('identifierHash', '=', hashIdentifier(email, KEY))
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual([...Array(MAX_CODE_ATTEMPTS).fill('bad_code'), 'too_many_attempts']);
    expect(reasons.every((r) => r.outcome === 'failure')).toBe(true);
  });

  it('P5 an unknown request id answers NOT_FOUND and is still logged', async () => {
    await expect(verifyRequest(deps(), newId(), '123456', CLIENT)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const row = await store().db.selectFrom('connectionLogs').selectAll().where('reason', '=', 'unknown_request').executeTakeFirst();
    expect(row?.outcome).toBe('failure');
  });

  it('P5 extension: only before the first deadline, once, with its reason and the new date mailed (fr)', async () => {
    const email = 'complex.case@example.fr';
    const id = await verified(email);
    await expect(extendRequest(deps(), id, '   ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    clock = new Date('2026-12-28T22:59:00Z'); // 23:59 in Paris on the last day
    const row = await extendRequest(deps(), id, 'Vos données sont réparties dans douze systèmes.');
    expect(row).toMatchObject({ state: 'extended', extendedDueAt: '2027-02-26', extensionReason: 'Vos données sont réparties dans douze systèmes.' });
    const notice = await lastMailTo(email, 3);
    expect(notice.subject).toBe('CERTILIENCE : le délai de réponse à votre demande est prolongé');
    expect(notice.text).toContain("d'ici le 28 décembre 2026");
    expect(notice.text).toContain('au plus tard le 26 février 2027');
    expect(notice.text).toContain('Motif : Vos données sont réparties dans douze systèmes.');
    expect(notice.text).toContain('12(3)');
    for (const fact of CNIL) expect(notice.text).toContain(fact);
    await expect(extendRequest(deps(), id, 'again')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await getRequest(store().db, id, clock)).effectiveDueAt).toBe('2027-02-26');
  });

  it('P5 no extension once the first deadline has passed (Art. 12(3)), and the person is not told one', async () => {
    const email = 'too.late@example.fr';
    const id = await verified(email);
    clock = new Date('2026-12-28T23:00:00Z'); // 00:00 in Paris on 29 December
    await expect(extendRequest(deps(), id, 'complex')).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/Art\. 12\(3\)/) });
    expect(smtp.messages.filter((m) => m.envelopeTo.includes(email))).toHaveLength(2);
    expect((await getRequest(store().db, id, clock)).state).toBe('in_progress');
  });

  it('P5.7 a refusal needs a reason and its mail carries the reason and the CNIL (fr and en); only the hash is left', async () => {
    for (const language of ['fr', 'en'] as const) {
      const email = `refused.${language}@example.fr`;
      const id = await verified(email, 'erasure', language);
      await expect(refuseRequest(deps(), id, '')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await refuseRequest(deps(), id, 'Invoices are kept 10 years (Code de commerce L123-22).');
      const mail = await lastMailTo(email, 3);
      expect(mail.subject).toBe(
        language === 'fr' ? 'CERTILIENCE : nous ne pouvons pas donner suite à votre demande' : 'CERTILIENCE: we cannot act on your request',
      );
      expect(mail.text).toContain(`${language === 'fr' ? 'Motif : ' : 'Reason: '}Invoices are kept 10 years (Code de commerce L123-22).`);
      expect(mail.text).toContain(language === 'fr' ? 'réclamation auprès de la CNIL' : 'complaint with the CNIL');
      expect(mail.text).toContain(language === 'fr' ? 'recours juridictionnel' : 'judicial remedy');
      for (const fact of CNIL) expect(mail.text).toContain(fact);
      const row = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ state: 'refused', contactEmail: null, personId: null, subjectHash: subjectHash(email, KEY) });
    }
  });

  it('P5 the database refuses a refusal without a reason and a closed request that still identifies the person', async () => {
    const id = await verified('constraint@example.fr');
    const db = store().db;
    await expect(db.updateTable('rightsRequests').set({ state: 'refused' }).where('id', '=', id).execute()).rejects.toThrow();
    await expect(
      db.updateTable('rightsRequests').set({ state: 'answered', closedAt: clock, subjectHash: 'a'.repeat(64) }).where('id', '=', id).execute(),
    ).rejects.toThrow(/rights_requests_closed_minimal/);
  });

  it('P5 answering runs the handler, mails its summary and files with the CNIL text, then keeps only the keyed hash', async () => {
    const email = 'answer.me@example.fr';
    const personId = await seedPerson(email);
    const id = await verified(email, 'access', 'en');
    await store().db.updateTable('rightsRequests').set({ details: JSON.stringify({ note: 'all of it' }) }).where('id', '=', id).execute();
    const calls: unknown[] = [];
    const executor: RightExecutor = async (type, pid, ctx) => {
      calls.push([type, pid, ctx.requestId, ctx.language, ctx.details]);
      return { summary: 'Your data is in the attached file.', attachments: [{ filename: 'export.json', content: Buffer.from('{"email":"x"}') }] };
    };
    await answerRequest(deps(), id, executor);
    expect(calls).toEqual([['access', personId, id, 'en', { note: 'all of it' }]]);
    const mail = await lastMailTo(email, 3);
    expect(mail.subject).toBe('CERTILIENCE: our answer to your request');
    expect(mail.text).toContain('Your data is in the attached file.');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['export.json']);
    for (const fact of CNIL) expect(mail.text).toContain(fact);

    const row = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'answered', contactEmail: null, personId: null, details: null, identityCodeHash: null, idDocumentPath: null });
    expect(row.answeredAt?.toISOString()).toBe(clock.toISOString());
    expect(row.subjectHash).toBe(subjectHash(' Answer.Me@example.fr', KEY));
    const dump = JSON.stringify(row);
    expect(dump).not.toContain(email);
    expect(dump).not.toContain(personId);
    await expect(answerRequest(deps(), id, executor)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('P5 an ID document only after the dpo records a doubt; stored 0600 under uploads/id-documents; deleted when the request closes', async () => {
    const id = await verified('doubtful@example.fr');
    await expect(attachIdDocument(deps(), id, PDF)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(recordDoubt(deps(), id, ' ')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await recordDoubt(deps(), id, 'The request names an address we never used with this person.');
    await expect(attachIdDocument(deps(), id, Buffer.from('plain text'))).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    await attachIdDocument(deps(), id, PDF);
    const row = await store().db.selectFrom('rightsRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.idDocumentPath).toBe(`uploads/id-documents/${id}.pdf`);
    const file = join(dataDir, 'uploads', 'id-documents', `${id}.pdf`);
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await getRequest(store().db, id, clock)).hasIdDocument).toBe(true);
    await answerRequest(deps(), id, async () => ({ summary: 'Done.' }));
    expect(existsSync(file)).toBe(false);
  });

  it('P5 the ID document is deleted on refusal and withdrawal too', async () => {
    for (const close of ['refuse', 'withdraw'] as const) {
      const id = await verified(`closing.${close}@example.fr`);
      await recordDoubt(deps(), id, 'doubt');
      await attachIdDocument(deps(), id, PDF);
      const file = join(dataDir, 'uploads', 'id-documents', `${id}.pdf`);
      expect(existsSync(file)).toBe(true);
      if (close === 'refuse') await refuseRequest(deps(), id, 'Identity could not be established.');
      else await withdrawRequest(deps(), id);
      expect(existsSync(file)).toBe(false);
      const row = await getRequest(store().db, id, clock);
      expect(row.state).toBe(close === 'refuse' ? 'refused' : 'withdrawn');
      expect(row.contactEmail).toBeNull();
    }
  });

  it('P5 overdue and near-due requests are listed for the dpo, most urgent first, with no email', async () => {
    clock = new Date('2026-10-01T10:00:00Z'); // due 2026-11-02
    const early = await verified('early@example.fr');
    clock = new Date('2026-11-20T10:00:00Z'); // due 2026-12-21
    const later = await verified('later@example.fr');
    const now = new Date('2026-11-10T10:00:00Z');
    const overdue = await listRequests(store().db, { overdue: true, now });
    expect(overdue.map((r) => r.id)).toContain(early);
    expect(overdue.map((r) => r.id)).not.toContain(later);
    expect(overdue.find((r) => r.id === early)).toMatchObject({ overdue: true, daysLeft: -8, effectiveDueAt: '2026-11-02' });
    const soon = await listRequests(store().db, { dueWithinDays: 45, now });
    expect(soon.map((r) => r.id)).toEqual(expect.arrayContaining([early, later]));
    const dues = soon.map((r) => r.effectiveDueAt);
    expect([...dues].sort()).toEqual(dues);
    expect((await listRequests(store().db, { dueWithinDays: 5, now })).map((r) => r.id)).not.toContain(later);
    const all = await listRequests(store().db, { now });
    expect(JSON.stringify(all)).not.toMatch(/@example/);
    expect((await listRequests(store().db, { state: 'refused', now })).every((r) => r.state === 'refused')).toBe(true);
  });
});
