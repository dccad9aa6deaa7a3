import { announceServerUrl } from '../db/lock.js';
import { listAccounts } from '../access/auth/index.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { buildApp } from '../app.js';
import { DEMO_PASSWORD, ensureDemoAccounts } from '../demo/accounts.js';
import { loadDemoPolicy } from '../demo/policy-overlay.js';
import { hasPeople, seedDemo } from '../demo/seed.js';
import { startDailyJobs } from '../jobs/daily.js';
import { createMailer, startOutboxSweeper } from '../mail/index.js';
import { join } from 'node:path';
import { requiresMfa, loadPolicy } from '../policy/index.js';
import type { StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/** How many people `serve --demo` seeds into an empty database. */
export const DEMO_PEOPLE = 300;

/** `rempart serve`: opens the store, optionally seeds demo data, listens until a signal. */
export async function serveCommand(flags: StoreFlags & { port?: string; host?: string; demo?: boolean; dailyHour?: string; publicUrl?: string; trustProxy?: string }): Promise<number> {
  const { config, store } = await openConfiguredStore(flags, 'rempart serve');
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let stopJobs = (): void => undefined;
  let stopSweeper = (): void => undefined;
  try {
    // The demo fills the contacts a policy leaves empty with marked example values (src/demo/policy-overlay.ts).
    const policy = config.demo ? await loadDemoPolicy(config.policyFile, config.dataDir) : await loadPolicy(config.policyFile);
    const serverKey = loadOrCreateServerKey(config.dataDir);
    if (config.demo && !(await hasPeople(store.db))) {
      const counts = await seedDemo(store.db, { people: DEMO_PEOPLE, seed: 42, now: new Date() });
      console.log(`Demo data: seeded ${counts.people} people with their organisations, contracts and invoices.`);
    }
    const demoLogins = config.demo ? await ensureDemoAccounts(store.db, policy) : [];
    const outboxDir = join(config.dataDir, 'outbox');
    const mailer = createMailer({ ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), outboxDir });
    app = await buildApp({ store, policy, serverKey, mailer, dataDir: config.dataDir, publicUrl: config.publicUrl, trustProxy: config.trustProxy, auditDurability: config.auditDurability, maxInFlight: config.maxInFlight, logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
    app.addHook('onClose', async () => mailer.close());
    await app.listen({ port: config.port, host: config.host });
    const logger = app.log;
    stopJobs = startDailyJobs({
      db: store.db,
      engine: store.engine,
      hour: config.dailyHour,
      serverKey,
      outboxDir,
      extras: { outboxKeepMs: config.outboxKeepHours * 3600_000, dataDir: config.dataDir, retention: { policy }, consentNotices: { mailer }, repermission: { policy, mailer, links: { serverKey, publicUrl: config.publicUrl } }, art14: { policy, key: serverKey, mailer, publicUrl: config.publicUrl } },
      onReport: (r) => logger.info({ job: 'daily', ...r }, 'daily jobs done'),
      onError: (e) => logger.error({ job: 'daily', errorName: (e as Error).name }, 'daily jobs failed'),
    });
    if (!config.smtpUrl) {
      stopSweeper = startOutboxSweeper({ outboxDir, keepMs: config.outboxKeepHours * 3600_000, onError: (e) => logger.error({ job: 'outbox', errorName: (e as Error).name }, 'outbox sweep failed') });
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${shownHost}:${port}/`;
    // A command blocked by this server's lock on the embedded database names this URL (src/cli/store.ts).
    if (store.engine === 'pglite') announceServerUrl(config.dataDir, url);
    console.log(`Rempart is running at ${url}`);
    console.log(`  database: ${store.location} · policy ${policy.version.shortHash} (effective ${policy.version.effectiveDate})`);
    if (policy.file !== config.policyFile) console.log(`  demo policy: ${policy.file} (example contacts fill the ones ${config.policyFile} leaves empty)`);
    console.log(`  API: ${url}api/v1/people · OpenAPI: ${url}api/openapi.json`);
    console.log(`  privacy portal (the people concerned, no account): ${url}portal · notice: ${url}notice`);
    console.log(`  ${mailer.describe()}${config.smtpUrl ? '' : ` (each deleted after ${config.outboxKeepHours} h)`}`);
    console.log(`  links in mail: ${config.publicUrl}${config.publicUrlIsDefault ? '  (the listening address; set --public-url / REMPART_PUBLIC_URL to the address people reach)' : ''}`);
    if (demoLogins.length > 0) {
      // A role without a second factor, so the demo opens at once; MFA roles enrol at first login.
      const first = demoLogins.find((l) => l.role === 'customer_relations') ?? demoLogins[0];
      console.log(`  demo login: ${first?.email} / ${DEMO_PASSWORD}  (demo accounts only; every role below has the same password)`);
      for (const l of demoLogins) console.log(`    ${l.role.padEnd(18)} ${l.email}${requiresMfa(policy, l.role) ? (l.enrolmentCode ? `  (enrols a TOTP app at first login with code ${l.enrolmentCode})` : '  (TOTP enrolled)') : ''}`);
    } else if ((await listAccounts(store.db)).length === 0) {
      console.log('  No account yet. Stop the server and create the privacy officer\'s first:');
      console.log('    npx rempart user add --email you@example.com --role dpo');
      console.log('  (on PostgreSQL, run it while the server runs.)');
    }
  } catch (e) {
    stopJobs();
    stopSweeper();
    await app?.close();
    await store.close();
    throw e;
  }
  const running = app;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  stopJobs();
  stopSweeper();
  await running.close();
  await store.close();
  return 0;
}
