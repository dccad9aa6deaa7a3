import { sql, type Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction, type AuditEvent } from '../../access/audit/index.js';
import { newId } from '../../db/ids.js';
import type { Database, Phone, PostalAddress } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { oppositionHash } from '../../rights/opposition/index.js';
import { looksLikeCardNumber } from '../normalise/index.js';
import { resolveColumns, type ColumnMapping, type ProspectField, type ResolvedColumns } from './mapping.js';
import { dedupeProspectBase } from './linkage.js';
import { exactMatcher, type Matcher, type MatchDecision } from './matcher.js';
import type { LoadedPolicy } from '../../policy/index.js';
import { recordImportConsents } from './consents.js';
import { PROVENANCE_FIELDS } from './provenance.js';
import { decideField, sourceRankingOf } from './survivorship.js';
import { fold } from '../dedupe/fold.js';
import { writeHistory, type HistoryRow } from './history.js';
import { namesAgree, SWITCHBOARD_HOLDERS } from './identity.js';
import { resolveOrganisations } from './organisations.js';
import { normaliseProspectRow, type ProspectCandidate, type RowValues } from './prospect-row.js';
import { detectShape, readRecords, type FileShape, type ShapeOverride, type SourceRecord } from './reader.js';
import type { ImportReport, ImportWarning, RejectedRow } from './tables.js';

/** Progress of an import, reported after each batch (and during the scan). */
export interface ImportProgress {
  readonly phase: 'scan' | 'import';
  readonly rowsDone: number;
  readonly rowsTotal: number | null;
}

/** How to import a prospect file. */
export interface ImportOptions {
  /** The source of the records (R-PROS-9): a fair, a purchased list, a form. */
  readonly source: string;
  readonly actor: Actor;
  /** The server key: opposition-list hashes (R-PROS-3). */
  readonly key: Buffer;
  /** The clock (import date, audit, default collection date). */
  readonly now: Date;
  /** The date the data was collected, when the file has no column for it; default `now`. */
  readonly collectedAt?: Date;
  readonly mapping?: ColumnMapping;
  /** The encoding or separator of a CSV file, when the detection's guess is not the file's (the import wizard). */
  readonly shape?: ShapeOverride;
  /** Writes nothing: the whole run happens in one transaction that is rolled back. */
  readonly dryRun?: boolean;
  /** Rows per transaction; default 1000. */
  readonly batchSize?: number;
  /** Record linkage; default exact email/phone matching. */
  readonly matcher?: Matcher;
  /** The job whose progress and counters each batch updates, in the batch's transaction. */
  readonly jobId?: string;
  readonly onProgress?: (progress: ImportProgress) => void;
  /**
   * After the batches, run the record-linkage pass on the whole base, acting on the people
   * this import created (R-PROS-2; `dedupeProspectBase`); default true, never in a dry run.
   */
  readonly fuzzyPass?: boolean;
  /** Where the time goes: filled in as the import runs (benchmarks, `--json` profiling). */
  readonly timings?: ImportTimings;
  /**
   * Told, for each accepted row, the person it ended in after the batches, and after the
   * fuzzy pass which records it merged into which: lets a benchmark score the base
   * against a known truth without the import holding a row-to-person map.
   */
  readonly onPlaced?: (row: number, personId: string) => void;
  readonly onFuzzyMerged?: (mergedInto: ReadonlyMap<string, string>) => void;
  /**
   * The policy in force: the notice version and the ISO/IEC TS 27560 context of the
   * consents read from the file's opt-in columns (R-PROS-6). Without it no consent is
   * recorded, and a file with an opt-in column gets a warning saying so.
   */
  readonly policy?: LoadedPolicy;
}

/** Milliseconds spent in each phase of an import (wall time, accumulated over batches). */
export interface ImportTimings {
  /** Pass 1: detecting the shape, counting rows, looking for card numbers. */
  scan: number;
  /** Pass 2: reading and parsing the file (time waiting on the reader). */
  read: number;
  /** Normalising rows (names, emails, phones, addresses, companies). */
  normalise: number;
  /** Finding organisations and matching rows against the base. */
  match: number;
  /** Writing people, provenance, opposition flags, audit events; committing. */
  write: number;
  /** The record-linkage pass over the whole base (read, model, merges). */
  fuzzy: number;
  fuzzyRead: number;
  fuzzyModel: number;
  fuzzyMerge: number;
}

/** An ImportTimings at zero. */
export function emptyImportTimings(): ImportTimings {
  return { scan: 0, read: 0, normalise: 0, match: 0, write: 0, fuzzy: 0, fuzzyRead: 0, fuzzyModel: 0, fuzzyMerge: 0 };
}

const DEFAULT_BATCH = 1000;
/** People created before the first analysis of the tables an import fills. */
const ANALYSE_AFTER = 2000;

class DryRunRollback extends Error {}

interface PersonState {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phones: Phone[];
  postalAddresses: PostalAddress[];
  jobTitle: string | null;
  organisationId: string | null;
  /** field → collection date of its current value (survivorship). */
  dates: Map<string, number>;
  /** field → source of its current value, where it is not the record's own (survivorship). */
  sources: Map<string, string>;
  created: boolean;
  /** The record's own source and collection date (`people.source`, `people.collected_at`). */
  source: string;
  collectedAt: Date;
  /** Whether the record's provenance rows are stored (or written by this batch), rather than implied by its own source and date (provenance.ts). */
  storedProvenance: boolean;
}

interface Totals {
  rows: number;
  blankRows: number;
  imported: number;
  merged: number;
  created: number;
  flaggedOpposed: number;
  queuedForReview: number;
  organisationsCreated: number;
  organisationsQueuedForReview: number;
  consentsRecorded: number;
  notEligible: RejectedRow[];
  /** The people this import created (the fuzzy pass acts on pairs involving them). */
  createdIds: string[];
  rejected: RejectedRow[];
  warnings: ImportWarning[];
}

/** The most warnings a report lists one by one; past it they are counted. */
const MAX_WARNINGS = 10_000;

/**
 * Pass 1: counts the data rows and refuses any column holding payment card numbers
 * (Rempart stores no card data), before anything is written.
 */
async function scan(path: string, shape: FileShape, onProgress?: (p: ImportProgress) => void): Promise<{ header: readonly string[]; rows: number }> {
  let header: readonly string[] | null = null;
  let rows = 0;
  const cards = new Map<number, { row: number; line: number }>();
  let siretColumns = new Set<number>();
  for await (const rec of readRecords(path, shape)) {
    if (header === null) {
      header = rec.values.map((h) => h.trim());
      siretColumns = new Set(resolveColumns(header).fields.flatMap((f, i) => (f === 'siret' ? [i] : [])));
      continue;
    }
    rows++;
    rec.values.forEach((v, i) => {
      if (cards.has(i) || v.length < 13) return;
      if (siretColumns.has(i) && /^[\d\s.]{9,20}$/.test(v)) return;
      if (looksLikeCardNumber(v)) cards.set(i, { row: rows, line: rec.line });
    });
    if (onProgress && rows % 10_000 === 0) onProgress({ phase: 'scan', rowsDone: rows, rowsTotal: null });
  }
  if (header === null) throw new RempartError('VALIDATION_FAILED', 'The file is empty: a header line is needed.', { details: [{ line: 1, message: 'no header' }] });
  if (cards.size > 0) {
    const details = [...cards].map(([i, at]) => ({
      field: header?.[i] || `column ${i + 1}`,
      row: at.row,
      line: at.line,
      message: 'holds values that look like payment card numbers (13–19 digits passing the Luhn check)',
    }));
    throw new RempartError(
      'VALIDATION_FAILED',
      `Column${details.length > 1 ? 's' : ''} ${details.map((d) => `"${d.field}"`).join(', ')} hold${details.length > 1 ? '' : 's'} what look like payment card numbers (13–19 digits passing the Luhn check). Rempart stores no card data: remove the column and import again. Nothing was imported.`,
      { details },
    );
  }
  return { header, rows };
}

/** A record's cells grouped by the field their column maps to (blank cells left out). */
export function rowValues(columns: ResolvedColumns, values: readonly string[]): RowValues {
  const out: Partial<Record<ProspectField, string[]>> = {};
  columns.fields.forEach((f, i) => {
    const v = values[i];
    if (f === null || v === undefined || v.trim() === '') return;
    (out[f] ??= []).push(v);
  });
  return out;
}

/**
 * Imports a prospect file (CSV in UTF-8 or Windows-1252, `,` `;` or tab; or XLSX) into
 * the prospect base (P1.4, R-PROS-1, R-PROS-9):
 *   1. looks at the file (encoding, separator) and scans it once: card-number columns
 *      refuse the whole file before anything is written; the rows are counted;
 *   2. streams it again in batches (`batchSize`, default 1000): each batch normalises
 *      its rows, matches them (`matcher`), creates or merges people (relation
 *      `prospect`, purpose `prospecting`, source and collection date), creates or finds
 *      their organisations (kind `prospect`, by SIRET or normalised name), records each
 *      field's provenance, flags people on the opposition list (R-PROS-3) and appends
 *      one audit event per kind of write — all in one transaction per batch.
 * Memory holds one batch. A crash leaves whole batches only; a re-run merges the rows
 * already imported into their records (by email or phone) instead of duplicating them.
 */
export async function importProspects(db: Kysely<Database>, path: string, options: ImportOptions): Promise<ImportReport> {
  if (options.source.trim() === '') throw new RempartError('VALIDATION_FAILED', 'An import needs its source (R-PROS-9).', { details: [{ field: 'source', message: 'required' }] });
  const timings = options.timings;
  const tScan = performance.now();
  const shape = await detectShape(path, options.shape);
  const { header, rows: rowsTotal } = await scan(path, shape, options.onProgress);
  if (timings) timings.scan += performance.now() - tScan;
  const columns = resolveColumns(header, options.mapping);
  if (!columns.fields.some((f) => f === 'email' || f === 'lastName' || f === 'fullName' || f === 'firstName')) {
    throw new RempartError('VALIDATION_FAILED', 'No column of the file is a name or an email; give a mapping file (--mapping).', {
      details: [{ line: 1, message: `headers found: ${header.join(', ')}` }],
    });
  }
  const totals: Totals = { rows: 0, blankRows: 0, imported: 0, merged: 0, created: 0, flaggedOpposed: 0, queuedForReview: 0, organisationsCreated: 0, organisationsQueuedForReview: 0, consentsRecorded: 0, notEligible: [], createdIds: [], rejected: [], warnings: [] };
  for (const h of columns.unmapped) totals.warnings.push({ field: h, code: 'column_unmapped', reason: 'column not recognised; ignored (map it with --mapping)' });
  if (!options.policy && columns.fields.includes('consentEmail')) totals.warnings.push({ field: 'consentEmail', code: 'consent_without_policy', reason: 'opt-in column found, but the import was run without the policy: no consent recorded' });
  const matcher = options.matcher ?? exactMatcher();
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  options.onProgress?.({ phase: 'import', rowsDone: 0, rowsTotal });

  // Pipelined: while batch N is written (the database works: PostgreSQL in its own
  // process), the file is read and batch N+1 normalised (pure, CPU-bound). Writes stay in
  // file order, one at a time, each seeing the batches before it; rows are counted,
  // rejected and warned about in file order, since batches are prepared in order.
  const run = async (write: (batch: PreparedBatch) => Promise<void>) => {
    let records: SourceRecord[] = [];
    let first = true;
    let pending: Promise<void> = Promise.resolve();
    let t = performance.now();
    const flush = async () => {
      const tn = performance.now();
      const prepared = prepareBatch(records, columns, totals, options.now);
      records = [];
      if (timings) timings.normalise += performance.now() - tn;
      await pending;
      pending = write(prepared);
      // Awaited before the next write or at the end; until then a failure must not go unhandled.
      pending.catch(() => undefined);
    };
    for await (const rec of readRecords(path, shape)) {
      if (first) {
        first = false;
        continue;
      }
      records.push(rec);
      if (records.length >= batchSize) {
        if (timings) timings.read += performance.now() - t;
        await flush();
        t = performance.now();
      }
    }
    if (timings) timings.read += performance.now() - t;
    if (records.length > 0) await flush();
    await pending;
  };
  // The planner's statistics of the tables an import fills go stale as it fills them
  // (PGlite has no autovacuum; PostgreSQL's runs late): with an empty table's statistics the
  // matching queries scan every prospect instead of using their indexes (measured: 0.94 s
  // instead of 15 ms per batch at 20,000 people). So they are analysed whenever the import
  // has doubled what it had created at the last analysis (a few times per import).
  let analysedAt = 0;
  const batchIn = (tx: Kysely<Database>) => async (batch: PreparedBatch) => {
    const t = performance.now();
    if (totals.created >= Math.max(ANALYSE_AFTER, 2 * analysedAt)) {
      analysedAt = totals.created;
      for (const table of ['people', 'prospect_field_provenance', 'prospect_organisation_keys', 'organisations']) await sql`analyze ${sql.table(table)}`.execute(tx);
    }
    await writeBatch(tx, batch, totals, matcher, options, rowsTotal);
    if (timings) timings.write += performance.now() - t;
    options.onProgress?.({ phase: 'import', rowsDone: batch.rowsThrough, rowsTotal });
  };

  if (options.dryRun) {
    try {
      await db.transaction().execute(async (tx) => {
        await run(batchIn(tx));
        throw new DryRunRollback();
      });
    } catch (e) {
      if (!(e instanceof DryRunRollback)) throw e;
    }
  } else {
    await run((batch) => db.transaction().execute((tx) => batchIn(tx)(batch)));
  }

  // The batches' time counted matching too.
  if (timings) timings.write -= timings.match;

  // The fuzzy pass (R-PROS-2): the exact matcher only knows equal emails and phones; the
  // record-linkage model, fitted on the whole base, finds the rest. A created record merged
  // away by it turns its row from "created" into "merged", so `merged` counts every accepted
  // row that ended in a record that existed before it, whichever pass found the match.
  let fuzzyMerged = 0;
  if (!options.dryRun && options.fuzzyPass !== false && totals.createdIds.length > 0) {
    const tFuzzy = performance.now();
    const pass = await dedupeProspectBase(db, { actor: options.actor, key: options.key, now: options.now, onlyTouching: totals.createdIds, ranking: sourceRankingOf(options.policy), ...(options.jobId ? { importJobId: options.jobId } : {}), ...(timings ? { timings } : {}) });
    if (timings) timings.fuzzy += performance.now() - tFuzzy;
    options.onFuzzyMerged?.(pass.mergedInto);
    const created = new Set(totals.createdIds);
    for (const id of pass.mergedInto.keys()) if (created.has(id)) fuzzyMerged++;
    totals.merged += fuzzyMerged;
    totals.created -= fuzzyMerged;
    totals.queuedForReview += pass.queuedForReview;
    totals.flaggedOpposed += pass.flaggedOpposed;
  }

  return {
    imported: totals.imported,
    merged: totals.merged,
    rejected: totals.rejected,
    fuzzyMerged,
    warnings: totals.warnings,
    flaggedOpposed: totals.flaggedOpposed,
    queuedForReview: totals.queuedForReview,
    rows: totals.rows,
    blankRows: totals.blankRows,
    created: totals.created,
    organisationsCreated: totals.organisationsCreated,
    organisationsQueuedForReview: totals.organisationsQueuedForReview,
    consentsRecorded: totals.consentsRecorded,
    notEligible: totals.notEligible,
    dryRun: options.dryRun === true,
    encoding: shape.encoding,
    delimiter: shape.delimiter,
    columns: columns.byHeader,
  };
}

function warn(totals: Totals, w: ImportWarning): void {
  if (totals.warnings.length < MAX_WARNINGS) totals.warnings.push(w);
}

/** The fields of people a candidate gives, with their values (for survivorship). */
function offered(c: ProspectCandidate, organisationId: string | null): Partial<Record<'firstName' | 'lastName' | 'email' | 'jobTitle' | 'organisationId', string>> {
  return {
    ...(c.firstName ? { firstName: c.firstName.display } : {}),
    ...(c.lastName ? { lastName: c.lastName.display } : {}),
    ...(c.email ? { email: c.email.email } : {}),
    ...(c.jobTitle ? { jobTitle: c.jobTitle } : {}),
    ...(organisationId ? { organisationId } : {}),
  };
}

/** A batch normalised and ready to write: its accepted rows, and the rows of the file read through it. */
interface PreparedBatch {
  readonly candidates: readonly ProspectCandidate[];
  readonly rowsThrough: number;
}

/** 1. Normalises a batch's rows, in file order; rejects what is unusable (counted in `totals`). Pure but for `totals`. */
function prepareBatch(records: readonly SourceRecord[], columns: ResolvedColumns, totals: Totals, now: Date): PreparedBatch {
  const candidates: ProspectCandidate[] = [];
  for (const rec of records) {
    totals.rows++;
    const row = totals.rows;
    if (rec.values.every((v) => v.trim() === '')) {
      totals.blankRows++;
      continue;
    }
    const outcome = normaliseProspectRow(rowValues(columns, rec.values), { row, line: rec.line }, now);
    for (const w of outcome.warnings) warn(totals, { row, line: rec.line, ...w });
    if (!outcome.ok) totals.rejected.push({ row, line: rec.line, ...outcome.rejected });
    else candidates.push(outcome.candidate);
  }
  return { candidates, rowsThrough: totals.rows };
}

async function writeBatch(tx: Kysely<Database>, batch: PreparedBatch, totals: Totals, matcher: Matcher, options: ImportOptions, rowsTotal: number): Promise<void> {
  const now = options.now;
  const timings = options.timings;
  const { candidates } = batch;
  const t = performance.now();
  // 2. Organisations: SIRET, SIREN, then the normalised name (common names within one place); doubtful pairs to review.
  const orgs = await resolveOrganisations(tx, candidates, { now, jobId: options.jobId ?? null });
  totals.organisationsCreated += orgs.created;
  totals.organisationsQueuedForReview += orgs.queuedForReview;

  // 3. Match against the base, then within the batch.
  const decisions = candidates.length > 0 ? await matcher.match(tx, candidates) : [];
  const targets = [...new Set(decisions.flatMap((d) => (d.kind === 'merge' ? [d.personId] : [])))];
  const people = await loadPeople(tx, targets);
  const restricted = new Set(
    targets.length === 0
      ? []
      : (await tx.selectFrom('personStates').select('personId').where('personId', 'in', targets).where('restrictedAt', 'is not', null).execute()).map((r) => r.personId),
  );
  if (timings) timings.match += performance.now() - t;
  const batchByEmail = new Map<string, PersonState>();
  const batchByPhone = new Map<string, PersonState[]>();
  // Numbers the base already holds as switchboards (the matcher says so): no key in the batch either.
  const switchboards = new Set<string>();
  const provenance: ProvenanceBuffer = new Map();
  const reviews: { left: string; right: string; score: number; comparison: Readonly<Record<string, string>> }[] = [];
  const createdIds: string[] = [];
  const mergedIds = new Set<string>();
  const touched: { person: PersonState; candidate: ProspectCandidate }[] = [];
  const history: HistoryRow[] = [];
  const ranking = sourceRankingOf(options.policy);

  candidates.forEach((c, i) => {
    const decision: MatchDecision = decisions[i] ?? { kind: 'new' };
    const source = c.source ?? options.source;
    const collected = c.collectedAt ?? options.collectedAt ?? now;
    let person: PersonState | undefined;
    if (decision.kind === 'merge') person = people.get(decision.personId);
    if (!person && c.email) person = batchByEmail.get(c.email.email);
    // Within the batch as against the base (identity.ts): a phone merges only with a name
    // that agrees, a disagreeing name goes to review, a switchboard is no evidence.
    let phoneReview: PersonState | undefined;
    if (!person) {
      const names = { firstName: c.firstName?.display ?? null, lastName: c.lastName?.display ?? null };
      if (decision.kind === 'new') for (const n of decision.switchboards ?? []) switchboards.add(n);
      for (const p of c.phones) {
        const holders = batchByPhone.get(p.e164) ?? [];
        if (holders.length === 0 || holders.length >= SWITCHBOARD_HOLDERS || switchboards.has(p.e164)) continue;
        person = holders.find((h) => namesAgree(h, names));
        if (person) break;
        phoneReview ??= holders[0];
      }
    }
    if (person && restricted.has(person.id)) {
      totals.rejected.push({ row: c.row, line: c.line, field: c.email ? 'email' : 'phone', code: 'restricted', reason: 'matches a person whose processing is restricted (GDPR Art. 18): left unchanged' });
      return;
    }
    const orgId = orgs.byRow.get(c.row) ?? null;
    const values = offered(c, orgId);
    if (person) {
      // Provenance (provenance.ts): a record reached only from its own source at its own date
      // keeps it implied (a re-import, a file's own duplicates); the first time another
      // source or date reaches it, its implied rows are written, from its values as they are.
      const ownOrigin = source === person.source && collected.getTime() === person.collectedAt.getTime();
      if (!ownOrigin && !person.storedProvenance) {
        for (const field of PROVENANCE_FIELDS) {
          const v = person[field];
          if (Array.isArray(v) ? v.length > 0 : v !== null && v !== '') addProvenance(provenance, person.id, field, person.source, person.collectedAt, true);
        }
        person.storedProvenance = true;
      }
      const record = person.storedProvenance;
      // Survivorship, field by field, by the rules of survivorship.ts (R-PROS-2): a value not
      // kept goes to the person's history with its source.
      for (const [field, value] of Object.entries(values)) {
        const current = person.dates.get(field) ?? person.collectedAt.getTime();
        const held = { value: person[field as keyof typeof values], source: person.sources.get(field) ?? person.source, collectedAt: new Date(current) };
        const d = decideField(field, held, { value, source, collectedAt: collected }, 'exact', ranking);
        // The same value again from the same date (a re-import) also counts as chosen from that source.
        const wins = d.keep === 'offered' || (d.history === null && collected.getTime() === current && fold(String(held.value)) === fold(value));
        if (wins) {
          (person as unknown as Record<string, unknown>)[field] = value;
          person.dates.set(field, collected.getTime());
          person.sources.set(field, source);
        }
        if (d.history) history.push({ personId: person.id, field, ...d.history });
        if (record) addProvenance(provenance, person.id, field, source, collected, wins);
      }
      for (const p of c.phones) if (!person.phones.some((q) => q.number === p.e164)) person.phones.push({ number: p.e164, type: p.type === 'landline' ? 'landline' : p.type });
      if (c.address && !person.postalAddresses.some((a) => a.line1 === c.address?.line1 && a.postcode === c.address.postcode)) person.postalAddresses.push(c.address);
      if (record && c.phones.length > 0) addProvenance(provenance, person.id, 'phones', source, collected, true);
      if (record && c.address) addProvenance(provenance, person.id, 'postalAddresses', source, collected, true);
      totals.merged++;
      if (!person.created) mergedIds.add(person.id);
    } else {
      const id = newId(now.getTime());
      person = {
        id,
        firstName: values.firstName ?? null,
        lastName: values.lastName ?? null,
        email: values.email ?? null,
        phones: c.phones.map((p) => ({ number: p.e164, type: p.type })),
        postalAddresses: c.address ? [c.address] : [],
        jobTitle: values.jobTitle ?? null,
        organisationId: orgId,
        dates: new Map(Object.keys(values).map((f) => [f, collected.getTime()])),
        sources: new Map(),
        created: true,
        source,
        collectedAt: collected,
        storedProvenance: false,
      };
      createdIds.push(id);
      totals.createdIds.push(id);
      totals.created++;
      if (decision.kind === 'review') reviews.push({ left: decision.personId, right: id, score: decision.score, comparison: decision.comparison ?? {} });
      else if (phoneReview) reviews.push({ left: phoneReview.id, right: id, score: 0.5, comparison: { rule: 'phone', phone: 'exact', names: 'disagree' } });
    }
    totals.imported++;
    // An individual in a B2B file (R-PROS-6): a consumer-domain address or no company. The
    // selection guard leaves such a person out of e-mail prospecting until they consent.
    if (c.email?.personal) totals.notEligible.push({ row: c.row, line: c.line, field: 'email', code: 'personal_email', reason: 'personal_email' });
    else if (!c.company && !c.siret && !c.siren) totals.notEligible.push({ row: c.row, line: c.line, field: 'company', code: 'no_company', reason: 'no_company' });
    if (c.email) batchByEmail.set(c.email.email, person);
    for (const p of c.phones) {
      const holders = batchByPhone.get(p.e164);
      if (!holders) batchByPhone.set(p.e164, [person]);
      else if (!holders.includes(person)) holders.push(person);
    }
    touched.push({ person, candidate: c });
    options.onPlaced?.(c.row, person.id);
  });

  // 4. Write people, provenance, review pairs.
  // Set-based: each statement takes its rows as one array parameter per column (unnest),
  // so its text and plan do not grow with the batch (a VALUES list of 14 parameters per
  // row was measured at a third of the write time).
  const created = [...new Set(touched.filter((t) => t.person.created).map((t) => t.person))];
  if (created.length > 0) {
    const col = <T,>(f: (p: (typeof created)[number]) => T) => created.map(f);
    await sql`
      insert into people (id, purpose, relation, first_name, last_name, email, phones, postal_addresses, job_title, organisation_id, source, collected_at, created_at, updated_at)
      select id, 'prospecting', 'prospect', first_name, last_name, email, phones::jsonb, postal_addresses::jsonb, job_title, organisation_id, source, collected_at, ${now}::timestamptz, ${now}::timestamptz
      from unnest(${col((p) => p.id)}::uuid[], ${col((p) => p.firstName)}::text[], ${col((p) => p.lastName)}::text[], ${col((p) => p.email)}::text[],
        ${col((p) => JSON.stringify(p.phones))}::text[], ${col((p) => JSON.stringify(p.postalAddresses))}::text[], ${col((p) => p.jobTitle)}::text[],
        ${col((p) => p.organisationId)}::uuid[], ${col((p) => p.source)}::text[], ${col((p) => p.collectedAt.toISOString())}::timestamptz[])
        as u(id, first_name, last_name, email, phones, postal_addresses, job_title, organisation_id, source, collected_at)`.execute(tx);
  }
  const updated = [...mergedIds].flatMap((id) => people.get(id) ?? []);
  if (updated.length > 0) {
    const col = <T,>(f: (p: PersonState) => T) => updated.map(f);
    await sql`
      update people p set first_name = u.first_name, last_name = u.last_name, email = u.email, phones = u.phones::jsonb, postal_addresses = u.postal_addresses::jsonb,
        job_title = u.job_title, organisation_id = u.organisation_id, updated_at = ${now}::timestamptz
      from unnest(${col((p) => p.id)}::uuid[], ${col((p) => p.firstName)}::text[], ${col((p) => p.lastName)}::text[], ${col((p) => p.email)}::text[],
        ${col((p) => JSON.stringify(p.phones))}::text[], ${col((p) => JSON.stringify(p.postalAddresses))}::text[], ${col((p) => p.jobTitle)}::text[], ${col((p) => p.organisationId)}::uuid[])
        as u(id, first_name, last_name, email, phones, postal_addresses, job_title, organisation_id)
      where p.id = u.id`.execute(tx);
  }
  await writeProvenance(tx, [...provenance.values()].flatMap((bySource) => [...bySource.values()]), options.jobId ?? null, new Set(createdIds));
  await writeHistory(tx, history, options.jobId ?? null, now);
  if (reviews.length > 0) {
    await tx
      .insertInto('dedupeReviewQueue')
      .values(reviews.map((r) => ({ id: newId(now.getTime()), leftPersonId: r.left, rightPersonId: r.right, score: r.score, comparison: JSON.stringify(r.comparison), importJobId: options.jobId ?? null, createdAt: now })))
      .execute();
    totals.queuedForReview += reviews.length;
  }

  // 4b. Individuals (R-PROS-6, L34-5 CPCE): a row without a company whose person has no
  // organisation is a private individual's; the selection guard keeps them out of e-mail
  // prospecting until a consent is recorded (person_states.individual_at; the first date stays).
  const individuals = [...new Set(touched.filter((t) => !t.candidate.company && !t.candidate.siret && !t.candidate.siren && t.person.organisationId === null).map((t) => t.person.id))];
  if (individuals.length > 0) {
    await sql`
      insert into person_states (person_id, individual_at) select id, ${now}::timestamptz from unnest(${individuals}::uuid[]) as u(id)
      on conflict (person_id) do update set individual_at = coalesce(person_states.individual_at, excluded.individual_at)`.execute(tx);
  }

  // 5. The opposition list (R-PROS-3): people on it are flagged objected, so no selection or send reaches them.
  const opposed = await opposedPeople(tx, options.key, touched);
  if (opposed.size > 0) {
    await tx
      .insertInto('personStates')
      .values([...opposed].map((personId) => ({ personId, objectedProspectingAt: now })))
      .onConflict((oc) => oc.column('personId').doUpdateSet({ objectedProspectingAt: sql`coalesce(person_states.objected_prospecting_at, excluded.objected_prospecting_at)` }))
      .execute();
    for (const t of touched) {
      if (opposed.has(t.person.id)) {
        totals.flaggedOpposed++;
        warn(totals, { row: t.candidate.row, line: t.candidate.line, field: t.candidate.email ? 'email' : 'phone', code: 'opposed', reason: 'on the opposition list: imported and flagged as objecting to prospecting; never selected or contacted' });
      }
    }
  }

  // 5b. The file's opt-ins (R-PROS-6), after the opposition flags: a person this batch flagged gets none.
  if (options.policy) {
    const entries = touched.flatMap((t) => (t.candidate.consent ? [{ personId: t.person.id, consent: t.candidate.consent, source: t.candidate.source ?? options.source, row: t.candidate.row, line: t.candidate.line }] : []));
    if (entries.length > 0) {
      const consents = await recordImportConsents(tx, entries, { policy: options.policy, actor: options.actor, now, jobId: options.jobId ?? null });
      totals.consentsRecorded += consents.recorded;
      for (const w of consents.warnings) warn(totals, w);
    }
  }

  // 6. One audit event per kind of write (GDPR Art. 5(2); P2.5): field names and ids, never values.
  const base = { at: now, actor: options.actor.id, role: options.actor.role, purpose: 'prospecting', resource: 'people', reason: `prospect import${options.jobId ? ` ${options.jobId}` : ''}` };
  const events: AuditEvent[] = [];
  if (createdIds.length > 0) events.push({ ...base, action: 'create', recordIds: createdIds, personIds: createdIds, fields: ['first_name', 'last_name', 'email', 'phones', 'postal_addresses', 'job_title', 'organisation_id', 'source', 'collected_at'] });
  if (mergedIds.size > 0) events.push({ ...base, action: 'update', recordIds: [...mergedIds], personIds: [...mergedIds], fields: ['first_name', 'last_name', 'email', 'phones', 'postal_addresses', 'job_title', 'organisation_id'] });
  await appendInTransaction(tx, events);

  if (options.jobId) {
    await tx.updateTable('importJobs').set({ rowsDone: batch.rowsThrough, rowsTotal, imported: totals.imported, merged: totals.merged }).where('id', '=', options.jobId).execute();
  }
}

/** A provenance row as the batch builds it. */
interface ProvenanceRow {
  personId: string;
  field: string;
  source: string;
  collectedAt: Date;
  chosen: boolean;
}
/** The batch's provenance rows, by person and field, then by source. */
type ProvenanceBuffer = Map<string, Map<string, ProvenanceRow>>;

/**
 * Records that `source` gave `field` of a person at `collectedAt`; `chosen` when its value
 * is now the person's (survivorship), which unchooses the field's other sources. Phones
 * and addresses are unions: every source giving one stays chosen.
 */
function addProvenance(buffer: ProvenanceBuffer, personId: string, field: string, source: string, collectedAt: Date, chosen: boolean): void {
  const k = `${personId}\u0000${field}`;
  let bySource = buffer.get(k);
  if (!bySource) buffer.set(k, (bySource = new Map()));
  const prev = bySource.get(source);
  if (chosen && field !== 'phones' && field !== 'postalAddresses') for (const r of bySource.values()) if (r.source !== source) r.chosen = false;
  if (!prev || prev.collectedAt.getTime() <= collectedAt.getTime()) bySource.set(source, { personId, field, source, collectedAt, chosen: chosen || (prev?.chosen ?? false) });
}

async function writeProvenance(
  tx: Kysely<Database>,
  rows: readonly ProvenanceRow[],
  jobId: string | null,
  createdHere: ReadonlySet<string>,
): Promise<void> {
  if (rows.length === 0) return;
  // A field taken from this source is no longer the other sources' value. A person this
  // batch created has no other rows yet: only merged-into people need the update, done
  // for the whole batch in one statement over the (person, field) pairs.
  const chosen = rows.filter((r) => r.chosen && !createdHere.has(r.personId));
  if (chosen.length > 0) {
    await sql`
      update prospect_field_provenance p set chosen = false
      from unnest(${chosen.map((r) => r.personId)}::uuid[], ${chosen.map((r) => r.field)}::text[]) as u(person_id, field)
      where p.person_id = u.person_id and p.field = u.field and p.chosen`.execute(tx);
  }
  const col = <T,>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await sql`
    insert into prospect_field_provenance (person_id, field, source, collected_at, import_job_id, chosen)
    select person_id, field, source, collected_at, ${jobId}::uuid, chosen
    from unnest(${col((r) => r.personId)}::uuid[], ${col((r) => r.field)}::text[], ${col((r) => r.source)}::text[], ${col((r) => r.collectedAt.toISOString())}::timestamptz[], ${col((r) => r.chosen)}::boolean[])
      as u(person_id, field, source, collected_at, chosen)
    on conflict (person_id, field, source) do update set
      collected_at = greatest(prospect_field_provenance.collected_at, excluded.collected_at),
      import_job_id = excluded.import_job_id,
      chosen = excluded.chosen`.execute(tx);
}

async function loadPeople(tx: Kysely<Database>, ids: readonly string[]): Promise<Map<string, PersonState>> {
  const out = new Map<string, PersonState>();
  if (ids.length === 0) return out;
  const rows = await tx
    .selectFrom('people')
    .select(['id', 'firstName', 'lastName', 'email', 'phones', 'postalAddresses', 'jobTitle', 'organisationId', 'source', 'collectedAt'])
    .where('id', 'in', ids)
    .execute();
  const prov = await tx.selectFrom('prospectFieldProvenance').select(['personId', 'field', 'source', 'collectedAt']).where('personId', 'in', ids).where('chosen', '=', true).execute();
  for (const r of rows) {
    const dates = new Map<string, number>();
    for (const f of ['firstName', 'lastName', 'email', 'jobTitle', 'organisationId']) dates.set(f, r.collectedAt.getTime());
    out.set(r.id, { ...r, phones: [...(r.phones ?? [])], postalAddresses: [...(r.postalAddresses ?? [])], dates, sources: new Map(), created: false, storedProvenance: false });
  }
  for (const p of prov) {
    const person = out.get(p.personId);
    if (!person) continue;
    person.dates.set(p.field, p.collectedAt.getTime());
    person.sources.set(p.field, p.source);
    person.storedProvenance = true;
  }
  return out;
}

/** The people of this batch whose email or a phone is on the opposition list (any channel: the objection is honoured at its widest). */
async function opposedPeople(tx: Kysely<Database>, key: Buffer, touched: readonly { person: PersonState; candidate: ProspectCandidate }[]): Promise<Set<string>> {
  const byHash = new Map<string, string[]>();
  const add = (hash: string, id: string) => byHash.set(hash, [...(byHash.get(hash) ?? []), id]);
  for (const t of touched) {
    if (t.person.email) add(oppositionHash(key, 'email', t.person.email), t.person.id);
    for (const p of t.person.phones) add(oppositionHash(key, 'phone', p.number), t.person.id);
  }
  const out = new Set<string>();
  const hashes = [...byHash.keys()];
  for (let i = 0; i < hashes.length; i += 1000) {
    const part = hashes.slice(i, i + 1000);
    const rows = await tx
      .selectFrom('oppositionList')
      .select(['emailHash', 'phoneHash'])
      .where((eb) => eb.or([eb('emailHash', 'in', part), eb('phoneHash', 'in', part)]))
      .execute();
    for (const r of rows) for (const h of [r.emailHash, r.phoneHash]) if (h) for (const id of byHash.get(h) ?? []) out.add(id);
  }
  return out;
}

