import type { PostalAddress } from '../../db/schema.js';
import {
  cleanText,
  emailProblem,
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
}

/** A problem with one field of one row. */
export interface FieldProblem {
  readonly field: string;
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

/**
 * A pure function of a string, remembered: names and company names repeat across a file
 * (a few thousand first names, one company for many contacts), and their normalisation
 * (Unicode folding, particles, legal forms) is most of a row's cost after phones. The
 * cache is bounded (cleared when full), so memory does not grow with the file; results
 * are read-only values.
 */
function remembered<R>(fn: (raw: string) => R, max = 50_000): (raw: string) => R {
  const cache = new Map<string, R>();
  return (raw) => {
    const hit = cache.get(raw);
    if (hit !== undefined || cache.has(raw)) return hit as R;
    const r = fn(raw);
    if (cache.size >= max) cache.clear();
    cache.set(raw, r);
    return r;
  };
}
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
  const emailWarning: FieldProblem | null = rawEmail !== '' && email === null ? { field: 'email', reason: `invalid email: ${emailProblem(rawEmail) ?? 'not an address'}` } : null;

  const phones: NormalisedPhone[] = [];
  const phoneWarnings: FieldProblem[] = [];
  for (const field of ['mobile', 'phone'] as const) {
    for (const raw of values[field] ?? []) {
      // One cell may hold two numbers: "01 23 45 67 89 / 06 12 34 56 78".
      for (const part of raw.split(/\s*[/|,;]\s*|\s+(?:ou|or)\s+/)) {
        if (cleanText(part) === '') continue;
        const p = normalisePhoneNumber(part);
        if (p === null) phoneWarnings.push({ field, reason: 'invalid phone number' });
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
    else addressWarning = { field: r.field === 'address' ? 'address' : r.field, reason: `postal address unusable: ${r.reason}` };
  }

  const hasName = firstName !== null || lastName !== null;
  if (!hasName && email === null) {
    return {
      ok: false,
      rejected: emailWarning ? { field: 'email', reason: `${emailWarning.reason}, and the row has no name` } : { field: 'lastName', reason: 'neither a name nor a valid email' },
      warnings,
    };
  }
  if (email === null && phones.length === 0 && address === null) {
    const cause = emailWarning ?? phoneWarnings[0] ?? addressWarning;
    return {
      ok: false,
      rejected: cause
        ? { field: cause.field, reason: `no usable contact point (${cause.reason})` }
        : { field: 'email', reason: 'no usable contact point: no valid email, phone or postal address' },
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
    else warnings.push({ field: 'siret', reason: `${id.reason}; value dropped` });
  }

  let headcount: number | null = null;
  const rawHeadcount = first(values, 'headcount');
  if (rawHeadcount !== '') {
    const n = Number(rawHeadcount.replace(/[\s\u202f]/g, ''));
    if (Number.isInteger(n) && n >= 0 && n < 10_000_000) headcount = n;
    else warnings.push({ field: 'headcount', reason: 'not a whole number; value dropped' });
  }

  let collectedAt: Date | null = null;
  const rawDate = first(values, 'collectedAt');
  if (rawDate !== '') {
    const d = parseCollectionDate(rawDate);
    if (d === null) warnings.push({ field: 'collectedAt', reason: 'not a date (YYYY-MM-DD or DD/MM/YYYY); the import date is used' });
    else if (d.getTime() > now.getTime()) warnings.push({ field: 'collectedAt', reason: 'in the future; the import date is used' });
    else collectedAt = d;
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
    },
    warnings,
  };
}
