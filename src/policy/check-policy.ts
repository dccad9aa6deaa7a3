/**
 * `rempart policy check`: every problem of a policy file at once, schema first,
 * then the semantic rules, each with its path and line.
 */
import { contactWarnings, semanticIssues } from './checks.js';
import { formatPath, type Issue } from './path.js';
import { policySchema } from './schema.js';
import type { Policy, PolicyProblem } from './types.js';
import { conforms } from './validator.js';
import { parseYamlSource } from './yaml-source.js';

/** The outcome of reading a policy text: its problems, and the policy when there are none. */
export interface PolicyAnalysis {
  readonly problems: readonly PolicyProblem[];
  /** What a sound policy still leaves empty (contacts): said, never refused. Empty while there are problems. */
  readonly warnings: readonly PolicyProblem[];
  readonly policy: Policy | undefined;
}

/**
 * A check another module owns (it knows what the policy names, e.g. the catalogue's tables),
 * run on a schema-valid policy; its issues get lines like the policy's own.
 */
export type ExtraPolicyCheck = (policy: Policy) => readonly Issue[];

/** Parses, validates and checks a policy text; `policy` is set only when `problems` is empty. */
export function analysePolicy(text: string, file: string, extraChecks: readonly ExtraPolicyCheck[] = []): PolicyAnalysis {
  const source = parseYamlSource(text);
  if (source.syntaxProblems.length > 0) {
    return { problems: source.syntaxProblems.map((p) => ({ file, path: '', line: p.line, message: p.message })), warnings: [], policy: undefined };
  }
  const toProblem = (issue: Issue): PolicyProblem => ({
    file,
    path: formatPath(issue.path),
    line: source.lineOf(issue.path),
    message: issue.message,
  });
  const issues: Issue[] = [];
  const value = source.value;
  // Semantic checks need well-typed data, so they run only once the schema holds.
  if (!conforms(policySchema, value, issues)) return { problems: sortProblems(issues.map(toProblem)), warnings: [], policy: undefined };
  const problems = sortProblems([...semanticIssues(value), ...extraChecks.flatMap((check) => check(value))].map(toProblem));
  if (problems.length > 0) return { problems, warnings: [], policy: undefined };
  return { problems, warnings: sortProblems(contactWarnings(value).map(toProblem)), policy: value };
}

function sortProblems(problems: readonly PolicyProblem[]): readonly PolicyProblem[] {
  // Stable: problems on the same line keep the order the checks found them in.
  return [...problems].sort((a, b) => a.line - b.line);
}

/** Every problem of a policy text (YAML syntax, schema, semantic rules), in file order; empty when it is sound. */
export function checkPolicy(text: string, file: string, extraChecks: readonly ExtraPolicyCheck[] = []): readonly PolicyProblem[] {
  return analysePolicy(text, file, extraChecks).problems;
}
