import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

/**
 * The server starts from a production install (issue 18): what is built into dist/
 * needs only the `dependencies`. A module of the build that imports test support or a
 * dev dependency (smtp-server, vitest) fails here, as it would on a server installed
 * with `npm ci --omit=dev`. Slow (a real install from the registry); it is skipped,
 * with the reason printed, only when the registry cannot be reached.
 */
const run = promisify(execFile);
const ROOT = process.cwd();

async function registryReachable(): Promise<string | null> {
  const registry = (await run('npm', ['config', 'get', 'registry'])).stdout.trim().replace(/\/$/, '');
  try {
    const res = await fetch(`${registry}/-/ping`, { signal: AbortSignal.timeout(10_000) });
    return res.ok ? null : `the npm registry ${registry} answered ${res.status}`;
  } catch (e) {
    return `the npm registry ${registry} is unreachable (${e instanceof Error ? e.message : String(e)})`;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const unavailable = await registryReachable();
if (unavailable !== null) console.warn(`[install test] SKIPPED: ${unavailable}; the production-install test needs the registry.`);

const dir = mkdtempSync(join(tmpdir(), 'rempart-install-'));
let server: ChildProcess | undefined;
afterAll(async () => {
  if (server && server.exitCode === null) {
    const gone = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The modules of the build that import a development dependency (none may). */
function devImportsIn(distDir: string): string[] {
  const dev = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
  const out: string[] = [];
  for (const f of readdirSync(distDir, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.js')) continue;
    for (const m of readFileSync(join(distDir, f), 'utf8').matchAll(/(?:from|import\()\s*['"]([^'".][^'"]*)['"]/g)) {
      const spec = m[1] ?? '';
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (name !== undefined && dev.includes(name)) out.push(`${f} imports ${spec}`);
    }
  }
  return out;
}

it.skipIf(unavailable !== null)(
  'a tree installed with npm ci --omit=dev starts `serve --demo` and answers GET /api/openapi.json',
  async () => {
    // The server's build, compiled afresh from src/ with the build's own tsconfig (the
    // web app is left out: the server runs without it).
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT });
    expect(devImportsIn(join(dir, 'dist'))).toEqual([]);
    for (const f of ['bin', 'policies', 'package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    // --ignore-scripts: `prepare` builds from sources, which a deployed tree does not ship.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    expect(existsSync(join(dir, 'node_modules/fastify'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/smtp-server'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false);

    const port = await freePort();
    let output = '';
    server = spawn(process.execPath, ['bin/rempart.js', 'serve', '--demo', '--port', String(port), '--host', '127.0.0.1', '--data-dir', join(dir, 'data')], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    server.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));

    let status = 0;
    let paths = 0;
    for (let i = 0; i < 240 && status !== 200; i++) {
      const outcome = await Promise.race([exited.then((code) => ({ code })), new Promise((r) => setTimeout(r, 500)).then(() => null)]);
      if (outcome !== null) throw new Error(`the server exited (${outcome.code}) before answering:\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/openapi.json`);
        status = res.status;
        if (status === 200) paths = Object.keys(((await res.json()) as { paths: Record<string, unknown> }).paths).length;
      } catch {
        // not listening yet
      }
    }
    expect(status, output).toBe(200);
    expect(paths).toBeGreaterThan(10);
  },
  600_000,
);
