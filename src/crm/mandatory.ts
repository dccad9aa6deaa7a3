import type { ErrorDetail } from '../errors.js';

/**
 * Evaluates the policy's mandatory fields (P1.2) against a record's view. A path is
 * dotted (`organisation.name`); `contacts[]` means "at least one contact, and each
 * one has the rest of the path". Returns one detail per missing field, so a caller
 * learns everything that is missing at once. Pure.
 */
export function missingMandatoryFields(view: unknown, paths: readonly string[]): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const path of paths) walk(view, path.split('.'), '', path, out);
  return out;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function walk(value: unknown, segments: readonly string[], at: string, policyPath: string, out: ErrorDetail[]): void {
  const [head, ...rest] = segments;
  if (head === undefined) {
    if (isBlank(value)) out.push({ field: at, message: `is required by the policy (${policyPath})` });
    return;
  }
  const isList = head.endsWith('[]');
  const name = isList ? head.slice(0, -2) : head;
  const here = at ? `${at}.${name}` : name;
  const child = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
  if (!isList) {
    if (rest.length > 0 && (child === undefined || child === null)) {
      out.push({ field: here, message: `is required by the policy (${policyPath})` });
      return;
    }
    walk(child, rest, here, policyPath, out);
    return;
  }
  if (!Array.isArray(child) || child.length === 0) {
    // Report the list once, however many paths go through it.
    if (!out.some((d) => d.field === here)) out.push({ field: here, message: `at least one is required by the policy (${policyPath})` });
    return;
  }
  child.forEach((item: unknown, i) => walk(item, rest, `${here}[${i}]`, policyPath, out));
}
