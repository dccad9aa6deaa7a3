import { createWriteStream } from 'node:fs';
import { checkFileName } from '../../http/file-names.js';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { GateSession } from '../../access/gate.js';
import { newId } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import { ErrorResponse } from '../../http/schemas.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { OPPOSITION_CHANNELS, type OppositionChannel } from '../../rights/opposition/index.js';
import { checkOpposition, importOppositionFile, listOpposition, oppositionSize, recordOpposition, withdrawOpposition } from './commands.js';

const Channel = Type.Union(OPPOSITION_CHANNELS.map((c) => Type.Literal(c)));
const Identifiers = { email: Type.Optional(Type.String({ maxLength: 320 })), phone: Type.Optional(Type.String({ maxLength: 40 })) };
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/**
 * The opposition list over HTTP (R-PROS-3, P5.6). Identifiers travel in bodies, never
 * in URLs. `check` answers yes/no only; listing and removal are the dpo's.
 */
export async function oppositionRoutes(
  app: FastifyInstance,
  opts: { readonly session: (req: FastifyRequest) => GateSession; readonly policy: LoadedPolicy; readonly serverKey: Buffer; readonly now: () => Date; readonly dataDir: string },
): Promise<void> {
  const ctx = (req: FastifyRequest) => ({ policy: opts.policy, key: opts.serverKey, actor: opts.session(req).actor, now: opts.now() });

  app.post(
    '/opposition/check',
    { schema: { tags: ['Opposition list'], summary: 'Is this email or phone on the opposition list? yes/no', body: Type.Object({ ...Identifiers, channel: Type.Optional(Channel) }, { additionalProperties: false }), response: { 200: Type.Object({ opposed: Type.Boolean() }), ...errors } } },
    async (req) => {
      const b = req.body as { email?: string; phone?: string; channel?: OppositionChannel };
      return { opposed: await checkOpposition(req.server.rempartDb, ctx(req), { email: b.email ?? null, phone: b.phone ?? null }, b.channel) };
    },
  );

  app.get(
    '/opposition/size',
    { schema: { tags: ['Opposition list'], summary: 'How many entries the opposition list holds (a count only), for the roles that may check it', response: { 200: Type.Object({ entries: Type.Integer() }), ...errors } } },
    async (req) => ({ entries: await oppositionSize(req.server.rempartDb, ctx(req)) }),
  );

  app.post(
    '/opposition',
    { schema: { tags: ['Opposition list'], summary: 'Record an objection to prospecting', body: Type.Object({ ...Identifiers, channel: Type.Optional(Channel) }, { additionalProperties: false }), response: { 201: Type.Object({ added: Type.Boolean() }), ...errors } } },
    async (req, reply) => {
      const b = req.body as { email?: string; phone?: string; channel?: OppositionChannel };
      await recordOpposition(req.server.rempartDb, ctx(req), { email: b.email ?? null, phone: b.phone ?? null }, b.channel ?? 'all');
      return reply.status(201).send({ added: true });
    },
  );

  app.post(
    '/opposition/remove',
    { schema: { tags: ['Opposition list'], summary: 'Remove an entry (objection withdrawn): dpo only', body: Type.Object({ ...Identifiers, reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }), response: { 200: Type.Object({ removed: Type.Integer() }), ...errors } } },
    async (req) => {
      const b = req.body as { email?: string; phone?: string; reason: string };
      return { removed: await withdrawOpposition(req.server.rempartDb, ctx(req), { email: b.email ?? null, phone: b.phone ?? null }, b.reason) };
    },
  );

  app.get(
    '/opposition',
    { schema: { tags: ['Opposition list'], summary: 'The entries (channel and dates, never the hashes): dpo only', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), before: Type.Optional(Type.String({ format: 'uuid' })) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(Type.Record(Type.String(), Type.Unknown())), total: Type.Integer() }), ...errors } } },
    async (req) => {
      const q = req.query as { limit?: number; before?: string };
      return listOpposition(req.server.rempartDb, ctx(req), { ...(q.limit ? { limit: q.limit } : {}), ...(q.before ? { before: q.before } : {}) });
    },
  );

  app.post(
    '/opposition/import',
    { schema: { tags: ['Opposition list'], summary: 'Add every email and phone of an uploaded CSV/XLSX (multipart field "file")', consumes: ['multipart/form-data'], response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors } } },
    async (req) => {
      if (!req.isMultipart()) throw new RempartError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data (field "file").');
      const dir = join(opts.dataDir, 'uploads', 'imports');
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${newId()}.opposition`);
      try {
        let channel: OppositionChannel = 'all';
        let got = false;
        for await (const part of req.parts()) {
          if (part.type === 'file') {
            if (part.filename) checkFileName(part.filename, `${part.fieldname}.filename`);
            await pipeline(part.file, createWriteStream(path));
            got = true;
          } else if (part.fieldname === 'channel' && (OPPOSITION_CHANNELS as readonly unknown[]).includes(part.value)) channel = part.value as OppositionChannel;
        }
        if (!got) throw new RempartError('VALIDATION_FAILED', 'No file: send it in the multipart field "file".', { details: [{ field: 'file', message: 'required' }] });
        return await importOppositionFile(req.server.rempartDb, ctx(req), path, channel);
      } finally {
        await rm(path, { force: true });
      }
    },
  );
}
