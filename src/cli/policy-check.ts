import { readFile } from 'node:fs/promises';
import { DEFAULTS } from '../config.js';
import { analysePolicy } from '../policy/index.js';
import { archiveKeepsIssues } from '../retention/archive-keeps.js';

/**
 * `rempart policy check [FILE]`: prints every problem with its line and path, exit 1 on any;
 * a sound policy's warnings (empty contacts) go to standard error and still exit 0.
 */
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
  const { problems, warnings } = analysePolicy(text, target, [archiveKeepsIssues]);
  if (problems.length === 0) {
    for (const w of warnings) console.error(`${w.file}:${w.line}: warning: ${w.path}: ${w.message}`);
    console.log(`${target}: ok${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})` : ''}`);
    return 0;
  }
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  console.error(`${target}: ${problems.length} problem(s)`);
  return 1;
}
