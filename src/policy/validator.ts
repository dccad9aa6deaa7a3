/**
 * A small schema language for validating parsed YAML. Hand-written rather than
 * JSON Schema because every problem must come out at once, once, with a path and a
 * message a policy author can act on ("unknown key 'retension' (did you mean
 * 'retention'?)"), which generic validators' anyOf/additionalProperties reports
 * make hard.
 *
 * `object<T>(shape)` is typed by the interface it validates: the shape must name
 * every key of `T`, optional keys with `optional(…)`, so the schema and the types
 * cannot drift apart.
 */
import type { Issue, Path } from './path.js';

/** One schema violation, with the path of the offending value. */
export type SchemaIssue = Issue;

/** A validator for values of type `T`. */
export interface Schema<T> {
  readonly kind: 'schema';
  /** What a valid value is, for messages: "a string", "one of: a, b". */
  readonly expected: string;
  /** Appends every violation found in `value` (located at `path`) to `issues`. */
  check(value: unknown, path: Path, issues: SchemaIssue[]): void;
  /** Phantom: carries `T` for type checking only, never set. */
  readonly type?: T;
}

/** Marks an object key as optional. */
export interface OptionalField<T> {
  readonly kind: 'optional';
  readonly schema: Schema<T>;
}

/** The schema of every key of `T`; optional keys need `optional(…)`. */
export type Shape<T> = {
  readonly [K in keyof T]-?: undefined extends T[K] ? OptionalField<Exclude<T[K], undefined>> : Schema<T[K]>;
};

type Field = Schema<unknown> | OptionalField<unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes what was found, for "must be …, got …" messages. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

/** Edit distance, to suggest the key or value a typo meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean 'x'?)` when one candidate is close to `word`, else the empty string. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  // Close enough to be a typo: a third of the word at most, and never the whole of it.
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance && d < Math.min(word.length, candidate.length)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

function schema<T>(expected: string, check: Schema<T>['check']): Schema<T> {
  return { kind: 'schema', expected, check };
}

/** Options of `string()`. */
export interface StringOptions {
  /** Refuse the empty (or blank) string. */
  readonly nonEmpty?: boolean;
  /** A further test and how to describe what it wants, e.g. "an ISO-8601 duration such as P3Y". */
  readonly format?: { readonly test: (value: string) => boolean; readonly expected: string };
}

/** A string, optionally non-empty and of a given format. */
export function string(options: StringOptions = {}): Schema<string> {
  const expected = options.format?.expected ?? (options.nonEmpty === true ? 'a non-empty string' : 'a string');
  return schema(expected, (value, path, issues) => {
    if (typeof value !== 'string') {
      issues.push({ path, message: `must be ${expected}, got ${describe(value)}` });
    } else if (options.nonEmpty === true && value.trim() === '') {
      issues.push({ path, message: 'must not be empty' });
    } else if (options.format !== undefined && !options.format.test(value)) {
      issues.push({ path, message: `must be ${options.format.expected}, got ${describe(value)}` });
    }
  });
}

/** One of a closed set of strings. */
export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  const expected = `one of: ${values.join(', ')}`;
  return schema(expected, (value, path, issues) => {
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      const hint = typeof value === 'string' ? suggest(value, values) : '';
      issues.push({ path, message: `must be ${expected}; got ${describe(value)}${hint}` });
    }
  });
}

/** `true` or `false`. */
export function boolean(): Schema<boolean> {
  return schema('true or false', (value, path, issues) => {
    if (typeof value !== 'boolean') issues.push({ path, message: `must be true or false, got ${describe(value)}` });
  });
}

/** Options of `array()`. */
export interface ArrayOptions {
  readonly nonEmpty?: boolean;
  /** Refuse repeated scalar items. */
  readonly unique?: boolean;
}

/** A list whose items all match `item`. */
export function array<T>(item: Schema<T>, options: ArrayOptions = {}): Schema<readonly T[]> {
  return schema(`a list of ${item.expected}`, (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, message: `must be a list, got ${describe(value)}` });
      return;
    }
    if (options.nonEmpty === true && value.length === 0) issues.push({ path, message: 'must not be empty' });
    const seen = new Set<unknown>();
    value.forEach((element: unknown, index) => {
      item.check(element, [...path, index], issues);
      if (options.unique === true && (typeof element === 'string' || typeof element === 'number')) {
        if (seen.has(element)) issues.push({ path: [...path, index], message: `${describe(element)} is listed twice` });
        seen.add(element);
      }
    });
  });
}

/** An integer, at least `min` when given. */
export function integer(options: { readonly min?: number } = {}): Schema<number> {
  const expected = options.min === undefined ? 'an integer' : `an integer of at least ${options.min}`;
  return schema(expected, (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || (options.min !== undefined && value < options.min)) {
      issues.push({ path, message: `must be ${expected}, got ${describe(value)}` });
    }
  });
}

/** Marks an object key as optional. */
export function optional<T>(inner: Schema<T>): OptionalField<T> {
  return { kind: 'optional', schema: inner };
}

/** A mapping with exactly the keys of `shape`; unknown keys are errors, so typos do not pass silently. */
export function object<T>(shape: Shape<T>): Schema<T> {
  const fields: Readonly<Record<string, Field>> = shape;
  const known = Object.keys(fields);
  return schema('a mapping', (value, path, issues) => {
    if (!isRecord(value)) {
      issues.push({ path, message: `must be a mapping, got ${describe(value)}` });
      return;
    }
    for (const [key, field] of Object.entries(fields)) {
      const present = Object.hasOwn(value, key);
      if (field.kind === 'optional') {
        if (present) field.schema.check(value[key], [...path, key], issues);
      } else if (!present) {
        issues.push({ path: [...path, key], message: `required key '${key}' is missing` });
      } else {
        field.check(value[key], [...path, key], issues);
      }
    }
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) {
        issues.push({ path: [...path, key], message: `unknown key '${key}'${suggest(key, known)}` });
      }
    }
  });
}

/** A mapping from keys matching `key` to values matching `value`. */
export function record<V>(key: Schema<string>, value: Schema<V>): Schema<{ readonly [key: string]: V }> {
  return schema('a mapping', (input, path, issues) => {
    if (!isRecord(input)) {
      issues.push({ path, message: `must be a mapping, got ${describe(input)}` });
      return;
    }
    for (const [k, v] of Object.entries(input)) {
      const keyIssues: SchemaIssue[] = [];
      key.check(k, [...path, k], keyIssues);
      for (const issue of keyIssues) issues.push({ path: issue.path, message: `key ${issue.message}` });
      value.check(v, [...path, k], issues);
    }
  });
}

/** True when `value` matches `schema`; every violation is appended to `issues`. */
export function conforms<T>(target: Schema<T>, value: unknown, issues: SchemaIssue[]): value is T {
  const before = issues.length;
  target.check(value, [], issues);
  return issues.length === before;
}
