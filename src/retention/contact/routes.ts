import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import type { Database } from '../../db/schema.js';
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

function page(title: string, body: string): string {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

const INVALID = page('Lien invalide / Invalid link', '<p>Ce lien n’est plus valide.</p><p lang="en">This link is no longer valid.</p>');

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

  app.get('/rp/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const found = await lookupRepermission(opts.db, opts.serverKey, token);
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (found.status === 'invalid') return reply.status(404).send(INVALID);
    if (found.status === 'answered') return reply.send(page('Réponse déjà enregistrée / Answer already recorded', `<p>Merci, vous continuerez à recevoir les messages de ${name}.</p><p lang="en">Thank you, you will keep hearing from ${name}.</p>`));
    return reply.send(
      page(
        `Continuer à recevoir les messages de ${opts.policy.controller.name} ?`,
        `<form method="post"><button type="submit">Oui, je souhaite continuer / Yes, keep me informed</button></form>` +
          `<form method="post" action="${escapeHtml(token)}/stop"><button type="submit">Non, ne plus rien recevoir / No, stop all messages</button></form>`,
      ),
    );
  });

  app.post('/rp/:token', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const status = await confirmRepermission(opts.db, opts.serverKey, token, opts.now());
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (status === 'invalid') return reply.status(404).send(INVALID);
    return reply.send(page('Merci / Thank you', `<p>Votre réponse est enregistrée : vous continuerez à recevoir les messages de ${name}.</p><p lang="en">Your answer is recorded: you will keep hearing from ${name}.</p>`));
  });

  app.post('/rp/:token/stop', hidden, async (req, reply) => {
    const { token } = req.params as { token: string };
    const status = await stopFromRepermission(opts.db, opts.serverKey, token, opts.now());
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    if (status === 'invalid') return reply.status(404).send(INVALID);
    return reply.send(page('Désinscription enregistrée / Unsubscribed', `<p>Vous ne recevrez plus de sollicitations commerciales de ${name}.</p><p lang="en">You will receive no more commercial solicitations from ${name}.</p>`));
  });
}
