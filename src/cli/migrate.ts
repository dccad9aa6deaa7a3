import type { StoreFlags } from './store-options.js';
import { loadConfig } from '../config.js';
import { openStore } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

/** `rempart migrate`: creates the store if needed and applies pending migrations. */
export async function migrateCommand(flags: StoreFlags): Promise<number> {
  const config = loadConfig(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined, command: 'rempart migrate', migrate: false });
  try {
    const applied = await migrateToLatest(store.db);
    console.log(applied.length === 0 ? `${store.location}: schema up to date` : `${store.location}: applied ${applied.join(', ')}`);
    return 0;
  } finally {
    await store.close();
  }
}
