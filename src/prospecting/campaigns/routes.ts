import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { requireActor } from '../../access/auth/index.js';
import type { GateSession } from '../../access/gate.js';
import type { Database } from '../../db/schema.js';
import { pageLanguage, publicPage, type PublicLang } from '../../http/public-layout.js';
import { ErrorResponse } from '../../http/schemas.js';
import type { Mailer } from '../../mail/index.js';
import { escapeHtml } from '../../mail/templates/common.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { parseDimensions, prospectingStats } from '../stats/index.js';
import { createCampaign, getCampaign, listCampaigns } from './campaigns.js';
import { parseCriteria, SEGMENT_KINDS } from './criteria.js';
import { followLink, optOut, recordOpen } from './links.js';
import { createSegment, getSegment, listSegments, previewSelection } from './segments.js';
import { sendCampaign } from './send.js';
import { verifyToken } from './tokens.js';

/** What the campaign routes need. */
export interface CampaignRouteOptions {
  readonly session: (req: FastifyRequest) => GateSession;
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  readonly mailer: Mailer;
  readonly serverKey: Buffer;
  /** The public base URL links point to (`Config.publicUrl`); never the request's host, which a client chooses. */
  readonly publicUrl: string;
  /** An address taking unsubscribe requests by mail (List-Unsubscribe mailto); none by default. */
  readonly optOutMailto?: string | null;
}

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const Count = Type.Object({ eligible: Type.Integer(), excluded: Type.Record(Type.String(), Type.Integer()) });
const SegmentOut = Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), criteria: Type.Record(Type.String(), Type.Unknown()), createdAt: Type.String() });
const CampaignOut = Type.Object({
  id: Type.String(),
  name: Type.String(),
  segmentId: Type.String(),
  channel: Type.String(),
  language: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  links: Type.Array(Type.String()),
  trackOpens: Type.Boolean(),
  status: Type.String(),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
// The smallest valid GIF: what the pixel answers, whatever the token.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A link page in the public layout (`?lang=` or Accept-Language; French by default); kept out of search engines. */
function page(req: FastifyRequest, opts: CampaignRouteOptions, path: string, words: Readonly<Record<PublicLang, { readonly title: string; readonly body: string }>>): string {
  const lang = pageLanguage(req);
  return publicPage({ lang, title: words[lang].title, body: words[lang].body, controller: opts.policy.controller, path, noindex: true });
}

/**
 * The public link routes, mounted at the root: `/u/TOKEN` (one-click opt-out, RFC 8058:
 * GET shows a confirmation button, since mail scanners follow links; POST writes to the
 * opposition list at once), `/c/TOKEN` (click redirect), `/o/TOKEN` (open pixel, only in
 * messages to people who consented to it). Tokens are opaque and signed; no URL carries
 * personal data.
 */
async function linkRoutes(app: FastifyInstance, opts: CampaignRouteOptions): Promise<void> {
  const deps = { db: opts.db, key: opts.serverKey, policy: opts.policy };
  // RFC 8058 §3.1: the mail client POSTs "List-Unsubscribe=One-Click" as a form.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
  }
  const name = opts.policy.controller.name;
  const hidden = { schema: { hide: true, params: TokenParams } };

  const invalid = {
    fr: { title: 'Lien invalide', body: '<div class="notice-box is-error"><p>Ce lien de désinscription est invalide.</p></div>' },
    en: { title: 'Link not valid', body: '<div class="notice-box is-error"><p>This unsubscribe link is not valid.</p></div>' },
  };
  const uPath = (req: FastifyRequest) => `/u/${encodeURIComponent((req.params as { token: string }).token)}`;

  app.get('/u/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const valid = verifyToken(opts.serverKey, token)?.action === 'u';
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (!valid) return reply.status(404).send(page(req, opts, uPath(req), invalid));
    // GET never unsubscribes (mail scanners follow links): the button POSTs, as RFC 8058 clients do.
    const form = (label: string) => `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button class="btn" type="submit">${label}</button></form>`;
    return reply.send(
      page(req, opts, uPath(req), {
        fr: { title: `Ne plus recevoir de messages de ${name}`, body: `<div class="card"><p>Un clic suffit : vous ne recevrez plus de sollicitations commerciales de ${escapeHtml(name)}.</p>${form('Me désinscrire')}</div>` },
        en: { title: `Stop receiving messages from ${name}`, body: `<div class="card"><p>One click is enough: you will receive no more commercial solicitations from ${escapeHtml(name)}.</p>${form('Unsubscribe')}</div>` },
      }),
    );
  });

  app.post('/u/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const result = await optOut(deps, token, opts.now());
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (result === 'invalid') return reply.status(404).send(page(req, opts, uPath(req), invalid));
    return reply.send(
      page(req, opts, uPath(req), {
        fr: { title: 'Désinscription enregistrée', body: `<div class="notice-box is-success"><p>Vous ne recevrez plus de sollicitations commerciales de ${escapeHtml(name)}.</p></div>` },
        en: { title: 'Unsubscribed', body: `<div class="notice-box is-success"><p>You will receive no more commercial solicitations from ${escapeHtml(name)}.</p></div>` },
      }),
    );
  });

  app.get('/c/:token', hidden, async (req, reply) => {
    const target = await followLink(deps, (req.params as { token: string }).token, opts.now());
    const expired = {
      fr: { title: 'Lien expiré', body: '<div class="notice-box is-error"><p>Ce lien n’est plus valide.</p></div>' },
      en: { title: 'Link expired', body: '<div class="notice-box is-error"><p>This link is no longer valid.</p></div>' },
    };
    if (target === null) return reply.status(404).type('text/html; charset=utf-8').send(page(req, opts, `/c/${encodeURIComponent((req.params as { token: string }).token)}`, expired));
    return reply.header('cache-control', 'no-store').redirect(target, 302);
  });

  app.get('/o/:token', hidden, async (req, reply) => {
    await recordOpen(deps, (req.params as { token: string }).token, opts.now());
    return reply.type('image/gif').header('cache-control', 'no-store').send(GIF);
  });
}

/**
 * The staff routes under /api/v1: segments (create, list, read, preview), campaigns
 * (create, list, read, send) and the commercial statistics. Each checks the role's grant
 * on prospecting data through the gate's session, which audits refusals.
 */
async function apiRoutes(app: FastifyInstance, opts: CampaignRouteOptions): Promise<void> {
  app.addHook('preHandler', requireActor);
  const guard = { db: opts.db, policy: opts.policy, key: opts.serverKey };
  const tags = ['Prospecting'];

  app.post(
    '/segments',
    {
      schema: {
        tags,
        summary: 'Save a segment (selection criteria for one kind of action)',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), kind: Type.Union(SEGMENT_KINDS.map((k) => Type.Literal(k))), criteria: Type.Record(Type.String(), Type.Unknown()) },
          { additionalProperties: false },
        ),
        response: { 201: SegmentOut, ...errors },
      },
    },
    async (req, reply) => {
      await opts.session(req).assertCan('create', 'prospecting', 'prospecting', 'segments');
      const body = req.body as { name: string; kind: string; criteria: unknown };
      return reply.status(201).send(await createSegment(opts.db, body, opts.now()));
    },
  );

  app.get('/segments', { schema: { tags, summary: 'List segments', response: { 200: Type.Object({ items: Type.Array(SegmentOut) }), ...errors } } }, async (req) => {
    await opts.session(req).assertCan('read', 'prospecting', 'prospecting', 'segments');
    return { items: await listSegments(opts.db) };
  });

  app.get('/segments/:id', { schema: { tags, summary: 'Read a segment', params: IdParams, response: { 200: SegmentOut, ...errors } } }, async (req) => {
    await opts.session(req).assertCan('read', 'prospecting', 'prospecting', 'segments');
    return getSegment(opts.db, (req.params as { id: string }).id);
  });

  app.get('/segments/:id/preview', { schema: { tags, summary: 'How many people a segment selects today, after every exclusion', params: IdParams, response: { 200: Count, ...errors } } }, async (req) => {
    const session = opts.session(req);
    await session.assertCan('read', 'prospecting', 'prospecting', 'segments');
    const segment = await getSegment(opts.db, (req.params as { id: string }).id);
    return previewSelection(guard, segment.criteria, session.actor, opts.now(), segment.id);
  });

  app.post(
    '/segments/preview',
    {
      schema: {
        tags,
        summary: 'How many people these criteria select today, after every exclusion',
        body: Type.Object({ criteria: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: Count, ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('read', 'prospecting', 'prospecting', 'segments');
      return previewSelection(guard, parseCriteria((req.body as { criteria: unknown }).criteria), session.actor, opts.now());
    },
  );

  app.post(
    '/campaigns',
    {
      schema: {
        tags,
        summary: 'Create a campaign (draft) for a segment',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            segmentId: Type.String({ format: 'uuid' }),
            subject: Type.String({ minLength: 1, maxLength: 300 }),
            body: Type.String({ minLength: 1, maxLength: 100_000 }),
            language: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
            trackOpens: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 201: CampaignOut, ...errors },
      },
    },
    async (req, reply) => {
      await opts.session(req).assertCan('create', 'prospecting', 'prospecting', 'campaigns');
      return reply.status(201).send(await createCampaign(opts.db, req.body as Parameters<typeof createCampaign>[1], opts.now()));
    },
  );

  app.get('/campaigns', { schema: { tags, summary: 'List campaigns', response: { 200: Type.Object({ items: Type.Array(CampaignOut) }), ...errors } } }, async (req) => {
    await opts.session(req).assertCan('read', 'prospecting', 'prospecting', 'campaigns');
    return { items: await listCampaigns(opts.db) };
  });

  app.get('/campaigns/:id', { schema: { tags, summary: 'Read a campaign', params: IdParams, response: { 200: CampaignOut, ...errors } } }, async (req) => {
    await opts.session(req).assertCan('read', 'prospecting', 'prospecting', 'campaigns');
    return getCampaign(opts.db, (req.params as { id: string }).id);
  });

  app.post(
    '/campaigns/:id/send',
    {
      schema: {
        tags,
        summary: 'Send a campaign by email (or count what would be sent, dryRun)',
        params: IdParams,
        body: Type.Optional(Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false })),
        response: {
          200: Type.Object({
            campaignId: Type.String(),
            dryRun: Type.Boolean(),
            sent: Type.Integer(),
            withArt14: Type.Integer(),
            alreadySent: Type.Integer(),
            stoppedAtSend: Type.Integer(),
            failed: Type.Integer(),
            excluded: Type.Record(Type.String(), Type.Integer()),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('create', 'prospecting', 'prospecting', 'campaigns');
      const dryRun = (req.body as { dryRun?: boolean } | undefined)?.dryRun ?? false;
      return sendCampaign(
        { ...guard, mailer: opts.mailer, publicUrl: opts.publicUrl, ...(opts.optOutMailto === undefined ? {} : { optOutMailto: opts.optOutMailto }) },
        (req.params as { id: string }).id,
        { actor: session.actor, now: opts.now(), dryRun },
      );
    },
  );

  app.get(
    '/stats/prospecting',
    {
      schema: {
        tags,
        summary: 'Commercial statistics: prospects by source, sector, region and period, groups below k suppressed (R-PROS-8)',
        querystring: Type.Object({ by: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('read', 'prospecting', 'prospecting', 'stats');
      const by = parseDimensions((req.query as { by?: string }).by ?? 'source,region,quarter');
      const report = await prospectingStats(opts.db, opts.policy, { by });
      await session.recordAccess('read', 'stats', 'prospecting', [], ['count']);
      return report;
    },
  );
}

/**
 * Registers the campaign routes: the public link routes at the root and the staff
 * routes under /api/v1 (one registration in app.ts).
 */
export async function campaignRoutes(app: FastifyInstance, opts: CampaignRouteOptions): Promise<void> {
  await app.register(linkRoutes, opts);
  await app.register(apiRoutes, { ...opts, prefix: '/api/v1' });
}
