import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { listRecords } from './commands.js';
import { resource } from './resources.js';

type Json = Record<string, unknown>;
type Page = { items: Json[]; nextCursor: string | null };

/**
 * Lists that scale (issue 16, item 6): each record carries its organisation's name joined
 * in the list's own query, within the caller's grants; `q` searches, filters narrow and
 * keyset paging goes on, on every client-relationship list.
 */
describeEachEngine('client-relationship lists: joined names, search, filters, paging', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  const tokens: Record<string, Record<string, string>> = {};
  const ids: Record<string, string> = {};
  const call = async (role: string, url: string, method: 'GET' | 'POST' = 'GET', payload?: Json) => {
    const res = await app.inject({ method, url, headers: tokens[role], ...(payload === undefined ? {} : { payload }) });
    return { status: res.statusCode, body: (res.body ? res.json() : null) as Json };
  };
  const create = async (path: string, payload: Json): Promise<string> => {
    const res = await call('manager', `/api/v1/${path}`, 'POST', payload);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return String(res.body.id);
  };
  const list = async (role: string, query: string): Promise<Page> => {
    const res = await call(role, `/api/v1/${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as unknown as Page;
  };
  const byId = (page: Page): Map<unknown, Json> => new Map(page.items.map((p) => [p.id, p]));

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, now: () => new Date('2026-11-26T10:00:00Z') });
    for (const role of ['manager', 'prospecting', 'logistics']) {
      const { token } = await createToken(store().db, policy, { role, name: `lists ${role}` });
      tokens[role] = { authorization: `Bearer ${token}` };
    }
    ids.client = await create('organisations', { name: 'Bâtiments Durand SAS', siret: '73282932000074' });
    ids.prospectOrg = await create('organisations', { name: 'Sécurité Plus SARL', kind: 'prospect' });
    ids.elise = await create('people', { lastName: 'Durand', firstName: 'Élise', email: 'elise.durand@durand-batiment.fr', organisationId: ids.client, relation: 'client_contact' });
    ids.paul = await create('people', { lastName: 'Martin', firstName: 'Paul', email: 'paul.martin@durand-batiment.fr', organisationId: ids.client, relation: 'client_contact' });
    // A prospect working at a client: the prospecting service may see the link, not the client's record.
    ids.petit = await create('people', { lastName: 'Petit', firstName: 'Anne', email: 'anne.petit@example.fr', organisationId: ids.client, relation: 'prospect' });
    ids.moreau = await create('people', { lastName: 'Moreau', firstName: 'Jean', email: 'j.moreau_100%@securite-plus.fr', organisationId: ids.prospectOrg, relation: 'prospect' });
    ids.alone = await create('people', { lastName: 'Durandal', firstName: 'Roland', relation: 'client_contact' });
    ids.helene = await create('people', { lastName: 'Lefèvre', firstName: 'Hélène', relation: 'client_contact' });
    ids.contract = await create('contracts', { organisationId: ids.client, contactIds: [ids.elise], offer: 'Sensibilisation au phishing', startDate: '2025-01-01' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('P2.1 the people list carries each organisation name, joined in the same query, and the read is audited', async () => {
    const people = byId(await list('manager', 'people?limit=100'));
    expect(people.get(ids.elise)).toMatchObject({ organisationId: ids.client, organisationName: 'Bâtiments Durand SAS' });
    expect(people.get(ids.moreau)).toMatchObject({ organisationId: ids.prospectOrg, organisationName: 'Sécurité Plus SARL' });
    expect(people.get(ids.alone)?.organisationId).toBeNull();
    expect(people.get(ids.alone)).not.toHaveProperty('organisationName');
    // The column the join reads for the audit trail never leaves.
    for (const p of people.values()) expect(p).not.toHaveProperty('organisationPurpose');
    // Other lists that point to an organisation carry its name too.
    expect((await list('manager', 'contracts')).items[0]).toMatchObject({ organisationName: 'Bâtiments Durand SAS' });

    // The trail shows the organisations whose names went out, as if each had been read.
    const queued = (await store().db.selectFrom('auditQueue').select('event').execute()).map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as Json);
    const chained = (await store().db.selectFrom('auditEntries').select(['action', 'resource', 'recordIds', 'role']).execute()) as Json[];
    const orgReads = [...queued, ...chained].filter((e) => e.action === 'read' && e.resource === 'organisations' && e.role === 'manager');
    const orgIds = new Set(orgReads.flatMap((e) => (typeof e.recordIds === 'string' ? (JSON.parse(e.recordIds) as string[]) : (e.recordIds as string[]))));
    expect(orgIds).toEqual(new Set([ids.client, ids.prospectOrg]));
  });

  it('P2.1 a role without the grant on an organisation gets the link it may see, never the name', async () => {
    // The prospecting service reads prospects (purpose prospecting) but no client record (purpose crm).
    const prospects = byId(await list('prospecting', 'people'));
    expect([...prospects.keys()].sort()).toEqual([ids.petit, ids.moreau].sort());
    expect(prospects.get(ids.petit)).toMatchObject({ organisationId: ids.client });
    expect(prospects.get(ids.petit)).not.toHaveProperty('organisationName');
    expect(prospects.get(ids.moreau)).toMatchObject({ organisationName: 'Sécurité Plus SARL' });
    expect((await call('prospecting', `/api/v1/organisations/${ids.client}`)).status).toBe(404);

    // Logistics may not see which organisation a person works for: neither the link nor the name.
    const logistics = byId(await list('logistics', 'people'));
    expect(logistics.get(ids.elise)).toBeDefined();
    expect(logistics.get(ids.elise)).not.toHaveProperty('organisationId');
    expect(logistics.get(ids.elise)).not.toHaveProperty('organisationName');
  });

  it('searches people by name and e-mail, any case and accents, every word, with LIKE wildcards taken literally', async () => {
    const names = async (query: string): Promise<unknown[]> => (await list('manager', `people?${query}`)).items.map((p) => p.lastName);
    expect(await names('q=durand')).toEqual(['Durand', 'Martin', 'Durandal']);
    expect(await names('q=DURAND%20%C3%A9lise')).toEqual(['Durand']);
    expect(await names('q=paul.martin%40')).toEqual(['Martin']);
    expect(await names('q=%25')).toEqual(['Moreau']);
    expect(await names('q=_')).toEqual(['Moreau']);
    expect(await names('q=nobody')).toEqual([]);
    expect(await names('q=HELENE%20lefevre')).toEqual(['Lefèvre']);
    expect(await names('q=h%C3%A9l%C3%A8ne')).toEqual(['Lefèvre']);
    // With the filters: relation and organisation.
    expect(await names('q=durand%20elise&relation=client_contact&organisationId=' + ids.client)).toEqual(['Durand']);
    expect(await names(`organisationId=${ids.client}&relation=prospect`)).toEqual(['Petit']);
    // A role searches only the rows it may read.
    expect((await list('prospecting', 'people?q=durand')).items).toEqual([]);
  });

  it('pages a search with the keyset cursor', async () => {
    const first = await list('manager', 'people?q=durand-batiment&limit=1');
    expect(first.items.map((p) => p.lastName)).toEqual(['Durand']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list('manager', `people?q=durand-batiment&limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((p) => p.lastName)).toEqual(['Martin']);
    expect(second.nextCursor).toBeNull();
  });

  it('a search looks only into the fields the caller may see', async () => {
    const spec = resource('people');
    const ctx = { db: store().db, policy, now: () => new Date() };
    const find = async (searchable: Record<string, readonly string[]> | undefined, search: string) =>
      (await listRecords({ ...ctx, ...(searchable ? { searchable } : {}) }, spec, { search })).items.map((p) => p.lastName);
    expect(await find(undefined, 'paul.martin')).toEqual(['Martin']);
    // Names only: the e-mail is not searched, so a search cannot tell what it holds.
    expect(await find({ crm: ['lastName', 'firstName'], prospecting: ['lastName', 'firstName'] }, 'paul.martin')).toEqual([]);
    expect(await find({ crm: ['lastName', 'firstName'] }, 'martin')).toEqual(['Martin']);
    expect(await find({ crm: [] }, 'martin')).toEqual([]);
  });

  it('every list that has text to search offers q; the others refuse it', async () => {
    expect((await list('manager', 'organisations?q=s%C3%A9curit%C3%A9')).items.map((o) => o.name)).toEqual(['Sécurité Plus SARL']);
    expect((await list('manager', 'organisations?q=73282932')).items.map((o) => o.name)).toEqual(['Bâtiments Durand SAS']);
    expect((await list('manager', 'contracts?q=phishing')).items.map((c) => c.id)).toEqual([ids.contract]);
    for (const path of ['orders', 'deliveries', 'invoices', 'payments', 'complaints', 'tickets', 'surveys']) {
      expect((await call('manager', `/api/v1/${path}?q=x`)).status, path).toBe(200);
    }
    const refused = await call('manager', '/api/v1/debt-cases?q=x');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('documents q, the filters, the cursor and organisationName in the OpenAPI document, operationIds kept', async () => {
    const doc = (await call('manager', '/api/openapi.json')).body as { paths: Record<string, Record<string, Json>> };
    const op = doc.paths['/api/v1/people']?.get as { operationId: string; parameters: { name: string; description?: string }[]; responses: Json };
    expect(op.operationId).toBe('listPeople');
    const params = new Map(op.parameters.map((p) => [p.name, p.description ?? '']));
    expect([...params.keys()].sort()).toEqual(['cursor', 'limit', 'organisationId', 'q', 'relation']);
    expect(params.get('q')).toContain('lastName, firstName, email');
    expect(params.get('cursor')).toContain('nextCursor');
    expect(JSON.stringify(op.responses['200'])).toContain('organisationName');
  });
});
