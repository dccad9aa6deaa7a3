import { describe, expect, it } from 'vitest';
import { array, boolean, conforms, object, oneOf, optional, record, string, suggest, type SchemaIssue } from './validator.js';

interface Sample {
  readonly name: string;
  readonly kind: 'a' | 'b';
  readonly tags: readonly string[];
  readonly flag?: boolean;
  readonly map: { readonly [key: string]: readonly string[] };
}

const sample = object<Sample>({
  name: string({ nonEmpty: true }),
  kind: oneOf(['a', 'b']),
  tags: array(string(), { unique: true }),
  flag: optional(boolean()),
  map: record(oneOf(['k']), array(string())),
});

function issues(value: unknown): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  conforms(sample, value, out);
  return out;
}

describe('validator', () => {
  it('accepts a valid value', () => {
    expect(issues({ name: 'n', kind: 'a', tags: ['x'], map: { k: [] } })).toEqual([]);
    expect(issues({ name: 'n', kind: 'b', tags: [], flag: false, map: {} })).toEqual([]);
  });

  it('reports every problem with its path', () => {
    expect(issues({ name: ' ', kind: 'c', tags: ['x', 'x', 3], flag: 'no', map: { z: 'v' }, extra: 1 })).toEqual([
      { path: ['name'], message: 'must not be empty' },
      { path: ['kind'], message: 'must be one of: a, b; got "c"' },
      { path: ['tags', 1], message: '"x" is listed twice' },
      { path: ['tags', 2], message: 'must be a string, got number 3' },
      { path: ['flag'], message: 'must be true or false, got "no"' },
      { path: ['map', 'z'], message: 'key must be one of: k; got "z"' },
      { path: ['map', 'z'], message: 'must be a list, got "v"' },
      { path: ['extra'], message: "unknown key 'extra'" },
    ]);
  });

  it('reports missing keys at their own path', () => {
    expect(issues({ kind: 'a', tags: [], map: {} })).toEqual([{ path: ['name'], message: "required key 'name' is missing" }]);
    expect(issues(null)).toEqual([{ path: [], message: 'must be a mapping, got nothing' }]);
  });

  it('suggests the closest name for typos only', () => {
    expect(suggest('retension', ['retention', 'recipients'])).toBe(" (did you mean 'retention'?)");
    expect(suggest('colour', ['retention', 'recipients'])).toBe('');
  });
});
