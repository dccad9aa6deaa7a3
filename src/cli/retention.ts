import type { Command } from 'commander';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { previewRetention } from '../retention/preview.js';
import { runRetention } from '../retention/sweep.js';
import type { PlanSummary } from '../retention/plan.js';
import { isoDay } from '../rights/erasure/holds.js';
import { parseAt } from './logs.js';
import { apiTarget, callApi, withApiOptions, type ApiFlags } from './api-client.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

function positive(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new RempartError('VALIDATION_FAILED', `${flag} "${text}" is not a positive integer.`, { details: [{ field: flag, message: 'a positive integer such as 1000' }] });
  }
  return n;
}

const TRANSITION: Readonly<Record<string, string>> = { archive: 'active → archive', delete: '→ deleted', anonymise: '→ anonymised' };

/** The human form of the plan: one line per purpose and phase change, due now and in the windows after. */
export function formatPlan(plan: PlanSummary): string {
  const head = ['purpose', 'phase change', 'due', '≤30 days', '≤90 days', '≤365 days'];
  const rows = plan.due.map((l) => {
    const inWindow = (w: '30' | '90' | '365') => String(plan.upcoming[w].find((u) => u.purpose === l.purpose && u.action === l.action)?.count ?? 0);
    return [l.purpose, `${l.action} (${TRANSITION[l.action] ?? l.action})`, String(l.count), inWindow('30'), inWindow('90'), inWindow('365')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [`Retention plan at ${plan.at} (counts of records; upcoming: changes after ${plan.at})`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * `rempart retention plan --at DATE [--json]` and `rempart retention run [--at DATE]
 * [--batch-size N]` (P4.6). `--at` exists only here, to preview or replay: the server
 * runs the sweep daily with the real date (src/jobs/daily.ts).
 */
export function registerRetentionCommands(program: Command, setExit: (code: number) => void): void {
  const retention = program.command('retention').description('retention of the data: plan and sweep (P4)');
  withApiOptions(withStoreOptions(
    retention
      .command('plan')
      .description('what a retention run would archive, delete or anonymise on a date, and in the 30/90/365 days after')
      .option('--at <date>', 'the date to plan for (YYYY-MM-DD; default today)')
      .option('--json', 'machine-readable output'),
  )).action(async (opts: StoreFlags & ApiFlags & { at?: string; json?: boolean }) => {
    const day = isoDay(parseAt(opts.at))!;
    const target = apiTarget(opts);
    if (target !== null) {
      // The server's policy and database: the plan it would run.
      const plan = await callApi<PlanSummary>(target, 'GET', '/retention/plan', { at: day });
      console.log(opts.json ? JSON.stringify(plan) : formatPlan(plan));
      setExit(0);
      return;
    }
    const { config, store } = await openConfiguredStore(opts, 'rempart retention plan', { api: true });
    try {
      const policy = await loadPolicy(config.policyFile);
      const plan = await previewRetention(store.db, policy, day);
      console.log(opts.json ? JSON.stringify(plan) : formatPlan(plan));
      setExit(0);
    } finally {
      await store.close();
    }
  });
  withStoreOptions(
    retention
      .command('run')
      .description('apply the retention rules now (or as of --at): archive, delete, anonymise, in audited batches')
      .option('--at <date>', 'apply as of this date (YYYY-MM-DD or ISO-8601; default now)')
      .option('--batch-size <n>', 'records per batch (one transaction and one audit entry each)', '1000'),
  ).action(async (opts: StoreFlags & { at?: string; batchSize?: string }) => {
    const at = parseAt(opts.at);
    const batchSize = positive(opts.batchSize, '--batch-size');
    const { config, store } = await openConfiguredStore(opts, 'rempart retention run');
    try {
      const policy = await loadPolicy(config.policyFile);
      const report = await runRetention(store.db, policy, { at, now: new Date(), ...(batchSize ? { batchSize } : {}) });
      const lines = report.changed.map((c) => `  ${c.purpose} ${c.action}: ${c.count}`);
      console.log([`retention run at ${report.at}: ${report.batches} batches`, ...(lines.length > 0 ? lines : ['  nothing due'])].join('\n'));
      setExit(0);
    } finally {
      await store.close();
    }
  });
}
