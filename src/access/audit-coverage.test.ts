import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { seedDemo } from '../demo/seed.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { createToken } from './auth/index.js';

/**
 * P2.5 (issue 18 item 1): every route that returns a catalogued personal value leaves an
 * audit event naming the person, in the same call, whatever area serves it — not only the
 * CRM records behind the gate. The test walks the served OpenAPI document, so a new read
 * route is covered (or must be exempted here, with its reason) the day it is added.
 */

/** GET operations that return no personal value by design, and why. */
const NO_PERSONAL_DATA: Readonly<Record<string, string>> = {
  'GET /api/v1/session': "the signed-in staff member's own account (not a data subject of the register)",
  'GET /api/v1/navigation': 'page names only',
  'GET /api/v1/dashboard': 'counts, dates and request ids; no person named',
  'GET /api/v1/audit/verifications': 'verification runs of the chain: counts and hashes',
  'GET /api/v1/retention/plan': "counts per rule of the policy",
  'GET /api/v1/retention/runs': 'counts per run',
  'GET /api/v1/documents/versions': 'versions of the register and the notice (no personal data)',
  'GET /api/v1/documents/diff': 'the diff of two versions of the register or the notice',
  'GET /api/v1/stats/prospecting': 'aggregates only (R-PROS-5: statistics never name a person)',
  'GET /api/v1/engagements/{id}/credentials': "the engagement's ingestion credentials, no trainee",
};

/** Routes outside staff sessions: public pages and the portal (the person's own data, audited by its own tests). */
const OUT_OF_SCOPE = /^\/api\/v1\/portal\/|^\/(?!api\/v1\/)|xapi\/statements$/;

interface Operation {
  readonly security?: unknown[];
}
type Doc = { paths: Record<string, Record<string, Operation>> };
type Json = Record<string, unknown>;

describeEachEngine('P2.5 audit coverage', (store) => {
  let app: FastifyInstance;
  let policy: LoadedPolicy;
  let doc: Doc;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  /**
   * Distinctive personal values of the base (e-mail addresses), each with the people who
   * hold it (an import may leave two records with one address for review; empty: a trainee).
   */
  const markers = new Map<string, string[]>();

  const call = async (role: string, method: string, url: string, payload?: unknown) => {
    const res = await app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${tokens[role]}` }, ...(payload === undefined ? {} : { payload: payload as Json }) });
    return { status: res.statusCode, body: res.body, type: String(res.headers['content-type'] ?? ''), json: () => res.json<Json>() };
  };
  const created = async (role: string, url: string, payload: unknown): Promise<string> => {
    const res = await call(role, 'POST', url, payload);
    expect(res.status, `${url}: ${res.body}`).toBeLessThan(300);
    return String(res.json().id);
  };

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, dataDir: mkdtempSync(join(tmpdir(), 'rempart-coverage-')) });
    const db = store().db;
    await seedDemo(db, { people: 30, seed: 11, now: new Date() });
    const one = async (table: string): Promise<string> => {
      const r = await sql<{ id: string }>`select id from ${sql.table(table)} order by id limit 1`.execute(db);
      return String(r.rows[0]?.id);
    };
    const org = await one('organisations');
    const client = await sql<{ id: string }>`select id from organisations where kind = 'client' order by id limit 1`.execute(db);
    for (const role of policy.roles) {
      tokens[role.id] = (await createToken(db, policy, { role: role.id, name: `coverage ${role.id}`, scopeOrganisationId: role.scope ? org : null })).token;
    }
    for (const t of ['organisations', 'people', 'contracts', 'orders', 'deliveries', 'invoices', 'payments', 'complaints', 'tickets', 'surveys', 'debt_cases']) ids[t] = await one(t);
    const person = await sql<{ id: string; email: string }>`select id, email from people where email is not null order by id limit 1`.execute(db);
    ids.person = String(person.rows[0]?.id);
    // A rights request from a person of the base, through the public route.
    await app.inject({ method: 'POST', url: '/api/v1/requests', payload: { type: 'access', email: person.rows[0]?.email } });
    ids.requests = await one('rights_requests');
    ids.partner = await created('manager', '/api/v1/partners', { name: 'Filiale Sud', kind: 'group_company', country: 'FR', email: 'retraits@filiale-sud.test' });
    ids.segments = await created('marketing', '/api/v1/segments', { name: 'Couverture', kind: 'promotion', criteria: {} });
    ids.campaigns = await created('marketing', '/api/v1/campaigns', { name: 'Couverture', segmentId: ids.segments, subject: 'Offre', body: 'Bonjour' });
    ids.engagements = await created('it', '/api/v1/engagements', { clientOrganisationId: String(client.rows[0]?.id), name: 'Couverture', startsOn: '2026-12-01', endsOn: '2027-06-30', endChoice: 'destroy', platforms: ['phishing'] });
    await call('it', 'POST', `/api/v1/engagements/${ids.engagements}/trainees`, [{ email: 'stagiaire.couverture@client.fr', department: 'RH' }]);
    ids.trainee = await one('training_trainees');
    // A prospect import that merges into a person of the base: its job and report.
    const boundary = '----rempart-coverage';
    const csv = `email;nom;prenom;societe\n${person.rows[0]?.email};Couverture;Anne;Couverture SA\nnouvelle.couverture@exemple.fr;Nouvelle;Lise;Couverture SA\n`;
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { authorization: `Bearer ${tokens.prospecting}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="source"\r\n\r\ncoverage\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="p.csv"\r\ncontent-type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
      ),
    });
    expect(upload.statusCode, upload.body).toBeLessThan(300);
    ids.imports = String(upload.json<Json>().id);
    for (let i = 0; i < 100 && (await call('prospecting', 'GET', `/api/v1/imports/${ids.imports}`)).json().status !== 'done'; i++) await new Promise((r) => setTimeout(r, 100));
    for (const r of (await sql<{ id: string; email: string }>`select id, email from people where email is not null`.execute(db)).rows) markers.set(r.email, [...(markers.get(r.email) ?? []), r.id]);
    markers.set('stagiaire.couverture@client.fr', []);
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    doc = res.json<Doc>();
  }, 120_000);
  afterAll(async () => {
    await app.close();
  });

  /** The URL of an operation with its path parameters filled from the seeded rows, or null when the test has no row for one. */
  const fill = (path: string): string | null => {
    let missing = false;
    const url = path.replace(/\{(\w+)\}/g, (_, name: string, offset: number) => {
      const before = path.slice(0, offset).split('/').filter(Boolean).pop() ?? '';
      const key = name === 'traineeId' ? 'trainee' : name === 'partnerId' ? 'partner' : before.replace(/-/g, '_');
      const id = ids[key];
      if (!id) missing = true;
      return id ?? '';
    });
    return missing ? null : url;
  };

  const reads = (): string[] =>
    Object.entries(doc.paths)
      .filter(([path, item]) => item.get && !OUT_OF_SCOPE.test(path) && !(Array.isArray(item.get.security) && item.get.security.length === 0))
      .map(([path]) => path);

  /**
   * Audit events written since the marks, from the queue and the chain, in one statement:
   * one snapshot, so an event the chainer moves meanwhile is seen once, not missed.
   * (Keys come back camelCased by the store's CamelCasePlugin.)
   */
  const eventsSince = async (mark: { queue: number; chain: number }): Promise<{ personIds: string[]; action: string }[]> => {
    const rows = await sql<{ personIds: string[]; action: string }>`
      select person_ids, action from audit_entries where seq > ${mark.chain}
      union all
      select array(select jsonb_array_elements_text(event -> 'personIds')), event ->> 'action' from audit_queue where id > ${mark.queue}`.execute(store().db);
    return rows.rows;
  };
  const marks = async () => {
    const db = store().db;
    const q = await sql<{ n: string | number | null }>`select max(id) as n from audit_queue`.execute(db);
    const c = await sql<{ n: string | number | null }>`select max(seq) as n from audit_entries`.execute(db);
    return { queue: Number(q.rows[0]?.n ?? 0), chain: Number(c.rows[0]?.n ?? 0) };
  };

  it('every staff read route is exercised or exempted with its reason', () => {
    const unfilled = reads().filter((p) => !(`GET ${p}` in NO_PERSONAL_DATA) && fill(p) === null);
    expect(unfilled).toEqual([]);
    const stale = Object.keys(NO_PERSONAL_DATA).filter((k) => !reads().includes(k.slice(4)));
    expect(stale).toEqual([]);
  });

  it('P2.5 every read that returns a personal value leaves an audit event naming the person, for every role', async () => {
    const failures: string[] = [];
    let withData = 0;
    for (const path of reads()) {
      const url = fill(path);
      if (url === null) continue;
      const exempt = `GET ${path}` in NO_PERSONAL_DATA;
      for (const role of policy.roles.map((r) => r.id)) {
        const mark = await marks();
        const res = await call(role, 'GET', url);
        if (res.status >= 300) continue;
        // Quoted, so that one address inside another (a.martin@… in lea.martin@…) is not taken for it.
        const shown = [...markers].filter(([value]) => res.body.includes(`"${value}"`) || res.body.includes(`,${value},`) || res.body.includes(`\n${value},`));
        const binary = /zip|pdf|octet-stream/.test(res.type);
        if (shown.length === 0 && !binary) continue;
        withData++;
        if (exempt) {
          failures.push(`${role} GET ${path}: exempted as holding no personal data, yet returned ${shown.length} personal value(s)`);
          continue;
        }
        const events = await eventsSince(mark);
        if (events.length === 0) {
          failures.push(`${role} GET ${path}: ${binary ? 'an export' : `${shown.length} personal value(s)`} and no audit event`);
          continue;
        }
        const named = new Set(events.flatMap((e) => e.personIds));
        const unnamed = shown.filter(([, holders]) => holders.length > 0 && !holders.some((id) => named.has(id)));
        if (unnamed.length > 0) failures.push(`${role} GET ${path}: ${unnamed.length} person(s) shown but not named in its audit events`);
      }
    }
    expect(failures).toEqual([]);
    // The walk must have met personal data: a seed that broke would otherwise pass silently.
    expect(withData).toBeGreaterThan(20);
  }, 300_000);

  /**
   * Writes outside the record routes (which the authorisation matrix covers): consent,
   * prospecting consent, the opposition list, a rights request's steps and the trainees of
   * an engagement. Each is tried under every role until one may make it; the role that
   * made it must have left an event of the write's kind, naming the person where there is one.
   */
  const WRITES: readonly { readonly method: 'POST' | 'PATCH' | 'DELETE'; readonly path: string; readonly body?: () => unknown; readonly person: () => string | null; readonly actions: readonly string[] }[] = [
    { method: 'POST', path: '/api/v1/people/{id}/consents', body: () => ({ partnerId: ids.partner, state: 'given', channel: 'web_form' }), person: () => ids.person ?? null, actions: ['create'] },
    { method: 'POST', path: '/api/v1/people/{id}/consents/{partnerId}/withdraw', body: () => ({}), person: () => ids.person ?? null, actions: ['update', 'create'] },
    { method: 'POST', path: '/api/v1/people/{id}/prospecting-consents', body: () => ({ scope: 'email_prospecting', state: 'given', channel: 'phone' }), person: () => ids.person ?? null, actions: ['create'] },
    { method: 'POST', path: '/api/v1/opposition', body: () => ({ email: 'opposant.couverture@exemple.fr' }), person: () => null, actions: ['create'] },
    { method: 'POST', path: '/api/v1/requests/{id}/doubt', body: () => ({ reason: 'Adresse sans lien avec la personne.' }), person: () => ids.person ?? null, actions: ['update'] },
    { method: 'PATCH', path: '/api/v1/engagements/{id}/trainees/{traineeId}', body: () => ({ department: 'Finance' }), person: () => null, actions: ['update'] },
    { method: 'DELETE', path: '/api/v1/engagements/{id}/trainees/{traineeId}', person: () => null, actions: ['delete'] },
  ];

  it('P2.5 every write to personal data outside the record routes leaves an audit event of its kind', async () => {
    const failures: string[] = [];
    for (const w of WRITES) {
      const url = fill(w.path);
      if (url === null) {
        failures.push(`${w.method} ${w.path}: no row to fill its parameters`);
        continue;
      }
      let done = false;
      for (const role of policy.roles.map((r) => r.id)) {
        const mark = await marks();
        const res = await call(role, w.method, url, w.body?.());
        if (res.status >= 300) continue;
        done = true;
        const events = (await eventsSince(mark)).filter((e) => w.actions.includes(e.action));
        const person = w.person();
        if (events.length === 0) failures.push(`${role} ${w.method} ${w.path}: no ${w.actions.join('/')} audit event`);
        else if (person !== null && !events.some((e) => e.personIds.includes(person))) failures.push(`${role} ${w.method} ${w.path}: its events do not name the person`);
        break;
      }
      if (!done) failures.push(`${w.method} ${w.path}: no role could make it`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
