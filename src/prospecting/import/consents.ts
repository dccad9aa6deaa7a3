import { sql, type Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction } from '../../access/audit/index.js';
import { checkConsentProof, consentEventsAudit, controllerScopeEvent } from '../../consent/events.js';
import { ensureSubjects } from '../../consent/subjects.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import type { LoadedPolicy } from '../../policy/index.js';
import type { ImportedConsent } from './prospect-row.js';
import type { ImportWarning } from './tables.js';

/** One accepted row that carries a consent, and the person it ended in. */
export interface ImportConsentEntry {
  readonly personId: string;
  readonly consent: ImportedConsent;
  /** The row's source (R-PROS-9): its own source column, else the import's. */
  readonly source: string;
  readonly row: number;
  readonly line: number;
}

/** Who records, when, for which import job, under which policy (the notice version and the 27560 context). */
export interface ImportConsentOptions {
  readonly policy: LoadedPolicy;
  readonly actor: Actor;
  readonly now: Date;
  readonly jobId?: string | null;
}

/** What recording a batch's consents did. */
export interface ImportConsentsRecorded {
  /** Consent events written. */
  readonly recorded: number;
  /** Rows whose consent was already on record (same person, same date): a re-import, or the same person twice in the file. */
  readonly alreadyRecorded: number;
  /** Rows whose consent was not recorded, and why (row, line and field; never a value). */
  readonly warnings: readonly ImportWarning[];
}

/** Rows per insert: 22 columns each stay well under PostgreSQL's 65,535 parameters. */
const CHUNK = 2000;

/**
 * The text recorded as shown. The person saw the form of the file's source, not our
 * notice: recording the controller's default text would make the proof say something
 * that did not happen (Art. 7(1)), so the event says where the real text is.
 */
function textShownOf(source: string): string {
  return `Consentement à la prospection par courrier électronique recueilli par la source « ${source} » (fichier importé) ; le texte présenté à la personne est celui du formulaire ou de la campagne que désigne la preuve.`;
}

/**
 * Records, inside the caller's transaction (one import batch), the `email_prospecting`
 * consents the batch's rows carry (R-PROS-6; L34-5 CPCE): one `given` event per person
 * and consent date, channel `import`, dated when the person consented, its evidence
 * naming the source, the row and the file's proof; the same rows `recordConsent` writes
 * (the 27560 context of the scope, the notice version in force), and one audit entry for
 * the batch. Set-based: one read for the whole batch, one lock and one insert for the missing
 * pseudonyms, one insert of events (per 2,000), one audit insert.
 *
 * Not recorded:
 *   - a consent already on record for the person at the same date (a re-import: the
 *     history would otherwise hold the same consent twice);
 *   - any consent of a person who has withdrawn or refused this consent with us, or who
 *     objected to prospecting (flagged by the opposition list, or otherwise): a file never
 *     overrides what the person told us (GDPR Art. 7(3), 21(2)–(3)). Lists circulate for
 *     years; if a bought list could bring a consent back, withdrawing would not be as easy
 *     as consenting. The person can consent again with us directly. Each such row is a
 *     warning.
 * Nothing is mailed (no receipt): the batch is a transaction, and the person consented to
 * the source, whose message carried the receipt; the first message we send carries the
 * information of Art. 14 and a one-click opt-out (R-PROS-5, R-PROS-11). Must run after the
 * batch's opposition flags are written, so that a person flagged by this batch is seen.
 */
export async function recordImportConsents(tx: Kysely<Database>, entries: readonly ImportConsentEntry[], options: ImportConsentOptions): Promise<ImportConsentsRecorded> {
  if (entries.length === 0) return { recorded: 0, alreadyRecorded: 0, warnings: [] };
  const { now, actor } = options;
  const job = options.jobId ? `, import job ${options.jobId}` : '';
  const evidenceOf = (e: ImportConsentEntry) => `imported file, source "${e.source}", row ${e.row} (line ${e.line})${job}; proof of collection: ${e.consent.evidence}`;
  // The same checks as recordConsent, before anything is written: the normaliser already
  // refuses future dates, so a failure here is a bug, and the batch rolls back.
  for (const e of entries) checkConsentProof({ eventAt: e.consent.givenAt, channel: 'import', evidence: evidenceOf(e) }, now);

  // One read for the batch: for each entry, whether the person objected, ever withdrew or
  // refused this consent, or already has it at that date. Raw SQL under the
  // CamelCasePlugin: result columns come back camelCased.
  const facts = await sql<{ ord: number; objected: boolean; withdrawn: boolean; duplicate: boolean }>`
    select u.ord::int as ord,
      exists (select 1 from person_states ps where ps.person_id = u.person_id and ps.objected_prospecting_at is not null) as objected,
      exists (select 1 from consent_subjects s join consent_events e on e.subject_id = s.id
               where s.person_id = u.person_id and e.scope = 'email_prospecting' and e.partner_id is null and e.state <> 'given') as withdrawn,
      exists (select 1 from consent_subjects s join consent_events e on e.subject_id = s.id
               where s.person_id = u.person_id and e.scope = 'email_prospecting' and e.partner_id is null and e.state = 'given' and e.event_at = u.given_at) as duplicate
    from unnest(${entries.map((e) => e.personId)}::uuid[], ${entries.map((e) => e.consent.givenAt.toISOString())}::timestamptz[]) with ordinality as u(person_id, given_at, ord)`.execute(tx);
  const byOrd = new Map(facts.rows.map((r) => [Number(r.ord), r]));

  const warnings: ImportWarning[] = [];
  const toRecord: ImportConsentEntry[] = [];
  const seen = new Set<string>();
  let alreadyRecorded = 0;
  entries.forEach((e, i) => {
    const f = byOrd.get(i + 1);
    if (f?.objected) {
      warnings.push({ row: e.row, line: e.line, field: 'consentEmail', code: 'consent_objected', reason: 'the person objected to prospecting: the file cannot override it (GDPR Art. 21(2)); no consent recorded' });
    } else if (f?.withdrawn) {
      warnings.push({ row: e.row, line: e.line, field: 'consentEmail', code: 'consent_withdrawn', reason: 'the person withdrew or refused this consent with us: a file cannot bring it back (GDPR Art. 7(3)); no consent recorded' });
    } else {
      // Two rows of one batch may end in the same person with the same date: one event.
      const k = `${e.personId}\u0000${e.consent.givenAt.getTime()}`;
      if (f?.duplicate || seen.has(k)) alreadyRecorded++;
      else {
        seen.add(k);
        toRecord.push(e);
      }
    }
  });
  if (toRecord.length === 0) return { recorded: 0, alreadyRecorded, warnings };

  const subjects = await ensureSubjects(tx, toRecord.map((e) => e.personId), now);
  const rows = toRecord.map((e) =>
    controllerScopeEvent({ policy: options.policy }, {
      id: newId(now.getTime()),
      subjectId: subjects.get(e.personId) as string,
      scope: 'email_prospecting',
      state: 'given',
      eventAt: e.consent.givenAt,
      channel: 'import',
      textShown: textShownOf(e.source),
      collector: actor.id,
      evidence: evidenceOf(e),
      recordedAt: now,
    }),
  );
  for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto('consentEvents').values(rows.slice(i, i + CHUNK)).execute();
  await appendInTransaction(tx, [
    consentEventsAudit(
      now,
      actor,
      'email_prospecting',
      rows.map((r) => r.id),
      toRecord.map((e) => e.personId),
      `prospect import${options.jobId ? ` ${options.jobId}` : ''}: consent to email prospecting from the file`,
    ),
  ]);
  return { recorded: rows.length, alreadyRecorded, warnings };
}
