import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createTestStore } from '../test/engines.js';
import { buildApp } from '../src/app.js';
import type { Store } from '../src/db/database.js';
import { loadPolicy } from '../src/policy/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where `vite build --config web/vite.config.ts` writes the web app. */
export const WEB_ROOT = join(ROOT, 'dist', 'web');
const WEB_SOURCES = join(ROOT, 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the web app when dist/web is missing or older than web/, so a browser test
 * never drives a stale bundle.
 */
export function ensureWebBuilt(): void {
  const index = join(WEB_ROOT, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(WEB_SOURCES)) return;
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
}

/** A real server on a free local port, over a fresh migrated PGlite store. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Builds the app as main.ts would (web app included) and listens on 127.0.0.1:<free port>. */
export async function startServer(): Promise<RunningServer> {
  const store = await createTestStore('pglite');
  let app: FastifyInstance;
  try {
    app = await buildApp({ store, policy: await loadPolicy(join(ROOT, 'policies', 'certilience.yaml')), webRoot: WEB_ROOT });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    await store.close();
    throw e;
  }
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    store,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
