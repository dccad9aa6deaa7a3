import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { requireActor } from '../access/auth/index.js';
import type { Gate, GateSession } from '../access/gate.js';
import { RempartError } from '../errors.js';
import { certificatePublicKeyPem } from './certificate.js';
import { claimDownload, closeEngagement } from './close.js';
import { PACKAGE_SHA256_HEADER } from './delivery.js';
import { authorise, credentialsOf, engagementFor, type TrainingDeps } from './context.js';
import { addInstructions, createEngagement, getEngagement, listEngagements, type EngagementInput } from './engagements.js';
import { ingestGophish } from './gophish.js';
import { engagementReport, reportCsv } from './report.js';
import { addTrainee, correctTrainee, deleteTrainee, exportTrainee, listTrainees, type TraineeInput } from './trainees.js';
import { checkBasicAuth, checkVersionHeader, queryStatements, storeStatements, XAPI_VERSION, type StatementQuery } from './xapi.js';

/** What the training routes are built from. */
export interface TrainingRouteOptions {
  readonly deps: TrainingDeps;
  readonly gate: Gate;
  readonly session: (req: FastifyRequest) => GateSession;
  /** Where close packages wait for their download. */
  readonly dataDir: string;
}

const Id = Type.Object({ id: Type.String() });
const TraineeParams = Type.Object({ id: Type.String(), traineeId: Type.String() });
const AnyJson = Type.Unknown();

/** The close's body is optional (a download by default): checked here, where an absent body is allowed. */
function closeBody(body: unknown): { uploadUrl?: string; uploadMethod?: 'PUT' | 'POST' } {
  if (body === undefined || body === null || body === '') return {};
  const b = body as { uploadUrl?: unknown; uploadMethod?: unknown };
  const details = [
    ...(typeof body !== 'object' || Array.isArray(body) ? [{ field: '(body)', message: 'must be an object' }] : []),
    ...(b.uploadUrl !== undefined && typeof b.uploadUrl !== 'string' ? [{ field: 'uploadUrl', message: 'must be a string' }] : []),
    ...(b.uploadMethod !== undefined && b.uploadMethod !== 'PUT' && b.uploadMethod !== 'POST' ? [{ field: 'uploadMethod', message: 'PUT or POST' }] : []),
    ...Object.keys(b).filter((k) => k !== 'uploadUrl' && k !== 'uploadMethod').map((k) => ({ field: k, message: 'is not a field of the close' })),
  ];
  if (details.length > 0) throw new RempartError('VALIDATION_FAILED', 'The request body is not valid.', { details });
  return b as { uploadUrl?: string; uploadMethod?: 'PUT' | 'POST' };
}
const tag = { tags: ['Training'] };

/**
 * Training engagements (annex art. 1, fourth purpose; GDPR Art. 28) under
 * /api/v1/engagements. Staff routes go through the gate like every data route; the
 * platforms' routes (Gophish webhook, xAPI LRS) authenticate with the engagement's own
 * secret instead of an account, as those platforms do, and can only add results to it.
 */
export async function trainingRoutes(app: FastifyInstance, opts: TrainingRouteOptions): Promise<void> {
  const { deps, gate, session } = opts;

  app.get('/certificate-key', { schema: { hide: true } }, async (_req, reply) => reply.type('application/x-pem-file').send(certificatePublicKeyPem(deps.serverKey)));

  await app.register(async (api) => {
    api.addHook('preHandler', requireActor);
    api.get('/', { schema: { ...tag, summary: 'The engagements you may see', response: { 200: AnyJson } } }, async (req) => listEngagements(deps, session(req)));
    api.post('/', { schema: { ...tag, summary: 'Create an engagement', body: AnyJson, response: { 201: AnyJson } } }, async (req, reply) =>
      reply.status(201).send(await createEngagement(deps, session(req), req.body as EngagementInput)),
    );
    api.get('/:id', { schema: { ...tag, summary: 'One engagement', params: Id, response: { 200: AnyJson } } }, async (req) => getEngagement(deps, session(req), (req.params as { id: string }).id));
    api.post('/:id/instructions', { schema: { ...tag, summary: "Add a version of the client's instructions", params: Id, body: Type.Object({ text: Type.String() }), response: { 200: AnyJson } } }, async (req) =>
      addInstructions(deps, session(req), (req.params as { id: string }).id, (req.body as { text: string }).text),
    );
    api.get('/:id/credentials', { schema: { ...tag, summary: "The platforms' credentials of an engagement", params: Id, response: { 200: AnyJson } } }, async (req) => {
      const s = session(req);
      await authorise(s, 'update');
      const row = await engagementFor(s, deps.db, (req.params as { id: string }).id);
      if (s.actor.scopeOrganisationId !== null) throw new RempartError('FORBIDDEN', 'A client contact may not read the platform credentials.');
      return credentialsOf(deps, row.id);
    });
    api.get('/:id/trainees', { schema: { ...tag, summary: 'The trainees of an engagement', params: Id, response: { 200: AnyJson } } }, async (req) => listTrainees(deps, session(req), (req.params as { id: string }).id));
    api.post('/:id/trainees', { schema: { ...tag, summary: 'Add trainees (one object or an array)', params: Id, body: AnyJson, response: { 201: AnyJson } } }, async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const body = req.body;
      const list = (Array.isArray(body) ? body : [body]) as TraineeInput[];
      const out = [];
      for (const t of list) out.push(await addTrainee(deps, session(req), id, t));
      return reply.status(201).send(Array.isArray(body) ? out : out[0]);
    });
    api.get('/:id/trainees/:traineeId/export', { schema: { ...tag, summary: "One trainee's data, for the client answering its employee", params: TraineeParams, response: { 200: AnyJson } } }, async (req) => {
      const p = req.params as { id: string; traineeId: string };
      return exportTrainee(deps, session(req), p.id, p.traineeId);
    });
    api.patch('/:id/trainees/:traineeId', { schema: { ...tag, summary: 'Correct a trainee on the client\'s instruction', params: TraineeParams, body: AnyJson, response: { 200: AnyJson } } }, async (req) => {
      const p = req.params as { id: string; traineeId: string };
      return correctTrainee(deps, session(req), p.id, p.traineeId, req.body as TraineeInput);
    });
    api.delete('/:id/trainees/:traineeId', { schema: { ...tag, summary: 'Delete a trainee on the client\'s instruction', params: TraineeParams, response: { 204: Type.Null() } } }, async (req, reply) => {
      const p = req.params as { id: string; traineeId: string };
      await deleteTrainee(deps, session(req), p.id, p.traineeId);
      return reply.status(204).send();
    });
    api.get('/:id/report', { schema: { ...tag, summary: 'The report per campaign, department and course', params: Id, querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }), response: { 200: AnyJson } } }, async (req, reply) => {
      const report = await engagementReport(deps, session(req), (req.params as { id: string }).id);
      if ((req.query as { format?: string }).format === 'csv') return reply.type('text/csv; charset=utf-8').send(reportCsv(report));
      return report;
    });
    api.post('/:id/close', { schema: { ...tag, summary: 'Close: package, deliver, destroy, certify', params: Id, response: { 200: AnyJson } } }, async (req) => {
      const id = (req.params as { id: string }).id;
      const body = closeBody(req.body);
      const dir = join(opts.dataDir, 'training');
      await mkdir(dir, { recursive: true });
      const out = await closeEngagement(deps, session(req), id, {
        out: join(dir, `${id.replace(/[^0-9a-f-]/gi, '')}.zip`),
        ...(body.uploadUrl !== undefined ? { upload: { url: body.uploadUrl, ...(body.uploadMethod ? { method: body.uploadMethod } : {}) } } : { delivery: 'download' as const }),
      });
      const uploaded = out.certificate.certificate.delivery?.method === 'upload';
      // Uploaded and destroyed: the server's copy is the last of the client's data, and it is the client's now.
      if (uploaded) await rm(out.packagePath, { force: true });
      return { certificate: out.certificate, packageSha256: out.packageSha256, ...(uploaded ? { uploadedTo: out.certificate.certificate.delivery?.to } : { package: `/api/v1/engagements/${id}/package` }) };
    });
    api.get('/:id/package', { schema: { ...tag, summary: 'Download the restitution package (once)', params: Id, response: { 200: AnyJson } } }, async (req, reply) => {
      const s = session(req);
      await authorise(s, 'export');
      const row = await engagementFor(s, deps.db, (req.params as { id: string }).id);
      const claim = await claimDownload(deps, row.id);
      await s.recordAccess('export', 'training-trainees', 'training', [row.id], ['package']);
      // Served once (item 8: "download once"): deleted when read to the end, claimed again if the download broke off.
      const file = createReadStream(claim.path);
      let whole = false;
      file.once('end', () => void (whole = true));
      file.once('close', () => void (whole ? rm(claim.path, { force: true }) : claim.release()));
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="engagement-${row.id}.zip"`)
        .header(PACKAGE_SHA256_HEADER, claim.sha256)
        .send(file);
    });
  });

  // The platforms: their own authentication, the raw body kept for the signature.
  await app.register(async (platform) => {
    platform.removeAllContentTypeParsers();
    platform.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    platform.post('/:id/gophish', { schema: { hide: true } }, async (req) => {
      const header = req.headers['x-gophish-signature'];
      return ingestGophish(deps, gate, (req.params as { id: string }).id, typeof req.body === 'string' ? req.body : '', typeof header === 'string' ? header : undefined);
    });

    await platform.register(async (lrs) => {
      // Every answer of an LRS names its version (xAPI 1.0.3 part three, 6.2), errors included.
      lrs.addHook('onRequest', async (_req, reply) => void reply.header('x-experience-api-version', XAPI_VERSION));
      const guard = (req: FastifyRequest, reply: FastifyReply): string => {
        const id = (req.params as { id: string }).id;
        reply.header('www-authenticate', 'Basic realm="xAPI"');
        checkBasicAuth(deps, id, req.headers.authorization);
        reply.removeHeader('www-authenticate');
        const v = req.headers['x-experience-api-version'];
        checkVersionHeader(typeof v === 'string' ? v : undefined);
        return id;
      };
      const parse = (req: FastifyRequest): unknown => {
        try {
          return JSON.parse(typeof req.body === 'string' ? req.body : '');
        } catch {
          throw new RempartError('MALFORMED_REQUEST', 'The body is not valid JSON.', { details: [{ field: 'body', message: 'is not JSON' }] });
        }
      };
      lrs.post('/:id/xapi/statements', { schema: { hide: true } }, async (req, reply) => {
        const id = guard(req, reply);
        return reply.status(200).send(await storeStatements(deps, gate, id, parse(req)));
      });
      lrs.put('/:id/xapi/statements', { schema: { hide: true } }, async (req, reply) => {
        const id = guard(req, reply);
        const statementId = (req.query as { statementId?: string }).statementId;
        if (statementId === undefined) throw new RempartError('VALIDATION_FAILED', 'PUT needs the statementId parameter.', { details: [{ field: 'statementId', message: 'required' }] });
        await storeStatements(deps, gate, id, parse(req), statementId);
        return reply.status(204).send();
      });
      lrs.get('/:id/xapi/statements', { schema: { hide: true } }, async (req, reply) => {
        const id = guard(req, reply);
        const result = await queryStatements(deps, id, req.query as StatementQuery);
        return reply.header('x-experience-api-consistent-through', deps.now().toISOString()).send(result);
      });
    });
  });
}
