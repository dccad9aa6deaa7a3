import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isUuid } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import { sha256Hex } from './secrets.js';
import { base32Encode } from './totp.js';

/**
 * How long an enrolment code stays usable. Long enough to hand it over (mail, phone,
 * in person) and for the person's first sign-in; short enough that a code found later
 * in a drawer or a mailbox is dead.
 */
export const ENROLMENT_CODE_TTL_MS = 72 * 3600_000;

/** Lower case, without spaces or dashes: how people retype a code. */
function normalise(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** The stored digest of a code: 100 random bits, so SHA-256 cannot be brute-forced from a copy of the database. */
export function hashEnrolmentCode(code: string): string {
  return sha256Hex(`enrol:${normalise(code)}`);
}

/**
 * Issues a new one-time enrolment code for an account without TOTP, replacing any
 * earlier one (GDPR Art. 32: the first second factor needs something the password alone
 * does not give). Returns the code, to be shown this once, and when it expires.
 */
export async function issueEnrolmentCode(db: Kysely<Database>, accountId: string, now: Date): Promise<{ code: string; expiresAt: Date }> {
  const notFound = () => new RempartError('NOT_FOUND', 'No such account.', { details: [{ field: 'id', message: 'refers to no account' }] });
  if (!isUuid(accountId)) throw notFound();
  const raw = base32Encode(randomBytes(13)).toLowerCase().slice(0, 20);
  const code = raw.match(/.{5}/g)?.join('-') ?? raw;
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
  const row = await db
    .updateTable('accounts')
    .set({ enrolmentCodeHash: hashEnrolmentCode(code), enrolmentCodeExpiresAt: expiresAt })
    .where('id', '=', accountId)
    .returning(['totpEnabled', 'disabledAt'])
    .executeTakeFirst();
  if (row === undefined) throw notFound();
  if (row.totpEnabled || row.disabledAt !== null) {
    await db.updateTable('accounts').set({ enrolmentCodeHash: null, enrolmentCodeExpiresAt: null }).where('id', '=', accountId).execute();
    throw new RempartError('CONFLICT', row.totpEnabled ? 'This account already has two-factor authentication; an enrolment code would be of no use.' : 'This account is disabled.', {
      details: [{ field: 'id', message: row.totpEnabled ? 'has TOTP enabled' : 'is disabled' }],
    });
  }
  return { code, expiresAt };
}

/** True when `code` is the account's current, unexpired enrolment code (nothing is consumed). */
export async function enrolmentCodeMatches(db: Kysely<Database>, accountId: string, code: string | undefined, now: Date): Promise<boolean> {
  if (code === undefined || code.trim() === '') return false;
  const row = await db
    .selectFrom('accounts')
    .select('id')
    .where('id', '=', accountId)
    .where('enrolmentCodeHash', '=', hashEnrolmentCode(code))
    .where('enrolmentCodeExpiresAt', '>', now)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Consumes the code: a conditional update, so that it works once even when two requests
 * race. Returns false when it is wrong, expired or already used.
 */
export async function consumeEnrolmentCode(db: Kysely<Database>, accountId: string, code: string | undefined, now: Date): Promise<boolean> {
  if (code === undefined || code.trim() === '') return false;
  const row = await db
    .updateTable('accounts')
    .set({ enrolmentCodeHash: null, enrolmentCodeExpiresAt: null })
    .where('id', '=', accountId)
    .where('enrolmentCodeHash', '=', hashEnrolmentCode(code))
    .where('enrolmentCodeExpiresAt', '>', now)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The refusal of a missing, wrong, expired or used code: one answer for all, naming the field. */
export function enrolmentCodeRefused(): RempartError {
  return new RempartError('FORBIDDEN', 'Enrolling a first authenticator app needs the one-time enrolment code given with the account (ask an administrator for a new one: rempart user enrolment-code).', {
    details: [{ field: 'enrolmentCode', message: 'is missing, wrong, expired or already used' }],
  });
}
