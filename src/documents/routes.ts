/**
 * `GET /notice`: the notice given to clients (D2), public (Art. 12(1): the information is
 * given to anyone it concerns, without an account). Language from `?lang=`, then the
 * `Accept-Language` header, else French; HTML unless `?format=md`.
 */
import type { FastifyInstance, FastifyBaseLogger } from 'fastify';
import Type from 'typebox';
import { contactsHtml, negotiateLanguage, publicPage } from '../http/public-layout.js';
import { ErrorResponse } from '../http/schemas.js';
import type { LoadedPolicy } from '../policy/index.js';
import { policyText } from './policy-ref.js';
import { buildNotice } from './notice.js';
import { renderHtmlBody } from './render-html.js';
import { renderNotice } from './render.js';
import { recordVersion, versionsDir } from './versions.js';
import type { Lang } from './words.js';

/** Options of the notice routes. */
export interface NoticeRouteOptions {
  readonly policy: LoadedPolicy;
  /** When given, the version served is stored under `<dataDir>/policy-versions/` (D3). */
  readonly dataDir?: string;
}

/** Moved to the public layout, which every public page shares; re-exported for the notice's callers. */
export { negotiateLanguage };

/**
 * What the notice page adds above the notice itself (Art. 12(2): facilitate the exercise of
 * the rights): where to exercise them, the portal, and who to write to.
 */
function rightsBox(policy: LoadedPolicy, lang: Lang): string {
  const portal = `/portal?lang=${lang}`;
  return lang === 'fr'
    ? `<div class="notice-box is-info"><p><strong>Exercer vos droits.</strong> Accès, rectification, effacement, opposition, portabilité : faites votre demande sur le <a href="${portal}">portail vie privée</a>, ou écrivez-nous.</p>${contactsHtml(policy.controller, lang)}</div>`
    : `<div class="notice-box is-info"><p><strong>Exercise your rights.</strong> Access, rectification, erasure, objection, portability: make your request on the <a href="${portal}">privacy portal</a>, or write to us.</p>${contactsHtml(policy.controller, lang)}</div>`;
}

/** The notice as a page of the public layout, the portal's box above it. */
function noticePage(policy: LoadedPolicy, lang: Lang): string {
  const doc = buildNotice(policy, lang);
  return publicPage({ lang, title: doc.title, body: `${rightsBox(policy, lang)}\n${renderHtmlBody(doc)}`, controller: policy.controller, path: '/notice', heading: false });
}

async function recordServedVersion(options: NoticeRouteOptions, log: FastifyBaseLogger): Promise<void> {
  if (options.dataDir === undefined) return;
  try {
    await recordVersion(versionsDir(options.dataDir), options.policy, await policyText(options.policy));
  } catch (e) {
    // Serving the notice matters more than archiving it; the operator sees why it was not stored.
    log.warn({ err: e }, 'the policy version could not be stored under policy-versions/');
  }
}

/** Registers `GET /notice`. */
export async function noticeRoutes(app: FastifyInstance, options: NoticeRouteOptions): Promise<void> {
  await recordServedVersion(options, app.log);
  const { policy } = options;
  app.get(
    '/notice',
    {
      schema: {
        tags: ['Documents'],
        summary: 'The notice given to clients (GDPR Art. 13), in French or English, HTML or Markdown',
        querystring: Type.Object(
          {
            lang: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('md')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.String(), 400: ErrorResponse },
      },
    },
    async (req, reply) => {
      const query = req.query as { lang?: Lang; format?: 'html' | 'md' };
      const lang = query.lang ?? negotiateLanguage(req.headers['accept-language']) ?? 'fr';
      const format = query.format ?? 'html';
      const body = format === 'html' ? noticePage(policy, lang) : await renderNotice(policy, { lang, format });
      return reply
        .header('content-type', format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8')
        .header('content-language', lang)
        .header('vary', 'Accept-Language')
        .header('x-notice-version', policy.version.hash)
        .send(body);
    },
  );
}
