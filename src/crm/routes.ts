import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { GateSession } from '../access/gate.js';
import { ErrorResponse } from '../http/schemas.js';
import { joinsOrganisationName, RESOURCES } from './resources.js';
import { createSchema, listQuerySchema, patchSchema, recordSchema } from './schemas.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/**
 * The REST routes of every client-relationship record type. Each route reads top to
 * bottom: authenticate (the app's session hook) → validate (schema) → call the gate,
 * which checks the grant and audits → send what the role's presenter let through.
 */
export async function crmRoutes(app: FastifyInstance, opts: { session: (req: FastifyRequest) => GateSession }): Promise<void> {
  for (const spec of RESOURCES) {
    const base = `/${spec.name}`;
    const record = recordSchema(spec);
    const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
    const tags = [spec.tag];

    app.post(
      base,
      { schema: { tags, summary: `Create a ${spec.noun}`, body: createSchema(spec), response: { 201: record, ...errors } } },
      async (req, reply) => reply.status(201).send(await opts.session(req).create(spec, req.body as Record<string, unknown>)),
    );

    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${spec.name.replace('-', ' ')}`,
          description:
            'One page in creation order (keyset paging: pass nextCursor as cursor), filtered by the parameters given' +
            (spec.search.length > 0 ? ' and searched with q' : '') +
            (joinsOrganisationName(spec) ? "; each record carries its organisation's name where your role may read it" : '') +
            '.',
          querystring: listQuerySchema(spec),
          response: { 200: Type.Object({ items: Type.Array(record), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
        },
      },
      async (req) => {
        const { limit, cursor, q, ...filters } = req.query as { limit?: number; cursor?: string; q?: string } & Record<string, unknown>;
        return opts.session(req).list(spec, { limit, cursor, filters, ...(q === undefined ? {} : { search: q }) });
      },
    );

    app.get(
      `${base}/:id`,
      { schema: { tags, summary: `Read a ${spec.noun}`, params: IdParams, response: { 200: record, ...errors } } },
      async (req) => opts.session(req).get(spec, (req.params as { id: string }).id),
    );

    app.patch(
      `${base}/:id`,
      { schema: { tags, summary: `Change a ${spec.noun}`, params: IdParams, body: patchSchema(spec), response: { 200: record, ...errors } } },
      async (req) => opts.session(req).update(spec, (req.params as { id: string }).id, req.body as Record<string, unknown>),
    );

    app.delete(
      `${base}/:id`,
      { schema: { tags, summary: `Delete a ${spec.noun}`, params: IdParams, response: { 204: Type.Null(), ...errors } } },
      async (req, reply) => {
        await opts.session(req).delete(spec, (req.params as { id: string }).id);
        return reply.status(204).send();
      },
    );
  }
}
