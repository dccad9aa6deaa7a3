import type { PersonalColumn, PlainColumn, TableEntry } from '../../catalogue/types.js';

const plain = (why: string): PlainColumn => ({ personal: false, why });
const provenance: PersonalColumn = { personal: true, category: 'provenance', purposes: ['prospecting'], provided: false };

/**
 * The catalogue entries (P1.1) of the prospect import: jobs and their reports (row
 * numbers, field names and reasons only, so no personal data), the per-field
 * provenance of prospects (R-PROS-2, R-PROS-9: data about where a person's data came
 * from is itself about the person), organisation match keys (legal persons, recital
 * 14) and the dedupe review queue (which two people might be one: about both).
 */
export const PROSPECTING_IMPORT_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'import_jobs',
    description: 'Prospect file imports: progress and report (row and line numbers, field names, reasons; never values)',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      kind: plain('what was imported'),
      source: plain('the name the operator gave the file or list (a source, not a person)'),
      actor: plain('the staff actor id (user:/token:/cli:), staff accountability'),
      role: plain('the role the import ran as'),
      status: plain('job state'),
      dry_run: plain('whether the import wrote nothing'),
      rows_total: plain('counter'),
      rows_done: plain('counter'),
      imported: plain('counter'),
      merged: plain('counter'),
      report: plain('row numbers, line numbers, field names and reasons; built so that no value of the file enters it'),
      error: plain('error code and message; messages never carry values'),
      created_at: plain('bookkeeping timestamp'),
      finished_at: plain('bookkeeping timestamp'),
    },
  },
  {
    table: 'prospect_field_provenance',
    description: "Which source gave each field of a prospect's record, collected when (R-PROS-2, R-PROS-9; GDPR Art. 14(2)(f))",
    subjects: [{ column: 'person_id' }],
    columns: {
      person_id: plain('reference to people'),
      field: plain('a field name of people'),
      source: provenance,
      collected_at: provenance,
      import_job_id: plain('reference to import_jobs'),
      chosen: plain('whether the current value came from this source (survivorship)'),
    },
  },
  {
    table: 'person_field_history',
    description: 'Values a merge did not keep (a typo of the held value, a secondary e-mail, a less trusted source), with their source: restorable, listed in the access export (R-PROS-2)',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: plain('surrogate key'),
      person_id: plain('reference to people'),
      field: plain('a field name of people'),
      value: { personal: true, category: 'prospecting', purposes: ['prospecting'], provided: false },
      source: provenance,
      collected_at: provenance,
      reason: plain('the survivorship rule that did not keep the value'),
      import_job_id: plain('reference to import_jobs'),
      recorded_at: plain('bookkeeping timestamp'),
    },
  },
  {
    table: 'prospect_organisation_keys',
    description: 'Match keys (SIRET, SIREN, normalised name, name at a postcode or city) of organisations, used at import',
    subjects: [],
    columns: {
      kind: plain('kind of key'),
      key: plain('data of a legal person (GDPR recital 14)'),
      organisation_id: plain('reference to organisations'),
    },
  },
  {
    table: 'organisation_review_queue',
    description: 'Pairs of organisations that may be one, left for review instead of being merged at import (issue 17; legal persons, GDPR recital 14)',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      left_organisation_id: plain('reference to organisations'),
      right_organisation_id: plain('reference to organisations'),
      rule: plain('the matching rule that found the pair doubtful'),
      score: plain('how close the two names are (data of legal persons)'),
      status: plain('review state'),
      import_job_id: plain('reference to import_jobs'),
      created_at: plain('bookkeeping timestamp'),
      decided_at: plain('bookkeeping timestamp'),
      decided_by: plain('the staff actor id who decided (staff accountability)'),
    },
  },
  {
    table: 'dedupe_review_queue',
    description: 'Pairs of people that may be one person, left for review instead of being merged (R-PROS-2)',
    subjects: [{ column: 'left_person_id' }, { column: 'right_person_id' }],
    columns: {
      id: plain('surrogate key'),
      left_person_id: plain('reference to people'),
      right_person_id: plain('reference to people'),
      score: { personal: true, category: 'prospecting', purposes: ['prospecting'], provided: false },
      comparison: { personal: true, category: 'prospecting', purposes: ['prospecting'], provided: false },
      status: plain('review state'),
      import_job_id: plain('reference to import_jobs'),
      created_at: plain('bookkeeping timestamp'),
      decided_at: plain('bookkeeping timestamp'),
      decided_by: plain('the staff actor id who decided (staff accountability)'),
    },
  },
]);
