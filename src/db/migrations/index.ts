import type { Migration } from 'kysely/migration';
import * as m20261126T1000 from './20261126T1000-client-relationship.js';

/**
 * Every migration, in order. Append-only: a landed migration is never edited or removed.
 * Listed statically (not read from the folder) so the built CLI and the tests see the same set.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '20261126T1000-client-relationship': m20261126T1000,
});
