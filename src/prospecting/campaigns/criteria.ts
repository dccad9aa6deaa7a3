import { RempartError, type ErrorDetail } from '../../errors.js';
import { isIsoDate } from '../../policy/index.js';
import { findRegion } from './regions.js';
import { HEADCOUNT_BANDS, RELATIONS, SEGMENT_KINDS, type HeadcountBand, type Relation, type SegmentCriteria, type SegmentKind } from './tables.js';

// The criteria's shapes live in tables.ts, which the database schema imports, so the schema never reaches back here.
export { SEGMENT_KINDS, HEADCOUNT_BANDS, RELATIONS, type SegmentKind, type HeadcountBand, type Relation, type SegmentCriteria } from './tables.js';

const KEYS = ['headcountBands', 'sectors', 'regions', 'jobTitleContains', 'sources', 'lastContactBefore', 'lastContactAfter', 'relations'] as const;

function stringList(value: unknown, field: string, problems: ErrorDetail[], allowed?: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string' || v.trim() === '' || v.length > 200)) {
    problems.push({ field: `criteria.${field}`, message: 'must be a non-empty list of non-empty strings' });
    return undefined;
  }
  const list = (value as string[]).map((v) => v.trim());
  if (allowed) {
    const bad = list.filter((v) => !allowed.includes(v));
    if (bad.length > 0) problems.push({ field: `criteria.${field}`, message: `unknown value(s) ${bad.join(', ')}; expected one of ${allowed.join(', ')}` });
  }
  return list;
}

/**
 * Checks criteria from a request or a file and returns them in canonical form; every
 * problem is reported at once, with its field.
 */
export function parseCriteria(input: unknown): SegmentCriteria {
  const problems: ErrorDetail[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new RempartError('VALIDATION_FAILED', 'Segment criteria must be an object.', { details: [{ field: 'criteria', message: 'must be an object' }] });
  }
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k)) problems.push({ field: `criteria.${k}`, message: `unknown criterion; expected one of ${KEYS.join(', ')}` });
  }
  const headcountBands = stringList(o.headcountBands, 'headcountBands', problems, Object.keys(HEADCOUNT_BANDS)) as HeadcountBand[] | undefined;
  const sectors = stringList(o.sectors, 'sectors', problems);
  const sources = stringList(o.sources, 'sources', problems);
  const relations = stringList(o.relations, 'relations', problems, RELATIONS) as Relation[] | undefined;
  const regionsIn = stringList(o.regions, 'regions', problems);
  const regions = regionsIn?.map((x) => {
    const region = findRegion(x);
    if (region === null) problems.push({ field: 'criteria.regions', message: `unknown region "${x}"; give an INSEE region code (53) or name (Bretagne)` });
    return region?.code ?? x;
  });
  let jobTitleContains: string | undefined;
  if (o.jobTitleContains !== undefined) {
    if (typeof o.jobTitleContains !== 'string' || o.jobTitleContains.trim() === '' || o.jobTitleContains.length > 200) {
      problems.push({ field: 'criteria.jobTitleContains', message: 'must be a non-empty string of at most 200 characters' });
    } else jobTitleContains = o.jobTitleContains.trim();
  }
  const day = (field: 'lastContactBefore' | 'lastContactAfter'): string | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !isIsoDate(v)) {
      problems.push({ field: `criteria.${field}`, message: 'must be a date YYYY-MM-DD' });
      return undefined;
    }
    return v;
  };
  const lastContactBefore = day('lastContactBefore');
  const lastContactAfter = day('lastContactAfter');
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', `Segment criteria are invalid (${problems.length} problem(s)).`, { details: problems });
  return Object.freeze({
    ...(headcountBands ? { headcountBands } : {}),
    ...(sectors ? { sectors } : {}),
    ...(regions ? { regions } : {}),
    ...(jobTitleContains ? { jobTitleContains } : {}),
    ...(sources ? { sources } : {}),
    ...(lastContactBefore ? { lastContactBefore } : {}),
    ...(lastContactAfter ? { lastContactAfter } : {}),
    ...(relations ? { relations } : {}),
  });
}

/** Whether `kind` is one of SEGMENT_KINDS. */
export function isSegmentKind(kind: unknown): kind is SegmentKind {
  return typeof kind === 'string' && (SEGMENT_KINDS as readonly string[]).includes(kind);
}
