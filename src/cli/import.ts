import { basename } from 'node:path';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { createAccessRuntime } from '../access/runtime.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { createImportJob, importProspects, loadMappingFile, runImportJob, type ImportProgress, type ImportReport } from '../prospecting/import/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';
import { LANGUAGES, translator, type Language } from '../i18n/index.js';

type ImportFlags = StoreFlags & { lang?: string; source?: string; mapping?: string; dryRun?: boolean; json?: boolean; collectedAt?: string; batchSize?: string; as?: string };

/** A progress bar on stderr, redrawn in place; only on a terminal. */
function progressBar(): ((p: ImportProgress) => void) & { done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  const draw = (p: ImportProgress) => {
    if (!tty) return;
    const t = Date.now();
    if (t - last < 100 && p.rowsDone !== p.rowsTotal) return;
    last = t;
    if (p.phase === 'scan' || p.rowsTotal === null || p.rowsTotal === 0) {
      process.stderr.write(`\r${p.phase === 'scan' ? 'checking' : 'importing'} ${p.rowsDone} rows`);
      return;
    }
    const width = 30;
    const filled = Math.round((p.rowsDone / p.rowsTotal) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor((p.rowsDone / p.rowsTotal) * 100)}% ${p.rowsDone}/${p.rowsTotal} rows`);
  };
  return Object.assign(draw, {
    done() {
      if (tty) process.stderr.write('\n');
    },
  });
}

function printReport(r: ImportReport): void {
  console.log(`${r.dryRun ? 'dry run (nothing written): ' : ''}${r.rows} rows read (${r.encoding}${r.delimiter ? `, separator ${JSON.stringify(r.delimiter)}` : ''})`);
  console.log(`  imported   ${r.imported} (${r.created} new, ${r.merged} merged into existing records)`);
  console.log(`  rejected   ${r.rejected.length}`);
  if (r.blankRows > 0) console.log(`  blank      ${r.blankRows} (skipped)`);
  if (r.flaggedOpposed > 0) console.log(`  opposed    ${r.flaggedOpposed} on the opposition list: imported flagged as objecting to prospecting, never selected or contacted`);
  if (r.consentsRecorded > 0) console.log(`  consents   ${r.consentsRecorded} opt-in(s) to email prospecting recorded from the file, with their proof (R-PROS-6)`);
  if (r.queuedForReview > 0) console.log(`  review     ${r.queuedForReview} uncertain pair(s) queued (GET /api/v1/dedupe/review)`);
  if (r.organisationsCreated > 0) console.log(`  companies  ${r.organisationsCreated} new`);
  for (const w of r.warnings) console.log(`  ${w.row !== undefined ? `row ${w.row} (line ${w.line}) ` : ''}warning: ${w.field}: ${w.reason}`);
}

/**
 * `rempart import prospects FILE [--source NAME] [--mapping FILE] [--dry-run] [--json]`:
 * imports a prospect file (P1.4, R-PROS-1, R-PROS-9). `--json` prints
 * `{"imported","merged","rejected":[{"row","line","field","reason"}], …}`.
 */
export function registerImportCommands(program: Command, setExit: (code: number) => void): void {
  const imp = program.command('import').description('import files into the base');
  withStoreOptions(
    imp
      .command('prospects')
      .description('import prospects from a CSV (UTF-8 or Windows-1252; , ; or tab) or XLSX file: normalised, merged, checked against the opposition list')
      .argument('<file>', 'the CSV or XLSX file')
      .option('--source <name>', 'where the data comes from (R-PROS-9; default: the file name)')
      .option('--mapping <file>', 'JSON or YAML mapping of column headers to fields')
      .option('--collected-at <date>', 'when the data was collected (YYYY-MM-DD; default: now)')
      .option('--dry-run', 'report what would happen and write nothing')
      .option('--json', 'print the report as JSON')
      .option('--lang <fr|en>', 'the language of the reasons in the report', 'en')
      .option('--batch-size <n>', 'rows per transaction', '1000')
      .option('--as <role>', 'act as this role of the policy instead of the operator (audited either way)'),
  ).action(async (file: string, opts: ImportFlags) => {
    const lang = opts.lang ?? 'en';
    if (!(LANGUAGES as readonly string[]).includes(lang)) throw new RempartError('VALIDATION_FAILED', '--lang must be fr or en.', { details: [{ field: '--lang', message: 'expected fr or en' }] });
    const t = await translator(lang as Language);
    const batchSize = Number(opts.batchSize ?? '1000');
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
      throw new RempartError('VALIDATION_FAILED', '--batch-size must be a whole number from 1 to 100000.', { details: [{ field: '--batch-size', message: 'out of range' }] });
    }
    let collectedAt: Date | undefined;
    if (opts.collectedAt !== undefined) {
      collectedAt = new Date(/^\d{4}-\d{2}-\d{2}$/.test(opts.collectedAt) ? `${opts.collectedAt}T00:00:00Z` : opts.collectedAt);
      if (Number.isNaN(collectedAt.getTime())) throw new RempartError('VALIDATION_FAILED', '--collected-at is not a date.', { details: [{ field: '--collected-at', message: 'expected YYYY-MM-DD' }] });
    }
    const mapping = opts.mapping ? await loadMappingFile(opts.mapping) : undefined;
    const { config, store } = await openConfiguredStore(opts, 'rempart import prospects');
    try {
      const policy = await loadPolicy(config.policyFile);
      if (opts.as !== undefined && !policy.roles.some((r) => r.id === opts.as)) {
        throw new RempartError('VALIDATION_FAILED', `Unknown role "${opts.as}".`, { details: [{ field: '--as', message: 'is not a role of the policy' }] });
      }
      const actor = cliActor(opts.as ?? null);
      const now = new Date();
      const access = createAccessRuntime({ db: store.db, policy, now: () => now, chainer: false });
      const bar = progressBar();
      try {
        await access.gate.for(actor).assertCan('create', 'prospecting', 'identity', 'prospect-import');
        const options = {
          source: opts.source ?? basename(file),
          actor,
          key: loadOrCreateServerKey(config.dataDir),
          now,
          policy,
          batchSize,
          onProgress: bar,
          ...(collectedAt ? { collectedAt } : {}),
          ...(mapping ? { mapping } : {}),
        };
        const report = opts.dryRun
          ? await importProspects(store.db, file, { ...options, dryRun: true })
          : await runImportJob(store.db, await createImportJob(store.db, { source: options.source, actor, dryRun: false, now }), file, options);
        bar.done();
        // Every reason a sentence in the chosen language, with the line, the field and the rule.
        const rejected = report.rejected.map((r) => ({ ...r, reason: t('import.rejected', { ...r }) }));
        const notEligible = report.notEligible.map((r) => ({ ...r, reason: t(`import.notEligible.${r.reason}`, { ...r }) }));
        const review = { count: report.queuedForReview, reason: t('import.review', { count: report.queuedForReview }) };
        if (opts.json) {
          const { imported, merged, rejected: _r, notEligible: _n, ...rest } = report;
          console.log(JSON.stringify({ imported, merged, rejected, review, notEligible, ...rest }));
        } else {
          printReport(report);
          for (const x of [...rejected, ...notEligible]) console.log(`  ${x.reason}`);
          if (review.count > 0) console.log(`  ${review.reason}`);
        }
        setExit(0);
      } finally {
        await access.close();
      }
    } finally {
      await store.close();
    }
  });
}
