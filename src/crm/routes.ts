import type { FastifyInstance } from 'fastify';
import Type, { type TSchema } from 'typebox';
import { ErrorResponse } from '../http/schemas.js';
import { createRecord, deleteRecord, getRecord, listRecords, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, updateRecord, type CrmContext } from './commands.js';
import { RESOURCES, type ResourceSpec } from './resources.js';

/** Response shape of a record: its fields plus what the server sets. */
function recordSchema(spec: ResourceSpec): TSchema {
  return Type.Object({
    id: Type.String({ format: 'uuid' }),
    purpose: Type.String({ description: 'The purpose the record is processed for (annex art. 1)' }),
    ...Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, Type.Optional(v)])),
    ...Object.fromEntries(Object.entries(spec.outputFields).map(([k, v]) => [k, Type.Optional(v)])),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  });
}

function createSchema(spec: ResourceSpec): TSchema {
  const props = Object.fromEntries(
    Object.entries(spec.fields).map(([k, v]) => [k, spec.required.includes(k) ? v : Type.Optional(v)]),
  );
  return Type.Object(props, { additionalProperties: false });
}

function patchSchema(spec: ResourceSpec): TSchema {
  const props = Object.fromEntries(Object.entries(spec.fields).map(([k, v]) => [k, Type.Optional(v)]));
  return Type.Object(props, { additionalProperties: false, minProperties: 1 });
}

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/**
 * The REST routes of every client-relationship record type. Each route reads top to
 * bottom: validate (schema) → call one command → send what the command presented.
 */
export async function crmRoutes(app: FastifyInstance, opts: { ctx: () => CrmContext }): Promise<void> {
  for (const spec of RESOURCES) {
    const base = `/${spec.name}`;
    const record = recordSchema(spec);
    const errors = { 400: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };
    const tags = [spec.tag];

    app.post(
      base,
      { schema: { tags, summary: `Create a ${spec.noun}`, body: createSchema(spec), response: { 201: record, ...errors } } },
      async (req, reply) => reply.status(201).send(await createRecord(opts.ctx(), spec, req.body as Record<string, unknown>)),
    );

    app.get(
      base,
      {
        schema: {
          tags,
          summary: `List ${spec.name.replace('-', ' ')}`,
          querystring: Type.Object(
            {
              limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
              cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
              ...Object.fromEntries(spec.filters.map((f) => [f.param, Type.Optional(f.schema)])),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(record), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
        },
      },
      async (req) => {
        const { limit, cursor, ...filters } = req.query as { limit?: number; cursor?: string } & Record<string, unknown>;
        return listRecords(opts.ctx(), spec, { limit, cursor, filters });
      },
    );

    app.get(
      `${base}/:id`,
      { schema: { tags, summary: `Read a ${spec.noun}`, params: IdParams, response: { 200: record, ...errors } } },
      async (req) => getRecord(opts.ctx(), spec, (req.params as { id: string }).id),
    );

    app.patch(
      `${base}/:id`,
      { schema: { tags, summary: `Change a ${spec.noun}`, params: IdParams, body: patchSchema(spec), response: { 200: record, ...errors } } },
      async (req) => updateRecord(opts.ctx(), spec, (req.params as { id: string }).id, req.body as Record<string, unknown>),
    );

    app.delete(
      `${base}/:id`,
      { schema: { tags, summary: `Delete a ${spec.noun}`, params: IdParams, response: { 204: Type.Null(), ...errors } } },
      async (req, reply) => {
        await deleteRecord(opts.ctx(), spec, (req.params as { id: string }).id);
        return reply.status(204).send();
      },
    );
  }
}
