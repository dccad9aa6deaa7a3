import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { auditPublicKey, loadAuditKey, recentVerifications, verifyAndRecord } from '../access/audit/index.js';
import { mayOverseeProcessing, mayReadAccessRecords, requireDuty } from '../access/duties.js';
import type { GateSession } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { diffPolicies, findVersion, listVersions, readVersion, versionsDir } from '../documents/index.js';
import { RempartError } from '../errors.js';
import { isIsoDate, type LoadedPolicy } from '../policy/index.js';
import { previewRetention } from '../retention/preview.js';
import { parisDate } from '../rights/requests/index.js';
import { buildDashboard } from './dashboard.js';
import { listRetentionRuns } from './retention-runs.js';

/** What the oversight routes need. */
export interface OversightRouteOptions {
  readonly db: import('kysely').Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  readonly session: (req: FastifyRequest) => GateSession;
  /** Where the policy versions and the audit signing key live; without it no version is listed. */
  readonly dataDir?: string;
}

const Nullable = <T extends ReturnType<typeof Type.Object>>(t: T) => Type.Union([t, Type.Null()]);
const PlanLine = Type.Object({ purpose: Type.String(), action: Type.String(), count: Type.Integer() });
const Plan = Type.Object({
  at: Type.String({ format: 'date' }),
  due: Type.Array(PlanLine),
  upcoming: Type.Object({ '30': Type.Array(PlanLine), '90': Type.Array(PlanLine), '365': Type.Array(PlanLine) }),
});
const Verification = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  ok: Type.Boolean(),
  entries: Type.Integer(),
  problem: Type.Union([Type.String(), Type.Null()]),
  seq: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
});
const Run = Type.Object({
  id: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  appliedAt: Type.String({ format: 'date' }),
  actor: Type.String(),
  batches: Type.Integer(),
  changed: Type.Array(PlanLine),
  rows: Type.Record(Type.String(), Type.Integer()),
});
const Version = Type.Object({ hash: Type.String(), shortHash: Type.String(), effectiveDate: Type.String({ format: 'date' }), current: Type.Boolean() });
const RequestItem = Type.Record(Type.String(), Type.Unknown());
const DashboardOut = Type.Object({
  today: Type.String({ format: 'date' }),
  requests: Nullable(Type.Object({ open: Type.Integer(), overdue: Type.Integer(), items: Type.Array(RequestItem) })),
  retention: Type.Union([Plan, Type.Null()]),
  consents: Nullable(
    Type.Object({
      months: Type.Array(Type.Object({ month: Type.String(), scope: Type.String(), given: Type.Integer(), withdrawn: Type.Integer(), refused: Type.Integer() })),
    }),
  ),
  opposition: Nullable(Type.Object({ entries: Type.Integer() })),
  trainingToClose: Nullable(
    Type.Object({
      items: Type.Array(
        Type.Object({ id: Type.String(), name: Type.String(), clientOrganisationId: Type.String(), client: Type.String(), endsOn: Type.String({ format: 'date' }), endChoice: Type.String(), daysOverdue: Type.Integer() }),
      ),
    }),
  ),
  auditChain: Nullable(Type.Object({ lastVerification: Type.Union([Verification, Type.Null()]), entries: Type.Integer() })),
  failedSignIns: Nullable(
    Type.Object({
      last24h: Type.Integer(),
      last7d: Type.Integer(),
      items: Type.Array(
        Type.Object({
          id: Type.String(),
          at: Type.String(),
          event: Type.String(),
          service: Type.String(),
          accountId: Type.Union([Type.String(), Type.Null()]),
          sourceIp: Type.Union([Type.String(), Type.Null()]),
          reason: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
    }),
  ),
});

/**
 * The routes of the controller's oversight, under /api/v1, each allowed by a duty derived
 * from the policy's grants (src/access/duties.ts): the dpo's dashboard (its sections by
 * grant), the audit chain's verification (recorded), the retention plan and the sweeps'
 * record, and the versions of the register and notice with the changes between two.
 */
export async function oversightRoutes(app: FastifyInstance, opts: OversightRouteOptions): Promise<void> {
  const { db, policy, now } = opts;
  const oversee = (req: FastifyRequest) => requireDuty(req.actor, (a) => mayOverseeProcessing(policy, a), 'overseeing the processing (retention, documents)');
  const accessRecords = (req: FastifyRequest) => requireDuty(req.actor, (a) => mayReadAccessRecords(policy, a), 'the accountability records of access (audit trail, connection logs)');

  app.get('/dashboard', { schema: { tags: ['Oversight'], summary: "The dpo's dashboard; each section only where the role's grants allow it, else null", response: { 200: DashboardOut } } }, async (req) => {
    requireDuty(req.actor, (a) => mayOverseeProcessing(policy, a) || mayReadAccessRecords(policy, a), 'the oversight dashboard');
    return buildDashboard(db, policy, opts.session(req), now());
  });

  app.post(
    '/audit/verify',
    { schema: { tags: ['Accountability'], summary: 'Verify the audit chain now; the outcome is recorded (shown on the dashboard)', response: { 200: Verification } } },
    async (req) => {
      const actor = accessRecords(req);
      // With the signing key at hand, checkpoints must verify with it, not just with the key stored beside them.
      const key = opts.dataDir === undefined ? null : loadAuditKey({ dataDir: opts.dataDir });
      const { verification } = await verifyAndRecord(db, actor.id, now(), key ? { trustedKeys: [auditPublicKey(key)] } : {});
      return verification;
    },
  );

  app.get(
    '/audit/verifications',
    {
      schema: {
        tags: ['Accountability'],
        summary: 'The last verifications of the audit chain, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Verification) }) },
      },
    },
    async (req) => {
      accessRecords(req);
      return { items: await recentVerifications(db, (req.query as { limit?: number }).limit ?? 10) };
    },
  );

  app.get(
    '/retention/plan',
    {
      schema: {
        tags: ['Retention'],
        summary: 'What a retention run on a day archives, deletes or anonymises, and in the 30, 90 and 365 days after, per rule (P4.6)',
        querystring: Type.Object({ at: Type.Optional(Type.String({ format: 'date', description: 'default: today (Europe/Paris)' })) }, { additionalProperties: false }),
        response: { 200: Plan },
      },
    },
    async (req) => {
      oversee(req);
      const at = (req.query as { at?: string }).at ?? parisDate(now());
      if (!isIsoDate(at)) throw new RempartError('VALIDATION_FAILED', 'at is not a calendar date.', { details: [{ field: 'at', message: 'a date such as 2027-01-31' }] });
      return previewRetention(db, policy, at);
    },
  );

  app.get(
    '/retention/runs',
    {
      schema: {
        tags: ['Retention'],
        summary: 'The last retention runs and what each changed, by rule and by table (counts only)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Run) }) },
      },
    },
    async (req) => {
      oversee(req);
      return { items: await listRetentionRuns(db, (req.query as { limit?: number }).limit ?? 20) };
    },
  );

  app.get(
    '/documents/versions',
    {
      schema: {
        tags: ['Documents'],
        summary: 'The stored versions of the policy the register (Art. 30) and the notice (Art. 13, 14) are generated from, oldest first',
        response: { 200: Type.Object({ items: Type.Array(Version) }) },
      },
    },
    async (req) => {
      oversee(req);
      const stored = opts.dataDir === undefined ? [] : await listVersions(versionsDir(opts.dataDir));
      const items = stored.map((v) => ({ hash: v.hash, shortHash: v.shortHash, effectiveDate: v.effectiveDate, current: v.hash === policy.version.hash }));
      // The version in force is always listed, stored or not.
      if (!items.some((v) => v.current)) items.push({ hash: policy.version.hash, shortHash: policy.version.shortHash, effectiveDate: policy.version.effectiveDate, current: true });
      return { items };
    },
  );

  app.get(
    '/documents/diff',
    {
      schema: {
        tags: ['Documents'],
        summary: 'What changed in the register and notice between two stored versions, in words',
        querystring: Type.Object(
          {
            from: Type.String({ pattern: '^[0-9a-fA-F]{4,64}$', description: 'hash prefix of the older version' }),
            to: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{4,64}$', description: 'hash prefix of the newer version; default: the version in force' })),
            lang: Type.Optional(Type.Union([Type.Literal('fr'), Type.Literal('en')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ from: Type.String(), to: Type.String(), changes: Type.Array(Type.String()) }) },
      },
    },
    async (req) => {
      oversee(req);
      const q = req.query as { from: string; to?: string; lang?: 'fr' | 'en' };
      if (opts.dataDir === undefined) throw new RempartError('NOT_FOUND', 'No policy versions are stored on this server.');
      const dir = versionsDir(opts.dataDir);
      const from = await readVersion(await findVersion(dir, q.from));
      const to = q.to === undefined ? policy : await readVersion(await findVersion(dir, q.to));
      return { from: from.version.hash, to: to.version.hash, changes: [...diffPolicies(from, to, q.lang ?? 'fr')] };
    },
  );
}
