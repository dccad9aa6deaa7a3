/**
 * The one layout of the pages the public sees without an account (issue 15, item 4): the
 * notice (`/notice`), the one-click opt-out (`/u/…`), the consent withdrawal
 * (`/consent/withdraw/…`), the re-permission answer (`/rp/…`), and, through the same
 * stylesheet, the React privacy portal (`/portal`). Header with the controller's name and
 * a FR/EN switch that keeps the page, the content, and a footer that says who to write to
 * (Art. 12(1): easily accessible; Art. 13(1)(a),(b): the controller's and the DPO's contact
 * details) and links the portal and the notice to each other.
 *
 * The stylesheet is served at `GET /public.css`, same origin, so that no page needs an
 * inline `<style>` (the CSP allows `style-src 'self'` only) and nothing comes from a third
 * party (no font, no CDN, no analytics).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { escapeHtml } from '../mail/templates/common.js';
import type { Controller } from '../policy/index.js';
import { PUBLIC_CSS } from './public-css.js';

/** The languages of the public pages. */
export type PublicLang = 'fr' | 'en';

/** The stylesheet's stable same-origin URL; the portal's page links it too. */
export const PUBLIC_CSS_URL = '/public.css';

/**
 * The language an `Accept-Language` header prefers among French and English (RFC 9110
 * §12.5.4: highest q first, then header order; `q=0` means "not this one"); null when neither.
 */
export function negotiateLanguage(header: string | undefined): PublicLang | null {
  if (header === undefined || header.trim() === '') return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranked) {
    if (r.primary === 'fr' || r.primary === 'en') return r.primary;
  }
  return null;
}

/** A public page's language: `?lang=fr|en`, then `Accept-Language`, else French (the annex's language). */
export function pageLanguage(req: FastifyRequest): PublicLang {
  const q = (req.query as { lang?: unknown } | undefined)?.lang;
  if (q === 'fr' || q === 'en') return q;
  return negotiateLanguage(req.headers['accept-language']) ?? 'fr';
}

/** What one public page is made of. */
export interface PublicPageInput {
  readonly lang: PublicLang;
  /** The page's title (plain text: escaped here), also its `<h1>` unless `heading` is false. */
  readonly title: string;
  /** The content, HTML the caller has escaped. */
  readonly body: string;
  /** From the policy: the name in the header, the contacts in the footer. */
  readonly controller: Controller;
  /**
   * The path (no query) the FR/EN switch points to, so that it keeps the page; encode
   * any token in it with encodeURIComponent. A page reached by POST gives the GET that shows it.
   */
  readonly path: string;
  /** False when `body` carries its own `<h1>` (the notice). Default true. */
  readonly heading?: boolean;
  /** Pages reached by a personal link (one-click tokens) are kept out of search engines. Default false. */
  readonly noindex?: boolean;
}

const WORDS = {
  fr: {
    skip: 'Aller au contenu',
    switchLabel: 'English version',
    switchText: 'English',
    portal: 'Portail vie privée : exercer vos droits',
    notice: 'Notice d’information sur vos données',
    contacts: 'Nous écrire',
    controller: 'Responsable du traitement',
    email: 'Courriel',
    dpo: 'Délégué à la protection des données',
    example: 'adresse d’exemple',
    footerNav: 'Vos données',
  },
  en: {
    skip: 'Skip to content',
    switchLabel: 'Version française',
    switchText: 'Français',
    portal: 'Privacy portal: exercise your rights',
    notice: 'Privacy notice',
    contacts: 'Write to us',
    controller: 'Controller',
    email: 'E-mail',
    dpo: 'Data protection officer',
    example: 'example address',
    footerNav: 'Your data',
  },
} as const;

/** `?lang=` appended to a same-origin path. */
function withLang(path: string, lang: PublicLang): string {
  return `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}

/**
 * An e-mail as a mailto link; an address under `.invalid` (RFC 2606: never delivered, the
 * demo's example values) says it is an example, so nobody takes it for the real one.
 */
function mailLink(address: string, lang: PublicLang): string {
  const a = escapeHtml(address);
  const example = /\.invalid$/i.test(address) ? ` <span class="example">(${WORDS[lang].example})</span>` : '';
  return `<a href="mailto:${a}">${a}</a>${example}`;
}

/** The controller's contacts as a definition list; empty fields are left out. */
export function contactsHtml(controller: Controller, lang: PublicLang): string {
  const w = WORDS[lang];
  const a = controller.address;
  const cityLine = [a.postalCode, a.city].filter((s) => s !== '').join(' ');
  const address = [a.street, cityLine].filter((s) => s !== '');
  const rows: string[] = [`<dt>${w.controller}</dt><dd>${escapeHtml(controller.name)}${address.length > 0 ? `<br>${address.map(escapeHtml).join('<br>')}` : ''}</dd>`];
  if (controller.email !== '') rows.push(`<dt>${w.email}</dt><dd>${mailLink(controller.email, lang)}</dd>`);
  if (controller.dpo.email !== '') rows.push(`<dt>${w.dpo}</dt><dd>${controller.dpo.name !== '' ? `${escapeHtml(controller.dpo.name)}<br>` : ''}${mailLink(controller.dpo.email, lang)}</dd>`);
  return `<dl class="contacts">${rows.join('')}</dl>`;
}

/** A full public HTML page in the shared layout. */
export function publicPage(page: PublicPageInput): string {
  const { lang } = page;
  const w = WORDS[lang];
  const other: PublicLang = lang === 'fr' ? 'en' : 'fr';
  const name = escapeHtml(page.controller.name);
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(page.noindex === true ? ['<meta name="robots" content="noindex">'] : []),
    `<title>${escapeHtml(page.title)} · ${name}</title>`,
    `<link rel="stylesheet" href="${PUBLIC_CSS_URL}">`,
    '</head>',
    '<body>',
    `<a class="skip-link" href="#main">${w.skip}</a>`,
    '<header class="pub-header"><div class="pub-header-inner">',
    `<span class="pub-brand">${name}</span>`,
    `<a class="lang-switch" href="${escapeHtml(withLang(page.path, other))}" hreflang="${other}" lang="${other}" aria-label="${w.switchLabel}">${w.switchText}</a>`,
    '</div></header>',
    '<main id="main" class="pub-main">',
    ...(page.heading === false ? [] : [`<h1>${escapeHtml(page.title)}</h1>`]),
    page.body,
    '</main>',
    `<footer class="pub-footer"><div class="pub-footer-inner">`,
    `<nav aria-label="${w.footerNav}"><ul><li><a href="${withLang('/portal', lang)}">${w.portal}</a></li><li><a href="${withLang('/notice', lang)}">${w.notice}</a></li></ul></nav>`,
    `<section aria-label="${w.contacts}"><h2>${w.contacts}</h2>${contactsHtml(page.controller, lang)}</section>`,
    '</div></footer>',
    '</body></html>',
    '',
  ].join('\n');
}

const CSS_ETAG = `"${createHash('sha256').update(PUBLIC_CSS).digest('base64url').slice(0, 22)}"`;

/**
 * Registers `GET /public.css`: cacheable by anyone (it holds no personal data), revalidated
 * by its ETag so that an upgrade's new rules arrive within the hour.
 */
export function publicCssRoute(app: FastifyInstance): void {
  app.get(PUBLIC_CSS_URL, { schema: { hide: true } }, async (req, reply) => {
    void reply.header('cache-control', 'public, max-age=3600').header('etag', CSS_ETAG);
    if (req.headers['if-none-match'] === CSS_ETAG) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(PUBLIC_CSS);
  });
}
