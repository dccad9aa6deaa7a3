import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { composeMessage, extractLinks } from './message.js';
import { signToken, verifyToken } from './tokens.js';

let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

const base = () => ({
  policy,
  language: 'fr' as const,
  subject: 'Offre',
  body: 'Bonjour {{firstName}} {{lastName}},\n\nVoir https://ex.fr/a et https://ex.fr/a/b, puis https://ex.fr/a.',
  links: extractLinks('Voir https://ex.fr/a et https://ex.fr/a/b, puis https://ex.fr/a.'),
  person: { firstName: 'Claire', lastName: 'Martin', source: 'Salon', collectedAt: new Date('2026-10-01T10:00:00Z') },
  optOutUrl: 'https://crm.example/u/TOKEN',
  optOutMailto: null,
  clickUrl: (i: number) => `https://crm.example/c/L${i}`,
  pixelUrl: null,
  includeArt14: false,
});

describe('message composition', () => {
  it('R-PROS-7 every link goes through the click redirect, a link that prefixes another included', () => {
    expect(extractLinks('x https://ex.fr/a, https://ex.fr/a/b https://ex.fr/a.')).toEqual(['https://ex.fr/a', 'https://ex.fr/a/b']);
    const m = composeMessage(base());
    expect(m.text).toContain('Bonjour Claire Martin,');
    expect(m.text).toContain('Voir https://crm.example/c/L0 et https://crm.example/c/L1, puis https://crm.example/c/L0.');
    expect(m.text).not.toContain('https://ex.fr');
    expect(m.html).not.toContain('https://ex.fr');
  });

  it('R-PROS-5 R-PROS-10 opt-out in body and headers; a pixel only when the caller passes one (consent)', () => {
    const m = composeMessage(base());
    expect(m.headers['List-Unsubscribe']).toBe('<https://crm.example/u/TOKEN>');
    expect(m.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(m.text).toContain('en un clic : https://crm.example/u/TOKEN');
    expect(m.html).not.toMatch(/<img/);
    const withPixel = composeMessage({ ...base(), pixelUrl: 'https://crm.example/o/P', optOutMailto: 'stop@example.fr' });
    expect(withPixel.html).toContain('<img src="https://crm.example/o/P" width="1" height="1" alt="">');
    expect(withPixel.headers['List-Unsubscribe']).toBe('<https://crm.example/u/TOKEN>, <mailto:stop@example.fr?subject=unsubscribe>');
  });

  it('P5 the footer links to the privacy portal, where the person sees, downloads, corrects or erases their data', () => {
    const fr = composeMessage({ ...base(), portalUrl: 'https://crm.example/portal' });
    expect(fr.text).toContain('Vos données et vos droits (les voir, les télécharger, les corriger, les effacer, vos consentements) : https://crm.example/portal');
    expect(fr.html).toContain('<a href="https://crm.example/portal">');
    const en = composeMessage({ ...base(), language: 'en', portalUrl: 'https://crm.example/portal?lang=en' });
    expect(en.text).toContain('Your data and your rights (see, download, correct or erase them, your consents): https://crm.example/portal?lang=en');
  });

  it('R-PROS-11 the Art. 14 information in both languages: source, purpose, basis, recipients, retention, rights, objection, authority', () => {
    for (const language of ['fr', 'en'] as const) {
      const m = composeMessage({ ...base(), language, includeArt14: true });
      const expected =
        language === 'fr'
          ? ['article 14', 'Origine de vos données : Salon (collectées le 1 octobre 2026)', 'Finalité', 'Intérêt légitime', 'Destinataires', 'Durée de conservation : 3 ans', "Droit d'accès", "Droit d'opposition", 'CNIL']
          : ['Article 14', 'Where your data comes from: Salon (collected on 1 October 2026)', 'Purpose', 'Legitimate interest', 'Recipients', 'Retention: 3 years', 'Right of access', 'Right to object', 'CNIL'];
      for (const text of expected) expect(m.text, `${language}: ${text}`).toContain(text);
      expect(m.text).not.toMatch(/portabilit/i);
    }
  });
});

describe('link tokens', () => {
  it('R-PROS-5 tokens are opaque, signed, and refused when altered or signed with another key', () => {
    const key = randomBytes(32);
    const id = '01938a7e-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
    const t = signToken(key, { action: 'c', solicitationId: id, link: 3 });
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(t).not.toContain(id.replace(/-/g, ''));
    expect(verifyToken(key, t)).toEqual({ action: 'c', solicitationId: id, link: 3 });
    const flipped = `${t.slice(0, 5)}${t[5] === 'A' ? 'B' : 'A'}${t.slice(6)}`;
    expect(verifyToken(key, flipped)).toBeNull();
    expect(verifyToken(randomBytes(32), t)).toBeNull();
    expect(verifyToken(key, 'short')).toBeNull();
  });
});
