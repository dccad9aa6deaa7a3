import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Controller } from '../policy/index.js';
import { PUBLIC_CSS } from './public-css.js';
import { contactsHtml, negotiateLanguage, PUBLIC_CSS_URL, publicCssRoute, publicPage } from './public-layout.js';
import { CONTENT_SECURITY_POLICY, cspAllowingStyle } from './security-headers.js';

const controller: Controller = {
  name: 'ACME & Cie',
  address: { street: '1 rue de la Paix', postalCode: '75002', city: 'Paris', country: 'FR' },
  email: 'contact@acme.example',
  dpo: { name: '', email: 'dpo@acme.example' },
};

describe('the public layout (issue 15, item 4)', () => {
  it('D2 renders a French page: lang, title, header with the controller, EN switch keeping the page, footer links and contacts', () => {
    const html = publicPage({ lang: 'fr', title: 'Désinscription', body: '<p>ok</p>', controller, path: '/u/abc' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<title>Désinscription · ACME &amp; Cie</title>');
    expect(html).toContain(`<link rel="stylesheet" href="${PUBLIC_CSS_URL}">`);
    expect(html).toMatch(/<header class="pub-header">[\s\S]*<span class="pub-brand">ACME &amp; Cie<\/span>/);
    expect(html).toContain('<a class="lang-switch" href="/u/abc?lang=en" hreflang="en" lang="en"');
    expect(html).toContain('<h1>Désinscription</h1>');
    expect(html).toMatch(/<main id="main" class="pub-main">[\s\S]*<p>ok<\/p>[\s\S]*<\/main>/);
    const footer = html.slice(html.indexOf('<footer class="pub-footer">'));
    expect(footer).toContain('href="/portal?lang=fr"');
    expect(footer).toContain('href="/notice?lang=fr"');
    expect(footer).toContain('1 rue de la Paix<br>75002 Paris');
    expect(footer).toContain('<a href="mailto:contact@acme.example">contact@acme.example</a>');
    expect(footer).toContain('Délégué à la protection des données');
    expect(footer).toContain('<a href="mailto:dpo@acme.example">dpo@acme.example</a>');
    // No script, no inline style, nothing from another origin (item 6).
    expect(html).not.toMatch(/<script|<style|style=|https?:\/\//);
    expect(html).not.toContain('noindex');
  });

  it('D2 renders an English page with the FR switch, and a page given its own h1 keeps it alone', () => {
    const html = publicPage({ lang: 'en', title: 'Notice', body: '<h1>Annex</h1>', controller, path: '/notice', heading: false, noindex: true });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<a class="lang-switch" href="/notice?lang=fr" hreflang="fr" lang="fr"');
    expect(html).toContain('Français');
    expect(html).toContain('href="/portal?lang=en"');
    expect(html).toContain('Privacy portal');
    expect(html).toContain('Data protection officer');
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html).toContain('<meta name="robots" content="noindex">');
  });

  it('escapes what it is given: title, path and contacts', () => {
    const html = publicPage({ lang: 'fr', title: '<b>x</b>', body: '', controller: { ...controller, name: '<i>n</i>', email: 'a"b@x.example' }, path: '/u/"><script>' });
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('<i>n</i>');
    expect(html).not.toContain('"><script>');
    expect(html).toContain('a&quot;b@x.example');
  });

  it('D2 leaves empty contacts out, and marks an address under .invalid as an example (RFC 2606)', () => {
    const empty = contactsHtml({ name: 'X', address: { street: '', postalCode: '', city: '', country: 'FR' }, email: '', dpo: { name: '', email: '' } }, 'fr');
    expect(empty).toBe('<dl class="contacts"><dt>Responsable du traitement</dt><dd>X</dd></dl>');
    const example = contactsHtml({ ...controller, email: 'contact@exemple.invalid' }, 'en');
    expect(example).toContain('contact@exemple.invalid</a> <span class="example">(example address)</span>');
  });

  it('D2 negotiates French or English from Accept-Language', () => {
    expect(negotiateLanguage('en-GB,fr;q=0.5')).toBe('en');
    expect(negotiateLanguage('de')).toBeNull();
  });

  it('D2 GET /public.css is served as text/css, cacheable, revalidated by ETag', async () => {
    const app = Fastify();
    publicCssRoute(app);
    const res = await app.inject({ method: 'GET', url: '/public.css' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.body).toBe(PUBLIC_CSS);
    const again = await app.inject({ method: 'GET', url: '/public.css', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    await app.close();
  });

  it('the stylesheet defines the classes the portal reuses, a focus outline, and loads nothing from elsewhere', () => {
    for (const cls of ['.pub-header', '.pub-main', '.pub-footer', '.card', '.btn', '.btn-secondary', '.field-error', '.notice-box', '.lang-switch', '.skip-link']) {
      expect(PUBLIC_CSS, cls).toMatch(new RegExp(`(^|[,}\\n])\\${cls}[{,]`));
    }
    expect(PUBLIC_CSS).toMatch(/:focus-visible\{outline:3px solid/);
    expect(PUBLIC_CSS).not.toMatch(/@import|url\(|https?:/);
  });

  it('Art. 32 the CSP allows no inline style; the proof page gets exactly its own style by hash', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    // The hash of "a{}" (CSP Level 3 §8.3: base64 of the SHA-256 of the style's text).
    expect(cspAllowingStyle('a{}')).toContain("style-src 'self' 'sha256-X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk='");
  });
});
