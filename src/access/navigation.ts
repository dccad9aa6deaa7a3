import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { resource } from '../crm/resources.js';
import { RempartError } from '../errors.js';
import { ErrorResponse } from '../http/schemas.js';
import type { LoadedPolicy } from '../policy/index.js';
import type { Actor } from './actor.js';
import { mayHandleRightsRequests, mayOnOpposition, mayOverseeProcessing, mayReadAccessRecords } from './duties.js';
import { can, purposesFor } from './permissions.js';

/** The pages of the back office, in the order of its navigation. */
export const PAGES = ['dashboard', 'requests', 'retention', 'audit', 'organisations', 'people', 'contracts', 'invoices', 'complaints', 'import', 'duplicates', 'segments', 'campaigns', 'opposition', 'consents', 'partners', 'training'] as const;
/** One of PAGES. */
export type Page = (typeof PAGES)[number];

const RECORD_PAGES: readonly Page[] = ['organisations', 'people', 'contracts', 'invoices', 'complaints'];

/**
 * The pages an actor may open (issue 16 item 1), each from the policy — its tasks and
 * grants, never a role's name — by the same duties and grants that guard the routes behind them, so
 * a page in the menu never answers 403 and a page left out is one the server refuses:
 * the dpo's workspace (requests: `rights_requests`; dashboard and retention: overseeing
 * the processing; dashboard and audit: `audit_trail`), and each record list the grants let it read.
 */
export function pagesFor(policy: LoadedPolicy, actor: Actor): Page[] {
  const allowed = new Set<Page>();
  if (mayHandleRightsRequests(policy, actor)) allowed.add('requests');
  if (mayOverseeProcessing(policy, actor)) allowed.add('dashboard').add('retention');
  // The dashboard shows each section its reader's duty allows (the audit chain and failed sign-ins for `audit_trail`).
  if (mayReadAccessRecords(policy, actor)) allowed.add('dashboard').add('audit');
  // Prospecting (src/prospecting/import/routes.ts): importing creates prospects; the duplicate review updates them and merges one into another (delete).
  if (can(policy, actor, 'create', 'prospecting', 'identity')) allowed.add('import');
  if (can(policy, actor, 'update', 'prospecting', 'identity')) allowed.add('duplicates');
  // Segments and campaigns (src/prospecting/campaigns/routes.ts) are read with a read grant on prospecting's own category.
  if (can(policy, actor, 'read', 'prospecting', 'prospecting')) allowed.add('segments').add('campaigns');
  // The opposition list: checked (yes or no) by whoever works on prospects; adding is a button the page shows by the same rule as its route.
  if (mayOnOpposition(policy, actor, 'check')) allowed.add('opposition');
  // File exchange (src/consent/routes.ts): a person's consents and the partners registry are read with a read grant on its consents.
  if (can(policy, actor, 'read', 'file_sharing', 'consent')) allowed.add('consents').add('partners');
  // Training engagements (src/training/context.ts authorise): a read grant on the training category; a client's contact sees its own.
  if (can(policy, actor, 'read', 'training', 'training')) allowed.add('training');
  for (const page of RECORD_PAGES) if (purposesFor(policy, actor, resource(page), 'read').length > 0) allowed.add(page);
  return PAGES.filter((p) => allowed.has(p));
}

/** The actions of the pages that a role may lack while it opens the page (each page hides the buttons of those it lacks). */
export const ACTIONS = ['segments.create', 'campaigns.create', 'opposition.add', 'partners.create', 'transfers.create', 'training.close'] as const;
/** One of ACTIONS. */
export type Action = (typeof ACTIONS)[number];

/** The actions an actor may take, each by the grant or duty its route checks (src/prospecting/campaigns/routes.ts, src/prospecting/opposition/commands.ts). */
export function actionsFor(policy: LoadedPolicy, actor: Actor): Action[] {
  const allowed = new Set<Action>();
  if (can(policy, actor, 'create', 'prospecting', 'prospecting')) allowed.add('segments.create').add('campaigns.create');
  if (mayOnOpposition(policy, actor, 'add')) allowed.add('opposition.add');
  // Registering a partner and building its file are exports of file exchange (its consents; the people's identity).
  if (can(policy, actor, 'export', 'file_sharing', 'consent')) allowed.add('partners.create');
  if (can(policy, actor, 'export', 'file_sharing', 'identity')) allowed.add('transfers.create');
  // Closing an engagement destroys its trainees' rows (src/training/close.ts).
  if (can(policy, actor, 'delete', 'training', 'training')) allowed.add('training.close');
  return ACTIONS.filter((a) => allowed.has(a));
}

/** `GET /api/v1/navigation`: the signed-in actor's pages and actions, for the back office's menu and buttons. */
export async function navigationRoutes(app: FastifyInstance, opts: { readonly policy: LoadedPolicy }): Promise<void> {
  app.get(
    '/navigation',
    {
      schema: {
        tags: ['Session'],
        summary: "The back office's pages the signed-in role may open and the actions it may take, from the policy's grants and tasks, with the role's name",
        response: {
          200: Type.Object({
            role: Type.Union([Type.String(), Type.Null()]),
            // The role's name as the policy gives it, in each language (the top bar shows it; no list of roles in the web app).
            roleLabel: Type.Union([Type.Object({ fr: Type.String(), en: Type.String() }), Type.Null()]),
            pages: Type.Array(Type.Union(PAGES.map((p) => Type.Literal(p)))),
            actions: Type.Array(Type.Union(ACTIONS.map((a) => Type.Literal(a)))),
          }),
          401: ErrorResponse,
        },
      },
    },
    async (req) => {
      if (!req.actor) throw new RempartError('UNAUTHENTICATED', 'Sign in first.');
      const role = opts.policy.roles.find((r) => r.id === req.actor?.role);
      return { role: req.actor.role, roleLabel: role ? { fr: role.label.fr, en: role.label.en } : null, pages: pagesFor(opts.policy, req.actor), actions: actionsFor(opts.policy, req.actor) };
    },
  );
}
