import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkFileName } from '../http/file-names.js';
import fp from 'fastify-plugin';
import Type from 'typebox';
import { requireActor } from '../access/auth/index.js';
import type { GateSession } from '../access/gate.js';
import { RempartError } from '../errors.js';
import { fileResponse } from '../http/openapi.js';
import { pageLanguage, publicPage, type PublicLang } from '../http/public-layout.js';
import { ErrorResponse } from '../http/schemas.js';
import { cspAllowingStyle } from '../http/security-headers.js';
import { escapeHtml } from '../mail/templates/common.js';
import { SAFEGUARDS } from '../policy/types.js';
import { FILE_SHARING, PROSPECTING, type ConsentDeps } from './context.js';
import { activeScopeConsents, consentHistory, recordConsent } from './events.js';
import { gpcSupport, hasGpcSignal, honourGpc } from './gpc.js';
import { addPartner, listPartners } from './partners.js';
import { consentProof, consentProofHtml, PROOF_STYLE } from './proof.js';
import { exportConsents27560 } from './record-27560.js';
import { CONSENT_STATES, CONTROLLER_SCOPES, PARTNER_KINDS, type ConsentState, type ControllerScope, type PartnerKind } from './tables.js';
import { createTransfer } from './transfer.js';
import { scopeWording } from './scope-mail.js';
import { withdrawByLink, withdrawalTarget, type WithdrawalTarget } from './withdraw-link.js';
import type { Safeguard } from '../policy/types.js';

/** Options of consentRoutes. */
export interface ConsentRouteOptions {
  readonly deps: ConsentDeps;
  readonly session: (req: FastifyRequest) => GateSession;
}

const tags = ['Consent and file exchange'];
const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const PersonParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const Partner = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  country: Type.String(),
  safeguard: Type.Union([Type.String(), Type.Null()]),
  transferGround: Type.String(),
  purposes: Type.Array(Type.String()),
  objectionContact: Type.Union([Type.String(), Type.Null()]),
  webhookUrl: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const Recorded = Type.Object({
  events: Type.Array(Type.Object({ id: Type.String(), scope: Type.String(), partnerId: Type.Union([Type.String(), Type.Null()]), state: Type.String(), eventAt: Type.String(), noticeVersion: Type.String() })),
  partnersNotified: Type.Array(Type.String()),
  receiptSent: Type.Boolean(),
});

/** What a consent is to, in the page's language: "passing your data to X", or one of the controller's scopes. */
function consentWording(target: WithdrawalTarget, lang: PublicLang, controller: string): string {
  if (target.scope === FILE_SHARING) return lang === 'fr' ? `la transmission de vos données à ${target.partnerName}` : `passing your data to ${target.partnerName}`;
  return scopeWording(target.scope, lang, controller);
}

/** The withdrawal pages in the public layout (Art. 7(3)): the link's token is kept out of search engines. */
function withdrawalPage(deps: ConsentDeps, req: FastifyRequest, state: 'invalid' | 'confirm' | 'withdrawn', target?: WithdrawalTarget): string {
  const lang = pageLanguage(req);
  const fr = lang === 'fr';
  const { token } = req.params as { token: string };
  const what = target === undefined ? '' : escapeHtml(consentWording(target, lang, deps.policy.controller.name));
  const [title, body] =
    state === 'invalid'
      ? fr
        ? ['Lien invalide', '<div class="notice-box is-error"><p>Ce lien de retrait du consentement n’est pas valide.</p></div>']
        : ['Link not valid', '<div class="notice-box is-error"><p>This withdrawal link is not valid.</p></div>']
      : state === 'withdrawn'
        ? fr
          ? ['Consentement retiré', `<div class="notice-box is-success"><p>Votre consentement à ${what} est retiré, avec effet immédiat.</p></div>`]
          : ['Consent withdrawn', `<div class="notice-box is-success"><p>Your consent to ${what} is withdrawn, with immediate effect.</p></div>`]
        : // GET never changes anything (mail scanners follow links); the button POSTs.
          fr
          ? ['Retirer votre consentement', `<div class="card"><p>Retirer votre consentement à ${what}. Le retrait prend effet immédiatement.</p><form method="post"><button class="btn" type="submit" name="confirm" value="1">Retirer mon consentement</button></form></div>`]
          : ['Withdraw your consent', `<div class="card"><p>Withdraw your consent to ${what}. It takes effect at once.</p><form method="post"><button class="btn" type="submit" name="confirm" value="1">Withdraw my consent</button></form></div>`];
  return publicPage({ lang, title, body, controller: deps.policy.controller, path: `/consent/withdraw/${encodeURIComponent(token)}`, noindex: true });
}

/**
 * Consent to file exchange (annex art. 1; P1.6, P3.1), for mounting at the root:
 * `/.well-known/gpc.json`, the one-click withdrawal pages (public: the signed link is the
 * proof, GDPR Art. 7(3)), and under `/api/v1` the staff routes (partners, consents, the
 * 27560 export, the dpo's proof, transfers), each behind a grant on `file_sharing`.
 * Also watches the portal for `Sec-GPC: 1` (see onSend below).
 */
async function consentPlugin(app: FastifyInstance, opts: ConsentRouteOptions): Promise<void> {
  const { deps } = opts;

  app.get('/.well-known/gpc.json', { schema: { tags, summary: 'Global Privacy Control support (GPC section 3.4)', response: { 200: Type.Object({ gpc: Type.Boolean(), lastUpdate: Type.String() }) } } }, async (_req, reply) => {
    return reply.header('cache-control', 'public, max-age=86400').send(gpcSupport(deps.policy.version.effectiveDate));
  });

  await app.register(async (pub) => {
    // RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` as a form.
    pub.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const TokenParams = Type.Object({ token: Type.String({ maxLength: 64 }) });
    pub.get('/consent/withdraw/:token', { schema: { tags, summary: 'Confirm page of a one-click withdrawal (public)', params: TokenParams, response: { 200: fileResponse('text/html', 'The confirm page'), 404: fileResponse('text/html', 'The link is not valid') } } }, async (req, reply) => {
      const { token } = req.params as { token: string };
      const target = await withdrawalTarget(deps, token).catch(() => null);
      void reply.type('text/html; charset=utf-8').header('referrer-policy', 'no-referrer');
      if (!target) return reply.status(404).send(withdrawalPage(deps, req, 'invalid'));
      return reply.send(withdrawalPage(deps, req, target.active ? 'confirm' : 'withdrawn', target));
    });
    pub.post('/consent/withdraw/:token', { schema: { tags, summary: 'Withdraw a consent in one click (public; RFC 8058)', params: TokenParams, response: { 200: fileResponse('text/html', 'The consent is withdrawn'), 404: fileResponse('text/html', 'The link is not valid') } } }, async (req, reply) => {
      const { token } = req.params as { token: string };
      const done = await withdrawByLink(deps, token).catch((e: unknown) => {
        if (e instanceof RempartError && e.code === 'NOT_FOUND') return null;
        throw e;
      });
      void reply.type('text/html; charset=utf-8').header('referrer-policy', 'no-referrer');
      if (!done) return reply.status(404).send(withdrawalPage(deps, req, 'invalid'));
      return reply.send(withdrawalPage(deps, req, 'withdrawn', done.target));
    });
  });

  // Sec-GPC on the portal (issue 15, item 6): of the public rights-request routes under
  // /api/v1/requests, the verification is the one that identifies the person, and then the
  // signal is their objection to the sale and exchange of their file (P1.6). Opening a
  // request identifies no one: nothing to record yet. Portal routes that identify a person
  // by their own session call honourGpc themselves.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode !== 200 || req.method !== 'POST' || req.routeOptions.url !== '/api/v1/requests/:id/verify' || !hasGpcSignal(req.headers)) return payload;
    const { id } = req.params as { id: string };
    const row = await deps.db.selectFrom('rightsRequests').select('personId').where('id', '=', id).executeTakeFirst();
    if (row?.personId) await honourGpc(deps, row.personId, req, `Sec-GPC: 1 on verified rights request ${id}`);
    return payload;
  });

  await app.register(
    async (api) => {
      api.addHook('preHandler', requireActor);
      const may = (req: FastifyRequest, op: 'read' | 'export', resource: string) => opts.session(req).assertCan(op, FILE_SHARING, 'consent', resource);

      api.post(
        '/partners',
        {
          schema: {
            tags,
            summary: 'Register a group company or partner a client file may go to (refused outside the EU/EEA without a ground)',
            body: Type.Object(
              {
                name: Type.String({ minLength: 1, maxLength: 200 }),
                kind: Literals(PARTNER_KINDS),
                country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
                safeguard: Type.Optional(Literals(SAFEGUARDS)),
                purposes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
                objectionContact: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
                webhookUrl: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
                hmacSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 200 })),
                email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
              },
              { additionalProperties: false },
            ),
            response: { 201: Partner, ...errors },
          },
        },
        async (req, reply) => {
          await may(req, 'export', 'partners');
          const b = req.body as { name: string; kind: PartnerKind; country: string; safeguard?: Safeguard; purposes?: string[]; objectionContact?: string; webhookUrl?: string; hmacSecret?: string; email?: string };
          return reply.status(201).send(await addPartner(deps.db, b, deps.now()));
        },
      );

      api.get('/partners', { schema: { tags, summary: 'The partners registry', response: { 200: Type.Object({ items: Type.Array(Partner) }), ...errors } } }, async (req) => {
        await may(req, 'read', 'partners');
        return { items: await listPartners(deps.db) };
      });

      api.post(
        '/people/:id/consents',
        {
          schema: {
            tags,
            summary: "Record a person's consent to passing their data to a partner: given, refused or withdrawn (a new event; history never rewritten)",
            params: PersonParams,
            body: Type.Object(
              {
                partnerId: Type.String({ format: 'uuid' }),
                state: Literals(CONSENT_STATES),
                channel: Type.String({ minLength: 1, maxLength: 50 }),
                noticeVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
                textShown: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
                evidence: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
                language: Type.Optional(Literals(['fr', 'en'] as const)),
              },
              { additionalProperties: false },
            ),
            response: { 201: Recorded, ...errors },
          },
        },
        async (req, reply) => {
          await may(req, 'export', 'consents');
          const { id } = req.params as { id: string };
          const b = req.body as { partnerId: string; state: ConsentState; channel: string; noticeVersion?: string; textShown?: string; evidence?: string; language?: 'fr' | 'en' };
          const actor = opts.session(req).actor;
          return reply.status(201).send(await recordConsent(deps, { personId: id, ...b, collector: actor.id }, { role: actor.role }));
        },
      );

      api.post(
        '/people/:id/consents/:partnerId/withdraw',
        {
          schema: {
            tags,
            summary: 'Withdraw a consent in one call (GDPR Art. 7(3)); partners that received the data are told',
            params: Type.Object({ id: Type.String({ format: 'uuid' }), partnerId: Type.String({ format: 'uuid' }) }),
            response: { 201: Recorded, ...errors },
          },
        },
        async (req, reply) => {
          // Any role that may see consents may take a withdrawal down: it must be as easy as giving it.
          await may(req, 'read', 'consents');
          const { id, partnerId } = req.params as { id: string; partnerId: string };
          const actor = opts.session(req).actor;
          return reply.status(201).send(await recordConsent(deps, { personId: id, partnerId, state: 'withdrawn', channel: 'api', collector: actor.id }, { role: actor.role }));
        },
      );

      api.get('/people/:id/consents', { schema: { tags, summary: "A person's consent history for file exchange (all partners)", params: PersonParams, response: { 200: Type.Object({ items: Type.Array(Type.Object({}, { additionalProperties: true })) }) } } }, async (req) => {
        await may(req, 'read', 'consents');
        const { id } = req.params as { id: string };
        await opts.session(req).recordAccess('read', 'consents', FILE_SHARING, [id], ['state', 'channel', 'notice_version']);
        return { items: await consentHistory(deps.db, id, undefined, FILE_SHARING) };
      });

      // The controller's own scopes (L34-5 CPCE, R-PROS-6; CNIL on pixels, R-PROS-10): the
      // same events and proofs as file exchange, with no partner, behind a grant on prospecting.
      const mayProspecting = (req: FastifyRequest, op: 'read' | 'create', resource: string) => opts.session(req).assertCan(op, PROSPECTING, 'consent', resource);
      const ScopeLiteral = Literals(CONTROLLER_SCOPES);
      api.post(
        '/people/:id/prospecting-consents',
        {
          schema: {
            tags,
            summary: "Record a person's consent to the controller's email prospecting or to open tracking: given, refused or withdrawn, with its proof (a new event)",
            params: PersonParams,
            body: Type.Object(
              {
                scope: ScopeLiteral,
                state: Literals(CONSENT_STATES),
                channel: Type.String({ minLength: 1, maxLength: 50, description: "web_form, portal, email, phone, paper, import (then evidence names the file, the row and the consent's source)…" }),
                eventAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the person expressed it, if before now (paper form, imported column)' })),
                noticeVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
                textShown: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })),
                evidence: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
                language: Type.Optional(Literals(['fr', 'en'] as const)),
              },
              { additionalProperties: false },
            ),
            response: { 201: Recorded, ...errors },
          },
        },
        async (req, reply) => {
          await mayProspecting(req, 'create', 'consents');
          const { id } = req.params as { id: string };
          const { eventAt, ...b } = req.body as { scope: ControllerScope; state: ConsentState; channel: string; eventAt?: string; noticeVersion?: string; textShown?: string; evidence?: string; language?: 'fr' | 'en' };
          const actor = opts.session(req).actor;
          return reply.status(201).send(await recordConsent(deps, { personId: id, ...b, ...(eventAt === undefined ? {} : { eventAt: new Date(eventAt) }), collector: actor.id }, { role: actor.role }));
        },
      );

      api.post(
        '/people/:id/prospecting-consents/:scope/withdraw',
        {
          schema: {
            tags,
            summary: 'Withdraw a consent to email prospecting or open tracking in one call (GDPR Art. 7(3)); sends not yet made stop at once',
            params: Type.Object({ id: Type.String({ format: 'uuid' }), scope: ScopeLiteral }),
            response: { 201: Recorded, ...errors },
          },
        },
        async (req, reply) => {
          // As for file exchange: any role that may see these consents may take a withdrawal down.
          await mayProspecting(req, 'read', 'consents');
          const { id, scope } = req.params as { id: string; scope: ControllerScope };
          const actor = opts.session(req).actor;
          return reply.status(201).send(await recordConsent(deps, { personId: id, scope, state: 'withdrawn', channel: 'api', collector: actor.id }, { role: actor.role }));
        },
      );

      api.get(
        '/people/:id/prospecting-consents',
        {
          schema: {
            tags,
            summary: "A person's consents to email prospecting and open tracking: whether each is active now, and the history",
            params: PersonParams,
            response: {
              200: Type.Object({ active: Type.Object({ email_prospecting: Type.Boolean(), open_tracking: Type.Boolean() }), items: Type.Array(Type.Object({}, { additionalProperties: true })) }),
              ...errors,
            },
          },
        },
        async (req) => {
          await mayProspecting(req, 'read', 'consents');
          const { id } = req.params as { id: string };
          await opts.session(req).recordAccess('read', 'consents', PROSPECTING, [id], ['scope', 'state', 'channel', 'notice_version']);
          const now = deps.now();
          const [email, open] = await Promise.all([activeScopeConsents(deps.db, 'email_prospecting', [id], now), activeScopeConsents(deps.db, 'open_tracking', [id], now)]);
          const items = (await consentHistory(deps.db, id)).filter((e) => e.scope !== FILE_SHARING);
          return { active: { email_prospecting: email.has(id), open_tracking: open.has(id) }, items };
        },
      );

      api.get('/people/:id/consents/export', { schema: { tags, summary: "A person's consent records as ISO/IEC TS 27560 JSON", params: PersonParams, response: { 200: Type.Object({}, { additionalProperties: true, description: 'ISO/IEC TS 27560 consent records' }) } } }, async (req) => {
        await may(req, 'export', 'consents');
        const { id } = req.params as { id: string };
        await opts.session(req).recordAccess('export', 'consents', FILE_SHARING, [id], ['consent_events']);
        return exportConsents27560(deps.db, deps.policy, id, deps.now());
      });

      const proof = async (req: FastifyRequest, reply: FastifyReply, html: boolean) => {
        const { id } = req.params as { id: string };
        const { partnerId, scope } = req.query as { partnerId?: string; scope?: ControllerScope };
        if (scope !== undefined && partnerId !== undefined) throw new RempartError('VALIDATION_FAILED', 'A proof is for one partner or one of the controller\'s scopes, not both.', { details: [{ field: 'scope', message: 'not with partnerId' }] });
        if (scope === undefined) await may(req, 'read', 'consent-proof');
        else await mayProspecting(req, 'read', 'consent-proof');
        const p = await consentProof(deps.db, deps.policy, id, partnerId, deps.now(), scope);
        await opts.session(req).recordAccess('read', 'consent-proof', scope === undefined ? FILE_SHARING : PROSPECTING, [id], ['consent_events', 'transfer_items', 'consent_notices']);
        if (html) return reply.type('text/html; charset=utf-8').header('content-security-policy', cspAllowingStyle(PROOF_STYLE)).send(consentProofHtml(p));
        return reply.send(p);
      };
      const ProofQuery = Type.Object({ partnerId: Type.Optional(Type.String({ format: 'uuid' })), scope: Type.Optional(ScopeLiteral) }, { additionalProperties: false });
      api.get('/people/:id/consents/proof', { schema: { tags, summary: 'Proof of consent and transfers (JSON, or HTML with Accept: text/html)', params: PersonParams, querystring: ProofQuery, response: { 200: Type.Object({}, { additionalProperties: true, description: 'History, transfers and notices of the proof' }) } } }, async (req, reply) =>
        proof(req, reply, /text\/html/.test(req.headers.accept ?? '') && !/application\/json/.test(req.headers.accept ?? '')),
      );
      api.get('/people/:id/consents/proof.html', { schema: { tags, summary: 'Proof of consent and transfers, printable', params: PersonParams, querystring: ProofQuery, response: { 200: fileResponse('text/html', 'The printable proof') } } }, async (req, reply) => proof(req, reply, true));

      api.post(
        '/transfers',
        {
          schema: {
            tags,
            summary: 'Build the file for a partner: only people whose consent is active now (CSV; the transfer is logged)',
            body: Type.Object(
              { partnerId: Type.String({ format: 'uuid' }), segment: Type.Optional(Type.String({ maxLength: 300 })), fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
              { additionalProperties: false },
            ),
            response: { 200: fileResponse('text/csv', 'The file (UTF-8 CSV); headers x-rempart-transfer-id, x-rempart-sha256, x-rempart-rows, and x-rempart-left-out (an RFC 8941 dictionary: no_consent, restricted, objected, opposition_list)') },
          },
        },
        async (req, reply) => {
          const session = opts.session(req);
          await session.assertCan('export', FILE_SHARING, 'identity', 'transfers');
          const b = req.body as { partnerId: string; segment?: string; fileName?: string };
          const fileName = b.fileName === undefined ? `transfer-${deps.now().toISOString().slice(0, 10)}.csv` : checkFileName(b.fileName, 'fileName');
          const t = await createTransfer(deps, { partnerId: b.partnerId, ...(b.segment === undefined ? {} : { segment: b.segment }), actor: session.actor, fileName });
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
            .header('x-rempart-transfer-id', t.transferId)
            .header('x-rempart-sha256', t.sha256)
            .header('x-rempart-rows', String(t.rows))
            // Counts only, never who: an RFC 8941 dictionary the back office shows beside the file.
            .header('x-rempart-left-out', `no_consent=${t.leftOut.noConsent}, restricted=${t.leftOut.restricted}, objected=${t.leftOut.objected}, opposition_list=${t.leftOut.oppositionList}`)
            .send(t.csv);
        },
      );
    },
    { prefix: '/api/v1' },
  );
}

/**
 * The plugin, not encapsulated (fastify-plugin) so that its Sec-GPC hook sees the
 * rights-request routes; its own routes still sit in scopes of their own.
 */
export const consentRoutes = fp(consentPlugin, { name: 'rempart-consent' });
