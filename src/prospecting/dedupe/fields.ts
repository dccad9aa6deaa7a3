/**
 * Fields prepared for comparison: values dictionary-encoded once (each distinct value is
 * folded, keyed and measured once, whatever the number of records holding it), and the
 * comparison levels of each kind.
 */
import { fold, foldAddress, foldCity, foldCompany, foldDate, foldEmail, foldId, foldName, foldPhone } from './fold.js';
import { frenchPhonetic } from './phonetic.js';
import { isOneTransposition, jaroWinklerHead as jaroWinkler, levenshtein } from './similarity.js';
import type { DedupeField, FieldKind } from './types.js';

/** A field after preparation. Level 0 is "missing on either side" (no evidence); levels 1… go from strongest agreement to "else". */
export interface PreparedField {
  readonly name: string;
  readonly kind: FieldKind;
  /** Per record, the id of its folded value, or -1 when missing. */
  readonly ids: Int32Array;
  /** Distinct folded values, by id. */
  readonly values: readonly string[];
  /** Records holding each value. */
  readonly counts: Int32Array;
  /** Per value, the id of its blocking key (phonetic key for names), -1 for none. */
  readonly blockKeys: Int32Array;
  readonly blockKeyCount: number;
  /** Per value, an auxiliary string (phonetic key, email local part…), or '' */
  readonly aux: readonly string[];
  /** Level labels (without the missing level 0). */
  readonly levels: readonly string[];
  /** Other name field for the swapped given/surname level. */
  partner: PreparedField | null;
  /** The level (1…) of two present value ids `a`, `b` of records `i`, `j`. */
  compare(a: number, b: number, i: number, j: number): number;
}

const NAME_LEVELS = ['exact', 'jaro-winkler ≥ 0.94', 'phonetic', 'swapped with the other name', 'jaro-winkler ≥ 0.8', 'else'];

function folderOf(kind: FieldKind): (v: string) => string {
  switch (kind) {
    case 'given_name':
    case 'surname':
      return foldName;
    case 'full_name':
      return (v) =>
        fold(v)
          .split(' ')
          .filter((t) => t.length > 0)
          .sort()
          .join(' ');
    case 'email':
      return foldEmail;
    case 'phone':
      return foldPhone;
    case 'address':
      return foldAddress;
    case 'postcode':
      return (v) => fold(v).replace(/ /g, '');
    case 'city':
      return foldCity;
    case 'date':
      return foldDate;
    case 'company':
      return foldCompany;
    case 'id_number':
      return foldId;
    case 'text':
      return fold;
  }
}

function auxOf(kind: FieldKind, v: string): string {
  switch (kind) {
    case 'given_name':
    case 'surname':
      return frenchPhonetic(v);
    case 'full_name':
      return v
        .split(' ')
        .map(frenchPhonetic)
        .sort()
        .join(' ');
    case 'email': {
      const at = v.lastIndexOf('@');
      return at < 0 ? v : v.slice(0, at);
    }
    case 'company':
      return v
        .split(' ')
        .map(frenchPhonetic)
        .join(' ');
    case 'address':
      // The street without its number: "12 rue x" and "12b rue x" and "rue x".
      return v.replace(/^\d+[a-z]?\s+/, '');
    default:
      return '';
  }
}

/** The blocking key of a value: phonetic for names, street for addresses, else the value itself. */
function blockKeyOf(kind: FieldKind, v: string, aux: string): string {
  switch (kind) {
    case 'given_name':
    case 'surname':
    case 'full_name':
    case 'company':
      return aux;
    default:
      return v;
  }
}

function levelsOf(kind: FieldKind): readonly string[] {
  switch (kind) {
    case 'given_name':
    case 'surname':
      return NAME_LEVELS;
    case 'full_name':
    case 'company':
      return ['exact', 'jaro-winkler ≥ 0.94', 'phonetic', 'jaro-winkler ≥ 0.8', 'else'];
    case 'email':
      return ['exact', 'same local part', 'local part jaro-winkler ≥ 0.9', 'else'];
    case 'phone':
      return ['exact', 'one digit off', 'same last 6 digits', 'else'];
    case 'address':
      return ['exact', 'jaro-winkler ≥ 0.94', 'same street', 'jaro-winkler ≥ 0.8', 'else'];
    case 'postcode':
      return ['exact', 'one character off', 'same first 3', 'same first 2', 'else'];
    case 'city':
      return ['exact', 'jaro-winkler ≥ 0.94', 'jaro-winkler ≥ 0.8', 'else'];
    case 'date':
      return ['exact', 'one digit off or swapped', 'two digits off', 'else'];
    case 'id_number':
      return ['exact', 'one character off or swapped', 'two characters off', 'else'];
    case 'text':
      return ['exact', 'jaro-winkler ≥ 0.94', 'jaro-winkler ≥ 0.8', 'else'];
  }
}

function comparatorOf(kind: FieldKind, f: { values: readonly string[]; aux: readonly string[]; partner: PreparedField | null }): (a: number, b: number, i: number, j: number) => number {
  const { values, aux } = f;
  switch (kind) {
    case 'given_name':
    case 'surname':
      return (a, b, i, j) => {
        if (a === b) return 1;
        const va = values[a]!;
        const vb = values[b]!;
        const jw = jaroWinkler(va, vb);
        if (jw >= 0.94) return 2;
        if (aux[a] !== '' && aux[a] === aux[b]) return 3;
        const p = f.partner;
        if (p !== null) {
          // Swapped given name and surname: one record's value is the other's partner field.
          const pi = p.ids[i]!;
          const pj = p.ids[j]!;
          if ((pj >= 0 && p.values[pj] === va) || (pi >= 0 && p.values[pi] === vb)) return 4;
        }
        if (jw >= 0.8) return 5;
        return 6;
      };
    case 'full_name':
    case 'company':
      return (a, b) => {
        if (a === b) return 1;
        const jw = jaroWinkler(values[a]!, values[b]!);
        if (jw >= 0.94) return 2;
        if (aux[a] !== '' && aux[a] === aux[b]) return 3;
        if (jw >= 0.8) return 4;
        return 5;
      };
    case 'email':
      return (a, b) => {
        if (a === b) return 1;
        const la = aux[a]!;
        const lb = aux[b]!;
        if (la !== '' && la === lb) return 2;
        // A typo in the local part, at the same domain or not.
        if (jaroWinkler(la, lb) >= 0.9) return 3;
        return 4;
      };
    case 'phone':
      return (a, b) => {
        if (a === b) return 1;
        const va = values[a]!;
        const vb = values[b]!;
        if (levenshtein(va, vb, 1) <= 1 || isOneTransposition(va, vb)) return 2;
        if (va.length >= 6 && vb.length >= 6 && va.slice(-6) === vb.slice(-6)) return 3;
        return 4;
      };
    case 'address':
      return (a, b) => {
        if (a === b) return 1;
        const jw = jaroWinkler(values[a]!, values[b]!);
        if (jw >= 0.94) return 2;
        if (aux[a] !== '' && aux[a] === aux[b]) return 3;
        if (jw >= 0.8) return 4;
        return 5;
      };
    case 'postcode':
      return (a, b) => {
        if (a === b) return 1;
        const va = values[a]!;
        const vb = values[b]!;
        if (levenshtein(va, vb, 1) <= 1 || isOneTransposition(va, vb)) return 2;
        if (va.length >= 3 && va.slice(0, 3) === vb.slice(0, 3)) return 3;
        if (va.length >= 2 && va.slice(0, 2) === vb.slice(0, 2)) return 4;
        return 5;
      };
    case 'date':
    case 'id_number':
      return (a, b) => {
        if (a === b) return 1;
        const va = values[a]!;
        const vb = values[b]!;
        const d = levenshtein(va, vb, 2);
        if (d <= 1 || isOneTransposition(va, vb)) return 2;
        if (d <= 2) return 3;
        return 4;
      };
    case 'city':
    case 'text':
      return (a, b) => {
        if (a === b) return 1;
        const jw = jaroWinkler(values[a]!, values[b]!);
        if (jw >= 0.94) return 2;
        if (jw >= 0.8) return 3;
        return 4;
      };
  }
}

/** Dictionary-encodes, folds and keys one field. */
export function prepareField(field: DedupeField, n: number): PreparedField {
  const folder = folderOf(field.kind);
  const rawIds = new Map<string, number>();
  const foldedIds = new Map<string, number>();
  const rawToFolded: number[] = [];
  const values: string[] = [];
  const ids = new Int32Array(n);
  const countsList: number[] = [];
  const src = field.values;
  for (let i = 0; i < n; i++) {
    const raw = src[i];
    if (raw === null || raw === undefined) {
      ids[i] = -1;
      continue;
    }
    let r = rawIds.get(raw);
    if (r === undefined) {
      const folded = folder(raw);
      let fid = -1;
      if (folded !== '') {
        fid = foldedIds.get(folded) ?? -1;
        if (fid < 0) {
          fid = values.length;
          foldedIds.set(folded, fid);
          values.push(folded);
          countsList.push(0);
        }
      }
      r = rawToFolded.length;
      rawToFolded.push(fid);
      rawIds.set(raw, r);
    }
    const fid = rawToFolded[r]!;
    ids[i] = fid;
    if (fid >= 0) countsList[fid]!++;
  }
  const aux = values.map((v) => auxOf(field.kind, v));
  const keyIds = new Map<string, number>();
  const blockKeys = new Int32Array(values.length);
  for (let v = 0; v < values.length; v++) {
    const key = blockKeyOf(field.kind, values[v]!, aux[v]!);
    if (key === '') {
      blockKeys[v] = -1;
      continue;
    }
    let k = keyIds.get(key);
    if (k === undefined) {
      k = keyIds.size;
      keyIds.set(key, k);
    }
    blockKeys[v] = k;
  }
  const prepared: PreparedField = {
    name: field.name,
    kind: field.kind,
    ids,
    values,
    counts: Int32Array.from(countsList),
    blockKeys,
    blockKeyCount: keyIds.size,
    aux,
    levels: levelsOf(field.kind),
    partner: null,
    compare: () => 0,
  };
  prepared.compare = comparatorOf(field.kind, prepared);
  return prepared;
}

/** Prepares every field and links a given-name field with a surname field for the swapped level. */
export function prepareFields(fields: readonly DedupeField[], n: number): PreparedField[] {
  const prepared = fields.map((f) => prepareField(f, n));
  const given = prepared.find((f) => f.kind === 'given_name');
  const surname = prepared.find((f) => f.kind === 'surname');
  if (given && surname) {
    given.partner = surname;
    surname.partner = given;
  }
  return prepared;
}
