import { sql } from 'kysely';
import type { AccountRow } from './accounts.js';
import type { AuthContext } from './context.js';
import { hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.js';
import { base32Decode, matchTotp } from './totp.js';

/** How a second factor was proven, or null when it was not. */
export type SecondFactor = 'totp' | 'recovery_code' | null;

/** The account's TOTP secret (base32), opened from its box; null when none or it does not open. */
export function openTotpSecret(ctx: AuthContext, account: Pick<AccountRow, 'id' | 'totpSecret'>): string | null {
  return account.totpSecret === null ? null : ctx.totpBox.open(account.totpSecret, account.id);
}

/**
 * Checks a TOTP code or, when `allowRecovery`, a recovery code. Both are consumed by a
 * conditional update, so a code works once even when two requests race on two
 * instances: a TOTP step must be later than the last one accepted (RFC 6238 §5.2), and
 * a recovery code leaves the stored list as it is used.
 */
export async function checkSecondFactor(ctx: AuthContext, account: AccountRow, code: string, at: Date, allowRecovery: boolean): Promise<SecondFactor> {
  const text = code.trim();
  if (allowRecovery && looksLikeRecoveryCode(text)) {
    const digest = hashRecoveryCode(text);
    const used = await ctx.db
      .updateTable('accounts')
      .set({ recoveryCodeHashes: sql<string[]>`recovery_code_hashes - ${digest}::text` })
      .where('id', '=', account.id)
      .where(sql<boolean>`recovery_code_hashes @> jsonb_build_array(${digest}::text)`)
      .returning('id')
      .executeTakeFirst();
    return used === undefined ? null : 'recovery_code';
  }
  const secret = openTotpSecret(ctx, account);
  if (secret === null) return null;
  const step = matchTotp(base32Decode(secret), text, at);
  if (step === null) return null;
  const accepted = await ctx.db
    .updateTable('accounts')
    .set({ totpLastStep: step })
    .where('id', '=', account.id)
    .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return accepted === undefined ? null : 'totp';
}
