/**
 * `rempart notice`: the notice given to clients (D2), its versions and what changed
 * between two of them (D3). Needs no database: only the policy (and the folder of
 * version snapshots for old versions).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { DEFAULTS } from '../config.js';
import {
  diffPolicies,
  listVersions,
  loadPolicyRef,
  noticeGaps,
  NOTICE_FORMATS,
  readVersion,
  findVersion,
  recordVersion,
  renderNotice,
  resolvePolicyFile,
  versionsDir,
  type Lang,
  type NoticeFormat,
} from '../documents/index.js';
import { policyText } from '../documents/policy-ref.js';
import { RempartError } from '../errors.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';

/** Where version snapshots are: --data-dir, then REMPART_DATA_DIR, then ./data. */
function snapshotsDir(dataDir: string | undefined): string {
  return versionsDir(dataDir?.trim() || process.env.REMPART_DATA_DIR?.trim() || DEFAULTS.dataDir);
}

/**
 * Writes a document: to `out` when given, else to standard output. Binary (PDF) goes to
 * standard output only when it is not a terminal.
 */
export async function emit(content: string | Buffer, out: string | undefined): Promise<void> {
  if (out !== undefined) {
    await writeFile(out, content);
    return;
  }
  if (Buffer.isBuffer(content) && process.stdout.isTTY === true) {
    throw new RempartError('VALIDATION_FAILED', 'a PDF is binary: give --out FILE, or redirect standard output to a file');
  }
  process.stdout.write(content);
}

const langOption = (): Option => new Option('--lang <lang>', 'language of the document').choices(['fr', 'en']).default('fr');
const dataDirOption = (): Option => new Option('--data-dir <dir>', 'folder holding policy-versions/ (env REMPART_DATA_DIR, default ./data)');
const policyOption = (): Option => new Option('--policy <file>', 'policy file (env REMPART_POLICY, default policies/certilience.yaml)');

interface NoticeFlags {
  readonly lang: Lang;
  readonly format: NoticeFormat;
  readonly policy?: string;
  readonly out?: string;
  readonly at?: string;
  readonly dataDir?: string;
}

async function currentOrStored(flags: { readonly policy?: string; readonly at?: string; readonly dataDir?: string }): Promise<LoadedPolicy> {
  if (flags.at !== undefined) return readVersion(await findVersion(snapshotsDir(flags.dataDir), flags.at));
  return loadPolicy(resolvePolicyFile(flags.policy));
}

/** Registers `rempart notice`, `notice diff`, `notice publish` and `notice versions`. */
export function registerNoticeCommands(program: Command, setExit: (code: number) => void): void {
  // The subcommands read --lang, --policy and --data-dir from here: commander gives an
  // option to the parent that declares it, even when written after the subcommand.
  const notice = program
    .command('notice')
    .description("print the notice given to clients (GDPR Art. 13), generated from the policy; no database needed")
    .addOption(langOption())
    .addOption(new Option('--format <format>', 'output format').choices([...NOTICE_FORMATS]).default('md'))
    .addOption(policyOption())
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--at <version>', 'an older stored version (hash prefix, see `rempart notice versions`)')
    .addOption(dataDirOption())
    .action(async (flags: NoticeFlags) => {
      const policy = await currentOrStored(flags);
      // On standard error, so that the notice on standard output stays clean.
      for (const gap of noticeGaps(policy)) console.error(`rempart: warning: the policy leaves ${gap} empty; the notice cannot give it`);
      await emit(await renderNotice(policy, { lang: flags.lang, format: flags.format }), flags.out);
      setExit(0);
    });

  notice
    .command('diff')
    .description('say in words what changed in the notice and the register between two versions (files or stored hash prefixes; takes --lang and --data-dir)')
    .argument('<from>', 'older version: a policy file or a stored version hash prefix')
    .argument('<to>', 'newer version: a policy file or a stored version hash prefix')
    .action(async (from: string, to: string, _opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ readonly lang: Lang; readonly dataDir?: string }>();
      const dir = snapshotsDir(flags.dataDir);
      const [a, b] = [await loadPolicyRef(from, dir), await loadPolicyRef(to, dir)];
      const head = flags.lang === 'fr' ? `Modifications de la version ${a.version.shortHash} à la version ${b.version.shortHash} :` : `Changes from version ${a.version.shortHash} to version ${b.version.shortHash}:`;
      process.stdout.write(`${head}\n${diffPolicies(a, b, flags.lang).map((l) => `- ${l}\n`).join('')}`);
      setExit(0);
    });

  notice
    .command('publish')
    .description('store the current policy (--policy) as a version under --data-dir, so that its notice stays readable later (D3)')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ readonly policy?: string; readonly dataDir?: string }>();
      const policy = await loadPolicy(resolvePolicyFile(flags.policy));
      const { version, created } = await recordVersion(snapshotsDir(flags.dataDir), policy, await policyText(policy));
      console.log(`${created ? 'stored' : 'already stored'}: version ${version.shortHash} of ${version.effectiveDate} (${version.file})`);
      setExit(0);
    });

  notice
    .command('versions')
    .description('list the stored versions of the notice and the register (under --data-dir)')
    .action(async (_opts: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<{ readonly dataDir?: string }>();
      const versions = await listVersions(snapshotsDir(flags.dataDir));
      if (versions.length === 0) console.log('no stored version (run `rempart notice publish`)');
      for (const v of versions) console.log(`${v.shortHash}  ${v.effectiveDate}  ${v.hash}`);
      setExit(0);
    });
}
