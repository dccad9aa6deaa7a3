import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isUuid, newId } from '../../db/ids.js';
import { RempartError } from '../../errors.js';
import type { RoleId } from '../../policy/index.js';
import { checkRoleAndScope, type RolesPolicy } from './role-scope.js';
import { randomToken, sha256Hex } from './secrets.js';
import type { AuthCache } from './auth-cache.js';
import type { TokenRow } from './tables.js';

/** Every API token starts so: secret scanners and people can tell what leaked. */
export const TOKEN_PREFIX = 'rmp_';
const TOKEN_RE = /^rmp_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most once a minute per token: one write per minute, not per call. */
export const TOKEN_TOUCH_MS = 60_000;

/** What may be shown of a token: never the token nor its hash. */
export interface TokenSummary {
  readonly id: string;
  readonly name: string;
  readonly role: RoleId;
  readonly scopeOrganisationId: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** Input of createToken. */
export interface NewToken {
  readonly role: RoleId;
  readonly name: string;
  readonly scopeOrganisationId?: string | null;
  readonly expiresAt?: Date | null;
}

export type { TokenRow } from './tables.js';

/** What a bearer token resolves to. */
export type TokenLookup =
  | { readonly status: 'active'; readonly token: TokenRow }
  | { readonly status: 'unknown' | 'revoked' | 'expired'; readonly tokenId: string | null };

function present(row: TokenRow): TokenSummary {
  return Object.freeze({
    id: row.id,
    name: row.name,
    role: row.role,
    scopeOrganisationId: row.scopeOrganisationId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  });
}

/**
 * Creates an API token for a role of the policy (subcontractors, integrations; P2.2)
 * and returns it in clear this once: only its SHA-256 is stored.
 */
export async function createToken(
  db: Kysely<Database>,
  policy: RolesPolicy,
  input: NewToken,
  now: Date = new Date(),
): Promise<{ token: string; summary: TokenSummary }> {
  const name = input.name.trim();
  if (name === '' || name.length > 200) {
    throw new RempartError('VALIDATION_FAILED', 'The token needs a name.', { details: [{ field: 'name', message: 'must have 1 to 200 characters' }] });
  }
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now.getTime())) {
    throw new RempartError('VALIDATION_FAILED', 'The expiry must be a date in the future.', { details: [{ field: 'expiresAt', message: 'must be in the future' }] });
  }
  const scope = await checkRoleAndScope(db, policy, input.role, input.scopeOrganisationId);
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const row = await db
    .insertInto('apiTokens')
    .values({ id: newId(now.getTime()), name, role: input.role, scopeOrganisationId: scope, tokenHash: sha256Hex(token), createdAt: now, expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, summary: present(row) };
}

/** Revokes a token at once; revoking it again changes nothing. NOT_FOUND for an unknown id. */
export async function revokeToken(db: Kysely<Database>, id: string, now: Date = new Date()): Promise<TokenSummary> {
  const notFound = () => new RempartError('NOT_FOUND', 'No such token.', { details: [{ field: 'id', message: 'refers to no token' }] });
  if (!isUuid(id)) throw notFound();
  await db.updateTable('apiTokens').set({ revokedAt: now }).where('id', '=', id).where('revokedAt', 'is', null).execute();
  const row = await db.selectFrom('apiTokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw notFound();
  return present(row);
}

/** Every token, oldest first, as summaries. */
export async function listTokens(db: Kysely<Database>): Promise<TokenSummary[]> {
  const rows = await db.selectFrom('apiTokens').selectAll().orderBy('id').execute();
  return rows.map(present);
}

/**
 * Resolves a bearer token: unknown, revoked or expired, or active (then its
 * last_used_at is moved forward, at most once a minute). With a cache, a live token is
 * read from the database once, then served from memory (auth-cache.ts: revocations are
 * seen within AUTH_REVOCATION_BOUND_MS; expiry is checked here on every call).
 */
export async function lookupToken(db: Kysely<Database>, token: string, now: Date, cache?: AuthCache): Promise<TokenLookup> {
  if (!TOKEN_RE.test(token)) return { status: 'unknown', tokenId: null };
  const hash = sha256Hex(token);
  const generation = cache?.generation ?? 0;
  let row = cache?.token(hash);
  let fromMemory = row !== undefined;
  if (row === undefined) {
    row = await db.selectFrom('apiTokens').selectAll().where('tokenHash', '=', hash).executeTakeFirst();
    if (row === undefined) return { status: 'unknown', tokenId: null };
  }
  if (row.revokedAt !== null) return { status: 'revoked', tokenId: row.id };
  if (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime()) return { status: 'expired', tokenId: row.id };
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= TOKEN_TOUCH_MS) {
    await db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', row.id).execute();
    row = { ...row, lastUsedAt: now };
    fromMemory = false;
  }
  // Put back only what was read or changed, so the entry's age stays that of its read.
  if (!fromMemory) cache?.putToken(hash, row, generation);
  return { status: 'active', token: row };
}
