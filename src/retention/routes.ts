import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';
import { requireActor } from '../access/auth/index.js';
import type { Database } from '../db/schema.js';
import { ErrorResponse } from '../http/schemas.js';
import type { LoadedPolicy } from '../policy/index.js';
import { mayReadArchive, readArchive, refuseArchiveRead } from './archive.js';

/** What the archive route needs. */
export interface ArchiveRouteOptions {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
}

/** The shortest reason accepted: "contrôle" alone says nothing the audit can be checked against. */
export const MIN_REASON_LENGTH = 10;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const Params = Type.Object({ id: Type.String({ format: 'uuid', description: 'The person id (kept in the archive)' }) });
const Body = Type.Object(
  { reason: Type.String({ minLength: MIN_REASON_LENGTH, maxLength: 1000, pattern: '\\S', description: 'Why the archive is read (recorded in the audit chain)' }) },
  { additionalProperties: false },
);
const ArchivedRecord = Type.Object({
  sourceTable: Type.String(),
  id: Type.String(),
  purpose: Type.String(),
  personId: Type.Union([Type.String(), Type.Null()]),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  reason: Type.String(),
  archivedAt: Type.String({ format: 'date-time' }),
  deleteOn: Type.String({ format: 'date' }),
});

/**
 * `POST /api/v1/archive/people/{id}/read` (P4.5): a person's records in the intermediate
 * archive, for a role granted it (archive_reader, and the dpo who includes it). The reason
 * travels in the body, never in the URL (URLs end up in logs); it is recorded with the read
 * in the audit chain. A POST, as each call writes that audit entry. Any other role gets 403,
 * checked before the body, and the refusal is audited too.
 */
export async function archiveRoutes(app: FastifyInstance, opts: ArchiveRouteOptions): Promise<void> {
  // preValidation: the sign-in and the role are checked before the body, so a refusal never depends on what was sent.
  app.addHook('preValidation', requireActor);
  app.addHook('preValidation', async (req) => {
    if (req.actor && !mayReadArchive(opts.policy, req.actor)) {
      const { id } = req.params as { id?: string };
      await refuseArchiveRead(opts.db, req.actor, typeof id === 'string' && UUID.test(id) ? id : null, opts.now());
    }
  });
  app.post(
    '/archive/people/:id/read',
    {
      schema: {
        tags: ['Retention'],
        summary: 'Read a person’s records in the intermediate archive, with a stated reason (archive_reader; P4.5)',
        params: Params,
        body: Body,
        response: {
          200: Type.Object({ records: Type.Array(ArchivedRecord) }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const { reason } = req.body as { reason: string };
      const records = await readArchive(opts.db, opts.policy, req.actor!, { personId: id, reason, now: opts.now() });
      void reply.header('cache-control', 'no-store');
      return { records: records.map((r) => ({ ...r, archivedAt: r.archivedAt.toISOString() })) };
    },
  );
}
