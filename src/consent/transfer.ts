import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Kysely } from 'kysely';
import type { Actor } from '../access/actor.js';
import { appendInTransaction } from '../access/audit/index.js';
import { isUuid, newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { toCsv } from '../rights/export/index.js';
import { normaliseEmail, normalisePhone, oppositionHash } from '../rights/opposition/index.js';
import { FILE_SHARING, type ConsentDeps } from './context.js';
import { partnerConsents } from './events.js';
import { getPartner, transferGroundNow } from './partners.js';
import { subjectsOfPerson } from './subjects.js';

/** The columns of a transfer file: identity, contact and professional data only (Art. 5(1)(c)). */
export const TRANSFER_FIELDS = ['lastName', 'firstName', 'email', 'phone', 'jobTitle', 'organisation'] as const;

/** The criteria a segment may use: `relation=client_contact`, `sector=Banque`, `organisation=<id>`, comma-separated. */
export const SEGMENT_KEYS = ['relation', 'sector', 'organisation'] as const;
type SegmentKey = (typeof SEGMENT_KEYS)[number];

/** A parsed segment. */
export type Segment = Partial<Record<SegmentKey, string>>;

/** Parses `key=value[,key=value]`; refuses an unknown key, naming it. */
export function parseSegment(text: string | undefined): Segment {
  if (text === undefined || text.trim() === '') return {};
  const out: Segment = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    const key = (i < 0 ? part : part.slice(0, i)).trim();
    const value = i < 0 ? '' : part.slice(i + 1).trim();
    if (!(SEGMENT_KEYS as readonly string[]).includes(key) || value === '') {
      throw new RempartError('VALIDATION_FAILED', `Segment "${part.trim()}" is not one of ${SEGMENT_KEYS.map((k) => `${k}=…`).join(', ')}.`, {
        details: [{ field: 'segment', message: `unknown criterion ${key}` }],
      });
    }
    if (key === 'organisation' && !isUuid(value)) {
      throw new RempartError('VALIDATION_FAILED', 'Segment organisation=… needs an organisation id.', { details: [{ field: 'segment', message: 'organisation must be a UUID' }] });
    }
    out[key as SegmentKey] = value;
  }
  return out;
}

/** A built transfer: the file and what the log recorded. */
export interface TransferResult {
  readonly transferId: string;
  readonly partnerId: string;
  readonly rows: number;
  readonly fields: readonly string[];
  readonly sha256: string;
  readonly createdAt: string;
  /** Who the file left out, by rule (counts only; the people of the segment for the state rules). */
  readonly leftOut: TransferLeftOut;
  /** The UTF-8 CSV file. */
  readonly csv: Buffer;
}

/** Why people were left out of a transfer: no consent now (refused or withdrawn), restricted (Art. 18), objecting (Art. 21), on the opposition list. */
export interface TransferLeftOut {
  readonly noConsent: number;
  readonly restricted: number;
  readonly objected: number;
  readonly oppositionList: number;
}

/**
 * Builds the file for a partner (annex art. 1; P1.6, P3.1) in one transaction, at one
 * instant `now`: refuses a partner with no transfer ground; takes only the people whose
 * latest consent for that partner at that instant is `given`; leaves out anyone
 * restricted (Art. 18), objecting (Art. 21) or on the opposition list; logs who was
 * sent, which fields, when, and the file's SHA-256, so later withdrawals and requests
 * reach the partners that have the data (Art. 19).
 *
 * It reads the people set-based rather than one by one through the gate: the
 * transaction audits the export (one event naming every person and field).
 */
export async function createTransfer(
  deps: Pick<ConsentDeps, 'db' | 'now' | 'serverKey'>,
  input: { readonly partnerId: string; readonly segment?: string; readonly actor: Actor; readonly fileName: string },
): Promise<TransferResult> {
  const now = deps.now();
  const segment = parseSegment(input.segment);
  const partner = await getPartner(deps.db, input.partnerId);
  transferGroundNow(partner);
  return deps.db.transaction().execute(async (tx) => {
    const { active: consents, notGiven } = await partnerConsents(tx, partner.id, now);
    const ids = [...consents.keys()];
    const inSegment = ids.length === 0 ? [] : await candidates(tx, ids, segment);
    // Art. 18: a restricted person's data is only stored. Art. 21: an objection, to
    // prospecting or pending the dpo's decision, stops the exchange too (unless overridden).
    let restricted = 0;
    let objected = 0;
    const people: typeof inSegment = [];
    for (const p of inSegment) {
      if (p.restrictedAt !== null) restricted++;
      else if (p.objectedProspectingAt !== null || (p.objectionOtherAt !== null && p.decision !== 'overridden')) objected++;
      else people.push(p);
    }
    // R-PROS-3, P5.6: a person on the opposition list is never handed over for solicitation.
    const opposed = await opposedPeople(tx, deps.serverKey, people);
    const sent = people.filter((p) => !opposed.has(p.id));
    const leftOut: TransferLeftOut = { noConsent: notGiven, restricted, objected, oppositionList: opposed.size };
    const csv = Buffer.from(
      toCsv(
        TRANSFER_FIELDS,
        sent.map((p) => ({
          lastName: p.lastName,
          firstName: p.firstName,
          email: p.email,
          phone: p.phones[0]?.number ?? null,
          jobTitle: p.jobTitle,
          organisation: p.organisationName,
        })),
      ),
      'utf8',
    );
    const sha256 = createHash('sha256').update(csv).digest('hex');
    const transferId = newId(now.getTime());
    await tx
      .insertInto('transfers')
      .values({
        id: transferId,
        partnerId: partner.id,
        segment: input.segment?.trim() === '' ? null : (input.segment ?? null),
        fields: JSON.stringify([...TRANSFER_FIELDS]),
        // Only the name: a path could say whose machine it sits on.
        fileName: basename(input.fileName),
        fileSha256: sha256,
        rowCount: sent.length,
        createdBy: input.actor.id,
        createdAt: now,
      })
      .execute();
    const items = sent.map((p) => ({ transferId, subjectId: consents.get(p.id)!.subjectId, consentEventId: consents.get(p.id)!.eventId }));
    // Chunks keep each statement under PostgreSQL's 65,535 bind parameters.
    for (let i = 0; i < items.length; i += 5000) await tx.insertInto('transferItems').values(items.slice(i, i + 5000)).execute();
    await appendInTransaction(tx, [
      {
        at: now,
        actor: input.actor.id,
        role: input.actor.role,
        purpose: FILE_SHARING,
        action: 'export',
        resource: 'transfers',
        recordIds: [transferId],
        personIds: sent.map((p) => p.id).sort(),
        fields: ['last_name', 'first_name', 'email', 'phones', 'job_title', 'organisation_id'],
        reason: `transfer to partner ${partner.id}`,
      },
    ]);
    return { transferId, partnerId: partner.id, rows: sent.length, fields: [...TRANSFER_FIELDS], sha256, createdAt: now.toISOString(), leftOut, csv };
  });
}

/** The people among `people` whose email or a phone is on the opposition list (any channel), set-based. */
async function opposedPeople(db: Kysely<Database>, key: Buffer, people: readonly { id: string; email: string | null; phones: readonly { number: string }[] }[]): Promise<Set<string>> {
  const owners = new Map<string, string[]>();
  const add = (hash: string, id: string) => owners.set(hash, [...(owners.get(hash) ?? []), id]);
  for (const p of people) {
    if (p.email !== null && p.email.trim() !== '') add(oppositionHash(key, 'email', normaliseEmail(p.email)), p.id);
    for (const phone of Array.isArray(p.phones) ? p.phones : []) {
      const n = typeof phone.number === 'string' ? normalisePhone(phone.number) : null;
      if (n !== null) add(oppositionHash(key, 'phone', n), p.id);
    }
  }
  const hashes = [...owners.keys()];
  const out = new Set<string>();
  for (let i = 0; i < hashes.length; i += 5000) {
    const chunk = hashes.slice(i, i + 5000);
    const rows = await db.selectFrom('oppositionList').select(['emailHash', 'phoneHash']).where((eb) => eb.or([eb('emailHash', 'in', chunk), eb('phoneHash', 'in', chunk)])).execute();
    for (const r of rows) for (const h of [r.emailHash, r.phoneHash]) if (h !== null) for (const id of owners.get(h) ?? []) out.add(id);
  }
  return out;
}

/** The consenting people in the segment, with the states that may leave them out. */
async function candidates(db: Kysely<Database>, ids: readonly string[], segment: Segment) {
  let q = db
    .selectFrom('people as p')
    .leftJoin('organisations as o', 'o.id', 'p.organisationId')
    .leftJoin('personStates as s', 's.personId', 'p.id')
    .select(['p.id', 'p.lastName', 'p.firstName', 'p.email', 'p.phones', 'p.jobTitle', 'o.name as organisationName', 's.restrictedAt', 's.objectedProspectingAt', 's.objectionOtherAt', 's.decision'])
    .where('p.id', 'in', ids);
  if (segment.relation) q = q.where('p.relation', '=', segment.relation as 'client_contact');
  if (segment.sector) q = q.where('o.sector', '=', segment.sector);
  if (segment.organisation) q = q.where('p.organisationId', '=', segment.organisation);
  return q.orderBy('p.lastName').orderBy('p.id').execute();
}

/** The transfers to a partner that included the person (under any of their pseudonyms), for the proof page. */
export async function transfersOf(db: Kysely<Database>, personId: string, partnerId?: string) {
  let q = db
    .selectFrom('transferItems as i')
    .innerJoin('transfers as t', 't.id', 'i.transferId')
    .select(['t.id', 't.partnerId', 't.createdAt', 't.fields', 't.fileName', 't.fileSha256', 't.rowCount', 't.createdBy', 'i.consentEventId'])
    .where('i.subjectId', 'in', subjectsOfPerson(db, personId));
  if (partnerId !== undefined) q = q.where('t.partnerId', '=', partnerId);
  return q.orderBy('t.createdAt').orderBy('t.id').execute();
}
