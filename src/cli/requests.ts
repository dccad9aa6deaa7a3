import type { Command } from 'commander';
import { RempartError } from '../errors.js';
import { REQUEST_STATES, listRequests, parisDate, type RequestState, type RequestSummary } from '../rights/requests/index.js';
import { apiTarget, callApi, withApiOptions, type ApiFlags } from './api-client.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** Flags of `rempart requests list`. */
interface ListFlags extends StoreFlags, ApiFlags {
  readonly overdue?: boolean;
  readonly json?: boolean;
  readonly dueWithin?: string;
  readonly state?: string;
}

/** One line per request: id, type, state, deadline in force, days left; never an email or a name (GDPR Art. 5(1)(c)). */
export function formatRequestTable(items: readonly RequestSummary[]): string {
  const header = ['id', 'type', 'state', 'received', 'due', 'days left'];
  const rows = items.map((r) => [
    r.id,
    r.type,
    r.state,
    // The day of receipt in Paris, the day the deadline counts from.
    parisDate(new Date(r.receivedAt)),
    r.effectiveDueAt + (r.extendedDueAt === null ? '' : ' (extended)'),
    r.daysLeft === null ? '-' : r.overdue ? `${r.daysLeft} OVERDUE` : String(r.daysLeft),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function parseState(text: string | undefined): RequestState | undefined {
  if (text === undefined) return undefined;
  const state = REQUEST_STATES.find((s) => s === text);
  if (state === undefined) {
    throw new RempartError('VALIDATION_FAILED', `--state "${text}" is not a request state.`, { details: [{ field: '--state', message: `one of ${REQUEST_STATES.join(', ')}` }] });
  }
  return state;
}

function parseDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text)) {
    throw new RempartError('VALIDATION_FAILED', `--due-within "${text}" is not a number of days.`, { details: [{ field: '--due-within', message: 'a whole number of days, e.g. 7' }] });
  }
  return Number(text);
}

/**
 * `rempart requests list [--overdue] [--due-within DAYS] [--state STATE] [--json]`: the
 * requests to exercise a right, most urgent first, for the dpo (GDPR Art. 12(3)).
 */
export function registerRequestCommands(program: Command, setExit: (code: number) => void): void {
  const requests = program.command('requests').description('requests to exercise a right (GDPR Art. 15–21)');
  withApiOptions(withStoreOptions(
    requests
      .command('list')
      .description('list requests, the most urgent first; ids, types, states and deadlines only')
      .option('--overdue', 'only requests past their deadline')
      .option('--due-within <days>', 'only requests due within this many days (overdue included)')
      .option('--state <state>', `only requests in this state (${REQUEST_STATES.join(', ')})`)
      .option('--json', 'print JSON'),
  )).action(async (opts: ListFlags) => {
    const state = parseState(opts.state);
    const dueWithinDays = parseDays(opts.dueWithin);
    const print = (items: readonly RequestSummary[]) => {
      if (opts.json === true) {
        console.log(JSON.stringify({ items }, null, 2));
      } else if (items.length === 0) {
        console.log(opts.overdue === true ? 'no overdue request' : 'no request');
      } else {
        console.log(formatRequestTable(items));
      }
      setExit(0);
    };
    const target = apiTarget(opts);
    if (target !== null) {
      // While a server holds the embedded database: the same list through its API, as the token's role.
      const page = await callApi<{ items: RequestSummary[] }>(target, 'GET', '/requests', {
        ...(opts.overdue === true ? { overdue: 'true' } : {}),
        ...(dueWithinDays === undefined ? {} : { dueWithinDays: String(dueWithinDays) }),
        ...(state === undefined ? {} : { status: state }),
        limit: '5000',
      });
      print(page.items);
      return;
    }
    const { store } = await openConfiguredStore(opts, 'rempart requests list', { api: true });
    try {
      print(
        await listRequests(store.db, {
          ...(opts.overdue === true ? { overdue: true } : {}),
          ...(dueWithinDays === undefined ? {} : { dueWithinDays }),
          ...(state === undefined ? {} : { state }),
        }),
      );
    } finally {
      await store.close();
    }
  });
}
