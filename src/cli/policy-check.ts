import { readFile } from 'node:fs/promises';
import { DEFAULTS } from '../config.js';
import { checkPolicy } from '../policy/index.js';
import { archiveKeepsIssues } from '../retention/archive-keeps.js';

/** `rempart policy check [FILE]`: prints every problem with its line and path; exit 1 on any. */
export async function policyCheckCommand(file: string | undefined): Promise<number> {
  const target = file ?? process.env.REMPART_POLICY ?? DEFAULTS.policyFile;
  let text: string;
  try {
    text = await readFile(target, 'utf8');
  } catch (e) {
    console.error(`${target}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    return 1;
  }
  // The archive's kept columns must name catalogue columns (P4.5): the sweep refuses the policy otherwise.
  const problems = checkPolicy(text, target, [archiveKeepsIssues]);
  if (problems.length === 0) {
    console.log(`${target}: ok`);
    return 0;
  }
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  console.error(`${target}: ${problems.length} problem(s)`);
  return 1;
}
