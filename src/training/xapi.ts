import { timingSafeEqual } from 'node:crypto';
import type { Gate } from '../access/gate.js';
import { isUuid, newId } from '../db/ids.js';
import { RempartError, type ErrorDetail } from '../errors.js';
import { credentialsOf, RESOURCE, type TrainingDeps } from './context.js';
import { platformActor } from './platform-actor.js';

/** The xAPI version this LRS answers with (xAPI 1.0.3, part three, 6.2). */
export const XAPI_VERSION = '1.0.3';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const IRI = /^[a-z][a-z0-9+.-]*:[^\s]+$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DURATION = /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;
const STATEMENT_KEYS = new Set(['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments']);

/** Refuses a request that does not say it speaks xAPI 1.0.x (part three, 6.2). */
export function checkVersionHeader(value: string | undefined): void {
  if (value === undefined || !/^1\.0(\.\d+)?$/.test(value.trim())) {
    throw new RempartError('VALIDATION_FAILED', 'The X-Experience-API-Version header must say 1.0.x.', { details: [{ field: 'X-Experience-API-Version', message: value === undefined ? 'missing' : 'unsupported version' }] });
  }
}

/** Checks HTTP Basic credentials against the engagement's LRS key and secret. */
export function checkBasicAuth(deps: Pick<TrainingDeps, 'serverKey' | 'publicUrl'>, engagementId: string, header: string | undefined): void {
  const refuse = () => new RempartError('UNAUTHENTICATED', "The LRS needs HTTP Basic credentials: this engagement's xAPI key and secret.", { details: [{ field: 'Authorization', message: 'missing or wrong' }] });
  if (!header || !/^basic /i.test(header)) throw refuse();
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const { key, secret } = credentialsOf(deps, engagementId).xapi;
  const expected = Buffer.from(`${key}:${secret}`);
  const given = Buffer.from(decoded);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refuse();
}

function checkAgent(v: unknown, path: string, problems: ErrorDetail[], groupAllowed = true): void {
  if (!isObj(v)) return void problems.push({ field: path, message: 'must be an Agent or Group object' });
  const type = v.objectType ?? 'Agent';
  if (type !== 'Agent' && !(groupAllowed && type === 'Group')) return void problems.push({ field: `${path}.objectType`, message: 'must be Agent or Group' });
  const ifis = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter((k) => v[k] !== undefined);
  if (type === 'Group' && ifis.length === 0) {
    if (!Array.isArray(v.member) || v.member.length === 0) problems.push({ field: `${path}.member`, message: 'an anonymous Group needs members' });
    else v.member.forEach((m, i) => checkAgent(m, `${path}.member[${i}]`, problems, false));
    return;
  }
  if (ifis.length !== 1) return void problems.push({ field: path, message: 'must have exactly one of mbox, mbox_sha1sum, openid, account' });
  if (v.mbox !== undefined && (typeof v.mbox !== 'string' || !/^mailto:[^@\s]+@[^@\s]+$/i.test(v.mbox))) problems.push({ field: `${path}.mbox`, message: 'must be a mailto: IRI' });
  if (v.mbox_sha1sum !== undefined && (typeof v.mbox_sha1sum !== 'string' || !/^[0-9a-f]{40}$/i.test(v.mbox_sha1sum))) problems.push({ field: `${path}.mbox_sha1sum`, message: 'must be a SHA-1 hex digest' });
  if (v.openid !== undefined && (typeof v.openid !== 'string' || !IRI.test(v.openid))) problems.push({ field: `${path}.openid`, message: 'must be an IRI' });
  if (v.account !== undefined) {
    const a = v.account;
    if (!isObj(a) || typeof a.homePage !== 'string' || !IRI.test(a.homePage) || typeof a.name !== 'string' || a.name === '') problems.push({ field: `${path}.account`, message: 'must have an IRI homePage and a name' });
  }
  if (v.name !== undefined && typeof v.name !== 'string') problems.push({ field: `${path}.name`, message: 'must be a string' });
}

function checkLanguageMap(v: unknown, path: string, problems: ErrorDetail[]): void {
  if (v === undefined) return;
  if (!isObj(v) || Object.values(v).some((s) => typeof s !== 'string')) problems.push({ field: path, message: 'must be a language map' });
}

function checkObject(v: unknown, path: string, problems: ErrorDetail[], sub: boolean): void {
  if (!isObj(v)) return void problems.push({ field: path, message: 'is required (an Activity, Agent, Group, StatementRef or SubStatement)' });
  const type = v.objectType ?? 'Activity';
  if (type === 'Activity') {
    if (typeof v.id !== 'string' || !IRI.test(v.id)) problems.push({ field: `${path}.id`, message: 'must be an IRI' });
    if (v.definition !== undefined && !isObj(v.definition)) problems.push({ field: `${path}.definition`, message: 'must be an object' });
    if (isObj(v.definition)) {
      checkLanguageMap(v.definition.name, `${path}.definition.name`, problems);
      checkLanguageMap(v.definition.description, `${path}.definition.description`, problems);
    }
  } else if (type === 'Agent' || type === 'Group') checkAgent(v, path, problems);
  else if (type === 'StatementRef') {
    if (typeof v.id !== 'string' || !isUuid(v.id)) problems.push({ field: `${path}.id`, message: 'must be a statement UUID' });
  } else if (type === 'SubStatement' && !sub) {
    checkAgent(v.actor, `${path}.actor`, problems);
    checkVerb(v.verb, `${path}.verb`, problems);
    checkObject(v.object, `${path}.object`, problems, true);
  } else problems.push({ field: `${path}.objectType`, message: 'must be Activity, Agent, Group, StatementRef or SubStatement (not nested)' });
}

function checkVerb(v: unknown, path: string, problems: ErrorDetail[]): void {
  if (!isObj(v) || typeof v.id !== 'string' || !IRI.test(v.id)) return void problems.push({ field: `${path}.id`, message: 'must be an IRI' });
  checkLanguageMap(v.display, `${path}.display`, problems);
}

function checkResult(v: unknown, path: string, problems: ErrorDetail[]): void {
  if (v === undefined) return;
  if (!isObj(v)) return void problems.push({ field: path, message: 'must be an object' });
  for (const k of ['success', 'completion'] as const) if (v[k] !== undefined && typeof v[k] !== 'boolean') problems.push({ field: `${path}.${k}`, message: 'must be true or false' });
  if (v.response !== undefined && typeof v.response !== 'string') problems.push({ field: `${path}.response`, message: 'must be a string' });
  if (v.duration !== undefined && (typeof v.duration !== 'string' || !ISO_DURATION.test(v.duration))) problems.push({ field: `${path}.duration`, message: 'must be an ISO 8601 duration' });
  if (v.score !== undefined) {
    const s = v.score;
    if (!isObj(s)) return void problems.push({ field: `${path}.score`, message: 'must be an object' });
    for (const k of ['scaled', 'raw', 'min', 'max'] as const) if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) problems.push({ field: `${path}.score.${k}`, message: 'must be a number' });
    if (typeof s.scaled === 'number' && (s.scaled < -1 || s.scaled > 1)) problems.push({ field: `${path}.score.scaled`, message: 'must be between -1 and 1' });
    if (typeof s.min === 'number' && typeof s.max === 'number' && s.min > s.max) problems.push({ field: `${path}.score.min`, message: 'must not exceed max' });
    if (typeof s.raw === 'number' && ((typeof s.min === 'number' && s.raw < s.min) || (typeof s.max === 'number' && s.raw > s.max))) problems.push({ field: `${path}.score.raw`, message: 'must be between min and max' });
  }
}

/** The problems of one statement as xAPI 1.0.3 (part two, 2.4) defines it; empty when valid. */
export function statementProblems(s: unknown, path = 'statement'): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (!isObj(s)) return [{ field: path, message: 'must be a JSON object' }];
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) problems.push({ field: `${path}.${k}`, message: 'is not a statement property' });
  if (s.id !== undefined && (typeof s.id !== 'string' || !isUuid(s.id))) problems.push({ field: `${path}.id`, message: 'must be a UUID' });
  checkAgent(s.actor, `${path}.actor`, problems);
  checkVerb(s.verb, `${path}.verb`, problems);
  checkObject(s.object, `${path}.object`, problems, false);
  checkResult(s.result, `${path}.result`, problems);
  if (s.context !== undefined && !isObj(s.context)) problems.push({ field: `${path}.context`, message: 'must be an object' });
  for (const k of ['timestamp', 'stored'] as const) if (s[k] !== undefined && (typeof s[k] !== 'string' || !ISO_TIME.test(s[k]) || Number.isNaN(Date.parse(s[k])))) problems.push({ field: `${path}.${k}`, message: 'must be an ISO 8601 time with its offset' });
  if (s.version !== undefined && (typeof s.version !== 'string' || !/^1\.0(\.\d+)?$/.test(s.version))) problems.push({ field: `${path}.version`, message: 'must be 1.0.x' });
  return problems;
}

/** The inverse functional identifier of an agent, as one comparable string. */
export function actorKey(actor: Obj): string {
  if (typeof actor.mbox === 'string') return `mbox:${actor.mbox.toLowerCase()}`;
  if (typeof actor.mbox_sha1sum === 'string') return `sha1:${actor.mbox_sha1sum.toLowerCase()}`;
  if (typeof actor.openid === 'string') return `openid:${actor.openid}`;
  if (isObj(actor.account)) return `account:${String(actor.account.homePage)}|${String(actor.account.name)}`;
  return `group:${JSON.stringify(actor.member ?? [])}`;
}

/** JSON with sorted keys: two statements with the same content compare equal (part three, 2.1.2). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * Stores statements in the engagement's LRS. Each keeps the text received; an id seen
 * before with the same content is accepted again and changes nothing, with other
 * content it is a 409 (part three, 2.1.2). An actor who is not a trainee is accepted
 * (an LRS may not refuse it) and kept unmatched inside the engagement.
 */
export async function storeStatements(deps: TrainingDeps, gate: Gate, engagementId: string, body: unknown, putId?: string): Promise<string[]> {
  const engagement = isUuid(engagementId) ? await deps.db.selectFrom('trainingEngagements').select(['status']).where('id', '=', engagementId).executeTakeFirst() : undefined;
  if (!engagement) throw new RempartError('NOT_FOUND', 'No such engagement.', { details: [{ field: 'id', message: 'refers to no engagement' }] });
  if (engagement.status === 'closed') throw new RempartError('CONFLICT', 'The engagement is closed: its LRS takes no more statements.', { details: [{ field: 'id', message: 'engagement closed' }] });
  const list = putId === undefined ? (Array.isArray(body) ? body : [body]) : [body];
  if (list.length === 0) throw new RempartError('VALIDATION_FAILED', 'No statement sent.', { details: [{ field: 'body', message: 'empty array' }] });
  const problems = list.flatMap((s, i) => statementProblems(s, Array.isArray(body) ? `statements[${i}]` : 'statement'));
  if (putId !== undefined) {
    if (!isUuid(putId)) problems.push({ field: 'statementId', message: 'must be a UUID' });
    const own = isObj(body) ? body.id : undefined;
    if (own !== undefined && own !== putId) problems.push({ field: 'statement.id', message: 'differs from the statementId parameter' });
  }
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The statement is not valid xAPI 1.0.3.', { details: problems });
  const now = deps.now();
  const received = (list as Obj[]).map((s, i) => {
    const id = (putId ?? (typeof s.id === 'string' ? s.id : newId(now.getTime() + i))).toLowerCase();
    const withId: Obj = { ...s, id };
    return { id, raw: JSON.stringify(s), withId };
  });
  const ids = received.map((r) => r.id);
  if (new Set(ids).size !== ids.length) throw new RempartError('VALIDATION_FAILED', 'Two statements of the batch share an id.', { details: [{ field: 'id', message: 'duplicate in the batch' }] });
  const session = gate.for(platformActor('xapi', engagementId));
  return deps.db.transaction().execute(async (tx) => {
    // FOR SHARE: a close (FOR UPDATE on the engagement) and this batch never interleave.
    const locked = await tx.selectFrom('trainingEngagements').select('status').where('id', '=', engagementId).forShare().executeTakeFirst();
    if (locked?.status !== 'active') throw new RempartError('CONFLICT', 'The engagement is closed: its LRS takes no more statements.', { details: [{ field: 'id', message: 'engagement closed' }] });
    const existing = new Map(
      (await tx.selectFrom('trainingStatements').select(['id', 'raw']).where('engagementId', '=', engagementId).where('id', 'in', ids).execute()).map((r) => [r.id, r.raw]),
    );
    const fresh = received.filter((r) => {
      const before = existing.get(r.id);
      if (before === undefined) return true;
      // `stored` is the LRS's own; the rest must be the same content.
      const old: Obj = { ...(JSON.parse(before) as Obj), id: r.id, stored: null };
      const neu: Obj = { ...r.withId, stored: null };
      if (canonical(old) !== canonical(neu)) {
        throw new RempartError('CONFLICT', 'A statement with this id already exists with other content.', { details: [{ field: 'id', message: 'reused with other content' }] });
      }
      return false;
    });
    if (fresh.length === 0) return ids;
    const mboxes = [...new Set(fresh.map((r) => r.withId.actor as Obj).filter((a) => typeof a.mbox === 'string').map((a) => String(a.mbox).replace(/^mailto:/i, '').toLowerCase()))];
    const trainees = new Map(
      mboxes.length === 0 ? [] : (await tx.selectFrom('trainingTrainees').select(['id', 'email']).where('engagementId', '=', engagementId).where('email', 'in', mboxes).execute()).map((t) => [t.email, t.id]),
    );
    await tx
      .insertInto('trainingStatements')
      .values(
        fresh.map((r) => {
          const actor = r.withId.actor as Obj;
          const object = r.withId.object as Obj;
          const statement = { ...r.withId, timestamp: r.withId.timestamp ?? now.toISOString(), stored: now.toISOString(), version: r.withId.version ?? '1.0.0' };
          const mbox = typeof actor.mbox === 'string' ? actor.mbox.replace(/^mailto:/i, '').toLowerCase() : null;
          return {
            engagementId,
            id: r.id,
            traineeId: mbox === null ? null : (trainees.get(mbox) ?? null),
            actorKey: actorKey(actor),
            verbId: String((r.withId.verb as Obj).id),
            objectId: typeof object.id === 'string' ? object.id : null,
            statement: JSON.stringify(statement),
            raw: r.raw,
            storedAt: now,
          };
        }),
      )
      .execute();
    await session.recordWrite(tx, 'create', RESOURCE.statements, 'training', fresh.map((r) => r.id), ['actor_key', 'verb_id', 'object_id', 'statement']);
    return ids;
  });
}

/** The filters of GET statements (part three, 2.1.3). */
export interface StatementQuery {
  readonly statementId?: string;
  readonly since?: string;
  readonly until?: string;
  readonly verb?: string;
  readonly agent?: string;
  readonly limit?: string;
  readonly ascending?: string;
}

/** One statement by id, or a StatementResult of those matching the filters. */
export async function queryStatements(deps: TrainingDeps, engagementId: string, q: StatementQuery): Promise<Obj> {
  const exists = isUuid(engagementId) && (await deps.db.selectFrom('trainingEngagements').select('id').where('id', '=', engagementId).executeTakeFirst()) !== undefined;
  if (!exists) throw new RempartError('NOT_FOUND', 'No such engagement.', { details: [{ field: 'id', message: 'refers to no engagement' }] });
  const problems: ErrorDetail[] = [];
  if (q.statementId !== undefined) {
    if (!isUuid(q.statementId)) throw new RempartError('VALIDATION_FAILED', 'statementId must be a UUID.', { details: [{ field: 'statementId', message: 'must be a UUID' }] });
    if (q.since !== undefined || q.verb !== undefined || q.agent !== undefined) throw new RempartError('VALIDATION_FAILED', 'statementId cannot be combined with filters.', { details: [{ field: 'statementId', message: 'alone' }] });
    const row = await deps.db.selectFrom('trainingStatements').select('statement').where('engagementId', '=', engagementId).where('id', '=', q.statementId.toLowerCase()).executeTakeFirst();
    if (!row) throw new RempartError('NOT_FOUND', 'No statement with this id in this LRS.', { details: [{ field: 'statementId', message: 'unknown' }] });
    return row.statement;
  }
  for (const k of ['since', 'until'] as const) if (q[k] !== undefined && (!ISO_TIME.test(q[k]) || Number.isNaN(Date.parse(q[k])))) problems.push({ field: k, message: 'must be an ISO 8601 time with its offset' });
  if (q.verb !== undefined && !IRI.test(q.verb)) problems.push({ field: 'verb', message: 'must be an IRI' });
  let agentKey: string | undefined;
  if (q.agent !== undefined) {
    let agent: unknown;
    try {
      agent = JSON.parse(q.agent);
    } catch {
      agent = null;
    }
    const p: ErrorDetail[] = [];
    checkAgent(agent, 'agent', p);
    if (p.length > 0) problems.push({ field: 'agent', message: 'must be an Agent as JSON' });
    else agentKey = actorKey(agent as Obj);
  }
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 0) problems.push({ field: 'limit', message: 'must be a whole number' });
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'The statement query is not valid.', { details: problems });
  let query = deps.db.selectFrom('trainingStatements').select('statement').where('engagementId', '=', engagementId);
  if (q.since !== undefined) query = query.where('storedAt', '>', new Date(q.since));
  if (q.until !== undefined) query = query.where('storedAt', '<=', new Date(q.until));
  if (q.verb !== undefined) query = query.where('verbId', '=', q.verb);
  if (agentKey !== undefined) query = query.where('actorKey', '=', agentKey);
  const asc = q.ascending === 'true';
  const rows = await query.orderBy('storedAt', asc ? 'asc' : 'desc').orderBy('id', asc ? 'asc' : 'desc').limit(limit === 0 ? 1000 : limit).execute();
  return { statements: rows.map((r) => r.statement), more: '' };
}
