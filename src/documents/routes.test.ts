import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { buildApp } from '../app.js';
import { createMailer } from '../mail/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policy/index.js';
import { negotiateLanguage } from './routes.js';

describe('Accept-Language negotiation (D2)', () => {
  it('D2 picks French or English by quality, then order; null when neither', () => {
    expect(negotiateLanguage(undefined)).toBeNull();
    expect(negotiateLanguage('')).toBeNull();
    expect(negotiateLanguage('de-DE, it')).toBeNull();
    expect(negotiateLanguage('en-GB,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(negotiateLanguage('de, fr-CA;q=0.5, en;q=0.4')).toBe('fr');
    expect(negotiateLanguage('fr;q=0.2, en;q=0.9')).toBe('en');
    expect(negotiateLanguage('en;q=0, fr;q=0.1')).toBe('fr');
    expect(negotiateLanguage('EN-us')).toBe('en');
  });
});

describeEachEngine('GET /notice', (store) => {
  let app: FastifyInstance;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rempart-notice-'));
    const policy = await loadPolicy(DEFAULT_POLICY_FILE);
    app = await buildApp({ store: store(), policy, dataDir: dir, mailer: createMailer({ outboxDir: join(dir, 'outbox') }) });
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('D2 serves the French notice in HTML by default, without an account', async () => {
    const res = await app.inject({ method: 'GET', url: '/notice' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
    expect(res.headers['content-language']).toBe('fr');
    expect(res.headers.vary).toMatch(/Accept-Language/);
    expect(res.body).toContain('<html lang="fr">');
    expect(res.body).toContain('Article 4 – Durée de conservation');
  });

  it('D2 the notice is a page of the public layout: stylesheet, switch to English, a link to the portal, footer links and contacts', async () => {
    const res = await app.inject({ method: 'GET', url: '/notice' });
    expect(res.body).toContain('<link rel="stylesheet" href="/public.css">');
    expect(res.body).not.toContain('<style');
    expect(res.body).toContain('<a class="lang-switch" href="/notice?lang=en"');
    const main = res.body.slice(res.body.indexOf('<main'), res.body.indexOf('</main>'));
    expect(main).toContain('<a href="/portal?lang=fr">portail vie privée</a>');
    expect(main).toContain('<dl class="contacts">');
    expect(main.match(/<h1>/g)).toHaveLength(1);
    expect(res.body).toMatch(/<footer class="pub-footer">[\s\S]*href="\/portal\?lang=fr"[\s\S]*href="\/notice\?lang=fr"[\s\S]*CERTILIENCE/);
    expect(res.body).not.toContain('noindex');
    // Issue 15, item 6: nothing loaded from another origin (no font, CDN, analytics), no script at all.
    expect(res.body).not.toMatch(/<(script|img|iframe|link|source)\b[^>]*\b(src|href)="(https?:)?\/\//);
    expect(res.body).not.toContain('<script');
    const en = await app.inject({ method: 'GET', url: '/notice?lang=en' });
    expect(en.body).toContain('<a href="/portal?lang=en">privacy portal</a>');
    expect(en.body).toContain('<a class="lang-switch" href="/notice?lang=fr"');
  });

  it('D2 takes the language from Accept-Language, and ?lang= over it', async () => {
    const en = await app.inject({ method: 'GET', url: '/notice', headers: { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' } });
    expect(en.headers['content-language']).toBe('en');
    expect(en.body).toContain('Article 4 – Retention periods');
    const fr = await app.inject({ method: 'GET', url: '/notice?lang=fr', headers: { 'accept-language': 'en' } });
    expect(fr.headers['content-language']).toBe('fr');
    expect(fr.body).toContain("Droit d'accès");
    const other = await app.inject({ method: 'GET', url: '/notice', headers: { 'accept-language': 'de' } });
    expect(other.headers['content-language']).toBe('fr');
  });

  it('D2 gives Markdown on ?format=md and refuses an unknown language', async () => {
    const md = await app.inject({ method: 'GET', url: '/notice?format=md&lang=en' });
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body.startsWith('# Annex: processing of personal data carried out by CERTILIENCE')).toBe(true);
    const bad = await app.inject({ method: 'GET', url: '/notice?lang=de' });
    expect(bad.statusCode).toBe(400);
  });

  it('D3 the version served is stored under the data dir and named in a header', async () => {
    const res = await app.inject({ method: 'GET', url: '/notice' });
    const hash = String(res.headers['x-notice-version']);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(dir, 'policy-versions'))).toBe(true);
    expect(await readdir(join(dir, 'policy-versions'))).toEqual([`2018-06-20_${hash}.yaml`]);
  });
});
