import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { createAccount, disableAccount, ENROLMENT_CODE_TTL_MS, issueEnrolmentCode, listAccounts } from '../access/auth/index.js';
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

/** The password piped on standard input, without its final line break; never an argument, which `ps` and shell history would show. */
function readPasswordFromStdin(): string {
  const text = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (text === '') {
    throw new RempartError('VALIDATION_FAILED', 'No password on standard input.', { details: [{ field: '--password-stdin', message: 'standard input is empty' }] });
  }
  return text;
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

/**
 * The one-time code to enrol a first authenticator app, printed once: hand it over
 * apart from the password (GDPR Art. 32: the password alone must not give the second factor).
 */
function printEnrolmentCode(enrolment: { code: string; expiresAt: Date }): void {
  console.log(`TOTP enrolment code (single use, until ${enrolment.expiresAt.toISOString()}; hand it over apart from the password): ${enrolment.code}`);
}

/**
 * `rempart user add|list|disable`: staff accounts, through the same commands as the
 * API. A generated password is printed once, alone on the last line.
 */
export function registerUserCommands(program: Command, setExit: (code: number) => void): void {
  const user = program.command('user').description('staff accounts (sign-in to the backoffice and API)');

  withStoreOptions(
    user
      .command('add')
      .description('create a staff account; without --password-stdin a password is generated and printed once')
      .requiredOption('--email <email>', 'the sign-in email')
      .requiredOption('--role <role>', 'a role of the policy')
      .option('--scope <organisationId>', 'the organisation a scoped role (subcontractor, subsidiary, debt_recovery) is limited to')
      .option('--password-stdin', 'read the password from standard input (at least 12 characters)'),
  ).action(async (opts: StoreFlags & { email: string; role: string; scope?: string; passwordStdin?: boolean }) => {
    const password = opts.passwordStdin === true ? readPasswordFromStdin() : undefined;
    const { result, enrolment } = await withStore(opts, 'rempart user add', async (db, policy) => {
      const created = await createAccount(db, policy, { email: opts.email, role: opts.role, scopeOrganisationId: opts.scope ?? null, ...(password === undefined ? {} : { password }) });
      return { result: created, enrolment: await issueEnrolmentCode(db, created.account.id, new Date()) };
    });
    const { account } = result;
    console.log(`account ${account.id} created for ${account.email}, role ${account.role}${account.scopeOrganisationId ? `, organisation ${account.scopeOrganisationId}` : ''}`);
    printEnrolmentCode(enrolment);
    if (result.generatedPassword !== undefined) {
      console.log('generated password (shown once, hand it over securely):');
      console.log(result.generatedPassword);
    }
    setExit(0);
  });

  withStoreOptions(user.command('list').description('print every staff account (never a password or secret)')).action(async (opts: StoreFlags) => {
    print(await withStore(opts, 'rempart user list', (db) => listAccounts(db)));
    setExit(0);
  });

  withStoreOptions(
    user
      .command('enrolment-code')
      .description(`issue a new one-time TOTP enrolment code for an account without TOTP (valid ${ENROLMENT_CODE_TTL_MS / 3600_000} hours; replaces the previous one)`)
      .argument('<id>', 'account id'),
  ).action(async (id: string, opts: StoreFlags) => {
    printEnrolmentCode(await withStore(opts, 'rempart user enrolment-code', (db) => issueEnrolmentCode(db, id, new Date())));
    setExit(0);
  });

  withStoreOptions(user.command('disable').description('disable an account and end its sessions at once').argument('<id>', 'account id')).action(
    async (id: string, opts: StoreFlags) => {
      const account = await withStore(opts, 'rempart user disable', (db) => disableAccount(db, id));
      console.log(`account ${account.id} disabled`);
      setExit(0);
    },
  );
}
