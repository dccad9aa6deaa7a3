import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { buildApp } from '../../app.js';
import { createMailer } from '../../mail/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../policy/index.js';

// A stand-in build of the web app: the back office's index.html and the portal's page.
const webRoot = mkdtempSync(join(tmpdir(), 'rempart-portal-web-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>staff sign-in</title>');
writeFileSync(join(webRoot, 'portal.html'), '<!doctype html><title>portail</title>');
afterAll(() => rmSync(webRoot, { recursive: true, force: true }));

describeEachEngine('privacy portal routes', (store) => {
  it('P5 /portal and its client paths serve the portal page, never the staff sign-in', async () => {
    const policy = await loadPolicy(DEFAULT_POLICY_FILE);
    const mailer = createMailer({ outboxDir: join(webRoot, 'outbox') });
    const app = await buildApp({ store: store(), policy, webRoot, mailer });
    try {
      for (const url of ['/portal', '/portal/code', '/portal?lang=en']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.body).toContain('portail');
        expect(res.body).not.toContain('staff sign-in');
      }
      // The back office keeps its own page.
      expect((await app.inject({ method: 'GET', url: '/people' })).body).toContain('staff sign-in');
    } finally {
      await app.close();
      mailer.close();
    }
  });

  it('P5 the portal home says who the controller is, what is held and why, and offers each right, with no account', async () => {
    const policy = await loadPolicy(DEFAULT_POLICY_FILE);
    const mailer = createMailer({ outboxDir: join(webRoot, 'outbox') });
    const app = await buildApp({ store: store(), policy, webRoot, mailer });
    try {
      const res = await app.inject({ method: 'GET', url: '/api/v1/portal/home' });
      expect(res.statusCode, res.body).toBe(200);
      const home = res.json<{ controller: { name: string }; authority: { name: string }; purposes: { id: string; name: { fr: string } }[]; rights: string[] }>();
      expect(home.controller.name).toBe(policy.controller.name);
      expect(home.authority.name).toBe(policy.supervisoryAuthority.name);
      expect(home.purposes.map((p) => p.id)).toEqual(policy.purposes.map((p) => p.id));
      expect(home.purposes[0]!.name.fr).toBe(policy.purposes[0]!.name.fr);
      expect(home.rights).toEqual(expect.arrayContaining(['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection']));
    } finally {
      await app.close();
      mailer.close();
    }
  });
});
