import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { cliActor } from '../access/actor.js';
import { createAccessRuntime, type AccessRuntime } from '../access/runtime.js';
import { RESOURCES } from '../crm/resources.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { readArchive } from './archive.js';
import { runRetention } from './sweep.js';
import { seedRetentionFixture, type RetentionFixture } from './test-support.js';

const spec = (name: string) => RESOURCES.find((r) => r.name === name)!;

describeEachEngine('intermediate archive (P4.5)', (store) => {
  let policy: LoadedPolicy;
  let f: RetentionFixture;
  let access: AccessRuntime;
  const now = new Date('2023-07-01T10:00:00Z');
  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    f = await seedRetentionFixture(store().db, 5);
    await runRetention(store().db, policy, { at: new Date('2023-07-01T00:00:00Z') });
    access = createAccessRuntime({ db: store().db, policy, now: () => now, chainer: false });
  });
  afterAll(async () => access.close());

  it('P4.5 archived records are absent from every operational read: gone from the lists and answered 404 by id, for every role', async () => {
    for (const role of ['manager', 'dpo', 'administration', 'marketing']) {
      const gate = access.gate.for(cliActor(role));
      for (const name of ['people', 'orders', 'invoices', 'complaints']) {
        const s = spec(name);
        if (!s) continue;
        const page = await gate.list(s, { limit: 500 }).catch(() => ({ items: [] }));
        const ids = page.items.map((i) => (i as { id?: string }).id);
        expect(ids, `${role} ${name}`).not.toContain(f.client);
        expect(ids, `${role} ${name}`).not.toContain(f.order);
        expect(ids, `${role} ${name}`).not.toContain(f.invoice);
      }
      await expect(gate.get(spec('people'), f.client)).rejects.toMatchObject({ code: expect.stringMatching(/NOT_FOUND|FORBIDDEN/) });
    }
    // The open relationship's contact is still there for the same roles: the lists work.
    const list = await access.gate.for(cliActor('manager')).list(spec('people'), { limit: 500 });
    expect(list.items.map((i) => (i as { id?: string }).id)).toContain(f.openClient);
  });

  it('P4.5 only a role granted the archive reads it, with a reason, and each read is in the audit trail', async () => {
    await expect(readArchive(store().db, policy, cliActor('manager'), { personId: f.client, reason: 'contrôle', now })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(readArchive(store().db, policy, cliActor('archive_reader'), { personId: f.client, reason: '  ', now })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const rows = await readArchive(store().db, policy, cliActor('archive_reader'), { personId: f.client, reason: 'réclamation du client n° 12', now });
    expect(rows.map((r) => r.sourceTable)).toEqual(expect.arrayContaining(['people', 'orders', 'complaints']));
    expect(rows.find((r) => r.sourceTable === 'people')?.id).toBe(f.client);
    expect(JSON.stringify(rows)).not.toContain('@exemple.fr');
    const events = await sql<{ event: unknown }>`select event from audit_queue`.execute(store().db.withoutPlugins());
    const parsed = events.rows.map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { resource: string; action: string; reason: string | null; role: string | null });
    expect(parsed).toEqual(expect.arrayContaining([
      expect.objectContaining({ resource: 'archive.records', action: 'read', reason: 'réclamation du client n° 12', role: 'archive_reader' }),
      expect.objectContaining({ resource: 'archive.records', action: 'denied', role: 'manager' }),
    ]));
  });
});
