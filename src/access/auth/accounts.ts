import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isUuid, newId } from '../../db/ids.js';
import { isValidEmail } from '../../identifiers/identifiers.js';
import { RempartError } from '../../errors.js';
import type { RoleId } from '../../policy/index.js';
import { checkPasswordRules, generatePassword, hashPassword } from './password.js';
import { checkRoleAndScope, type RolesPolicy } from './role-scope.js';
import type { AccountsTable } from './tables.js';

/** What may be shown of an account: never a hash, a secret or a recovery code. */
export interface AccountSummary {
  readonly id: string;
  readonly email: string;
  readonly role: RoleId;
  readonly scopeOrganisationId: string | null;
  readonly totpEnabled: boolean;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
  readonly lockedUntil: Date | null;
}

/** Input of createAccount. */
export interface NewAccount {
  readonly email: string;
  readonly role: RoleId;
  /** When absent, a random password is generated and returned once. */
  readonly password?: string;
  readonly scopeOrganisationId?: string | null;
}

/** An account row as stored (internal to this folder). */
export type AccountRow = Selectable<AccountsTable>;

/** The presenter of accounts: the only way an account row leaves this folder. */
export function presentAccount(row: AccountRow): AccountSummary {
  return Object.freeze({
    id: row.id,
    email: row.email,
    role: row.role,
    scopeOrganisationId: row.scopeOrganisationId,
    totpEnabled: row.totpEnabled,
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
    lockedUntil: row.lockedUntil,
  });
}

/**
 * Creates a staff account with an argon2id-hashed password. Without a password one is
 * generated and returned, to be handed over once; it is never stored in clear.
 */
export async function createAccount(
  db: Kysely<Database>,
  policy: RolesPolicy,
  input: NewAccount,
): Promise<{ account: AccountSummary; generatedPassword?: string }> {
  const email = input.email.trim();
  if (!isValidEmail(email)) {
    throw new RempartError('VALIDATION_FAILED', 'The email is not valid.', { details: [{ field: 'email', message: 'must be a valid email address' }] });
  }
  const scope = await checkRoleAndScope(db, policy, input.role, input.scopeOrganisationId);
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated ?? '';
  checkPasswordRules(password);
  const passwordHash = await hashPassword(password);
  try {
    const row = await db
      .insertInto('accounts')
      .values({ id: newId(), email, role: input.role, scopeOrganisationId: scope, passwordHash, recoveryCodeHashes: JSON.stringify([]) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return generated === undefined ? { account: presentAccount(row) } : { account: presentAccount(row), generatedPassword: generated };
  } catch (e) {
    if ((e as { code?: string }).code === '23505') {
      throw new RempartError('CONFLICT', 'An account with this email already exists.', { details: [{ field: 'email', message: 'is already used by an account' }] });
    }
    throw e;
  }
}

/** Every account, oldest first, as summaries. */
export async function listAccounts(db: Kysely<Database>): Promise<AccountSummary[]> {
  const rows = await db.selectFrom('accounts').selectAll().orderBy('id').execute();
  return rows.map(presentAccount);
}

/** The account whose email matches case-insensitively, or undefined (internal to this folder). */
export async function findAccountByEmail(db: Kysely<Database>, email: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

/**
 * Disables an account and revokes its sessions at once (GDPR Art. 32: access ends when
 * the attribution ends). The row stays, for the accountability records that name it.
 */
export async function disableAccount(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<AccountSummary> {
  const notFound = () => new RempartError('NOT_FOUND', 'No such account.', { details: [{ field: 'id', message: 'refers to no account' }] });
  if (!isUuid(id)) throw notFound();
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('accounts')
      .set({ disabledAt: sql<Date>`coalesce(disabled_at, ${now})` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw notFound();
    await tx.updateTable('sessions').set({ revokedAt: now }).where('accountId', '=', id).where('revokedAt', 'is', null).execute();
    return presentAccount(row);
  });
}
