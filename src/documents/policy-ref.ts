import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DEFAULTS } from '../config.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { findVersion, readVersion } from './versions.js';

/** The policy file to use: the flag, then REMPART_POLICY, then the default (as src/config.ts resolves it, without a store). */
export function resolvePolicyFile(flag: string | undefined): string {
  const explicit = flag?.trim() || process.env.REMPART_POLICY?.trim();
  if (explicit) return explicit;
  return existsSync(DEFAULTS.policyFile) ? DEFAULTS.policyFile : DEFAULT_POLICY_FILE;
}

/** The text a loaded policy was read from (to record it as a version). */
export async function policyText(policy: LoadedPolicy): Promise<string> {
  return readFile(policy.file, 'utf8');
}

/**
 * A policy named by a file path or, when no such file exists, by a stored version's hash
 * prefix in `versionsDir`.
 */
export async function loadPolicyRef(ref: string, versionsDirectory: string): Promise<LoadedPolicy> {
  if (existsSync(ref)) return loadPolicy(ref);
  return readVersion(await findVersion(versionsDirectory, ref));
}
