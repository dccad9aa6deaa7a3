import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { fileResponse } from '../http/openapi.js';
import { ErrorResponse } from '../http/schemas.js';
import { AUDIT_ACTIONS, listAuditEntries } from './audit/index.js';
import { connectionLogsCsv, CONNECTION_EVENTS, CONNECTION_OUTCOMES, listConnectionLogs } from './connection-logs/index.js';
import type { GateSession } from './gate.js';

const LogFilters = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  accountId: Type.Optional(Type.String({ format: 'uuid' })),
  event: Type.Optional(Type.Union(CONNECTION_EVENTS.map((e) => Type.Literal(e)))),
  outcome: Type.Optional(Type.Union(CONNECTION_OUTCOMES.map((e) => Type.Literal(e)))),
};

type LogQuery = { from?: string; to?: string; accountId?: string; event?: (typeof CONNECTION_EVENTS)[number]; outcome?: (typeof CONNECTION_OUTCOMES)[number] };

function filtersOf(q: LogQuery) {
  return {
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.event ? { event: q.event } : {}),
    ...(q.outcome ? { outcome: q.outcome } : {}),
  };
}

/**
 * Routes over the accountability records: connection logs (P1.7, readable by the roles
 * the policy grants `connection_logs`, i.e. it and dpo) and the audit trail (P2.5), read
 * by the same grant (src/access/duties.ts: ids and field names only, never values).
 * Each read is itself audited.
 */
export async function accessRoutes(app: FastifyInstance, opts: { session: (req: FastifyRequest) => GateSession }): Promise<void> {
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

  app.get(
    '/connection-logs',
    {
      schema: {
        tags: ['Accountability'],
        summary: 'Connection and identification logs (12 months)',
        querystring: Type.Object(
          { ...LogFilters, cursor: Type.Optional(Type.String({ maxLength: 200 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Type.Record(Type.String(), Type.Unknown())), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      await session.assertCan('read', 'connection_logs', 'connection', 'connection-logs');
      const q = req.query as LogQuery & { cursor?: string; limit?: number };
      const page = await listConnectionLogs(req.server.rempartDb, { ...filtersOf(q), ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.limit ? { limit: q.limit } : {}) });
      await session.recordAccess('read', 'connection-logs', 'connection_logs', page.items.map((e) => e.id), ['account_id', 'source_ip', 'user_agent']);
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/connection-logs.csv',
    {
      schema: {
        tags: ['Accountability'],
        summary: 'Connection logs as CSV',
        querystring: Type.Object(LogFilters, { additionalProperties: false }),
        produces: ['text/csv'],
        response: { 200: fileResponse('text/csv', 'The entries as UTF-8 CSV') },
      },
    },
    async (req, reply) => {
      const session = opts.session(req);
      await session.assertCan('export', 'connection_logs', 'connection', 'connection-logs');
      const q = req.query as LogQuery;
      const chunks: string[] = [];
      for await (const chunk of connectionLogsCsv(req.server.rempartDb, filtersOf(q))) chunks.push(chunk);
      await session.recordAccess('export', 'connection-logs', 'connection_logs', [], ['account_id', 'source_ip', 'user_agent']);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="connection-logs.csv"').send(chunks.join(''));
    },
  );

  app.get(
    '/audit',
    {
      schema: {
        tags: ['Accountability'],
        summary: 'The audit trail, newest first, with filters (person, actor, action, resource, from, to) and paging',
        querystring: Type.Object(
          {
            person: Type.Optional(Type.String({ format: 'uuid' })),
            actor: Type.Optional(Type.String({ maxLength: 200, pattern: '^(user|token|cli|system):' })),
            action: Type.Optional(Type.Union(AUDIT_ACTIONS.map((a) => Type.Literal(a)))),
            resource: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Type.Record(Type.String(), Type.Unknown())), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errors },
      },
    },
    async (req) => {
      const session = opts.session(req);
      // The roles the policy gives the audit_trail task (the privacy officer, who monitors compliance, GDPR Art. 39(1)(b); IT).
      await session.assertTask('audit_trail', 'audit');
      const q = req.query as { person?: string; actor?: string; action?: string; resource?: string; from?: string; to?: string; cursor?: string; limit?: number };
      const page = await listAuditEntries(req.server.rempartDb, {
        ...(q.person ? { personId: q.person } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.resource ? { resource: q.resource } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
      });
      await session.recordAccess('read', 'audit', null, page.items.map((e) => String(e.seq)), []);
      return { items: page.items.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>), nextCursor: page.nextCursor };
    },
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The database, for the accountability routes (records go through the gate). */
    rempartDb: import('kysely').Kysely<import('../db/schema.js').Database>;
  }
}
