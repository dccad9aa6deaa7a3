import { buildApp } from '../app.js';
import { hasPeople, seedDemo } from '../demo/seed.js';
import { loadPolicy } from '../policy/index.js';
import type { StoreFlags } from './main.js';
import { openConfiguredStore } from './store.js';

/** How many people `serve --demo` seeds into an empty database. */
export const DEMO_PEOPLE = 300;

/** `rempart serve`: opens the store, optionally seeds demo data, listens until a signal. */
export async function serveCommand(flags: StoreFlags & { port?: string; host?: string; demo?: boolean }): Promise<number> {
  const { config, store } = await openConfiguredStore(flags, 'rempart serve');
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    const policy = await loadPolicy(config.policyFile);
    if (config.demo && !(await hasPeople(store.db))) {
      const counts = await seedDemo(store.db, { people: DEMO_PEOPLE, seed: 42, now: new Date() });
      console.log(`Demo data: seeded ${counts.people} people with their organisations, contracts and invoices.`);
    }
    app = await buildApp({ store, policy, logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    console.log(`Rempart is running at http://${shownHost}:${port}/`);
    console.log(`  database: ${store.location} · policy ${policy.version.shortHash} (effective ${policy.version.effectiveDate})`);
    console.log(`  API: http://${shownHost}:${port}/api/v1/people · OpenAPI: http://${shownHost}:${port}/api/openapi.json`);
    if (config.demo) console.log('  demo login: none yet — accounts and roles arrive with the access-control issue; the API is open on this address only.');
  } catch (e) {
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
  await running.close();
  await store.close();
  return 0;
}
