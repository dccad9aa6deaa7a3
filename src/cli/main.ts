import { Command, CommanderError } from 'commander';
import { formatProblems } from '../config.js';
import { isRempartError } from '../errors.js';
import { withStoreOptions } from './store-options.js';
import { demoSeedCommand } from './demo-seed.js';
import { registerDedupeCommand } from './dedupe.js';
import { registerProspectsDedupeCommand } from './dedupe-base.js';
import { migrateCommand } from './migrate.js';
import { policyCheckCommand } from './policy-check.js';
import { registerAuditCommands } from './audit.js';
import { registerBackupCommands } from './backup.js';
import { registerCampaignCommands } from './campaigns.js';
import { registerLogsCommands } from './logs.js';
import { registerImportCommands } from './import.js';
import { registerOppositionCommands } from './opposition.js';
import { registerNoticeCommands } from './notice.js';
import { registerRecordCommands } from './record.js';
import { registerRegisterCommands } from './register.js';
import { registerRequestCommands } from './requests.js';
import { registerRetentionCommands } from './retention.js';
import { registerSubjectExportCommand } from './subject-export.js';
import { registerSubjectCommands } from './subject.js';
import { registerTokenCommands } from './tokens.js';
import { registerUserCommands } from './users.js';
import { registerPartnerCommands } from './partners.js';
import { registerConsentCommands } from './consent.js';
import { registerTransferCommands } from './transfer.js';
import { serveCommand } from './serve.js';
import { registerEngagementCommands } from './engagement.js';

/** Builds the command tree; each action returns its exit code. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('rempart')
    .description('Rempart: the client-data platform with the GDPR built in')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError()
    .exitOverride();

  withStoreOptions(
    program
      .command('serve')
      .description('run the HTTP server (API, OpenAPI document and web app)')
      .option('--port <port>', 'port to listen on (env PORT, default 8080; 0 picks a free one)')
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--demo', 'seed French demo data when the database holds no people yet, and one demo account per role')
      .option('--daily-hour <hour>', 'hour (Europe/Paris) of the daily jobs: log purge, session clean-up (env REMPART_DAILY_HOUR, default 3)')
      .option('--public-url <url>', 'the server as people reach it, base of every mailed link (env REMPART_PUBLIC_URL, default http://HOST:PORT)')
      .option('--trust-proxy <proxies>', 'reverse proxies whose X-Forwarded-For/-Proto are believed: addresses or CIDR ranges, or a hop count (env REMPART_TRUST_PROXY, default none)'),
  ).action(async (opts) => setExit(await serveCommand(opts)));

  withStoreOptions(program.command('migrate').description('create the database if needed and apply pending migrations')).action(
    async (opts) => setExit(await migrateCommand(opts)),
  );

  const policy = program.command('policy').description('the policy file: purposes, bases, recipients, retention, locations');
  policy
    .command('check')
    .description('validate a policy file and print every problem (exit 1 on any)')
    .argument('[file]', 'policy file (default: --policy, REMPART_POLICY or policies/certilience.yaml)')
    .action(async (file: string | undefined) => setExit(await policyCheckCommand(file)));

  const demo = program.command('demo').description('demonstration data');
  withStoreOptions(
    demo
      .command('seed')
      .description('add deterministic French synthetic data (on a data dir or database no server holds)')
      .option('--people <n>', 'number of people', '500')
      .option('--seed <s>', 'random seed (same seed, same data)', '42'),
  ).action(async (opts) => setExit(await demoSeedCommand(opts)));

  registerRecordCommands(program, setExit);
  registerImportCommands(program, setExit);
  registerOppositionCommands(program, setExit);
  registerUserCommands(program, setExit);
  registerTokenCommands(program, setExit);
  registerLogsCommands(program, setExit);
  registerRetentionCommands(program, setExit);
  registerAuditCommands(program, setExit);
  registerRequestCommands(program, setExit);
  registerCampaignCommands(program, setExit);
  registerPartnerCommands(program, setExit);
  registerTransferCommands(program, setExit);
  registerConsentCommands(program, setExit);
  registerNoticeCommands(program, setExit);
  registerRegisterCommands(program, setExit);
  registerBackupCommands(program, setExit);
  registerDedupeCommand(program, setExit);
  registerProspectsDedupeCommand(program, setExit);
  registerEngagementCommands(program, setExit);
  const subject = program.command('subject').description("a person's rights: export, erase, restrict, object, scan (GDPR Art. 15–21)");
  registerSubjectExportCommand(subject, setExit);
  registerSubjectCommands(subject, setExit);

  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isRempartError(e)) {
      console.error(`rempart: ${formatProblems(e)}`);
      return 1;
    }
    throw e;
  }
}
