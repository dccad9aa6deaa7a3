import { createHmac } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { GateSession } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { isUuid } from '../db/ids.js';
import { RempartError } from '../errors.js';
import type { Operation } from '../policy/index.js';
import type { TrainingEngagementsTable } from './tables.js';
import type { Selectable } from 'kysely';

/** What every training command is given. */
export interface TrainingDeps {
  readonly db: Kysely<Database>;
  readonly now: () => Date;
  /** The server key: per-engagement credentials and the certificate key derive from it. */
  readonly serverKey: Buffer;
  /** The server as the platforms reach it (credentials' URLs). */
  readonly publicUrl: string;
}

/** An engagement row. */
export type EngagementRow = Selectable<TrainingEngagementsTable>;

/** The audit resource names of the training data. */
export const RESOURCE = { engagements: 'training-engagements', trainees: 'training-trainees', events: 'training-events', statements: 'training-statements' } as const;

/**
 * Refuses (403, recorded) unless the actor's role holds a grant of the training purpose
 * for this operation: decided from the policy's grants, never from a role name.
 */
export async function authorise(session: GateSession, operation: Operation, resource: string = RESOURCE.engagements): Promise<void> {
  await session.assertCan(operation, 'training', 'training', resource);
}

/**
 * The engagement as the actor may see it. An actor bound to an organisation (the
 * client's own contact) sees only that client's engagements; any other is answered as
 * absent, so one client cannot learn another's engagement exists (Art. 28(3)(b)).
 */
export async function engagementFor(session: GateSession, db: Kysely<Database> | Transaction<Database>, id: string): Promise<EngagementRow> {
  const notFound = new RempartError('NOT_FOUND', 'No such engagement.', { details: [{ field: 'id', message: 'refers to no engagement you can see' }] });
  if (!isUuid(id)) throw notFound;
  const row = await db.selectFrom('trainingEngagements').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound;
  const scope = session.actor.scopeOrganisationId;
  if (scope !== null && scope !== row.clientOrganisationId) throw notFound;
  return row;
}

/** Refuses a write to an engagement already closed: its data is gone (Art. 28(3)(g)). */
export function assertOpen(row: EngagementRow): void {
  if (row.status === 'closed') {
    throw new RempartError('CONFLICT', 'The engagement is closed: its data was returned and destroyed.', { details: [{ field: 'id', message: 'engagement closed' }] });
  }
}

function derive(serverKey: Buffer, label: string, id: string): string {
  return createHmac('sha256', serverKey).update(`rempart:training:${label}:${id}`).digest('base64url');
}

/** Per-engagement credentials, derived from the server key (nothing to store, nothing to leak in a backup). */
export interface EngagementCredentials {
  readonly xapi: { readonly endpoint: string; readonly key: string; readonly secret: string };
  readonly gophish: { readonly url: string; readonly secret: string };
}

/** The credentials of an engagement: the LRS key and secret (HTTP Basic) and the Gophish webhook secret. */
export function credentialsOf(deps: Pick<TrainingDeps, 'serverKey' | 'publicUrl'>, engagementId: string): EngagementCredentials {
  const base = `${deps.publicUrl.replace(/\/+$/, '')}/api/v1/engagements/${engagementId}`;
  return {
    xapi: { endpoint: `${base}/xapi/`, key: `lrs_${derive(deps.serverKey, 'xapi-key', engagementId).slice(0, 20)}`, secret: derive(deps.serverKey, 'xapi-secret', engagementId) },
    gophish: { url: `${base}/gophish`, secret: derive(deps.serverKey, 'gophish-secret', engagementId) },
  };
}
