import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTestStore } from '../test/engines.js';
import { buildApp, type AppOptions } from '../src/app.js';
import { createMailer } from '../src/mail/index.js';
import { base32Decode, createAccount, issueEnrolmentCode, SESSION_COOKIE, totpCode } from '../src/access/auth/index.js';
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
  // The bundle users get: under Vitest NODE_ENV is `test`, which Vite would pass on to
  // React as a development build (StrictMode then runs every effect twice, doubling requests).
  execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } });
}

/** A staff account of the browser tests. */
export interface TestAccount {
  readonly email: string;
  readonly password: string;
  readonly role: string;
}

const PASSWORD = 'Remparts-de-Carcassonne-1247';

/**
 * The accounts every browser test can sign in with. The manager role includes its team's
 * roles (administration among them), so the policy marks it `mfa`: the helper enrols its
 * authenticator app and the test types codes from `totp`. Logistics needs no second
 * factor; the DPO needs one and has none yet (it enrols in the browser). Marketing and
 * sales need none (the policy does not mark them `mfa`).
 */
export const ACCOUNTS = {
  manager: { email: 'claire.martin@certilience.test', password: PASSWORD, role: 'manager' },
  logistics: { email: 'luc.bernard@certilience.test', password: PASSWORD, role: 'logistics' },
  dpo: { email: 'dpo@certilience.test', password: PASSWORD, role: 'dpo' },
  marketing: { email: 'julie.petit@certilience.test', password: PASSWORD, role: 'marketing' },
  sales: { email: 'karim.haddad@certilience.test', password: PASSWORD, role: 'sales' },
} as const satisfies Record<string, TestAccount>;

/** A real server on a free local port, over a fresh migrated PGlite store. */
export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly baseUrl: string;
  /** The base32 TOTP secret of the manager account, enrolled by the helper. */
  readonly managerTotpSecret: string;
  /** The one-time TOTP enrolment code handed to the DPO with its account (it enrols in the browser). */
  readonly dpoEnrolmentCode: string;
  /** Calls the API as the manager (a session the helper opened, CSRF header included): for seeding and checks. */
  api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const TOTP_PERIOD_MS = 30_000;
const lastStep = new Map<string, number>();

/**
 * A TOTP code of `secret` that the server has not accepted yet: each code works once
 * (RFC 6238 §5.2) and the server accepts one step either side of now, so this is the
 * code of the first unused step from now on, waiting when the next one is already used.
 */
export async function nextTotp(secret: string): Promise<string> {
  for (;;) {
    const current = Math.floor(Date.now() / TOTP_PERIOD_MS);
    const step = Math.max(current, (lastStep.get(secret) ?? -1) + 1);
    if (step <= current + 1) {
      lastStep.set(secret, step);
      return totpCode(base32Decode(secret), new Date(step * TOTP_PERIOD_MS));
    }
    await new Promise((resolve) => setTimeout(resolve, (current + 1) * TOTP_PERIOD_MS - Date.now() + 50));
  }
}

interface HelperSession {
  readonly cookie: string;
  readonly csrfToken: string;
}

/** Signs the manager in through the API and enrols its authenticator app; the session is then fully signed in. */
async function enrolManager(app: FastifyInstance, enrolmentCode: string): Promise<{ secret: string; session: HelperSession }> {
  const { email, password } = ACCOUNTS.manager;
  const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`manager login: ${login.statusCode} ${login.body}`);
  const token = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
  if (token === undefined) throw new Error('manager login set no session cookie');
  const session = { cookie: `${SESSION_COOKIE}=${token}`, csrfToken: login.json<{ csrfToken: string }>().csrfToken };
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrfToken };
  const enrol = await app.inject({ method: 'POST', url: '/api/v1/session/totp/enrol', headers, payload: { enrolmentCode } });
  if (enrol.statusCode !== 200) throw new Error(`manager TOTP enrolment: ${enrol.statusCode} ${enrol.body}`);
  const { secret } = enrol.json<{ secret: string }>();
  const confirm = await app.inject({ method: 'POST', url: '/api/v1/session/totp/confirm', headers, payload: { code: await nextTotp(secret), enrolmentCode } });
  if (confirm.statusCode !== 200) throw new Error(`manager TOTP confirmation: ${confirm.statusCode} ${confirm.body}`);
  return { secret, session };
}

/**
 * Builds the app as main.ts would (web app included), creates the ACCOUNTS, and listens
 * on 127.0.0.1:<free port>.
 */
/** Options of startServer. */
export interface StartOptions {
  /** The data directory: mails go to its `outbox/` as .eml files, as in demo mode. Default: a temporary one per process. */
  readonly dataDir?: string;
  /** Limits of the public rights routes: a browser suite asks for many codes from 127.0.0.1 within minutes. */
  readonly requestLimits?: AppOptions['requestLimits'];
  /** The server key (keys the opposition list, seals notices); default a random one. */
  readonly serverKey?: Buffer;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const store = await createTestStore('pglite');
  let app: FastifyInstance | undefined;
  let manager: { secret: string; session: HelperSession };
  const enrolmentCodes = new Map<string, string>();
  try {
    const policy = await loadPolicy(join(ROOT, 'policies', 'certilience.yaml'));
    app = await buildApp({
      store,
      policy,
      webRoot: WEB_ROOT,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir, mailer: createMailer({ outboxDir: join(options.dataDir, 'outbox') }) }),
      ...(options.requestLimits === undefined ? {} : { requestLimits: options.requestLimits }),
      ...(options.serverKey === undefined ? {} : { serverKey: options.serverKey }),
    });
    for (const account of Object.values(ACCOUNTS)) {
      const { account: created } = await createAccount(store.db, policy, account);
      enrolmentCodes.set(account.email, (await issueEnrolmentCode(store.db, created.id, new Date())).code);
    }
    manager = await enrolManager(app, enrolmentCodes.get(ACCOUNTS.manager.email) ?? '');
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    await app?.close();
    await store.close();
    throw e;
  }
  const running = app;
  const { port } = running.server.address() as AddressInfo;
  return {
    app: running,
    store,
    baseUrl: `http://127.0.0.1:${port}`,
    managerTotpSecret: manager.secret,
    dpoEnrolmentCode: enrolmentCodes.get(ACCOUNTS.dpo.email) ?? '',
    api(method, url, payload) {
      const options: InjectOptions = {
        method,
        url,
        headers: { cookie: manager.session.cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': manager.session.csrfToken }) },
        ...(payload === undefined ? {} : { payload }),
      };
      return running.inject(options);
    },
    async close() {
      await running.close();
      await store.close();
    },
  };
}
