import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import type { Config } from '../config.js';
import type { Store } from '../db/database.js';
import { RempartError } from '../errors.js';
import { createMailer } from '../mail/index.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import {
  createCampaign,
  createSegment,
  getSegment,
  HEADCOUNT_BANDS,
  listSegments,
  parseCriteria,
  previewSelection,
  RELATIONS,
  SEGMENT_KINDS,
  sendArt14Notices,
  sendCampaign,
  type SegmentCriteria,
} from '../prospecting/campaigns/index.js';
import { parseDimensions, prospectingStats, STATS_DIMENSIONS, type StatsReport } from '../prospecting/stats/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** The environment variable holding the public base URL of the server (opt-out and click links). */
export const PUBLIC_URL_ENV = 'REMPART_PUBLIC_URL';

interface CriteriaFlags {
  criteria?: string;
  headcount?: string[];
  sector?: string[];
  region?: string[];
  jobTitle?: string;
  source?: string[];
  lastContactBefore?: string;
  lastContactAfter?: string;
  relation?: string[];
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function withCriteriaOptions(cmd: Command): Command {
  return cmd
    .option('--criteria <json>', 'all criteria as JSON, e.g. {"regions":["Bretagne"],"sources":["Salon"]}')
    .addOption(new Option('--headcount <band>', `organisation headcount band (repeatable): ${Object.keys(HEADCOUNT_BANDS).join(', ')}`).argParser(collect))
    .addOption(new Option('--sector <sector>', 'organisation sector (repeatable)').argParser(collect))
    .addOption(new Option('--region <region>', 'region by INSEE code, ISO code or name (repeatable)').argParser(collect))
    .option('--job-title <text>', 'job title contains (case-insensitive)')
    .addOption(new Option('--source <source>', 'source of the record (repeatable)').argParser(collect))
    .option('--last-contact-before <date>', 'last contact from the person before YYYY-MM-DD')
    .option('--last-contact-after <date>', 'last contact from the person on or after YYYY-MM-DD')
    .addOption(new Option('--relation <relation>', `relation (repeatable): ${RELATIONS.join(', ')}`).argParser(collect));
}

/** The criteria of the flags, checked; --criteria and the single flags merge (flags win). */
function criteriaOf(opts: CriteriaFlags): SegmentCriteria {
  let base: Record<string, unknown> = {};
  if (opts.criteria !== undefined) {
    try {
      base = JSON.parse(opts.criteria) as Record<string, unknown>;
    } catch {
      throw new RempartError('MALFORMED_REQUEST', '--criteria is not valid JSON.', { details: [{ field: '--criteria', message: 'is not valid JSON' }] });
    }
  }
  return parseCriteria({
    ...base,
    ...(opts.headcount ? { headcountBands: opts.headcount } : {}),
    ...(opts.sector ? { sectors: opts.sector } : {}),
    ...(opts.region ? { regions: opts.region } : {}),
    ...(opts.jobTitle ? { jobTitleContains: opts.jobTitle } : {}),
    ...(opts.source ? { sources: opts.source } : {}),
    ...(opts.lastContactBefore ? { lastContactBefore: opts.lastContactBefore } : {}),
    ...(opts.lastContactAfter ? { lastContactAfter: opts.lastContactAfter } : {}),
    ...(opts.relation ? { relations: opts.relation } : {}),
  });
}

async function withStore<T>(opts: StoreFlags, command: string, body: (ctx: { config: Config; store: Store; policy: LoadedPolicy; key: Buffer }) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(opts, command);
  try {
    const policy = await loadPolicy(config.policyFile);
    return await body({ config, store, policy, key: loadOrCreateServerKey(config.dataDir) });
  } finally {
    await store.close();
  }
}

/** Mail sent from the command line has no listening server to default to: the URL must be configured (R-PROS-5). */
function requirePublicUrl(config: Config): string {
  if (config.publicUrlIsDefault) {
    throw new RempartError('VALIDATION_FAILED', `The public URL of the server is needed: every message carries an opt-out link to it (R-PROS-5).`, {
      details: [{ field: `--public-url / ${PUBLIC_URL_ENV}`, message: 'required, e.g. https://crm.example.fr' }],
    });
  }
  return config.publicUrl;
}

function printCount(count: { eligible: number; excluded: Record<string, number> }, json: boolean | undefined): void {
  if (json) {
    console.log(JSON.stringify(count));
    return;
  }
  console.log(`eligible: ${count.eligible}`);
  for (const [reason, n] of Object.entries(count.excluded)) console.log(`excluded (${reason}): ${n}`);
}

function printStats(report: StatsReport): void {
  const dims = report.by;
  console.log([...dims, 'people', 'active', 'deleted', 'solicited', 'clicked'].join('\t'));
  for (const g of report.groups) console.log([...dims.map((d) => g.key[d] ?? ''), g.people, g.active, g.deleted, g.solicited, g.clicked].join('\t'));
  console.log(`k = ${report.k}; suppressed: ${report.suppressed.groups} group(s), ${report.suppressed.people} people; deleted people counted: ${report.deleted.grouped} (+${report.deleted.ungrouped} in no group)`);
}

/**
 * `rempart campaigns segment create|list|preview`, `rempart campaigns create`, `rempart
 * campaigns send ID [--dry-run]`, `rempart campaigns notify-art14` and `rempart stats
 * prospecting [--by …] [--json]`: the same commands the API calls (R-PROS-4 to R-PROS-11).
 * Output holds counts and ids, never a person's data.
 */
export function registerCampaignCommands(program: Command, setExit: (code: number) => void): void {
  const campaigns = program.command('campaigns').description('selections, campaigns and solicitations (prospecting, R-PROS-4 to R-PROS-11)');
  const segment = campaigns.command('segment').description('saved selection criteria');

  withStoreOptions(
    withCriteriaOptions(
      segment
        .command('create')
        .description('save a segment')
        .requiredOption('--name <name>', 'segment name')
        .requiredOption('--kind <kind>', `one of ${SEGMENT_KINDS.join(', ')}`)
        .option('--json', 'print the segment as JSON'),
    ),
  ).action(async (opts: StoreFlags & CriteriaFlags & { name: string; kind: string; json?: boolean }) => {
    const criteria = criteriaOf(opts);
    const seg = await withStore(opts, 'rempart campaigns segment create', ({ store }) => createSegment(store.db, { name: opts.name, kind: opts.kind, criteria }, new Date()));
    console.log(opts.json ? JSON.stringify(seg) : `segment ${seg.id} created`);
    setExit(0);
  });

  withStoreOptions(segment.command('list').description('list saved segments').option('--json', 'print JSON')).action(async (opts: StoreFlags & { json?: boolean }) => {
    const items = await withStore(opts, 'rempart campaigns segment list', ({ store }) => listSegments(store.db));
    if (opts.json) console.log(JSON.stringify(items));
    else for (const s of items) console.log(`${s.id}\t${s.kind}\t${s.name}\t${JSON.stringify(s.criteria)}`);
    setExit(0);
  });

  withStoreOptions(
    withCriteriaOptions(
      segment
        .command('preview')
        .description('count who a saved segment (ID) or the criteria given select today, after every exclusion (R-PROS-4)')
        .argument('[id]', 'a saved segment')
        .option('--at <date>', 'as of this date-time (ISO-8601; default now)')
        .option('--json', 'print JSON'),
    ),
  ).action(async (id: string | undefined, opts: StoreFlags & CriteriaFlags & { at?: string; json?: boolean }) => {
    const now = opts.at ? new Date(opts.at) : new Date();
    if (Number.isNaN(now.getTime())) throw new RempartError('VALIDATION_FAILED', '--at is not a date.', { details: [{ field: '--at', message: 'expected ISO-8601' }] });
    const count = await withStore(opts, 'rempart campaigns segment preview', async ({ store, policy, key }) => {
      const criteria = id === undefined ? criteriaOf(opts) : (await getSegment(store.db, id)).criteria;
      return previewSelection({ db: store.db, policy, key }, criteria, cliActor(), now, id ?? null);
    });
    printCount(count, opts.json);
    setExit(0);
  });

  withStoreOptions(
    campaigns
      .command('create')
      .description('create a campaign (draft) for a saved segment')
      .requiredOption('--name <name>', 'campaign name')
      .requiredOption('--segment <id>', 'the segment')
      .requiredOption('--subject <subject>', 'the subject line')
      .requiredOption('--body-file <file>', 'the body, plain UTF-8 text; {{firstName}} and {{lastName}} are replaced; links are tracked')
      .addOption(new Option('--language <lang>', 'fr or en').choices(['fr', 'en']).default('fr'))
      .option('--track-opens', 'add an open pixel for people who consented to it (R-PROS-10)')
      .option('--json', 'print the campaign as JSON'),
  ).action(async (opts: StoreFlags & { name: string; segment: string; subject: string; bodyFile: string; language: 'fr' | 'en'; trackOpens?: boolean; json?: boolean }) => {
    let body: string;
    try {
      body = readFileSync(opts.bodyFile, 'utf8');
    } catch (e) {
      throw new RempartError('VALIDATION_FAILED', `Cannot read ${opts.bodyFile}.`, { details: [{ field: '--body-file', file: opts.bodyFile, message: 'cannot be read' }], cause: e });
    }
    const c = await withStore(opts, 'rempart campaigns create', ({ store }) =>
      createCampaign(store.db, { name: opts.name, segmentId: opts.segment, subject: opts.subject, body, language: opts.language, trackOpens: opts.trackOpens ?? false }, new Date()),
    );
    console.log(opts.json ? JSON.stringify(c) : `campaign ${c.id} created (${c.links.length} tracked link(s))`);
    setExit(0);
  });

  const mailOptions = (cmd: Command): Command =>
    cmd
      .option('--public-url <url>', `public base URL of the server, for opt-out and click links (env ${PUBLIC_URL_ENV})`)
      .option('--unsubscribe-mailto <address>', 'an address that takes unsubscribe requests by mail (List-Unsubscribe mailto)')
      .option('--from <address>', 'sender address (the name is the controller\'s, from the policy)')
      .option('--json', 'print the report as JSON');

  withStoreOptions(mailOptions(campaigns.command('send').description('send a campaign by email (SMTP_URL, else the outbox folder)').argument('<id>', 'the campaign').option('--dry-run', 'count who would get it; send and log nothing'))).action(
    async (id: string, opts: StoreFlags & { dryRun?: boolean; publicUrl?: string; unsubscribeMailto?: string; from?: string; json?: boolean }) => {
      const report = await withStore(opts, 'rempart campaigns send', async ({ config, store, policy, key }) => {
        // A dry run mails nothing: the default URL is enough for it.
        const publicUrl = opts.dryRun ? config.publicUrl : requirePublicUrl(config);
        const mailer = createMailer({ ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), outboxDir: join(config.dataDir, 'outbox') });
        try {
          return await sendCampaign(
            { db: store.db, policy, key, mailer, publicUrl, optOutMailto: opts.unsubscribeMailto ?? null, ...(opts.from ? { fromAddress: opts.from } : {}) },
            id,
            { actor: cliActor(), now: new Date(), dryRun: opts.dryRun ?? false },
          );
        } finally {
          mailer.close();
        }
      });
      if (opts.json) console.log(JSON.stringify(report));
      else {
        console.log(`${report.dryRun ? 'would send' : 'sent'}: ${report.sent} (with the Art. 14 information: ${report.withArt14}); already sent: ${report.alreadySent}; stopped at send: ${report.stoppedAtSend}; failed: ${report.failed}`);
        for (const [reason, n] of Object.entries(report.excluded)) console.log(`excluded (${reason}): ${n}`);
      }
      setExit(report.failed > 0 ? 1 : 0);
    },
  );

  withStoreOptions(mailOptions(campaigns.command('notify-art14').description('send the GDPR Art. 14 information to imported people not yet informed (R-PROS-11; the daily job does this too)'))).action(
    async (opts: StoreFlags & { publicUrl?: string; unsubscribeMailto?: string; from?: string; json?: boolean }) => {
      const report = await withStore(opts, 'rempart campaigns notify-art14', async ({ config, store, policy, key }) => {
        const publicUrl = requirePublicUrl(config);
        const mailer = createMailer({ ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), outboxDir: join(config.dataDir, 'outbox') });
        try {
          return await sendArt14Notices({ db: store.db, policy, key, mailer, publicUrl, optOutMailto: opts.unsubscribeMailto ?? null, ...(opts.from ? { fromAddress: opts.from } : {}) }, { now: new Date(), actor: cliActor() });
        } finally {
          mailer.close();
        }
      });
      console.log(opts.json ? JSON.stringify(report) : `sent: ${report.sent}; failed: ${report.failed}`);
      setExit(report.failed > 0 ? 1 : 0);
    },
  );

  // Another module may have created `stats` already: add to it rather than clash.
  const stats = program.commands.find((c) => c.name() === 'stats') ?? program.command('stats').description('aggregate statistics, k-anonymous (R-PROS-8)');
  withStoreOptions(
    stats
      .command('prospecting')
      .description('commercial statistics: prospects by source, sector, region and period; groups below k suppressed (R-PROS-8)')
      .option('--by <dims>', `comma-separated: ${STATS_DIMENSIONS.join(', ')}`, 'source,region,quarter')
      .option('--k <n>', 'minimum group size (at least 5; default the policy\'s)')
      .option('--json', 'print JSON'),
  ).action(async (opts: StoreFlags & { by: string; k?: string; json?: boolean }) => {
    const by = parseDimensions(opts.by);
    const k = opts.k === undefined ? undefined : Number(opts.k);
    const report = await withStore(opts, 'rempart stats prospecting', ({ store, policy }) => prospectingStats(store.db, policy, { by, ...(k === undefined ? {} : { k }) }));
    if (opts.json) console.log(JSON.stringify(report));
    else printStats(report);
    setExit(0);
  });
}
