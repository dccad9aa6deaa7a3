import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeEachEngine } from '../test/engines.js';
import { createToken } from './access/auth/index.js';
import { buildApp } from './app.js';
import { newId } from './db/ids.js';
import { createMailer } from './mail/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from './policy/index.js';

const outbox = mkdtempSync(join(tmpdir(), 'rempart-public-url-'));
afterAll(() => rmSync(outbox, { recursive: true, force: true }));

describeEachEngine('the public URL in the built app', (store) => {
  it('P1.6 a consent receipt carries its withdrawal link on the configured public URL (AppOptions.publicUrl), never a default host', async () => {
    const policy = await loadPolicy(DEFAULT_POLICY_FILE);
    const dir = mkdtempSync(join(outbox, 'run-'));
    const mailer = createMailer({ outboxDir: dir });
    const app = await buildApp({ store: store(), policy, webRoot: '/nonexistent', mailer, publicUrl: 'https://crm.example.test/rempart' });
    try {
      const db = store().db;
      const auth = { authorization: `Bearer ${(await createToken(db, policy, { role: 'marketing', name: 'public url test' })).token}` };
      const partner = await app.inject({ method: 'POST', url: '/api/v1/partners', headers: auth, payload: { name: 'Partenaire URL', kind: 'partner', country: 'FR', email: 'privacy@partner.test' } });
      expect(partner.statusCode, partner.body).toBe(201);
      const personId = newId();
      await db.insertInto('people').values({ id: personId, relation: 'client_contact', lastName: 'Lien', firstName: 'Test', email: 'lien.test@example.test', phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: new Date() }).execute();
      const given = await app.inject({ method: 'POST', url: `/api/v1/people/${personId}/consents`, headers: auth, payload: { partnerId: partner.json<{ id: string }>().id, state: 'given', channel: 'web_form' } });
      expect(given.statusCode, given.body).toBe(201);
      expect(given.json()).toMatchObject({ receiptSent: true });
      const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
      expect(files).toHaveLength(1);
      const eml = readFileSync(join(dir, files[0]!), 'utf8').replace(/=\r?\n/g, '');
      expect(eml).toMatch(/https:\/\/crm\.example\.test\/rempart\/consent\/withdraw\/[A-Za-z0-9_-]+/);
      expect(eml).not.toMatch(/https?:\/\/(localhost|127\.0\.0\.1)/);
    } finally {
      await app.close();
      mailer.close();
    }
  });
});
