/**
 * Loading the policy at start: validated, checked, hashed and frozen, or refused
 * with every problem at once (config fails fast).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RempartError } from '../errors.js';
import { analysePolicy } from './check-policy.js';
import { deepFreeze } from './deep-freeze.js';
import type { LoadedPolicy, PolicyProblem } from './types.js';

/** The default policy shipped with Rempart: CERTILIENCE's annex (resolves from src/ and dist/ alike). */
export const DEFAULT_POLICY_FILE: string = fileURLToPath(
  new URL('../../policies/certilience.yaml', import.meta.url),
);

function invalid(file: string, problems: readonly PolicyProblem[]): RempartError {
  const first = problems[0];
  const summary = first === undefined ? '' : `; first: line ${first.line}${first.path === '' ? '' : ` ${first.path}`}: ${first.message}`;
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new RempartError('POLICY_INVALID', `policy ${file} is invalid: ${count}${summary}`, {
    details: problems.map((p) => ({ ...(p.path === '' ? {} : { field: p.path }), message: p.message, file: p.file, line: p.line })),
  });
}

/**
 * Parses and checks a policy text; throws POLICY_INVALID listing every problem, or
 * returns the deep-frozen policy with its version hash (sha256 of the UTF-8 text).
 */
export function parsePolicy(text: string, file: string): LoadedPolicy {
  const { problems, policy } = analysePolicy(text, file);
  if (policy === undefined) throw invalid(file, problems);
  // The hash identifies the exact notice a consent or a request was given under (D3).
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  return deepFreeze({ ...policy, version: { ...policy.version, hash, shortHash: hash.slice(0, 12) }, file });
}

/** Reads, parses and checks a policy file; throws POLICY_INVALID when it cannot be read or has problems. */
export async function loadPolicy(file: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new RempartError('POLICY_INVALID', `policy ${file} cannot be read`, {
      details: [{ file, message: cause instanceof Error ? cause.message : String(cause) }],
      cause,
    });
  }
  return parsePolicy(text, file);
}
