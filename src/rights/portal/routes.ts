import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Type from 'typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LoadedPolicy } from '../../policy/index.js';
import { REQUEST_TYPES } from '../requests/tables.js';

/** Options of portalRoutes. */
export interface PortalRouteOptions {
  readonly policy: LoadedPolicy;
  /** The built web app (dist/web), holding portal.html beside the back office's index.html. */
  readonly webRoot: string;
}

const Localized = Type.Object({ fr: Type.String(), en: Type.String() });

/** What the portal's home shows, all of it from the policy (Art. 13(1)(a)-(c), 13(2)(b)(d)). */
export const PortalHome = Type.Object({
  controller: Type.Object({
    name: Type.String(),
    address: Type.Object({ street: Type.String(), postalCode: Type.String(), city: Type.String(), country: Type.String() }),
    email: Type.String(),
    dpoEmail: Type.String(),
  }),
  authority: Type.Object({ name: Type.String(), address: Type.String(), phone: Type.String(), website: Type.String() }),
  purposes: Type.Array(Type.Object({ id: Type.String(), name: Localized, description: Localized, dataCategories: Type.Array(Localized) })),
  rights: Type.Array(Type.String()),
});

/**
 * The privacy portal (issue 15): public, no account. `/portal` serves its own page
 * (web/portal.html), never the back office's sign-in, and `/api/v1/portal/home` says who
 * the controller is and what is held and why, from the policy. The requests themselves go
 * through the existing public routes (POST /api/v1/requests, …/verify).
 */
export async function portalRoutes(app: FastifyInstance, opts: PortalRouteOptions): Promise<void> {
  const { policy, webRoot } = opts;
  const categoryName = new Map(policy.dataCategories.map((c) => [c.id as string, c.label]));

  app.get(
    '/api/v1/portal/home',
    {
      schema: {
        tags: ['Portal'],
        summary: 'What the privacy portal home shows (public): controller, purposes, rights',
        security: [],
        response: { 200: PortalHome },
      },
    },
    async () => ({
      controller: {
        name: policy.controller.name,
        address: { ...policy.controller.address },
        email: policy.controller.email,
        dpoEmail: policy.controller.dpo.email,
      },
      authority: {
        name: policy.supervisoryAuthority.name,
        address: policy.supervisoryAuthority.address,
        phone: policy.supervisoryAuthority.phone,
        website: policy.supervisoryAuthority.website,
      },
      purposes: policy.purposes.map((p) => ({
        id: p.id,
        name: p.name,
        description: p.description,
        dataCategories: p.dataCategories.map((c) => categoryName.get(c) ?? { fr: c, en: c }),
      })),
      rights: [...REQUEST_TYPES],
    }),
  );

  // The page itself; its client routes (/portal/code, …) get the same file.
  const page = join(webRoot, 'portal.html');
  const servePage = async (_req: unknown, reply: FastifyReply) => {
    if (!existsSync(page)) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'The portal is not built (npm run build:web).', details: [] } });
    return reply.type('text/html').sendFile('portal.html', webRoot);
  };
  app.get('/portal', { schema: { hide: true } }, servePage);
  app.get('/portal/*', { schema: { hide: true } }, servePage);
}
