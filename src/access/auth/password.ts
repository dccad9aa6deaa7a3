import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { RempartError } from '../../errors.js';
import { randomToken } from './secrets.js';

/**
 * CNIL's password recommendation (deliberation 2022-100) asks for at least 12 characters
 * when the password is the only secret and its attempts are limited, as ours are.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the argon2 work an attacker can ask for with one request. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * OWASP's argon2id baseline (Password Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane.
 * `2` is Algorithm.Argon2id, spelled as a number because the package's enum is a
 * `const enum`, which isolated modules cannot read.
 */
const ARGON2ID: Options = Object.freeze({ algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

/** Same string for the same characters, however they were typed (NFC), so a password always matches itself. */
function normalise(password: string): string {
  return password.normalize('NFC');
}

/** Throws VALIDATION_FAILED unless the password meets the length rules (in characters, not bytes). */
export function checkPasswordRules(password: string, field = 'password'): void {
  const length = [...normalise(password)].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new RempartError('VALIDATION_FAILED', `The password must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`, {
      details: [{ field, message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }],
    });
  }
}

/** The argon2id PHC string of a password (GDPR Art. 32: never stored in clear or reversibly). */
export async function hashPassword(password: string): Promise<string> {
  return hash(normalise(password), ARGON2ID);
}

/** True when the password matches the PHC string; false (never a throw) on a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalise(password));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/** Computes the decoy hash ahead of time, so that the first unknown email is not slower than the rest. */
export async function prepareDecoyHash(): Promise<void> {
  dummy ??= hashPassword(randomToken(24));
  await dummy;
}

/**
 * Spends the time of one real verification against a hash of nothing, so that an unknown
 * email, a locked account and a wrong password take about as long to answer: timing must
 * not tell which emails have accounts.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword(randomToken(24));
  await verifyPassword(await dummy, password);
}

/** A random password of 128 bits (22 characters), for accounts created without one. */
export function generatePassword(): string {
  return randomToken(16);
}
