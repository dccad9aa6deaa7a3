/**
 * A parsed YAML file that can say on which line any path of its data sits, so that
 * every policy problem points at a line the author can open.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import type { Path } from './path.js';

/** A YAML syntax problem with its 1-based line. */
export interface YamlSyntaxProblem {
  readonly line: number;
  readonly message: string;
}

/** A parsed YAML file. */
export interface YamlSource {
  /** The data, as plain JavaScript values (undefined when the file has syntax errors). */
  readonly value: unknown;
  readonly syntaxProblems: readonly YamlSyntaxProblem[];
  /**
   * The 1-based line of `path`: the line of its key for a mapping entry, of the item
   * for a list element. When the path does not exist (a missing key), the line of
   * the deepest part that does: the parent.
   */
  lineOf(path: Path): number;
}

function startOf(node: unknown): number | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return node.range?.[0];
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** Parses `text` as one YAML document, keeping positions for `lineOf`. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  // uniqueKeys: a key written twice would silently keep the last value; make it an error.
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  const syntaxProblems = doc.errors.map((error) => ({
    line: lineAt(error.pos[0]) ?? 1,
    message: `YAML: ${error.message.split('\n')[0] ?? error.code}`,
  }));

  const lineOf = (path: Path): number => {
    let node: unknown = doc.contents;
    let line = lineAt(startOf(node)) ?? 1;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(segment));
        if (pair === undefined) break;
        line = lineAt(startOf(pair.key)) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        line = lineAt(startOf(item)) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };

  let value: unknown;
  if (syntaxProblems.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // Raised for alias bombs ("billion laughs"): too many aliases to expand.
      syntaxProblems.push({ line: 1, message: `YAML: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { value, syntaxProblems, lineOf };
}
