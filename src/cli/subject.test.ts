import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { systemActor } from '../access/actor.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { addPartner, createTransfer, recordConsent } from '../consent/index.js';
import { openStore } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('rempart subject restrict|unrestrict', () => {
  it('P5.4 Art. 19 restrict queues the notice to the partner that received the data; unrestrict mails the person, then queues the lift', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rempart-cli-'));
    dirs.push(dir);
    const email = 'lina.cli@client.fr';
    const created = await runCli('record', 'create', 'people', '--data-dir', dir, '--data', JSON.stringify({ lastName: 'Limitée', firstName: 'Lina', email }));
    expect(created.code, created.err).toBe(0);
    const policy = await loadPolicy('policies/certilience.yaml');
    const now = new Date();
    let store = await openStore({ dataDir: dir, command: 'test' });
    try {
      const person = await store.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow();
      const deps = { db: store.db, policy, now: () => now, serverKey: loadOrCreateServerKey(dir) };
      const partner = await addPartner(store.db, { name: 'Partenaire CLI', kind: 'partner', country: 'FR', email: 'dpo@partenaire-cli.test' }, now);
      await recordConsent(deps, { personId: person.id, partnerId: partner.id, state: 'given', channel: 'web_form', collector: 'user:t' });
      await createTransfer(deps, { partnerId: partner.id, actor: systemActor('test'), fileName: 'cli.csv' });
    } finally {
      await store.close();
    }

    const restricted = await runCli('subject', 'restrict', '--email', email, '--data-dir', dir);
    expect(restricted.code, restricted.err).toBe(0);
    expect(restricted.out).toMatch(/queued\s+1 notice\(s\) to recipients/);
    const lifted = await runCli('subject', 'unrestrict', '--email', email, '--data-dir', dir);
    expect(lifted.code, lifted.err).toBe(0);
    const outbox = join(dir, 'outbox');
    const mails = existsSync(outbox) ? readdirSync(outbox).map((f) => readFileSync(join(outbox, f), 'utf8')) : [];
    expect(mails.some((m) => m.includes(email) && /18\(3\)/.test(m))).toBe(true);

    store = await openStore({ dataDir: dir, command: 'test' });
    try {
      const log = await store.db.selectFrom('recipientNotifications').select(['event', 'partnerId']).orderBy('createdAt').execute();
      expect(log.map((r) => r.event)).toEqual(['restriction', 'restriction_lifted']);
      expect(log.every((r) => r.partnerId !== null)).toBe(true);
      const state = await store.db.selectFrom('personStates').select(['restrictedAt', 'liftNoticeSentAt']).executeTakeFirstOrThrow();
      expect(state.restrictedAt).toBeNull();
      expect(state.liftNoticeSentAt).toBeInstanceOf(Date);
    } finally {
      await store.close();
    }
  }, 120_000);
});
