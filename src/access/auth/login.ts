import { RempartError } from '../../errors.js';
import { requiresMfa } from '../../policy/index.js';
import { findAccountByEmail, type AccountRow } from './accounts.js';
import { logConnection, type AuthContext, type ClientInfo } from './context.js';
import { clearFailedAttempts, isLocked, recordFailedAttempt } from './lockout.js';
import { burnPasswordCheck, verifyPassword } from './password.js';
import type { RolesPolicy } from './role-scope.js';
import { checkSecondFactor } from './second-factor.js';
import { openSession, type OpenedSession } from './sessions.js';

/** What a person types to sign in. */
export interface LoginInput {
  readonly email: string;
  readonly password: string;
  /** A TOTP code, or a recovery code. */
  readonly totp?: string;
}

/** A successful login: the account and its new session. */
export interface LoginResult {
  readonly account: AccountRow;
  readonly session: OpenedSession;
  /** True when the session still has to pass TOTP (enrol or verify) before it can act. */
  readonly mfaRequired: boolean;
}

/**
 * The one answer to every failed login, whatever the cause (unknown email, wrong
 * password, locked or disabled account, wrong code), so that the answer does not tell
 * which emails have accounts nor which accounts are locked.
 */
export function loginRefused(): RempartError {
  return new RempartError('UNAUTHENTICATED', 'The email, password or code is wrong, or this account cannot sign in now.');
}

/** True when the account must pass TOTP: its role requires it (GDPR Art. 32), or its owner turned it on. */
export function needsSecondFactor(policy: RolesPolicy, account: Pick<AccountRow, 'role' | 'totpEnabled'>): boolean {
  return account.totpEnabled || requiresMfa(policy, account.role);
}

/**
 * Checks email and password (and the TOTP code when one is given), applies the lockout
 * and writes the connection log (P1.7); opens a session or throws `loginRefused()`.
 * An account whose second factor is still due gets a session that can only enrol or
 * verify TOTP (`mfaRequired`).
 */
export async function login(ctx: AuthContext, input: LoginInput, client: ClientInfo): Promise<LoginResult> {
  const at = ctx.now();
  const account = await findAccountByEmail(ctx.db, input.email);
  const refuse = async (reason: string, who: AccountRow | undefined): Promise<never> => {
    await logConnection(ctx, client, at, {
      event: 'login',
      accountId: who?.id ?? null,
      identifier: who === undefined ? input.email : null,
      outcome: 'failure',
      reason,
    });
    throw loginRefused();
  };

  if (account === undefined || account.disabledAt !== null || isLocked(account.lockedUntil, at)) {
    // The same argon2 work as a real check: the time taken tells nothing either.
    await burnPasswordCheck(input.password);
    const reason = account === undefined ? 'unknown_account' : account.disabledAt !== null ? 'disabled' : 'locked';
    return refuse(reason, account);
  }
  if (!(await verifyPassword(account.passwordHash, input.password))) {
    await recordFailedAttempt(ctx.db, account.id, at);
    return refuse('bad_password', account);
  }

  const secondFactorDue = needsSecondFactor(ctx.policy, account);
  let mfaPassed = !secondFactorDue;
  if (secondFactorDue && account.totpEnabled && input.totp !== undefined && input.totp !== '') {
    const factor = await checkSecondFactor(ctx, account, input.totp, at, true);
    await logConnection(ctx, client, at, {
      event: 'identity_check',
      accountId: account.id,
      outcome: factor === null ? 'failure' : 'success',
      reason: factor === null ? 'bad_code' : factor,
    });
    if (factor === null) {
      await recordFailedAttempt(ctx.db, account.id, at);
      return refuse('bad_code', account);
    }
    mfaPassed = true;
  }

  // Failures are forgiven only once every factor is proven: otherwise someone holding
  // the password could reset the count between guesses of the TOTP code.
  if (mfaPassed) await clearFailedAttempts(ctx.db, account.id);
  const session = await openSession(ctx.db, account.id, mfaPassed, at);
  await logConnection(ctx, client, at, {
    event: 'login',
    accountId: account.id,
    outcome: 'success',
    reason: mfaPassed ? null : account.totpEnabled ? 'totp_required' : 'totp_enrolment_required',
  });
  return { account, session, mfaRequired: !mfaPassed };
}
