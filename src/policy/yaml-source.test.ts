import { describe, expect, it } from 'vitest';
import { formatPath } from './path.js';
import { parseYamlSource } from './yaml-source.js';

const TEXT = [
  '# comment', //           1
  'top:', //                2
  '  list:', //             3
  '    - id: a', //         4
  '      tags: [x, y]', //  5
  '    - id: b', //         6
  '      nested:', //       7
  '        deep: 1', //     8
  'other: &ref', //         9
  '  inner: 2', //          10
  'alias: *ref', //         11
].join('\n');

describe('parseYamlSource', () => {
  const source = parseYamlSource(TEXT);

  it('finds the line of keys and list items', () => {
    expect(source.syntaxProblems).toEqual([]);
    expect(source.lineOf([])).toBe(2);
    expect(source.lineOf(['top'])).toBe(2);
    expect(source.lineOf(['top', 'list', 0])).toBe(4);
    expect(source.lineOf(['top', 'list', 0, 'tags', 1])).toBe(5);
    expect(source.lineOf(['top', 'list', 1, 'nested', 'deep'])).toBe(8);
  });

  it('gives the parent line for a missing key or index', () => {
    expect(source.lineOf(['top', 'list', 1, 'missing'])).toBe(6);
    expect(source.lineOf(['top', 'list', 5])).toBe(3);
  });

  it('follows aliases', () => {
    expect(source.lineOf(['alias', 'inner'])).toBe(10);
  });

  it('reports syntax errors with their line and no value', () => {
    const broken = parseYamlSource('a: 1\nb: [unclosed\nc: 2\n');
    expect(broken.value).toBeUndefined();
    expect(broken.syntaxProblems.length).toBeGreaterThan(0);
    expect(broken.syntaxProblems[0]?.message).toMatch(/^YAML: /);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(parseYamlSource(bomb).syntaxProblems[0]?.message).toMatch(/^YAML: /);
  });
});

describe('formatPath', () => {
  it('writes keys with dots and indexes in brackets', () => {
    expect(formatPath(['purposes', 2, 'retention'])).toBe('purposes[2].retention');
    expect(formatPath([])).toBe('');
    expect(formatPath(['mandatory', 'odd key'])).toBe('mandatory["odd key"]');
  });
});
