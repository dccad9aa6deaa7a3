/**
 * `GET /notice`: the notice given to clients (D2), public (Art. 12(1): the information is
 * given to anyone it concerns, without an account). Language from `?lang=`, then the
 * `Accept-Language` header, else French; HTML unless `?format=md`.
 */
import type { FastifyInstance, FastifyBaseLogger } from 'fastify';
import Type from 'typebox';
import { ErrorResponse } from '../http/schemas.js';
import type { LoadedPolicy } from '../policy/index.js';
import { policyText } from './policy-ref.js';
import { renderNotice } from './render.js';
import { recordVersion, versionsDir } from './versions.js';
import type { Lang } from './words.js';

/** Options of the notice routes. */
export interface NoticeRouteOptions {
  readonly policy: LoadedPolicy;
  /** When given, the version served is stored under `<dataDir>/policy-versions/` (D3). */
  readonly dataDir?: string;
}

/**
 * The language an `Accept-Language` header prefers among French and English (RFC 9110
 * §12.5.4: highest q first, then header order; `q=0` means "not this one"); null when neither.
 */
export function negotiateLanguage(header: string | undefined): Lang | null {
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
      const body = await renderNotice(policy, { lang, format });
      return reply
        .header('content-type', format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8')
        .header('content-language', lang)
        .header('vary', 'Accept-Language')
        .header('x-notice-version', policy.version.hash)
        .send(body);
    },
  );
}
