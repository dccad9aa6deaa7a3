import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import type { GateSession } from '../access/gate.js';
import { createAccessRuntime } from '../access/runtime.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { loadMappingFile } from '../prospecting/import/index.js';
import {
  certificatePublicKeyPem,
  closeEngagement,
  correctTrainee,
  createEngagement,
  credentialsOf,
  deleteTrainee,
  engagementFor,
  engagementReport,
  exportTrainee,
  importTrainees,
  listEngagements,
  reportCsv,
  verifyCertificate,
  authorise,
  type EndChoice,
  type TrainingDeps,
} from '../training/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type Flags = StoreFlags & { as?: string; scope?: string };

/** Runs `fn` through the gate as the local operator (or `--as ROLE [--scope ORG]`), every access audited. */
async function withTraining<T>(flags: Flags, command: string, fn: (deps: TrainingDeps, session: GateSession) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(flags, command);
  try {
    const policy = await loadPolicy(config.policyFile);
    if (flags.as !== undefined && !policy.roles.some((r) => r.id === flags.as)) {
      throw new RempartError('VALIDATION_FAILED', `Unknown role "${flags.as}".`, { details: [{ field: '--as', message: 'is not a role of the policy' }] });
    }
    const access = createAccessRuntime({ db: store.db, policy, now: () => new Date(), chainer: false });
    try {
      const deps: TrainingDeps = { db: store.db, now: () => new Date(), serverKey: loadOrCreateServerKey(config.dataDir), publicUrl: config.publicUrl };
      return await fn(deps, access.gate.for(cliActor(flags.as ?? null, flags.scope ?? null)));
    } finally {
      await access.close();
    }
  } finally {
    await store.close();
  }
}

function withRole(cmd: Command): Command {
  return withStoreOptions(cmd)
    .option('--as <role>', 'act as this role of the policy instead of the operator (audited either way)')
    .option('--scope <organisationId>', "with --as: the organisation the role is bound to (the client's contact)");
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

/**
 * `rempart engagement …` (training as a processor, issue 19) and `rempart certificate
 * verify|key`. The same commands as the API's, never through HTTP.
 */
export function registerEngagementCommands(program: Command, setExit: (code: number) => void): void {
  const engagement = program.command('engagement').description("training engagements run as the client's processor (GDPR Art. 28)");

  withRole(
    engagement
      .command('create')
      .description('create an engagement for a client organisation; prints its id on the last line')
      .requiredOption('--client <organisationId>', 'the client organisation (from the CRM)')
      .requiredOption('--name <name>', 'the name of the engagement')
      .requiredOption('--starts <date>', 'first day (2027-01-31)')
      .requiredOption('--ends <date>', 'last day (2027-06-30)')
      .option('--contract <contractId>', 'the contract of the CRM it runs under')
      .option('--instructions-file <file>', "the client's documented instructions (text), version 1")
      .option('--end-choice <choice>', 'return_then_destroy (default) or destroy')
      .option('--platforms <list>', 'comma-separated: phishing,elearning (default both)')
      .option('--sub-processors-file <file>', 'JSON array of {name, country, service}'),
  ).action(async (opts: Flags & { client: string; name: string; starts: string; ends: string; contract?: string; instructionsFile?: string; endChoice?: string; platforms?: string; subProcessorsFile?: string }) => {
    const instructions = opts.instructionsFile === undefined ? undefined : await readFile(opts.instructionsFile, 'utf8');
    const subProcessors = opts.subProcessorsFile === undefined ? undefined : (JSON.parse(await readFile(opts.subProcessorsFile, 'utf8')) as never);
    const view = await withTraining(opts, 'rempart engagement create', (deps, s) =>
      createEngagement(deps, s, {
        clientOrganisationId: opts.client,
        name: opts.name,
        startsOn: opts.starts,
        endsOn: opts.ends,
        ...(opts.contract ? { contractId: opts.contract } : {}),
        ...(instructions !== undefined ? { instructions } : {}),
        ...(opts.endChoice ? { endChoice: opts.endChoice as EndChoice } : {}),
        ...(opts.platforms ? { platforms: opts.platforms.split(',').map((p) => p.trim()) as never } : {}),
        ...(subProcessors ? { subProcessors } : {}),
      }),
    );
    console.log(`engagement "${view.name}" created for organisation ${view.clientOrganisationId}, ${view.startsOn} to ${view.endsOn}, end choice ${view.endChoice}:`);
    console.log(view.id);
    setExit(0);
  });

  withRole(engagement.command('list').description('the engagements').option('--json', 'as JSON')).action(async (opts: Flags & { json?: boolean }) => {
    const list = await withTraining(opts, 'rempart engagement list', (deps, s) => listEngagements(deps, s));
    if (opts.json) print(list);
    else for (const e of list) console.log(`${e.id}  ${e.status.padEnd(6)}  ${e.startsOn}..${e.endsOn}  ${e.name}`);
    setExit(0);
  });

  const trainees = engagement.command('trainees').description("the client's employees of an engagement");
  withRole(
    trainees
      .command('import')
      .description('import trainees from a CSV or XLSX file (columns as the prospecting import maps them, plus department)')
      .argument('<id>', 'engagement id')
      .argument('<file>', 'CSV or XLSX file')
      .option('--mapping <file>', 'column mapping file (JSON or YAML), as the prospecting import takes')
      .option('--json', 'print the report as JSON'),
  ).action(async (id: string, file: string, opts: Flags & { mapping?: string; json?: boolean }) => {
    const mapping = opts.mapping ? await loadMappingFile(opts.mapping) : undefined;
    const report = await withTraining(opts, 'rempart engagement trainees import', (deps, s) => importTrainees(deps, s, id, resolve(file), mapping ? { mapping } : {}));
    if (opts.json) print(report);
    else console.log(`${report.imported} trainees imported (${report.created} new, ${report.merged} updated), ${report.rejected.length} rows rejected`);
    setExit(report.rejected.length > 0 && report.imported === 0 ? 1 : 0);
  });

  const trainee = engagement.command('trainee').description("one trainee, on the client's instruction (its employees' rights)");
  withRole(trainee.command('export').argument('<id>', 'engagement id').argument('<traineeId>', 'trainee id')).action(async (id: string, traineeId: string, opts: Flags) => {
    print(await withTraining(opts, 'rempart engagement trainee export', (deps, s) => exportTrainee(deps, s, id, traineeId)));
    setExit(0);
  });
  withRole(trainee.command('correct').argument('<id>', 'engagement id').argument('<traineeId>', 'trainee id').requiredOption('--data <json>', 'fields to correct, as JSON')).action(
    async (id: string, traineeId: string, opts: Flags & { data: string }) => {
      let patch: unknown;
      try {
        patch = JSON.parse(opts.data);
      } catch {
        throw new RempartError('MALFORMED_REQUEST', '--data is not valid JSON.', { details: [{ field: '--data', message: 'is not valid JSON' }] });
      }
      print(await withTraining(opts, 'rempart engagement trainee correct', (deps, s) => correctTrainee(deps, s, id, traineeId, patch as never)));
      setExit(0);
    },
  );
  withRole(trainee.command('delete').argument('<id>', 'engagement id').argument('<traineeId>', 'trainee id')).action(async (id: string, traineeId: string, opts: Flags) => {
    await withTraining(opts, 'rempart engagement trainee delete', (deps, s) => deleteTrainee(deps, s, id, traineeId));
    console.log(`trainee ${traineeId} deleted`);
    setExit(0);
  });

  withRole(engagement.command('credentials').description("the platforms' credentials (xAPI LRS, Gophish webhook), as JSON").argument('<id>', 'engagement id')).action(async (id: string, opts: Flags) => {
    const creds = await withTraining(opts, 'rempart engagement credentials', async (deps, s) => {
      await authorise(s, 'update');
      return credentialsOf(deps, (await engagementFor(s, deps.db, id)).id);
    });
    console.log(JSON.stringify(creds));
    setExit(0);
  });

  withRole(engagement.command('report').description('the report per campaign, department and course').argument('<id>', 'engagement id').option('--format <format>', 'json (default) or csv', 'json')).action(
    async (id: string, opts: Flags & { format: string }) => {
      if (opts.format !== 'json' && opts.format !== 'csv') throw new RempartError('VALIDATION_FAILED', '--format must be json or csv.', { details: [{ field: '--format', message: 'json or csv' }] });
      const report = await withTraining(opts, 'rempart engagement report', (deps, s) => engagementReport(deps, s, id));
      if (opts.format === 'csv') process.stdout.write(reportCsv(report));
      else print(report);
      setExit(0);
    },
  );

  withRole(
    engagement
      .command('close')
      .description('end the service: write the restitution package, destroy every row, sign the destruction certificate; prints its path last')
      .argument('<id>', 'engagement id')
      .requiredOption('--out <file.zip>', 'where to write the package')
      .option('--upload <url>', "also upload the package to the client's URL (https) before anything is destroyed")
      .option('--upload-method <method>', 'PUT (default) or POST'),
  ).action(async (id: string, opts: Flags & { out: string; upload?: string; uploadMethod?: string }) => {
    if (opts.uploadMethod !== undefined && opts.uploadMethod !== 'PUT' && opts.uploadMethod !== 'POST') {
      throw new RempartError('VALIDATION_FAILED', '--upload-method must be PUT or POST.', { details: [{ field: '--upload-method', message: 'PUT or POST' }] });
    }
    const upload = opts.upload === undefined ? {} : { upload: { url: opts.upload, ...(opts.uploadMethod ? { method: opts.uploadMethod as 'PUT' | 'POST' } : {}) } };
    const out = await withTraining(opts, 'rempart engagement close', (deps, s) => closeEngagement(deps, s, id, { out: resolve(opts.out), ...upload }));
    const c = out.certificate.certificate;
    console.log(out.performed ? `package ${out.packagePath} (sha256 ${out.packageSha256})` : `already closed; package was ${out.packagePath}`);
    if (c.delivery?.method === 'upload') console.log(`uploaded to ${c.delivery.to ?? ''} at ${c.delivery.at ?? ''}`);
    console.log(`destroyed: ${Object.entries(c.destroyed).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    console.log(out.certificatePath);
    setExit(0);
  });

  const certificate = program.command('certificate').description('destruction certificates of training engagements');
  certificate
    .command('verify')
    .description('check a destruction certificate offline; exit 0 when valid, 1 with the reason otherwise')
    .argument('<file>', 'certificate file (.certificate.json)')
    .option('--key <pem>', "the server's published key (PEM file) to pin")
    .action(async (file: string, opts: { key?: string }) => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        console.error(`rempart: certificate ${file} cannot be read`);
        return setExit(1);
      }
      const outcome = verifyCertificate(text, opts.key === undefined ? undefined : await readFile(opts.key, 'utf8'));
      if (outcome.ok) {
        console.log(`valid: engagement ${outcome.certificate.engagementId}, destroyed ${outcome.certificate.destroyedAt}, package sha256 ${outcome.certificate.package.sha256}`);
        setExit(0);
      } else {
        console.error(`invalid: ${outcome.reason}`);
        setExit(1);
      }
    });
  withStoreOptions(certificate.command('key').description("print the server's certificate-signing public key (PEM)")).action(async (opts: StoreFlags) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart certificate key');
    await store.close();
    process.stdout.write(certificatePublicKeyPem(loadOrCreateServerKey(config.dataDir)));
    setExit(0);
  });
}
