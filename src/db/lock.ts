import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RempartError } from '../errors.js';

/** Who holds a data dir: written into its lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly command: string;
  readonly since: string;
  /** Set by a running server once it listens: where its API is (so a blocked command can say where to go). */
  readonly url?: string;
}

/** A held lock; `release()` is idempotent. */
export interface DataDirLock {
  readonly file: string;
  release(): void;
}

export const LOCK_FILE = 'rempart.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return {
        pid: parsed.pid,
        host: parsed.host,
        command: String(parsed.command ?? 'unknown'),
        since: String(parsed.since ?? ''),
        ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
      };
    }
  } catch {
    // unreadable or half-written: treated as stale below
  }
  return undefined;
}

/**
 * Takes the lock on a data dir. PGlite has no lock of its own, and two processes on
 * one data dir silently lose each other's writes, so exactly one process may hold it.
 * A lock whose holder process is dead (same host) is taken over.
 */
export function acquireDataDirLock(dataDir: string, command: string): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        const holder = readHolder(file);
        if (holder?.pid === me.pid && holder.host === me.host) {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        }
      };
      process.once('exit', release);
      return { file, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(file);
      if (holder && holder.pid === process.pid && holder.host === me.host) {
        throw new RempartError('STORE_LOCKED', `The data dir ${dataDir} is already open in this process.`);
      }
      if (holder && (holder.host !== me.host || isAlive(holder.pid))) {
        throw new RempartError(
          'STORE_LOCKED',
          `The data dir ${dataDir} is in use by "${holder.command}" (pid ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
            'Stop that process first, or use a PostgreSQL server (--database-url) to share a database between processes.',
        );
      }
      // Stale: the holder is dead (or the file is unreadable). Take it over.
      try {
        unlinkSync(file);
      } catch {
        // someone else took it over first; retry
      }
    }
  }
  throw new RempartError('STORE_LOCKED', `Could not take the lock on the data dir ${dataDir}.`);
}

/** Who holds a data dir now, from its lock file (undefined when it is free or unreadable). */
export function dataDirHolder(dataDir: string): LockHolder | undefined {
  return readHolder(join(dataDir, LOCK_FILE));
}

/**
 * Writes the listening server's URL into the lock this process holds, so a command
 * blocked by it can name the API to use instead (src/cli/store.ts). Does nothing when
 * the lock is not this process's.
 */
export function announceServerUrl(dataDir: string, url: string): void {
  const file = join(dataDir, LOCK_FILE);
  const holder = readHolder(file);
  if (holder?.pid !== process.pid || holder.host !== hostname()) return;
  // Write then rename: a reader never sees a half-written lock.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...holder, url }), { mode: 0o600 });
  renameSync(tmp, file);
}
