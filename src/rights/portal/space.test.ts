import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { codeFromOutbox, outboxMailsTo } from '../../../test/outbox.js';
import { systemActor } from '../../access/actor.js';
import { buildApp } from '../../app.js';
import { addPartner, createTransfer } from '../../consent/index.js';
import { newId } from '../../db/ids.js';
import { createMailer, type Mailer } from '../../mail/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { unpackArchive } from '../export/zip.js';
import { isOpposed } from '../opposition/index.js';
import { recordDoubt } from '../requests/index.js';
import { PORTAL_COOKIE } from './session.js';

const KEY = Buffer.alloc(32, 7);
const KNOWN = 'helene.garnier@garnier-conseil.fr';
const UNKNOWN = 'personne.inconnue@exemple.fr';

describeEachEngine('privacy portal: the person\'s space', (store) => {
  let app: FastifyInstance;
  let mailer: Mailer;
  let policy: LoadedPolicy;
  let personId: string;
  let partnerId: string;
  let clock = new Date('2026-12-07T09:00:00Z');
  const dir = mkdtempSync(join(tmpdir(), 'rempart-portal-space-'));
  const outbox = join(dir, 'outbox');

  beforeAll(async () => {
    policy = await loadPolicy(DEFAULT_POLICY_FILE);
    writeFileSync(join(dir, 'portal.html'), '<!doctype html><title>portail</title>');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>staff</title>');
    mailer = createMailer({ outboxDir: outbox });
    personId = newId();
    await store()
      .db.insertInto('people')
      .values({
        id: personId,
        relation: 'client_contact',
        lastName: 'Garnier',
        firstName: 'Hélène',
        email: KNOWN,
        phones: JSON.stringify([{ number: '+33612345678', type: 'mobile' }]),
        postalAddresses: JSON.stringify([]),
        jobTitle: 'Directrice',
        source: 'salon',
        collectedAt: clock,
      })
      .execute();
    partnerId = (await addPartner(store().db, { name: 'Filiale Lyon', kind: 'group_company', country: 'FR', email: 'dpo@filiale-lyon.example' }, clock)).id;
    app = await buildApp({ store: store(), policy, webRoot: dir, mailer, serverKey: KEY, now: () => clock, dataDir: dir, publicUrl: 'https://rempart.example', requestLimits: { openPerIp: 1000, openPerAddress: 1000, verifyPerIp: 1000 } });
  });
  afterAll(async () => {
    await app.close();
    mailer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a request from the portal's home and returns its id. */
  const ask = async (email: string, type = 'access', language = 'fr'): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type, email, language, channel: 'portal' } });
    expect(res.statusCode, res.body).toBe(202);
    return res.json<{ id: string }>().id;
  };
  /** Asks, reads the code from the outbox, opens the space; returns the cookie header. */
  const signIn = async (email: string, options: { byEmail?: boolean; type?: string; headers?: Record<string, string> } = {}): Promise<string> => {
    const before = outboxMailsTo(outbox, email).length;
    const id = await ask(email, options.type);
    const code = await codeFromOutbox(outbox, email, { after: before });
    const res = await app.inject({ method: 'POST', url: '/api/v1/portal/session', headers: options.headers ?? {}, payload: options.byEmail ? { email, code } : { requestId: id, code } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === PORTAL_COOKIE);
    expect(cookie).toBeDefined();
    return `${PORTAL_COOKIE}=${cookie!.value}`;
  };
  const me = async (cookie: string) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{
      found: boolean;
      export: { data: Record<string, Record<string, unknown>[]> } | null;
      opposedChannels: string[];
      restricted: boolean;
      consents: { scope: string; partnerId: string | null; state: string | null; at: string | null; text: string }[];
      requests: { id: string; type: string; state: string; dueAt: string; effectiveDueAt: string }[];
    }>();
  };
  const post = (cookie: string, url: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: { cookie }, payload });

  it('P5.1 the code opens an HttpOnly, SameSite=Strict session scoped to the portal API; the space shows the data as the access export, audited, and answers the access request', async () => {
    const before = outboxMailsTo(outbox, KNOWN).length;
    const id = await ask(KNOWN);
    const mail = outboxMailsTo(outbox, KNOWN).slice(before)[0]!;
    // The link opens the code page with nothing personal in the URL, not even the request id.
    expect(mail.text).toContain('https://rempart.example/portal/code?lang=fr');
    expect(mail.text).not.toContain(id);
    const code = await codeFromOutbox(outbox, KNOWN, { after: before });
    const res = await app.inject({ method: 'POST', url: '/api/v1/portal/session', payload: { requestId: id, code } });
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === PORTAL_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/portal' });
    const space = await me(`${PORTAL_COOKIE}=${cookie.value}`);
    expect(space.found).toBe(true);
    expect(space.export?.data.people?.[0]).toMatchObject({ last_name: 'Garnier', email: KNOWN });
    // The engine answered the access request: closed, with its deadline kept in the list.
    expect(space.requests.find((r) => r.id === id)).toMatchObject({ type: 'access', state: 'answered' });
    // Every read left an audit event naming the person, before the answer (P2.5).
    const queued = (await store().db.selectFrom('auditQueue').select('event').execute()).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { actor: string; action: string; personIds: string[] });
    const chained = await store().db.selectFrom('auditEntries').select(['actor', 'action', 'personIds']).execute();
    const portal = [...queued, ...chained].filter((e) => e.actor === 'system:portal' && e.personIds.includes(personId));
    expect(portal.map((a) => a.action)).toEqual(expect.arrayContaining(['export', 'read']));
  });

  it('P5.1 the code page may know only the address (the link opened on another device)', async () => {
    const space = await me(await signIn(KNOWN, { byEmail: true }));
    expect(space.found).toBe(true);
  });

  it('P5.1 an unknown address gets the same answer when asking, and a space that says nothing is held', async () => {
    const known = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email: KNOWN, language: 'fr', channel: 'portal' } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email: UNKNOWN, language: 'fr', channel: 'portal' } });
    expect(unknown.statusCode).toBe(known.statusCode);
    const strip = (body: string) => JSON.stringify({ ...JSON.parse(body), id: 'x' });
    expect(strip(unknown.body)).toBe(strip(known.body));
    const space = await me(await signIn(UNKNOWN));
    expect(space).toMatchObject({ found: false, export: null, consents: [] });
  });

  it('P5.1 asking for a known or an unknown address takes the same work: the medians of their timings stay close', async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a slow spell of the machine hits both alike.
    for (let i = 0; i < 12; i++) {
      for (const [email, into] of [[KNOWN, known], [`inconnu-${i}@exemple.fr`, unknown]] as const) {
        const t0 = performance.now();
        const res = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email, language: 'fr', channel: 'portal' } });
        into.push(performance.now() - t0);
        expect(res.statusCode).toBe(202);
      }
    }
    const [k, u] = [median(known), median(unknown)];
    expect(Math.abs(k - u), `known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms`).toBeLessThanOrEqual(Math.max(15, 0.5 * Math.max(k, u)));
  });

  it('P5.1 five wrong codes lock the request: the right code is then refused', async () => {
    const before = outboxMailsTo(outbox, UNKNOWN).length;
    const id = await ask(UNKNOWN);
    const code = await codeFromOutbox(outbox, UNKNOWN, { after: before });
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/portal/session', payload: { requestId: id, code: wrong } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { details: [{ field: 'code' }] } });
    }
    const res = await app.inject({ method: 'POST', url: '/api/v1/portal/session', payload: { requestId: id, code } });
    expect(res.statusCode).not.toBe(200);
    expect(res.cookies.find((c) => c.name === PORTAL_COOKIE)).toBeUndefined();
  });

  it('P5.1 the copy is a ZIP holding the data as JSON (access.json) and readable HTML, with its manifest', async () => {
    const cookie = await signIn(KNOWN);
    const res = await app.inject({ method: 'GET', url: '/api/v1/portal/me/copy.zip', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = unpackArchive(res.rawPayload);
    expect(Object.keys(files).sort()).toEqual(['access.html', 'access.json', 'manifest.json']);
    const json = JSON.parse(Buffer.from(files['access.json']!).toString('utf8')) as { data: { people: { email: string }[] } };
    expect(json.data.people[0]!.email).toBe(KNOWN);
  });

  it('P5.5 the download is the portability ZIP holding the data as JSON, recorded as an answered request', async () => {
    const cookie = await signIn(KNOWN);
    const res = await app.inject({ method: 'GET', url: '/api/v1/portal/me/export.zip', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const files = unpackArchive(res.rawPayload);
    const json = JSON.parse(Buffer.from(files['portability.json']!).toString('utf8')) as { data: { people: { email: string }[] } };
    expect(json.data.people[0]!.email).toBe(KNOWN);
    expect(Object.keys(files).some((f) => f.startsWith('csv/'))).toBe(true);
    expect((await me(cookie)).requests.some((r) => r.type === 'portability' && r.state === 'answered')).toBe(true);
  });

  it('P5.2 correcting a phone goes through the gate, keeps the old value in the history, and refuses fields not offered', async () => {
    const cookie = await signIn(KNOWN);
    const refused = await post(cookie, '/api/v1/portal/me/rectify', { personId, patch: { email: 'autre@exemple.fr' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ field: 'email' }] } });
    const bad = await post(cookie, '/api/v1/portal/me/rectify', { personId, patch: { phones: [{ number: 'pas un numéro' }] } });
    expect(bad.json()).toMatchObject({ error: { details: [{ field: 'phones[0].number' }] } });
    const ok = await post(cookie, '/api/v1/portal/me/rectify', { personId, patch: { phones: [{ number: '+33698765432', type: 'mobile' }] } });
    expect(ok.statusCode, ok.body).toBe(200);
    const row = await store().db.selectFrom('people').select('phones').where('id', '=', personId).executeTakeFirstOrThrow();
    expect(row.phones).toEqual([{ number: '+33698765432', type: 'mobile' }]);
    // Typed as a person types it, stored in E.164.
    expect((await post(cookie, '/api/v1/portal/me/rectify', { personId, patch: { phones: [{ number: '06 98 76 54 32', type: 'mobile' }] } })).statusCode).toBe(200);
    const history = await store().db.selectFrom('personChangeHistory').select(['field', 'oldValue']).where('personId', '=', personId).execute();
    expect(JSON.stringify(history)).toContain('+33612345678');
    // Someone else's record is not reachable from this session.
    expect((await post(cookie, '/api/v1/portal/me/rectify', { personId: newId(), patch: { lastName: 'X' } })).statusCode).toBe(404);
  });

  it('P1.6 a partner consent given then withdrawn in one click each; the next transfer leaves the person out', async () => {
    const cookie = await signIn(KNOWN);
    const give = await post(cookie, '/api/v1/portal/me/consents', { scope: 'file_sharing', partnerId, state: 'given' });
    expect(give.statusCode, give.body).toBe(204);
    const given = (await me(cookie)).consents.find((c) => c.partnerId === partnerId)!;
    expect(given).toMatchObject({ state: 'given', at: clock.toISOString() });
    expect(given.text).toContain('Filiale Lyon');
    const transfer = () => createTransfer({ db: store().db, now: () => clock, serverKey: KEY }, { partnerId, actor: systemActor('test'), fileName: 'f.csv' });
    expect((await transfer()).rows).toBe(1);
    clock = new Date(clock.getTime() + 60_000);
    expect((await post(cookie, '/api/v1/portal/me/consents', { scope: 'file_sharing', partnerId, state: 'withdrawn' })).statusCode).toBe(204);
    expect((await me(cookie)).consents.find((c) => c.partnerId === partnerId)?.state).toBe('withdrawn');
    expect((await transfer()).rows).toBe(0);
  });

  it('P5.6 an objection on the e-mail channel puts the address on the opposition list for e-mail only, at once', async () => {
    const cookie = await signIn(KNOWN);
    const res = await post(cookie, '/api/v1/portal/me/objection', { channel: 'email' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await isOpposed(store().db, KEY, { email: KNOWN, channel: 'email' })).toBe(true);
    expect(await isOpposed(store().db, KEY, { phone: '+33698765432', channel: 'phone' })).toBe(false);
    expect((await me(cookie)).opposedChannels).toEqual(['email']);
  });

  it('P5.6 the request that opened the session is the one the action answers: no second request lingers in the staff queue', async () => {
    const cookie = await signIn(KNOWN, { type: 'objection' });
    const opening = (await me(cookie)).requests.find((r) => r.type === 'objection' && r.state === 'in_progress');
    expect(opening).toBeDefined();
    expect((await post(cookie, '/api/v1/portal/me/objection', { channel: 'phone' })).statusCode).toBe(200);
    const after = (await me(cookie)).requests.filter((r) => r.type === 'objection');
    expect(after.find((r) => r.id === opening!.id)?.state).toBe('answered');
    expect(after.filter((r) => r.state === 'in_progress')).toEqual([]);
    expect((await me(cookie)).opposedChannels).toEqual(['email', 'phone']);
  });

  it('P1.6 Sec-GPC: 1 when the space opens objects to the file exchange; a consent given afterwards on purpose stands', async () => {
    const first = await signIn(KNOWN);
    expect((await post(first, '/api/v1/portal/me/consents', { scope: 'file_sharing', partnerId, state: 'given' })).statusCode).toBe(204);
    clock = new Date(clock.getTime() + 60_000);
    const cookie = await signIn(KNOWN, { headers: { 'sec-gpc': '1' } });
    expect((await me(cookie)).consents.find((c) => c.partnerId === partnerId)?.state).toBe('withdrawn');
    clock = new Date(clock.getTime() + 60_000);
    expect((await post(cookie, '/api/v1/portal/me/consents', { scope: 'file_sharing', partnerId, state: 'given' })).statusCode).toBe(204);
    const again = await app.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie, 'sec-gpc': '1' } });
    expect(again.json<{ consents: { partnerId: string | null; state: string }[] }>().consents.find((c) => c.partnerId === partnerId)?.state).toBe('given');
  });

  it('P5.3 the erasure page says what the law keeps; the request lands in the staff queue with its legal deadline', async () => {
    const orgId = newId();
    await store().db.insertInto('organisations').values({ id: orgId, name: 'Garnier Conseil', addresses: JSON.stringify([]) }).execute();
    await store().db.insertInto('invoices').values({ id: newId(), organisationId: orgId, personId, number: 'F-2026-001', issueDate: '2026-03-01', dueDate: '2026-04-01', amount: '1200.00' }).execute();
    const cookie = await signIn(KNOWN);
    const preview = await app.inject({ method: 'GET', url: '/api/v1/portal/me/erasure', headers: { cookie } });
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json<{ erased: { table: string }[]; kept: { table: string; reason: string; until: string | null }[]; oppositionKept: boolean }>();
    expect(p.erased.map((e) => e.table)).toContain('people');
    // The invoice stays under the accounting obligation, until its term; the objection stays on the list.
    expect(p.kept.find((k) => k.table === 'invoices')).toMatchObject({ reason: 'statutory' });
    expect(Number(p.kept.find((k) => k.table === 'invoices')!.until!.slice(0, 4))).toBeGreaterThanOrEqual(2036);
    expect(p.kept.find((k) => k.table === 'consent_events')).toMatchObject({ reason: 'consent_proof' });
    expect(p.oppositionKept).toBe(true);
    const res = await post(cookie, '/api/v1/portal/me/erasure', {});
    expect(res.statusCode, res.body).toBe(200);
    const { id, dueAt } = res.json<{ id: string; dueAt: string }>();
    expect(dueAt).toBe('2027-01-07');
    const row = await store().db.selectFrom('rightsRequests').select(['state', 'type', 'channel']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'in_progress', type: 'erasure', channel: 'portal' });
    expect((await me(cookie)).requests.find((r) => r.id === id)).toMatchObject({ state: 'in_progress', effectiveDueAt: '2027-01-07' });
  });

  it('P5.1 a request in doubt says what is needed and takes the ID document from the space (Art. 12(6)); only the person\'s own request', async () => {
    const cookie = await signIn(KNOWN, { type: 'rectification' });
    const open = (await me(cookie)).requests.find((r) => r.type === 'rectification' && r.state === 'in_progress')!;
    const deps = { db: store().db, policy, now: () => clock, mailer, serverKey: KEY, dataDir: dir };
    // Before the dpo records a doubt, no document is taken (asking everyone would collect too much, Art. 5(1)(c)).
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]).toString('base64');
    const put = (id: string) => app.inject({ method: 'PUT', url: `/api/v1/portal/me/requests/${id}/id-document`, headers: { cookie }, payload: { contentBase64: png } });
    expect((await put(open.id)).statusCode).toBe(409);
    await recordDoubt(deps, open.id, 'Le nom de la demande ne correspond pas à celui du contrat.');
    const doubtful = (await me(cookie)).requests.find((r) => r.id === open.id) as unknown as { doubtReason: string | null; hasIdDocument: boolean };
    expect(doubtful).toMatchObject({ doubtReason: 'Le nom de la demande ne correspond pas à celui du contrat.', hasIdDocument: false });
    expect((await put(open.id)).statusCode).toBe(204);
    expect(((await me(cookie)).requests.find((r) => r.id === open.id) as unknown as { hasIdDocument: boolean }).hasIdDocument).toBe(true);
    // Another address's request is not reachable.
    const other = await ask(UNKNOWN, 'rectification');
    expect((await put(other)).statusCode).toBe(404);
  });

  it('P5 the space needs its cookie, refuses a write from another site, and ends after 30 minutes or at sign-out', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/portal/me' })).statusCode).toBe(401);
    const cookie = await signIn(KNOWN);
    const cross = await app.inject({ method: 'POST', url: '/api/v1/portal/me/restriction', headers: { cookie, origin: 'https://evil.example' }, payload: {} });
    expect(cross.statusCode).toBe(403);
    const saved = clock;
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect((await app.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie } })).statusCode).toBe(401);
    clock = saved;
    expect((await app.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/portal/session', headers: { cookie } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/api/v1/portal/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('P5.4 restricting from the space takes effect at once: a correction is then refused by the gate', async () => {
    const cookie = await signIn(KNOWN);
    expect((await post(cookie, '/api/v1/portal/me/restriction', {})).statusCode).toBe(200);
    expect((await me(cookie)).restricted).toBe(true);
    const res = await post(cookie, '/api/v1/portal/me/rectify', { personId, patch: { jobTitle: 'DG' } });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
  });
});
