import type { PostalAddress } from '../../db/schema.js';
import {
  cleanText,
  emailProblem,
  fold,
  normaliseAddress,
  normaliseCompanyId,
  normaliseCompanyName,
  normaliseEmailAddress,
  normaliseName,
  normalisePhoneNumber,
  splitFullName,
  type NormalisedCompany,
  type NormalisedEmail,
  type NormalisedName,
  type NormalisedPhone,
} from '../normalise/index.js';
import type { ProspectField } from './mapping.js';
import type { ImportProblemCode } from './tables.js';
import { remembered } from '../normalise/memo.js';

/** A row's values by field (a field may come from several columns: phone, mobile). */
export type RowValues = Partial<Record<ProspectField, readonly string[]>>;

/** An accepted row, normalised: what the import writes or merges. */
export interface ProspectCandidate {
  readonly row: number;
  readonly line: number;
  readonly firstName: NormalisedName | null;
  readonly lastName: NormalisedName | null;
  readonly email: NormalisedEmail | null;
  readonly phones: readonly NormalisedPhone[];
  readonly address: PostalAddress | null;
  readonly jobTitle: string | null;
  readonly company: NormalisedCompany | null;
  readonly siren: string | null;
  readonly siret: string | null;
  readonly sector: string | null;
  readonly headcount: number | null;
  /** A per-row source column overrides the import's source (R-PROS-9). */
  readonly source: string | null;
  readonly collectedAt: Date | null;
  /**
   * The person's opt-in to the controller's email prospecting, as the file proves it
   * (R-PROS-6); null when the row gives none, or one that cannot be demonstrated.
   */
  readonly consent: ImportedConsent | null;
}

/**
 * A consent read from a row: an unambiguous yes, the date the person gave it, and the
 * file's proof of how it was collected (a form URL, a campaign reference). GDPR Art. 7(1):
 * the controller must be able to demonstrate the consent, so all three are required.
 */
export interface ImportedConsent {
  readonly scope: 'email_prospecting';
  readonly givenAt: Date;
  /** Free text from the file; stored only in the consent event's evidence, never logged or quoted. */
  readonly evidence: string;
}

/** A problem with one field of one row. */
export interface FieldProblem {
  readonly field: string;
  readonly code: ImportProblemCode;
  readonly reason: string;
}

/** What became of a row: accepted (maybe with dropped values) or rejected, with why. */
export type RowOutcome =
  | { readonly ok: true; readonly candidate: ProspectCandidate; readonly warnings: readonly FieldProblem[] }
  | { readonly ok: false; readonly rejected: FieldProblem; readonly warnings: readonly FieldProblem[] };

/** The first non-blank value of a field, cleaned. */
function firstOf(values: RowValues, f: ProspectField): string {
  for (const v of values[f] ?? []) {
    const c = cleanText(v);
    if (c !== '') return c;
  }
  return '';
}

// Names and company names repeat across a file (a few thousand first names, one company for
// many contacts): each distinct value is normalised once (bounded cache, memo.ts).
const nameOf = remembered(normaliseName);
const companyOf = remembered(normaliseCompanyName);

/** Parses a collection date: `YYYY-MM-DD[Thh:mm…]` or French `DD/MM/YYYY`; null when it is not a date. */
export function parseCollectionDate(raw: string): Date | null {
  const t = raw.trim();
  let iso: string | null = null;
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (fr) iso = `${fr[3]}-${fr[2]?.padStart(2, '0')}-${fr[1]?.padStart(2, '0')}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}$/.test(t)) iso = `${t}T00:00:00Z`;
  else if (/^\d{4}-\d{2}-\d{2}T/.test(t)) iso = t;
  if (iso === null) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  // Reject rolled-over dates (31/02 → 03/03).
  if (fr && d.getUTCDate() !== Number(fr[1])) return null;
  return d;
}

/** Checked boxes some exports write instead of a word. */
const TICKS = new Set(['✓', '✔', '☑', '✅']);
/** Dashes some exports write for "no". */
const DASHES = new Set(['-', '–', '—']);
/** Folded answers of an opt-in column that can only mean yes or no (French and English). */
const CONSENT_ANSWERS: ReadonlyMap<string, 'yes' | 'no'> = new Map([
  ...['oui', 'o', 'yes', 'y', 'true', 'vrai', '1', 'x', 'opt in', 'optin', 'opted in', 'accepte', 'j accepte', 'accepted', 'agreed', 'consent', 'consenti', 'given'].map((k) => [k, 'yes'] as const),
  ...['non', 'n', 'no', 'false', 'faux', '0', 'opt out', 'optout', 'opted out', 'refuse', 'refus', 'refused', 'declined', 'withdrawn', 'retire'].map((k) => [k, 'no'] as const),
]);

/**
 * Reads the value of an opt-in column: `yes`, `no`, or null when it is neither beyond
 * doubt ("oui, sauf…", "peut-être", "?"): a consent must be unambiguous (GDPR Art. 4(11)),
 * so anything else is not one. An empty cell is `no`.
 */
export function parseConsentAnswer(raw: string): 'yes' | 'no' | null {
  const t = raw.trim();
  if (t === '' || DASHES.has(t)) return 'no';
  if (TICKS.has(t)) return 'yes';
  return CONSENT_ANSWERS.get(fold(t)) ?? null;
}

/**
 * How long before the collection date a consent may have been given. A consent is given
 * when the data is collected (the form that holds the box is the one that collects the
 * address), so one much older belongs to another collection. Three years: the CNIL's limit
 * for keeping a prospect who never answered (référentiel « gestion commerciale », 2021),
 * so no source could still lawfully hold a consent older than that for this record. A
 * smaller gap is tolerated: lists often date a row by its last update, not its first
 * collection.
 */
const CONSENT_BEFORE_COLLECTION_YEARS = 3;

/**
 * The consent of a row whose opt-in column says yes, or the warnings that explain why
 * none can be recorded. Demanding on purpose (GDPR Art. 7(1): the controller must be able
 * to demonstrate the consent; a bought list that says "opt-in: yes" proves nothing by
 * itself):
 *   - the date is the consent-date column's, else the row's own collection date (a form
 *     export dates the submission that held the box); never the import's date or
 *     `--collected-at`, which say when we got the file, not when the person agreed;
 *   - the proof (consent-evidence column) is required: without it nothing says where or
 *     what the person was shown;
 *   - the row must carry a valid email: the consent was given with an address, and one we
 *     dropped cannot be tied to it.
 */
function consentOf(raw: { readonly at: string; readonly evidence: string }, hasEmail: boolean, collectedAt: Date | null, now: Date): { consent: ImportedConsent | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const none = '; no consent recorded';
  if (!hasEmail) problems.push({ field: 'consentEmail', code: 'consent_without_email', reason: `the row has no valid email the consent could be tied to${none}` });
  let givenAt: Date | null = null;
  if (raw.at !== '') {
    const d = parseCollectionDate(raw.at);
    if (d === null) problems.push({ field: 'consentAt', code: 'consent_date_invalid', reason: `not a date (YYYY-MM-DD or DD/MM/YYYY)${none}` });
    else if (d.getTime() > now.getTime()) problems.push({ field: 'consentAt', code: 'consent_date_future', reason: `in the future${none}` });
    else {
      const floor = collectedAt === null ? null : new Date(collectedAt.getTime());
      floor?.setUTCFullYear(floor.getUTCFullYear() - CONSENT_BEFORE_COLLECTION_YEARS);
      if (floor !== null && d.getTime() < floor.getTime()) {
        problems.push({ field: 'consentAt', code: 'consent_date_too_old', reason: `more than ${CONSENT_BEFORE_COLLECTION_YEARS} years before the collection date: not the consent given when the data was collected${none}` });
      } else givenAt = d;
    }
  } else if (collectedAt !== null) givenAt = collectedAt;
  else problems.push({ field: 'consentAt', code: 'consent_undated', reason: `no consent date and no collection date in the row: the consent cannot be dated (GDPR Art. 7(1))${none}` });
  const evidence = raw.evidence.slice(0, 1000);
  if (evidence === '') problems.push({ field: 'consentEvidence', code: 'consent_no_proof', reason: `no proof of how the consent was collected (form, campaign) in the row (GDPR Art. 7(1))${none}` });
  if (problems.length > 0 || givenAt === null) return { consent: null, problems };
  return { consent: { scope: 'email_prospecting', givenAt, evidence }, problems };
}

/**
 * Normalises one row of a prospect file (R-PROS-1) and decides whether it is usable.
 * A row is rejected when it has neither a name nor a valid email, or no usable contact
 * point (valid email, valid phone, or a postal address with street, valid postcode and
 * city). An invalid value in a usable row is dropped with a warning. Pure; `now` bounds
 * collection dates (none in the future). Reasons never quote the value.
 */
export function normaliseProspectRow(values: RowValues, where: { readonly row: number; readonly line: number }, now: Date): RowOutcome {
  const warnings: FieldProblem[] = [];
  const cleaned = new Map<ProspectField, string>();
  const first = (_: RowValues, f: ProspectField): string => {
    let v = cleaned.get(f);
    if (v === undefined) {
      v = firstOf(values, f);
      cleaned.set(f, v);
    }
    return v;
  };

  let firstName = nameOf(first(values, 'firstName'));
  let lastName = nameOf(first(values, 'lastName'));
  const full = first(values, 'fullName');
  if (full !== '' && firstName === null && lastName === null) {
    const split = splitFullName(full);
    firstName = normaliseName(split.firstName);
    lastName = normaliseName(split.lastName);
  }

  const rawEmail = first(values, 'email');
  const email = rawEmail === '' ? null : normaliseEmailAddress(rawEmail);
  const emailWarning: FieldProblem | null = rawEmail !== '' && email === null ? { field: 'email', code: 'email_invalid', reason: `invalid email: ${emailProblem(rawEmail) ?? 'not an address'}` } : null;

  const phones: NormalisedPhone[] = [];
  const phoneWarnings: FieldProblem[] = [];
  for (const field of ['mobile', 'phone'] as const) {
    for (const raw of values[field] ?? []) {
      // One cell may hold two numbers: "01 23 45 67 89 / 06 12 34 56 78".
      for (const part of raw.split(/\s*[/|,;]\s*|\s+(?:ou|or)\s+/)) {
        if (cleanText(part) === '') continue;
        const p = normalisePhoneNumber(part);
        if (p === null) phoneWarnings.push({ field, code: 'phone_invalid', reason: 'invalid phone number' });
        else if (!phones.some((q) => q.e164 === p.e164)) phones.push(p);
      }
    }
  }

  const addressGiven = ['address', 'address2', 'postcode', 'city'].some((f) => first(values, f as ProspectField) !== '');
  let address: PostalAddress | null = null;
  let addressWarning: FieldProblem | null = null;
  if (addressGiven) {
    const r = normaliseAddress({ line1: first(values, 'address'), line2: first(values, 'address2'), postcode: first(values, 'postcode'), city: first(values, 'city'), country: first(values, 'country') });
    if (r.ok) address = r.address;
    else addressWarning = { field: r.field === 'address' ? 'address' : r.field, code: 'address_unusable', reason: `postal address unusable: ${r.reason}` };
  }

  const hasName = firstName !== null || lastName !== null;
  if (!hasName && email === null) {
    return {
      ok: false,
      rejected: emailWarning ? { field: 'email', code: 'no_name_or_email', reason: `${emailWarning.reason}, and the row has no name` } : { field: 'lastName', code: 'no_name_or_email', reason: 'neither a name nor a valid email' },
      warnings,
    };
  }
  if (email === null && phones.length === 0 && address === null) {
    const cause = emailWarning ?? phoneWarnings[0] ?? addressWarning;
    return {
      ok: false,
      rejected: cause
        ? { field: cause.field, code: 'no_contact_point', reason: `no usable contact point (${cause.reason})` }
        : { field: 'email', code: 'no_contact_point', reason: 'no usable contact point: no valid email, phone or postal address' },
      warnings,
    };
  }
  if (emailWarning) warnings.push({ ...emailWarning, reason: `${emailWarning.reason}; value dropped` });
  for (const w of phoneWarnings) warnings.push({ ...w, reason: `${w.reason}; value dropped` });
  if (addressWarning) warnings.push({ ...addressWarning, reason: `${addressWarning.reason}; address dropped` });

  const company = companyOf(first(values, 'company'));
  let siren: string | null = null;
  let siret: string | null = null;
  const rawId = first(values, 'siret');
  if (rawId !== '') {
    const id = normaliseCompanyId(rawId);
    if (id.ok) ({ siren, siret } = id);
    else warnings.push({ field: 'siret', code: 'company_id_invalid', reason: `${id.reason}; value dropped` });
  }

  let headcount: number | null = null;
  const rawHeadcount = first(values, 'headcount');
  if (rawHeadcount !== '') {
    const n = Number(rawHeadcount.replace(/[\s\u202f]/g, ''));
    if (Number.isInteger(n) && n >= 0 && n < 10_000_000) headcount = n;
    else warnings.push({ field: 'headcount', code: 'headcount_invalid', reason: 'not a whole number; value dropped' });
  }

  let collectedAt: Date | null = null;
  const rawDate = first(values, 'collectedAt');
  if (rawDate !== '') {
    const d = parseCollectionDate(rawDate);
    if (d === null) warnings.push({ field: 'collectedAt', code: 'collected_at_invalid', reason: 'not a date (YYYY-MM-DD or DD/MM/YYYY); the import date is used' });
    else if (d.getTime() > now.getTime()) warnings.push({ field: 'collectedAt', code: 'collected_at_future', reason: 'in the future; the import date is used' });
    else collectedAt = d;
  }

  // R-PROS-6: an opt-in column. A "no" (or an empty cell) records nothing, and never
  // withdraws a consent already recorded: a withdrawal is the person's own act (GDPR
  // Art. 7(3)), while a file's "no" usually only says that the box was not ticked on that
  // form, at that time; and lists circulate for years, so an old file re-imported would
  // otherwise cancel a consent the person gave us since. Without a consent the guard
  // already treats the address as not consenting.
  let consent: ImportedConsent | null = null;
  const rawConsent = first(values, 'consentEmail');
  const rawConsentAt = first(values, 'consentAt');
  const answer = parseConsentAnswer(rawConsent);
  if (answer === null) warnings.push({ field: 'consentEmail', code: 'consent_unclear', reason: 'not a clear yes or no (oui/non, yes/no, true/false, 1/0, x, opt-in); no consent recorded' });
  else if (answer === 'yes') {
    const r = consentOf({ at: rawConsentAt, evidence: first(values, 'consentEvidence') }, email !== null, collectedAt, now);
    consent = r.consent;
    warnings.push(...r.problems);
  } else if (rawConsent === '' && rawConsentAt !== '') {
    warnings.push({ field: 'consentAt', code: 'consent_date_without_yes', reason: 'a consent date without a yes in an opt-in column; no consent recorded' });
  }

  const text = (f: ProspectField, max: number) => {
    const v = first(values, f);
    return v === '' ? null : v.slice(0, max);
  };

  return {
    ok: true,
    candidate: {
      row: where.row,
      line: where.line,
      firstName,
      lastName,
      email,
      phones,
      address,
      jobTitle: text('jobTitle', 300),
      company,
      siren,
      siret,
      sector: text('sector', 200),
      headcount,
      source: text('source', 200),
      collectedAt,
      consent,
    },
    warnings,
  };
}
