/**
 * Authentication: staff accounts, browser sessions and API tokens, and the Fastify plugin
 * that turns a request into an `Actor` (GDPR Art. 32: access control; P1.7: every
 * connection logged; P2.1–P2.3). Everything outside this folder imports from here.
 *
 * Choices, with their reasons:
 * - passwords: argon2id with OWASP's parameters, at least 12 characters (CNIL); an
 *   unknown email, a wrong password, a locked or disabled account and a wrong code all
 *   get one 401 answer, and take one argon2 verification each;
 * - lockout in the database (every instance sees it): 5 failures lock 1 minute, each
 *   further failure doubles it, up to 1 hour; in-memory per-IP and per-account limits
 *   (10 a minute) answer 429 RATE_LIMITED before that;
 * - MFA (roles marked `mfa` in the policy, or any account that turned TOTP on): a login
 *   without the code is answered 200 with `mfaRequired: true` and a session that acts as
 *   nobody (`request.actor` null) and reaches only the TOTP routes, so the code can be
 *   asked on a second screen and a first-time user can enrol; a session whose account
 *   already has TOTP cannot enrol again;
 * - sessions: 32 random bytes in an HttpOnly, SameSite=Strict cookie, stored as SHA-256;
 *   30 minutes idle, 12 hours in all; the CSRF token is an HMAC of the cookie token, so
 *   GET /session can give it again after a reload; bearer requests need none;
 * - TOTP secrets sealed with AES-256-GCM under a key derived (HKDF) from the server key
 *   `identifierKey`: changing that key makes every TOTP enrolment unreadable.
 */
export type { AuthTables, AccountsTable, SessionsTable, ApiTokensTable } from './tables.js';
export { authPlugin, type AuthPluginOptions, type AuthLimits } from './plugin.js';
export { requireActor } from './require-actor.js';
export { SESSION_COOKIE, CSRF_HEADER, userActor, tokenActor, type AuthSession } from './request-auth.js';
export { createAccount, listAccounts, disableAccount, type AccountSummary, type NewAccount } from './accounts.js';
export { createToken, revokeToken, listTokens, TOKEN_PREFIX, type NewToken, type TokenSummary } from './tokens.js';
export { MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './password.js';
export { LOCKOUT_THRESHOLD, lockDurationMs } from './lockout.js';
export { SESSION_IDLE_MS, SESSION_ABSOLUTE_MS } from './sessions.js';
export { purgeEndedSessions } from './purge-sessions.js';
export { totpCode, base32Decode } from './totp.js';
export { issueEnrolmentCode, ENROLMENT_CODE_TTL_MS } from './enrolment-codes.js';
export { AUTH_CATALOGUE } from './catalogue-entries.js';
export type { RolesPolicy } from './role-scope.js';
