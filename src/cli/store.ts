import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { openStore, type Store } from '../db/database.js';

/** Loads the config from flags and environment, then opens (creating and migrating) the store. */
export async function openConfiguredStore(flags: ConfigFlags, command: string): Promise<{ config: Config; store: Store }> {
  const config = loadConfig(flags);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined, command });
  return { config, store };
}
