import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { systemActor } from '../access/actor.js';
import { createToken } from '../access/auth/index.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { buildApp } from '../app.js';
import { addPartner, consentedToElectronicProspecting, consentedToOpenTracking, createTransfer, recordConsent } from '../consent/index.js';
import { createMailer } from '../mail/index.js';
import { loadPolicy } from '../policy/index.js';

/**
 * A request end to end through the API: opened by the person (public), verified with the
 * code sent to the address, answered by the dpo, carried out, and closed to a hash.
 */
describeEachEngine('rights requests carried out', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let dir: string;
  const auth: Record<string, Record<string, string>> = {};
  const mails = (): string[] => (existsSync(join(dir, 'outbox')) ? readdirSync(join(dir, 'outbox')) : []).sort().map((f) => readFileSync(join(dir, 'outbox', f), 'utf8'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rempart-exec-'));
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, dataDir: dir, mailer: createMailer({ outboxDir: join(dir, 'outbox') }) });
    for (const role of ['manager', 'dpo']) auth[role] = { authorization: `Bearer ${(await createToken(store().db, policy, { role, name: role })).token}` };
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function openAndVerify(type: string, email: string): Promise<string> {
    const before = mails().length;
    const opened = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type, email, language: 'fr' } });
    expect(opened.statusCode).toBe(202);
    const id = (opened.json() as { id: string }).id;
    const codeMail = mails().slice(before).find((m) => /code/i.test(m));
    const code = /\b(\d{6})\b/.exec(codeMail ?? '')?.[1];
    expect(code).toBeDefined();
    const verified = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } });
    expect(verified.statusCode, verified.body).toBe(200);
    return id;
  }

  it('P5.1 an access request is answered with the export attached, then kept only as a hash', async () => {
    const person = await app.inject({ method: 'POST', url: '/api/v1/people', headers: auth.manager, payload: { lastName: 'Accès-Exec', firstName: 'Zoé', email: 'zoe.acces@client.fr' } });
    expect(person.statusCode).toBe(201);
    const id = await openAndVerify('access', 'zoe.acces@client.fr');
    const before = mails().length;
    const answered = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: auth.dpo });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(answered.json()).toMatchObject({ state: 'answered' });
    const answer = mails().slice(before).join('\n');
    expect(answer).toContain('donnees-personnelles.zip');
    expect(answer).toMatch(/8 rue Vivienne/);
    const row = await sql<{ contactEmail: string | null; personId: string | null; subjectHash: string | null }>`
      select contact_email, person_id, subject_hash from rights_requests where id = ${id}`.execute(store().db);
    expect(row.rows[0]).toMatchObject({ contactEmail: null, personId: null });
    expect(row.rows[0]?.subjectHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('P5.3 an erasure request erases the person and says what was kept', async () => {
    const person = await app.inject({ method: 'POST', url: '/api/v1/people', headers: auth.manager, payload: { lastName: 'Efface-Exec', email: 'efface@client.fr' } });
    const personId = (person.json() as { id: string }).id;
    const id = await openAndVerify('erasure', 'efface@client.fr');
    const answered = await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: auth.dpo });
    expect(answered.statusCode, answered.body).toBe(200);
    // Erasure removed the person's earlier messages from the outbox; the answer is what is left for them.
    const left = mails().filter((m) => m.includes('efface@client.fr'));
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/effac/);
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${personId}`, headers: auth.manager })).statusCode).toBe(404);
  });

  it('P5.4 a restriction request makes the gate refuse edits of the person', async () => {
    const person = await app.inject({ method: 'POST', url: '/api/v1/people', headers: auth.manager, payload: { lastName: 'Limite-Exec', email: 'limite@client.fr' } });
    const personId = (person.json() as { id: string }).id;
    const id = await openAndVerify('restriction', 'limite@client.fr');
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: auth.dpo })).statusCode).toBe(200);
    const edit = await app.inject({ method: 'PATCH', url: `/api/v1/people/${personId}`, headers: auth.manager, payload: { jobTitle: 'DG' } });
    expect(edit.statusCode).toBe(403);
    expect(edit.body).not.toContain('limite@client.fr');
  });

  it('P5.4 Art. 19 a restriction request that asks for the recipients is answered with the partner told of it', async () => {
    const person = await app.inject({ method: 'POST', url: '/api/v1/people', headers: auth.manager, payload: { lastName: 'Destinataires-Exec', email: 'destinataires@client.fr' } });
    const personId = (person.json() as { id: string }).id;
    const policy = await loadPolicy('policies/certilience.yaml');
    const now = new Date();
    const deps = { db: store().db, policy, now: () => now, serverKey: loadOrCreateServerKey(dir) };
    const partner = await addPartner(store().db, { name: 'Partenaire Exec', kind: 'partner', country: 'FR', email: 'dpo@partenaire-exec.test' }, now);
    await recordConsent(deps, { personId, partnerId: partner.id, state: 'given', channel: 'web_form', collector: 'user:t' });
    await createTransfer(deps, { partnerId: partner.id, actor: systemActor('test'), fileName: 'exec.csv' });
    const before = mails().length;
    const opened = await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'restriction', email: 'destinataires@client.fr', language: 'fr', details: { recipients: true } } });
    expect(opened.statusCode).toBe(202);
    const id = (opened.json() as { id: string }).id;
    const code = /\b(\d{6})\b/.exec(mails().slice(before).find((m) => /code/i.test(m)) ?? '')?.[1];
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/verify`, payload: { code } })).statusCode).toBe(200);
    const mark = mails().length;
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: auth.dpo })).statusCode).toBe(200);
    const answer = mails().slice(mark).join('\n');
    expect(answer).toContain('Partenaire Exec');
    expect(answer).toMatch(/article 19/i);
  });

  it('P5.6 an objection to prospecting withdraws the consents to email prospecting and open tracking with it', async () => {
    const person = await app.inject({ method: 'POST', url: '/api/v1/people', headers: auth.manager, payload: { lastName: 'Oppose-Exec', email: 'oppose@gmail.com' } });
    const personId = (person.json() as { id: string }).id;
    const policy = await loadPolicy('policies/certilience.yaml');
    const now = new Date();
    const deps = { db: store().db, policy, now: () => now, serverKey: loadOrCreateServerKey(dir) };
    for (const scope of ['email_prospecting', 'open_tracking'] as const) await recordConsent(deps, { personId, scope, state: 'given', channel: 'web_form', collector: 'user:t' });
    expect(await consentedToElectronicProspecting(store().db, [personId], now)).toEqual(new Set([personId]));
    const id = await openAndVerify('objection', 'oppose@gmail.com');
    expect((await app.inject({ method: 'POST', url: `/api/v1/requests/${id}/answer`, headers: auth.dpo })).statusCode).toBe(200);
    const later = new Date(Date.now() + 1000);
    expect(await consentedToElectronicProspecting(store().db, [personId], later)).toEqual(new Set());
    expect(await consentedToOpenTracking(store().db, [personId], later)).toEqual(new Set());
    const events = await store().db.selectFrom('consentEvents').select(['scope', 'state', 'channel', 'evidence']).where('state', '=', 'withdrawn').where('channel', '=', 'rights_request').execute();
    expect(events.map((e) => e.scope).sort()).toEqual(['email_prospecting', 'open_tracking']);
    expect(events.every((e) => e.evidence === `rights request ${id}`)).toBe(true);
    const state = await store().db.selectFrom('personStates').select('objectedProspectingAt').where('personId', '=', personId).executeTakeFirst();
    expect(state?.objectedProspectingAt).not.toBeNull();
  });

  it('P5.7 staff routes are the dpo\'s only', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/requests', headers: auth.manager })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/api/v1/requests' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/requests', headers: auth.dpo })).statusCode).toBe(200);
  });
});
