import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { createToken, listTokens, revokeToken } from '../access/auth/index.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

async function withStore<T>(flags: StoreFlags, command: string, fn: (db: Kysely<Database>, policy: LoadedPolicy) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(flags, command);
  try {
    return await fn(store.db, await loadPolicy(config.policyFile));
  } finally {
    await store.close();
  }
}

/** `--expires`: a date (`2027-01-31`, midnight UTC) or an ISO 8601 date and time with its offset. */
export function parseExpiry(text: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? new Date(`${text}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)
      ? new Date(text)
      : new Date(Number.NaN);
  // `new Date` rolls 2027-02-31 over into March: refuse a day the calendar does not have.
  const dayExists = Number.isNaN(date.getTime()) || text.length !== 10 || date.toISOString().slice(0, 10) === text;
  if (Number.isNaN(date.getTime()) || !dayExists) {
    throw new RempartError('VALIDATION_FAILED', 'The expiry is not a date.', {
      details: [{ field: '--expires', message: 'must be a date (2027-01-31) or a date and time with offset (2027-01-31T18:00:00+01:00)' }],
    });
  }
  return date;
}

/**
 * `rempart token create|revoke|list`: API tokens for integrations, subcontractors and
 * recovery bodies (P2.2, P2.4). The token is printed once, alone on the last line, so
 * that a script can take it with `tail -n 1`.
 */
export function registerTokenCommands(program: Command, setExit: (code: number) => void): void {
  const token = program.command('token').description('API tokens (Authorization: Bearer)');

  withStoreOptions(
    token
      .command('create')
      .description('create an API token; it is printed once, alone on the last line')
      .requiredOption('--role <role>', 'a role of the policy')
      .requiredOption('--name <name>', 'what the token is for, e.g. the integration or subcontractor')
      .option('--scope <organisationId>', 'the organisation a scoped role (subcontractor, subsidiary, debt_recovery) is limited to')
      .option('--expires <date>', 'expiry: a date (midnight UTC) or an ISO 8601 date and time'),
  ).action(async (opts: StoreFlags & { role: string; name: string; scope?: string; expires?: string }) => {
    const expiresAt = opts.expires === undefined ? null : parseExpiry(opts.expires);
    const created = await withStore(opts, 'rempart token create', (db, policy) =>
      createToken(db, policy, { role: opts.role, name: opts.name, scopeOrganisationId: opts.scope ?? null, expiresAt }),
    );
    const { summary } = created;
    console.log(
      `token ${summary.id} "${summary.name}" created for role ${summary.role}` +
        `${summary.scopeOrganisationId ? `, organisation ${summary.scopeOrganisationId}` : ''}` +
        `${summary.expiresAt ? `, expires ${summary.expiresAt.toISOString()}` : ', no expiry'}; shown once:`,
    );
    console.log(created.token);
    setExit(0);
  });

  withStoreOptions(token.command('revoke').description('revoke an API token at once').argument('<id>', 'token id')).action(async (id: string, opts: StoreFlags) => {
    const summary = await withStore(opts, 'rempart token revoke', (db) => revokeToken(db, id));
    console.log(`token ${summary.id} revoked`);
    setExit(0);
  });

  withStoreOptions(token.command('list').description('print every API token (never the token itself)')).action(async (opts: StoreFlags) => {
    console.log(JSON.stringify(await withStore(opts, 'rempart token list', (db) => listTokens(db)), null, 2));
    setExit(0);
  });
}
