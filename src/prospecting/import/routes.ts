import { createWriteStream } from 'node:fs';
import { checkFileName } from '../../http/file-names.js';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { GateSession } from '../../access/gate.js';
import { presentFor } from '../../access/permissions.js';
import { resource } from '../../crm/resources.js';
import { newId } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import { ErrorResponse } from '../../http/schemas.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { oppositionRoutes } from '../opposition/routes.js';
import { createImportJob, getImportJob, runImportJob } from './jobs.js';
import { dedupeProspectBase } from './linkage.js';
import { loadMappingFile } from './mapping.js';
import { decideReviewPair, listReviewPairs } from './review.js';

/** What the prospecting routes need. */
export interface ProspectingRouteOptions {
  readonly session: (req: FastifyRequest) => GateSession;
  readonly policy: LoadedPolicy;
  readonly serverKey: Buffer;
  readonly now: () => Date;
  /** Uploads wait under `<dataDir>/uploads/imports/` while their job runs, then are deleted. */
  readonly dataDir: string;
}

/** Largest accepted upload. */
export const IMPORT_UPLOAD_LIMIT = 512 * 1024 * 1024;

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

/**
 * Prospect import as a job (`POST /imports` multipart → 202 with the job id; `GET
 * /imports/{id}` progress and report), the dedupe review queue (`GET /dedupe/review`,
 * `POST /dedupe/review/{id}`), and the opposition list (`/opposition…`).
 */
export async function prospectingRoutes(app: FastifyInstance, opts: ProspectingRouteOptions): Promise<void> {
  await app.register(fastifyMultipart, { limits: { fileSize: IMPORT_UPLOAD_LIMIT, files: 2, fields: 10 } });
  const running = new Set<Promise<unknown>>();
  // A clean shutdown lets running imports finish their batch loop (each batch is its own transaction anyway).
  app.addHook('onClose', async () => {
    await Promise.allSettled([...running]);
  });

  app.post(
    '/imports',
    { schema: { tags: ['Prospecting'], summary: 'Upload a prospect file (multipart: file, source, dryRun, mapping); processed as a job', consumes: ['multipart/form-data'], response: { 202: Type.Object({ id: Type.String(), status: Type.String() }), ...errors } } },
    async (req, reply) => {
      const session = opts.session(req);
      await session.assertCan('create', 'prospecting', 'identity', 'prospect-import');
      if (!req.isMultipart()) throw new RempartError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data (field "file").');
      const dir = join(opts.dataDir, 'uploads', 'imports');
      await mkdir(dir, { recursive: true });
      const uploadId = newId();
      const path = join(dir, `${uploadId}.upload`);
      const mappingPath = join(dir, `${uploadId}.mapping`);
      const fields: Record<string, string> = {};
      let gotFile = false;
      let gotMapping = false;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            if (part.filename) checkFileName(part.filename, `${part.fieldname}.filename`);
            const target = part.fieldname === 'mapping' ? mappingPath : path;
            await pipeline(part.file, createWriteStream(target));
            if (part.file.truncated) throw new RempartError('PAYLOAD_TOO_LARGE', `The file is larger than ${IMPORT_UPLOAD_LIMIT} bytes.`);
            if (part.fieldname === 'mapping') gotMapping = true;
            else gotFile = true;
          } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        }
        if (!gotFile) throw new RempartError('VALIDATION_FAILED', 'No file: send it in the multipart field "file".', { details: [{ field: 'file', message: 'required' }] });
        const source = (fields.source ?? '').trim();
        if (source === '') throw new RempartError('VALIDATION_FAILED', 'Say where the data comes from (R-PROS-9).', { details: [{ field: 'source', message: 'required' }] });
        const dryRun = fields.dryRun === 'true' || fields.dryRun === '1';
        const mapping = gotMapping ? await loadMappingFile(mappingPath) : undefined;
        const now = opts.now();
        const id = await createImportJob(req.server.rempartDb, { source, actor: session.actor, dryRun, now });
        const job = runImportJob(req.server.rempartDb, id, path, { source, actor: session.actor, key: opts.serverKey, now, dryRun, policy: opts.policy, ...(mapping ? { mapping } : {}) })
          .catch(() => undefined)
          .finally(async () => {
            await rm(path, { force: true });
            await rm(mappingPath, { force: true });
            running.delete(job);
          });
        running.add(job);
        return reply.status(202).send({ id, status: 'queued' });
      } catch (e) {
        await rm(path, { force: true });
        await rm(mappingPath, { force: true });
        throw e;
      }
    },
  );

  app.get(
    '/imports/:id',
    { schema: { tags: ['Prospecting'], summary: 'Progress and report of an import job', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors } } },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('read', 'prospecting', 'identity', 'prospect-import');
      const job = await getImportJob(req.server.rempartDb, (req.params as { id: string }).id);
      // A job is its author's (and the roles monitoring compliance, audit_trail: the dpo's): others get 404, as if absent.
      if (!job || (job.actor !== session.actor.id && !session.performs('audit_trail'))) throw new RempartError('NOT_FOUND', 'No such import job.');
      return job;
    },
  );

  const people = resource('people');
  const present = (session: GateSession, row: Readonly<Record<string, unknown>> | null) => {
    if (row === null) return null;
    const { record } = presentFor(opts.policy, session.actor, people, row);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  };

  app.get(
    '/dedupe/review',
    {
      schema: {
        tags: ['Prospecting'],
        summary: 'Pairs of people that may be one (R-PROS-2), with the fields of both your role may see',
        querystring: Type.Object(
          { status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')])), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), after: Type.Optional(Type.String({ format: 'uuid' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Type.Record(Type.String(), Type.Unknown())) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('read', 'prospecting', 'identity', 'dedupe-review');
      const q = req.query as { status?: 'pending' | 'accepted' | 'rejected'; limit?: number; after?: string };
      const pairs = await listReviewPairs(req.server.rempartDb, { ...(q.status ? { status: q.status } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.after ? { after: q.after } : {}) });
      const items = pairs.map((p) => ({ ...p, left: present(session, p.left), right: present(session, p.right) }));
      const ids = pairs.flatMap((p) => [p.left?.id, p.right?.id]).filter((x): x is string => typeof x === 'string');
      await session.recordAccess('read', 'people', 'prospecting', ids, Object.keys(items[0]?.left ?? {}));
      return { items };
    },
  );

  app.post(
    '/dedupe/review/:id',
    {
      schema: {
        tags: ['Prospecting'],
        summary: 'Accept (merge, most recent value per field wins, provenance kept) or reject a pair',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object({ decision: Type.Union([Type.Literal('accept'), Type.Literal('reject')]) }, { additionalProperties: false }),
        response: { 200: Type.Object({ status: Type.String(), survivorId: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('update', 'prospecting', 'identity', 'dedupe-review');
      const { decision } = req.body as { decision: 'accept' | 'reject' };
      if (decision === 'accept') await session.assertCan('delete', 'prospecting', 'identity', 'dedupe-review');
      return decideReviewPair(req.server.rempartDb, (req.params as { id: string }).id, decision, session.actor, opts.now());
    },
  );

  app.post(
    '/dedupe/run',
    {
      schema: {
        tags: ['Prospecting'],
        summary: 'Run the whole-base record-linkage pass (R-PROS-2): merge the sure pairs, queue the uncertain ones',
        response: {
          200: Type.Object({
            prospects: Type.Integer(),
            pairsCompared: Type.Integer(),
            vetoed: Type.Integer(),
            merged: Type.Integer(),
            queuedForReview: Type.Integer(),
            skippedRestricted: Type.Integer(),
            skippedRejected: Type.Integer(),
            flaggedOpposed: Type.Integer(),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const session = opts.session(req);
      // A merge updates one record and deletes the other.
      await session.assertCan('update', 'prospecting', 'identity', 'dedupe-pass');
      await session.assertCan('delete', 'prospecting', 'identity', 'dedupe-pass');
      const { mergedInto: _ids, ...report } = await dedupeProspectBase(req.server.rempartDb, { actor: session.actor, key: opts.serverKey, now: opts.now() });
      return report;
    },
  );

  await app.register(oppositionRoutes, opts);
}
