import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { runRetention } from './sweep.js';
import { seedRetentionFixture, type RetentionFixture } from './test-support.js';

interface AuditRow {
  readonly actor: string;
  readonly role: string | null;
  readonly action: string;
  readonly resource: string;
  readonly reason: string | null;
  readonly personIds: readonly string[];
}

describeEachEngine('the intermediate archive over HTTP (P4.5)', (store) => {
  let policy: LoadedPolicy;
  let f: RetentionFixture;
  let app: FastifyInstance;
  const tokens: Record<string, string> = {};
  const now = new Date('2023-07-02T09:00:00Z');
  const read = (role: string | null, id: string, payload: unknown) =>
    app.inject({ method: 'POST', url: `/api/v1/archive/people/${id}/read`, headers: role ? { authorization: `Bearer ${tokens[role]}` } : {}, payload: payload as Record<string, unknown> });
  const audit = async (): Promise<AuditRow[]> => {
    // The app's chainer moves entries from the queue into the chain at any time: read both.
    const queued = await sql<{ event: unknown }>`select event from audit_queue`.execute(store().db.withoutPlugins());
    const chained = await store().db.selectFrom('auditEntries').select(['actor', 'role', 'action', 'resource', 'reason', 'personIds']).where('resource', '=', 'archive.records').execute();
    const fromQueue = queued.rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as AuditRow).filter((e) => e.resource === 'archive.records');
    return [...chained, ...fromQueue];
  };

  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    f = await seedRetentionFixture(store().db, 9);
    await runRetention(store().db, policy, { at: new Date('2023-07-01T00:00:00Z') });
    app = await buildApp({ store: store(), policy, now: () => now, webRoot: '/nonexistent' });
    for (const role of ['archive_reader', 'manager', 'marketing']) tokens[role] = (await createToken(store().db, policy, { role, name: `archive ${role}` }, now)).token;
  });
  afterAll(async () => app.close());

  it('P4.5 the archive_reader reads an archived person with a stated reason, recorded with the read', async () => {
    const res = await read('archive_reader', f.client, { reason: 'réclamation du client n° 12' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const records = res.json<{ records: { sourceTable: string; id: string; data: Record<string, unknown> }[] }>().records;
    expect(records.map((r) => r.sourceTable)).toEqual(expect.arrayContaining(['people', 'orders', 'complaints']));
    expect(records.find((r) => r.sourceTable === 'people')?.id).toBe(f.client);
    // Only the kept fields: no email in the archive.
    expect(res.body).not.toContain('@exemple.fr');
    const reads = (await audit()).filter((e) => e.action === 'read');
    expect(reads).toEqual([expect.objectContaining({ role: 'archive_reader', reason: 'réclamation du client n° 12', personIds: [f.client] })]);
  });

  it('P4.5 a reason is required, long enough, in the body and nowhere else; a missing or short one is refused and reads nothing', async () => {
    const before = (await audit()).length;
    for (const payload of [{}, { reason: '' }, { reason: 'contrôle' }, { reason: '          x'.slice(0, 9) }]) {
      const res = await read('archive_reader', f.client, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    // Whitespace only, however long, is no reason.
    expect((await read('archive_reader', f.client, { reason: '            ' })).statusCode).toBe(400);
    expect((await audit()).length).toBe(before);
    // The reason in the query string is not read: the body still needs one.
    const inUrl = await app.inject({ method: 'POST', url: `/api/v1/archive/people/${f.client}/read?reason=r%C3%A9clamation%20du%20client`, headers: { authorization: `Bearer ${tokens.archive_reader}` }, payload: {} });
    expect(inUrl.statusCode).toBe(400);
  });

  it('P4.5 other roles get 403 whatever they send, and each refusal is in the audit trail; no sign-in gets 401', async () => {
    for (const role of ['manager', 'marketing']) {
      const res = await read(role, f.client, { reason: 'je voudrais juste regarder' });
      expect(res.statusCode, role).toBe(403);
      expect(res.body).not.toContain('Nom20');
      // The role is checked before the body: a bad body does not turn the refusal into a 400.
      expect((await read(role, f.client, {})).statusCode).toBe(403);
    }
    const denied = (await audit()).filter((e) => e.action === 'denied');
    expect(denied.map((e) => e.role).sort()).toEqual(['manager', 'manager', 'marketing', 'marketing']);
    expect(denied.every((e) => e.personIds.length === 1 && e.personIds[0] === f.client)).toBe(true);
    expect((await read(null, f.client, { reason: 'réclamation du client n° 12' })).statusCode).toBe(401);
  });

  it('P4.5 the route is in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toContain('/api/v1/archive/people/{id}/read');
  });
});
