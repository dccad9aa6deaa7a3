import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import type { Database } from '../../db/schema.js';
import { pageLanguage, publicPage, type PublicLang } from '../../http/public-layout.js';
import { escapeHtml } from '../../mail/templates/common.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { confirmRepermission, lookupRepermission, stopFromRepermission } from './repermission.js';

/** What the re-permission routes need. */
export interface RepermissionRouteOptions {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  readonly serverKey: Buffer;
}

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });

type Words = Readonly<Record<PublicLang, { readonly title: string; readonly body: string }>>;

const INVALID: Words = {
  fr: { title: 'Lien invalide', body: '<div class="notice-box is-error"><p>Ce lien n’est plus valide.</p></div>' },
  en: { title: 'Link not valid', body: '<div class="notice-box is-error"><p>This link is no longer valid.</p></div>' },
};

/**
 * The public links of the re-permission message (P4.2), mounted at the root, no login:
 * `GET /rp/TOKEN` shows a confirmation page (mail scanners follow GET links, so a GET
 * never counts as a yes, nor as a contact); `POST /rp/TOKEN` records the yes and restarts
 * the clock; `POST /rp/TOKEN/stop` (also the RFC 8058 List-Unsubscribe target) puts the
 * person on the opposition list. The token is opaque and signed; no URL carries personal data.
 */
export async function repermissionRoutes(app: FastifyInstance, opts: RepermissionRouteOptions): Promise<void> {
  // RFC 8058 §3.1: the mail client POSTs "List-Unsubscribe=One-Click" as a form; the body is not needed.
  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data']) {
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
  }
  const name = escapeHtml(opts.policy.controller.name);
  const hidden = { schema: { hide: true, params: TokenParams } };
  // Every page of a link, even the stop link's answer, switches language on the GET page of
  // the link (`/rp/TOKEN`): a GET of the stop link does not exist.
  const page = (req: FastifyRequest, words: Words): string => {
    const lang = pageLanguage(req);
    const path = `/rp/${encodeURIComponent((req.params as { token: string }).token)}`;
    return publicPage({ lang, title: words[lang].title, body: words[lang].body, controller: opts.policy.controller, path, noindex: true });
  };

  app.get('/rp/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const found = await lookupRepermission(opts.db, opts.serverKey, token);
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (found.status === 'invalid') return reply.status(404).send(page(req, INVALID));
    if (found.status === 'answered') {
      return reply.send(
        page(req, {
          fr: { title: 'Réponse déjà enregistrée', body: `<div class="notice-box is-success"><p>Merci, vous continuerez à recevoir les messages de ${name}.</p></div>` },
          en: { title: 'Answer already recorded', body: `<div class="notice-box is-success"><p>Thank you, you will keep hearing from ${name}.</p></div>` },
        }),
      );
    }
    // GET never counts as an answer (mail scanners follow links): each button POSTs.
    const lang = pageLanguage(req);
    const stop = `${encodeURIComponent(token)}/stop?lang=${lang}`;
    const forms = (yes: string, no: string) =>
      `<div class="btn-row"><form method="post"><button class="btn" type="submit">${yes}</button></form>` +
      `<form method="post" action="${escapeHtml(stop)}"><button class="btn btn-secondary" type="submit">${no}</button></form></div>`;
    return reply.send(
      page(req, {
        fr: { title: `Continuer à recevoir les messages de ${opts.policy.controller.name} ?`, body: `<div class="card">${forms('Oui, je souhaite continuer', 'Non, ne plus rien recevoir')}</div>` },
        en: { title: `Keep hearing from ${opts.policy.controller.name}?`, body: `<div class="card">${forms('Yes, keep me informed', 'No, stop all messages')}</div>` },
      }),
    );
  });

  app.post('/rp/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const status = await confirmRepermission(opts.db, opts.serverKey, token, opts.now());
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (status === 'invalid') return reply.status(404).send(page(req, INVALID));
    return reply.send(
      page(req, {
        fr: { title: 'Merci', body: `<div class="notice-box is-success"><p>Votre réponse est enregistrée : vous continuerez à recevoir les messages de ${name}.</p></div>` },
        en: { title: 'Thank you', body: `<div class="notice-box is-success"><p>Your answer is recorded: you will keep hearing from ${name}.</p></div>` },
      }),
    );
  });

  app.post('/rp/:token/stop', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const status = await stopFromRepermission(opts.db, opts.serverKey, token, opts.now());
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (status === 'invalid') return reply.status(404).send(page(req, INVALID));
    return reply.send(
      page(req, {
        fr: { title: 'Désinscription enregistrée', body: `<div class="notice-box is-success"><p>Vous ne recevrez plus de sollicitations commerciales de ${name}.</p></div>` },
        en: { title: 'Unsubscribed', body: `<div class="notice-box is-success"><p>You will receive no more commercial solicitations from ${name}.</p></div>` },
      }),
    );
  });
}
