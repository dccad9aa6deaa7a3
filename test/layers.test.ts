import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS, layerOf, mayImport } from '../layers.config.js';
import { importCycles, importEdges, sourceFiles, type ImportEdge } from './import-graph.js';

/**
 * Issue 18 item 3: the code's layers can be drawn without a cycle. The graph is computed from the sources
 * (static imports, re-exports, literal dynamic imports and `import('…')` types; type-only imports count, since
 * they are dependencies of the design even when erased) and checked against layers.config.js, the table that
 * docs/ARCHITECTURE.md copies and eslint.config.js applies.
 */
const ROOT = process.cwd();
const isTest = (file: string): boolean => /\.test\.tsx?$/.test(file);

/** The imports of non-test sources that break the table, as `from:line -> to (from-layer -> to-layer)`. */
function layerViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const e of edges) {
    if (isTest(e.from)) continue;
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === undefined) continue; // outside src/ and web/: test support, benchmarks, e2e
    if (to === undefined || !mayImport(from, to)) {
      problems.push(`${e.from}:${e.line} -> ${e.to} (${from.name} -> ${to?.name ?? 'outside src/ and web/'})`);
    }
  }
  return problems;
}

const edge = (from: string, to: string): ImportEdge => ({ from, to, typeOnly: false, line: 1 });

describe('issue 18 item 3: a clean dependency graph', () => {
  const files = sourceFiles(ROOT, ['src', 'web', 'test']);
  const edges = importEdges(ROOT, files);

  it('issue 18 finds the imports it checks', () => {
    // A broken resolver would find nothing and pass everything: the graph must look like the code.
    expect(files.length).toBeGreaterThan(300);
    expect(edges.length).toBeGreaterThan(1000);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/app.ts', to: 'src/access/runtime.ts' }));
  });

  it('issue 18 has no import cycle in src/, web/ or test/, type-only imports included', () => {
    expect(importCycles(edges.filter((e) => !isTest(e.from)))).toEqual([]);
  });

  it('issue 18 places every source file of src/ and web/ in a layer (tests need none)', () => {
    expect(files.filter((f) => !f.startsWith('test/') && !isTest(f) && layerOf(f) === undefined)).toEqual([]);
  });

  it('issue 18 imports downward only, and never test support from src/ or web/', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('issue 18 the checks fail on an upward import, an import of test support and a cycle', () => {
    expect(layerViolations([edge('src/db/database.ts', 'src/rights/requests/index.ts')])).toHaveLength(1);
    expect(layerViolations([edge('src/consent/events.ts', 'src/rights/portal/space.ts')])).toHaveLength(1);
    expect(layerViolations([edge('src/mail/mailer.ts', 'test/smtp-capture.ts')])).toHaveLength(1);
    expect(layerViolations([edge('web/portal/api.ts', 'web/src/api.ts')])).toHaveLength(1);
    expect(layerViolations([edge('src/rights/portal/routes.ts', 'src/rights/portal/tables.ts')])).toEqual([]);
    expect(layerViolations([edge('src/rights/opposition/objection.test.ts', 'test/cli.ts')])).toEqual([]);
    expect(importCycles([edge('src/a.ts', 'src/b.ts'), edge('src/b.ts', 'src/c.ts'), edge('src/c.ts', 'src/a.ts')])).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
  });

  it('issue 18 docs/ARCHITECTURE.md lists the same layers, in the same order, with the same files', () => {
    const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Layers\n'), doc.indexOf('\n## ', doc.indexOf('## Layers\n') + 1));
    const rows = section.split('\n').filter((line) => /^\| `[a-z0-9-]+` \|/.test(line));
    const documented = rows.map((row) => {
      const cells = row.split(' | ');
      const names = [...(cells[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      return { name: /`([^`]+)`/.exec(cells[0] ?? '')?.[1], files: names };
    });
    expect(documented).toEqual(LAYERS.map((l) => ({ name: l.name, files: [...l.paths.filter((p) => !(l.except ?? []).includes(p)), ...(l.except ?? [])] })));
  });
});
