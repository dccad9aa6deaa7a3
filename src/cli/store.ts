import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { openStore, type Store } from '../db/database.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

/** Loads the config from flags and environment, then opens (creating and migrating) the store. */
export async function openConfiguredStore(flags: ConfigFlags, command: string): Promise<{ config: Config; store: Store }> {
  const config = loadConfig(flags);
  // Every command that may register or call a webhook sees the same allow list.
  configureOutgoingUrls(config.allowPrivateUrls);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined, command });
  return { config, store };
}
