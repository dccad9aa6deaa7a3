import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { AccountRow } from './accounts.js';
import { logConnection, type AuthContext, type ClientInfo } from './context.js';
import { clearFailedAttempts, isLocked, recordFailedAttempt } from './lockout.js';
import { loginRefused } from './login.js';
import { consumeEnrolmentCode, enrolmentCodeMatches, enrolmentCodeRefused } from './enrolment-codes.js';
import { generateRecoveryCodes, hashRecoveryCode } from './recovery-codes.js';
import { checkSecondFactor } from './second-factor.js';
import { markSessionMfaPassed } from './sessions.js';
import { generateTotpSecret, otpauthUri } from './totp.js';

/** A TOTP enrolment in progress: shown once, to be scanned into an authenticator app. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
}

async function loadAccount(db: Kysely<Database>, accountId: string): Promise<AccountRow> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
  if (account === undefined) throw new RempartError('UNAUTHENTICATED', 'Sign in first.');
  return account;
}

/**
 * Starts a TOTP enrolment: a new secret, stored sealed and not yet active. Refused when
 * TOTP is already on, so that someone holding only the password cannot replace it, and
 * without the account's one-time enrolment code, so that someone holding only the
 * password cannot claim the first one either (GDPR Art. 32).
 */
export async function enrolTotp(ctx: AuthContext, accountId: string, enrolmentCode: string | undefined, client: ClientInfo): Promise<TotpEnrolment> {
  const account = await loadAccount(ctx.db, accountId);
  if (account.totpEnabled) {
    throw new RempartError('CONFLICT', 'Two-factor authentication is already set up for this account.');
  }
  const at = ctx.now();
  if (!(await enrolmentCodeMatches(ctx.db, accountId, enrolmentCode, at))) {
    await logConnection(ctx, client, at, { event: 'identity_check', accountId, outcome: 'failure', reason: 'bad_enrolment_code' });
    throw enrolmentCodeRefused();
  }
  const secret = generateTotpSecret();
  await ctx.db
    .updateTable('accounts')
    .set({ totpSecret: ctx.totpBox.seal(secret, account.id), totpLastStep: null })
    .where('id', '=', account.id)
    .where('totpEnabled', '=', false)
    .execute();
  return { secret, otpauthUri: otpauthUri(secret, account.email) };
}

/**
 * Finishes an enrolment with a first code from the app and the enrolment code, which it
 * consumes: TOTP turns on, the session counts as having passed it, and ten recovery
 * codes are returned, this once (only their digests are kept).
 */
export async function confirmTotp(ctx: AuthContext, sessionId: string, accountId: string, code: string, enrolmentCode: string | undefined, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
  const at = ctx.now();
  const account = await loadAccount(ctx.db, accountId);
  if (account.totpEnabled) throw new RempartError('CONFLICT', 'Two-factor authentication is already set up for this account.');
  if (!(await enrolmentCodeMatches(ctx.db, accountId, enrolmentCode, at))) {
    await logConnection(ctx, client, at, { event: 'identity_check', accountId, outcome: 'failure', reason: 'bad_enrolment_code' });
    throw enrolmentCodeRefused();
  }
  if (account.totpSecret === null) throw new RempartError('CONFLICT', 'Start the enrolment first (POST /api/v1/session/totp/enrol).');
  const factor = await checkSecondFactor(ctx, account, code, at, false);
  await logConnection(ctx, client, at, {
    event: 'identity_check',
    accountId,
    outcome: factor === null ? 'failure' : 'success',
    reason: factor === null ? 'bad_code' : 'totp_enrolment',
  });
  if (factor === null) {
    throw new RempartError('VALIDATION_FAILED', 'The code does not match; check the device clock and try the next code.', {
      details: [{ field: 'code', message: 'does not match the authenticator app' }],
    });
  }
  const recoveryCodes = generateRecoveryCodes();
  await ctx.db.transaction().execute(async (tx) => {
    // Consumed with the switch to TOTP, so that a code enrols one app once, even in a race.
    if (!(await consumeEnrolmentCode(tx, accountId, enrolmentCode, at))) throw enrolmentCodeRefused();
    await tx
      .updateTable('accounts')
      .set({ totpEnabled: true, recoveryCodeHashes: JSON.stringify(recoveryCodes.map(hashRecoveryCode)) })
      .where('id', '=', accountId)
      .execute();
    await markSessionMfaPassed(tx, sessionId);
  });
  await clearFailedAttempts(ctx.db, accountId);
  return { recoveryCodes };
}

/**
 * Proves the second factor for a session opened with the password alone: a TOTP code or
 * a recovery code (each usable once). Failures count towards the account's lockout,
 * and a locked account is refused like a wrong code.
 */
export async function verifyTotp(ctx: AuthContext, sessionId: string, accountId: string, code: string, client: ClientInfo): Promise<void> {
  const at = ctx.now();
  const account = await loadAccount(ctx.db, accountId);
  if (!account.totpEnabled) throw new RempartError('CONFLICT', 'Set up two-factor authentication first (POST /api/v1/session/totp/enrol).');
  const locked = isLocked(account.lockedUntil, at);
  const factor = locked ? null : await checkSecondFactor(ctx, account, code, at, true);
  await logConnection(ctx, client, at, {
    event: 'identity_check',
    accountId,
    outcome: factor === null ? 'failure' : 'success',
    reason: locked ? 'locked' : factor === null ? 'bad_code' : factor,
  });
  if (factor === null) {
    if (!locked) await recordFailedAttempt(ctx.db, accountId, at);
    throw loginRefused();
  }
  await markSessionMfaPassed(ctx.db, sessionId);
  await clearFailedAttempts(ctx.db, accountId);
}
