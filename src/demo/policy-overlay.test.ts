import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { createMailer } from '../mail/index.js';
import { analysePolicy, DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { DEMO_CONTACTS, DEMO_POLICY_FILE, loadDemoPolicy, withDemoContacts } from './policy-overlay.js';

const TEXT = readFileSync(DEFAULT_POLICY_FILE, 'utf8');

describe('the demo policy overlay (issue 15, item 5)', () => {
  it('D2 fills every empty contact with a marked example, keeps every other line, and leaves no warning', () => {
    const out = withDemoContacts(TEXT);
    expect(out.split('\n')[0]).toMatch(/^# rempart serve --demo: example values .*Not for publication\.$/);
    expect(out).toContain(`street: "1 rue de l'Exemple (adresse d'exemple)"`);
    expect(out).toContain('email: "contact@exemple.invalid"');
    expect(out).toContain('email: "dpo@exemple.invalid"');
    // Only the five values changed: the rest of the file, comments included, is the operator's.
    const before = TEXT.split('\n');
    const after = out.split('\n').slice(1);
    expect(after).toHaveLength(before.length);
    expect(after.filter((l, i) => l !== before[i])).toHaveLength(5);
    const { problems, warnings, policy } = analysePolicy(out, 'demo.yaml');
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(policy?.controller.email).toBe(DEMO_CONTACTS.email);
    expect(policy?.controller.dpo.email).toBe(DEMO_CONTACTS.dpoEmail);
  });

  it('D2 keeps the contacts a policy gives: only the empty ones are filled, and a full policy is left as it is', () => {
    const real = TEXT.replace(/(\n {2}email: )""/, '$1contact@certilience.example');
    const out = withDemoContacts(real);
    expect(out).toContain('email: contact@certilience.example');
    expect(out).not.toContain('contact@exemple.invalid');
    expect(out).toContain('dpo@exemple.invalid');
    const full = withDemoContacts(out.slice(out.indexOf('\n') + 1));
    expect(withDemoContacts(full)).toBe(full);
  });

  it('D3 the demo policy is written under the data dir and hashed as served; a full policy is loaded from its own file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rempart-demo-policy-'));
    try {
      const policy = await loadDemoPolicy(DEFAULT_POLICY_FILE, dir);
      expect(policy.file).toBe(join(dir, DEMO_POLICY_FILE));
      expect(readFileSync(policy.file, 'utf8')).toBe(withDemoContacts(TEXT));
      expect(policy.version.hash).not.toBe((await loadPolicy(DEFAULT_POLICY_FILE)).version.hash);
      const again = await loadDemoPolicy(policy.file, join(dir, 'other'));
      expect(again.file).toBe(policy.file);
      expect(existsSync(join(dir, 'other'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeEachEngine('serve --demo: the example contacts on the notice and the portal', (store) => {
  let app: FastifyInstance;
  let dir: string;
  let policy: LoadedPolicy;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rempart-demo-notice-'));
    policy = await loadDemoPolicy(DEFAULT_POLICY_FILE, dir);
    app = await buildApp({ store: store(), policy, dataDir: dir, mailer: createMailer({ outboxDir: join(dir, 'outbox') }) });
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('D2 the notice shows the example address, e-mail and DPO e-mail, each marked as an example', async () => {
    for (const [lang, mark] of [['fr', '(adresse d’exemple)'], ['en', '(example address)']] as const) {
      const res = await app.inject({ method: 'GET', url: `/notice?lang=${lang}` });
      expect(res.statusCode).toBe(200);
      const main = res.body.slice(res.body.indexOf('<main'), res.body.indexOf('</main>'));
      expect(main).toContain('1 rue de l&#39;Exemple (adresse d&#39;exemple)<br>75000 Paris');
      expect(main).toContain(`<a href="mailto:contact@exemple.invalid">contact@exemple.invalid</a> <span class="example">${mark}</span>`);
      expect(main).toContain(`<a href="mailto:dpo@exemple.invalid">dpo@exemple.invalid</a> <span class="example">${mark}</span>`);
      const footer = res.body.slice(res.body.indexOf('<footer'));
      expect(footer).toContain('contact@exemple.invalid');
      expect(footer).toContain('dpo@exemple.invalid');
    }
  });

  it('D3 the version served is the demo text, stored as a snapshot', async () => {
    const res = await app.inject({ method: 'GET', url: '/notice' });
    expect(res.headers['x-notice-version']).toBe(policy.version.hash);
    expect(await readdir(join(dir, 'policy-versions'))).toEqual([`${policy.version.effectiveDate}_${policy.version.hash}.yaml`]);
  });

  it('D2 the portal home gives the same example contacts', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/portal/home' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ controller: unknown }>().controller).toEqual({
      name: 'CERTILIENCE',
      address: { street: DEMO_CONTACTS.street, postalCode: DEMO_CONTACTS.postalCode, city: DEMO_CONTACTS.city, country: 'FR' },
      email: DEMO_CONTACTS.email,
      dpoEmail: DEMO_CONTACTS.dpoEmail,
    });
  });
});
