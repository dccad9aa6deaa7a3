import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('./cli-process.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A `rempart serve` in a process of its own. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly baseUrl: string;
  /** SIGTERM, and waits for the exit (a clean stop: the writer flushes, the chainer links). */
  stop(): Promise<void>;
  /** SIGKILL, and waits for the exit (a crash). */
  kill(): Promise<void>;
}

/** The keys several instances on one database must share (README: Configuration). */
export function sharedKeys(): Record<string, string> {
  return { REMPART_SERVER_KEY: randomBytes(32).toString('base64') };
}

/** Runs the CLI from the sources to the end; resolves with its exit code and output. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `rempart serve --port 0` on a PostgreSQL database; resolves once it listens. */
export function startServer(databaseUrl: string, env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rempart-instance-'));
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--database-url', databaseUrl, '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in ${timeoutMs} ms: ${err.slice(-500)}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Rempart is running at (http:\/\/[^/\s]+)\//.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, baseUrl: m[1], stop: () => waitExit('SIGTERM'), kill: () => waitExit('SIGKILL') });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${err.slice(-500)}`));
    });
  });
}
