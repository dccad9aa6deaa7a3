import type { Command } from 'commander';
import { purgeConnectionLogs, retentionCutoff } from '../access/connection-logs/index.js';
import { RempartError } from '../errors.js';
import { isIsoDate } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** Reads --at: a calendar date `YYYY-MM-DD` (midnight UTC) or an ISO-8601 date-time; `now` when absent. */
export function parseAt(text: string | undefined, now: Date = new Date()): Date {
  if (text === undefined) return now;
  const at = isIsoDate(text) ? new Date(`${text}T00:00:00Z`) : /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text) : null;
  if (at === null || Number.isNaN(at.getTime())) {
    throw new RempartError('VALIDATION_FAILED', `--at "${text}" is not a date YYYY-MM-DD or an ISO-8601 date-time.`, {
      details: [{ field: '--at', message: 'expected a date such as 2026-11-26 or 2026-11-26T10:00:00Z' }],
    });
  }
  return at;
}

/**
 * `rempart logs purge [--at DATE]`: deletes the connection-log entries older than 12
 * months (P4.4). `--at` runs the purge as of another date (previews and time-travel tests).
 */
export function registerLogsCommands(program: Command, setExit: (code: number) => void): void {
  const logs = program.command('logs').description('connection and identification logs (P1.7)');
  withStoreOptions(
    logs
      .command('purge')
      .description('delete the connection-log entries older than 12 months (P4.4)')
      .option('--at <date>', 'purge as of this date (YYYY-MM-DD or ISO-8601; default now)'),
  ).action(async (opts: StoreFlags & { at?: string }) => {
    const now = parseAt(opts.at);
    const { store } = await openConfiguredStore(opts, 'rempart logs purge');
    try {
      const purged = await purgeConnectionLogs(store.db, now);
      console.log(`purged ${purged} connection log entries older than ${retentionCutoff(now).toISOString()}`);
      setExit(0);
    } finally {
      await store.close();
    }
  });
}
