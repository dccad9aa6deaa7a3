import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { normaliseEmail, normalisePhone, oppositionHash } from '../opposition/identifiers.js';

/**
 * The erasure journal (GDPR Art. 17; P5.3): what `rempart restore` replays so that a
 * backup taken before an erasure gives the erased person back to no one.
 *
 * It holds keyed hashes only, under the opposition list's keys (same server key, same
 * normalisation), so matching a restored person costs one hash per identifier and the
 * journal reveals nothing to whoever lacks the server key. Written twice:
 *   - in the database, in the erasure's own transaction (`erasure_journal`): nothing erased
 *     without its journal row;
 *   - appended to the data directory's `erasure-journal.ndjson` after the commit, so a
 *     restore onto a database that was lost (the usual reason to restore) still knows
 *     every erasure made since the backup.
 */

/** One journalled erasure. */
export interface JournalEntry {
  readonly id: string;
  readonly emailHashes: readonly string[];
  readonly phoneHashes: readonly string[];
  readonly erasedAt: Date;
}

/** How long a journal row is kept: as long as a backup older than the erasure may be restored. */
export const JOURNAL_KEEP_DAYS = 400;

/** The data directory's copy of the journal. */
export function journalFile(dataDir: string): string {
  return join(dataDir, 'erasure-journal.ndjson');
}

/** The keyed hashes of a person's identifiers, as the journal and the opposition list write them. */
export function identifierHashes(key: Buffer, ids: { readonly emails: readonly (string | null)[]; readonly phones: readonly string[] }): { emailHashes: string[]; phoneHashes: string[] } {
  const emailHashes = [...new Set(ids.emails.filter((e): e is string => e !== null && e.trim() !== '').map((e) => oppositionHash(key, 'email', normaliseEmail(e))))];
  const phoneHashes = [...new Set(ids.phones.map(normalisePhone).filter((p): p is string => p !== null).map((p) => oppositionHash(key, 'phone', p)))];
  return { emailHashes, phoneHashes };
}

/** Journals an erasure in the caller's transaction; returns the entry, or null when the person had no identifier to match. */
export async function journalErasure(tx: Kysely<Database>, key: Buffer, ids: { readonly emails: readonly (string | null)[]; readonly phones: readonly string[] }, now: Date): Promise<JournalEntry | null> {
  const { emailHashes, phoneHashes } = identifierHashes(key, ids);
  if (emailHashes.length + phoneHashes.length === 0) return null;
  const entry: JournalEntry = { id: newId(now.getTime()), emailHashes, phoneHashes, erasedAt: now };
  await tx
    .insertInto('erasureJournal')
    .values({ id: entry.id, emailHashes, phoneHashes, erasedAt: now, keepUntil: new Date(now.getTime() + JOURNAL_KEEP_DAYS * 86_400_000) })
    .execute();
  return entry;
}

/** Appends committed entries to the data directory's copy. */
export async function appendJournalFile(dataDir: string, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const lines = entries.map((e) => JSON.stringify({ id: e.id, emailHashes: e.emailHashes, phoneHashes: e.phoneHashes, erasedAt: e.erasedAt.toISOString() })).join('\n');
  await appendFile(journalFile(dataDir), `${lines}\n`, { mode: 0o600 });
}

/** The journal as the database holds it; empty when the table does not exist (an empty or foreign database). */
export async function readJournal(db: Kysely<Database>): Promise<JournalEntry[]> {
  const rows = await db.selectFrom('erasureJournal').select(['id', 'emailHashes', 'phoneHashes', 'erasedAt']).execute();
  return rows.map((r) => ({ id: r.id, emailHashes: r.emailHashes, phoneHashes: r.phoneHashes, erasedAt: new Date(r.erasedAt) }));
}

/** The data directory's copy; a torn last line (a crash mid-append) is skipped, never fatal. */
export async function readJournalFile(dataDir: string): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(journalFile(dataDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as { id: string; emailHashes: string[]; phoneHashes: string[]; erasedAt: string };
      out.push({ id: v.id, emailHashes: v.emailHashes, phoneHashes: v.phoneHashes, erasedAt: new Date(v.erasedAt) });
    } catch {
      // A line cut by a crash while appending: its erasure is in the database's journal.
    }
  }
  return out;
}

/**
 * Removes the journal entries past their keeping period, in the database and in the data
 * directory's copy (rewritten beside, then renamed): a backup older than that is no
 * longer restorable under the backup policy, so the hashes have no purpose left
 * (Art. 5(1)(e)). Returns how many database rows went.
 */
export async function purgeJournal(db: Kysely<Database>, now: Date, dataDir?: string): Promise<number> {
  const res = await db.deleteFrom('erasureJournal').where('keepUntil', '<', now).executeTakeFirst();
  if (dataDir) {
    const entries = await readJournalFile(dataDir);
    const keep = entries.filter((e) => e.erasedAt.getTime() + JOURNAL_KEEP_DAYS * 86_400_000 >= now.getTime());
    if (keep.length < entries.length) {
      const tmp = `${journalFile(dataDir)}.tmp`;
      await writeFile(tmp, keep.map((e) => `${JSON.stringify({ id: e.id, emailHashes: e.emailHashes, phoneHashes: e.phoneHashes, erasedAt: e.erasedAt.toISOString() })}\n`).join(''), { mode: 0o600 });
      await rename(tmp, journalFile(dataDir));
    }
  }
  return Number(res.numDeletedRows);
}
