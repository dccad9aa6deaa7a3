import { createWriteStream } from 'node:fs';
import { checkFileName } from '../../http/file-names.js';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { GateSession } from '../../access/gate.js';
import { canSeeField, presentFor } from '../../access/permissions.js';
import { resource } from '../../crm/resources.js';
import { newId } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import { ErrorResponse } from '../../http/schemas.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { oppositionRoutes } from '../opposition/routes.js';
import { createImportJob, getImportJob, listImportJobs, runImportJob } from './jobs.js';
import { dedupeProspectBase } from './linkage.js';
import { columnMappingOf, loadMappingFile, type ColumnMapping } from './mapping.js';
import { previewImport, PREVIEW_ROWS } from './preview.js';
import { DELIMITERS, TEXT_ENCODINGS, type Delimiter, type ShapeOverride, type TextEncoding } from './reader.js';
import { CHOOSABLE_FIELDS, decideReviewPair, listReviewPairs, type FieldChoices } from './review.js';

/** What the prospecting routes need. */
export interface ProspectingRouteOptions {
  readonly session: (req: FastifyRequest) => GateSession;
  readonly policy: LoadedPolicy;
  readonly serverKey: Buffer;
  readonly now: () => Date;
  /** Uploads wait under `<dataDir>/uploads/imports/` while their job runs, then are deleted. */
  readonly dataDir: string;
}

/** An upload received, waiting to be read; `discard` deletes its files. */
interface Upload {
  readonly path: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly shape: ShapeOverride;
  readonly mapping?: ColumnMapping;
  readonly discard: () => Promise<void>;
}

/** The multipart fields `encoding` and `delimiter` (`tab` for a tab), when the person corrects the detection. */
function shapeOverrideOf(fields: Readonly<Record<string, string>>): ShapeOverride {
  const encoding = fields.encoding?.trim().toLowerCase() || undefined;
  const rawDelimiter = fields.delimiter || undefined;
  const delimiter = rawDelimiter === 'tab' ? '\t' : rawDelimiter;
  const details: { field: string; message: string }[] = [];
  if (encoding !== undefined && !(TEXT_ENCODINGS as readonly string[]).includes(encoding)) details.push({ field: 'encoding', message: `must be one of ${TEXT_ENCODINGS.join(', ')}` });
  if (delimiter !== undefined && !(DELIMITERS as readonly string[]).includes(delimiter)) details.push({ field: 'delimiter', message: 'must be one of , ; | tab' });
  if (details.length > 0) throw new RempartError('VALIDATION_FAILED', 'Unknown encoding or separator.', { details });
  return { ...(encoding ? { encoding: encoding as TextEncoding } : {}), ...(delimiter ? { delimiter: delimiter as Delimiter } : {}) };
}

/** The multipart field `columns`: the wizard's mapping, as JSON (`{"Header": "field"}`). */
function columnsField(text: string | undefined): ColumnMapping | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RempartError('VALIDATION_FAILED', 'The field "columns" is not valid JSON.', { details: [{ field: 'columns', message: 'does not parse' }], cause: e });
  }
  return columnMappingOf(data, 'The field "columns"', { field: 'columns' });
}

const Problem = Type.Object({ field: Type.String(), code: Type.String(), reason: Type.String() });
const ImportPreviewOut = Type.Object({
  format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]),
  encoding: Type.String(),
  delimiter: Type.Union([Type.String(), Type.Null()]),
  columns: Type.Array(Type.Object({ header: Type.String(), field: Type.Union([Type.String(), Type.Null()]) })),
  fields: Type.Array(Type.String()),
  rows: Type.Array(Type.Object({ row: Type.Integer(), line: Type.Integer(), values: Type.Array(Type.String()), rejected: Type.Union([Problem, Type.Null()]), warnings: Type.Array(Problem) })),
  importable: Type.Boolean(),
});

const ImportJobSummary = Type.Object({
  id: Type.String(),
  status: Type.String(),
  source: Type.String(),
  dryRun: Type.Boolean(),
  rowsTotal: Type.Union([Type.Integer(), Type.Null()]),
  rowsDone: Type.Integer(),
  imported: Type.Integer(),
  merged: Type.Integer(),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

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

  /**
   * Receives a multipart upload into `<dataDir>/uploads/imports/`: the file (field
   * `file`), an optional mapping file (field `mapping`) and the text fields. The caller
   * deletes both files (`discard`) once done with them, whatever happens.
   */
  const receive = async (req: FastifyRequest): Promise<Upload> => {
    if (!req.isMultipart()) throw new RempartError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data (field "file").');
    const dir = join(opts.dataDir, 'uploads', 'imports');
    await mkdir(dir, { recursive: true });
    const uploadId = newId();
    const path = join(dir, `${uploadId}.upload`);
    const mappingPath = join(dir, `${uploadId}.mapping`);
    const discard = async () => {
      await rm(path, { force: true });
      await rm(mappingPath, { force: true });
    };
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
      const mapping = gotMapping ? await loadMappingFile(mappingPath) : columnsField(fields.columns);
      return { path, fields, shape: shapeOverrideOf(fields), ...(mapping ? { mapping } : {}), discard };
    } catch (e) {
      await discard();
      throw e;
    }
  };

  app.post(
    '/imports/preview',
    {
      schema: {
        tags: ['Prospecting'],
        summary: "Preview a prospect file (multipart: file, encoding, delimiter, columns): its encoding and separator, each column's field, and the first rows as the import would take them",
        consumes: ['multipart/form-data'],
        response: { 200: ImportPreviewOut, ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      // The preview reads the uploaded file only, nothing stored: it needs the right to import, and leaves no audit event (nothing of the base is read).
      await session.assertCan('create', 'prospecting', 'identity', 'prospect-import');
      const upload = await receive(req);
      try {
        const rows = Number(upload.fields.rows ?? PREVIEW_ROWS);
        return await previewImport(upload.path, { now: opts.now(), shape: upload.shape, rows: Number.isInteger(rows) ? rows : PREVIEW_ROWS, ...(upload.mapping ? { mapping: upload.mapping } : {}) });
      } finally {
        await upload.discard();
      }
    },
  );

  app.post(
    '/imports',
    {
      schema: {
        tags: ['Prospecting'],
        summary: 'Upload a prospect file (multipart: file, source, dryRun, mapping file or columns, encoding, delimiter); processed as a job',
        consumes: ['multipart/form-data'],
        response: { 202: Type.Object({ id: Type.String(), status: Type.String() }), ...errors },
      },
    },
    async (req, reply) => {
      const session = opts.session(req);
      await session.assertCan('create', 'prospecting', 'identity', 'prospect-import');
      const upload = await receive(req);
      try {
        const source = (upload.fields.source ?? '').trim();
        if (source === '') throw new RempartError('VALIDATION_FAILED', 'Say where the data comes from (R-PROS-9).', { details: [{ field: 'source', message: 'required' }] });
        const dryRun = upload.fields.dryRun === 'true' || upload.fields.dryRun === '1';
        const now = opts.now();
        const id = await createImportJob(req.server.rempartDb, { source, actor: session.actor, dryRun, now });
        const job = runImportJob(req.server.rempartDb, id, upload.path, {
          source,
          actor: session.actor,
          key: opts.serverKey,
          now,
          dryRun,
          policy: opts.policy,
          shape: upload.shape,
          ...(upload.mapping ? { mapping: upload.mapping } : {}),
        })
          .catch(() => undefined)
          .finally(async () => {
            await upload.discard();
            running.delete(job);
          });
        running.add(job);
        return reply.status(202).send({ id, status: 'queued' });
      } catch (e) {
        await upload.discard();
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

  app.get(
    '/imports',
    {
      schema: {
        tags: ['Prospecting'],
        summary: 'Your recent import jobs (all of them for a role monitoring compliance), newest first, without their reports',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ImportJobSummary) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      // The import wizard's list: for those who may import (the page's guard, src/access/navigation.ts).
      await session.assertCan('create', 'prospecting', 'identity', 'prospect-import');
      const { limit = 20 } = req.query as { limit?: number };
      return { items: await listImportJobs(req.server.rempartDb, { limit, ...(session.performs('audit_trail') ? {} : { actor: session.actor.id }) }) };
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
      // The queue is for those who decide its pairs (update): a role that may only read prospects has nothing to do with it.
      await session.assertCan('update', 'prospecting', 'identity', 'dedupe-review');
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
        summary: 'Accept (merge; per field the value `keep` names survives, else the most recent; provenance kept) or reject a pair',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('accept'), Type.Literal('reject')]),
            keep: Type.Optional(Type.Object(Object.fromEntries(CHOOSABLE_FIELDS.map((f) => [f, Type.Optional(Type.Union([Type.Literal('left'), Type.Literal('right')]))])), { additionalProperties: false })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ status: Type.String(), survivorId: Type.Union([Type.String(), Type.Null()]), chosen: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('update', 'prospecting', 'identity', 'dedupe-review');
      const { decision, keep = {} } = req.body as { decision: 'accept' | 'reject'; keep?: FieldChoices };
      if (decision === 'accept') await session.assertCan('delete', 'prospecting', 'identity', 'dedupe-review');
      // A reviewer chooses among the values it was shown: a field outside its grants is not its to pick.
      const hidden = Object.keys(keep).filter((f) => !canSeeField(opts.policy, session.actor, people, f, 'prospecting'));
      if (hidden.length > 0) throw new RempartError('FORBIDDEN', `Your role may not see ${hidden.join(', ')}: it cannot choose their value.`, { details: hidden.map((f) => ({ field: `keep.${f}`, message: 'not in your grants' })) });
      const id = (req.params as { id: string }).id;
      const outcome = await decideReviewPair(req.server.rempartDb, id, decision, session.actor, opts.now(), keep);
      return outcome;
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
