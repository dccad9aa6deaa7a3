import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { openStore, type Store } from '../db/database.js';
import { dataDirHolder } from '../db/lock.js';
import { isRempartError, RempartError } from '../errors.js';
import { configureOutgoingUrls } from '../http/outgoing-url.js';

/** How a command that needs the store can be run instead while a server holds it. */
export interface StoreUse {
  /** The command also runs through a running server's API (`--api URL --token TOKEN`). */
  readonly api?: boolean;
}

/**
 * Loads the config from flags and environment, then opens (creating and migrating) the
 * store. When a running `rempart serve` holds the embedded data dir (one process at a time,
 * docs/adr/0002), the refusal says in one sentence what to do instead.
 */
export async function openConfiguredStore(flags: ConfigFlags, command: string, use: StoreUse = {}): Promise<{ config: Config; store: Store }> {
  const config = loadConfig(flags);
  // Every command that may register or call a webhook sees the same allow list.
  configureOutgoingUrls(config.allowPrivateUrls);
  try {
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl ?? undefined, command });
    return { config, store };
  } catch (e) {
    if (!isRempartError(e, 'STORE_LOCKED') || config.databaseUrl) throw e;
    const holder = dataDirHolder(config.dataDir);
    // Only another process's server: this process holding its own store is a different mistake.
    if (!holder?.command.startsWith('rempart serve') || holder.pid === process.pid) throw e;
    throw new RempartError('STORE_LOCKED', serverHoldsStore(config.dataDir, holder.pid, holder.url, command, use), { cause: e });
  }
}

/** The one sentence a command blocked by a running server prints. */
export function serverHoldsStore(dataDir: string, pid: number, url: string | undefined, command: string, use: StoreUse): string {
  const where = (url ?? 'http://127.0.0.1:8080/').replace(/\/$/, '');
  const instead = use.api
    ? `or run it through the server with \`${command} --api ${where} --token rmp_…\` (a token from \`rempart token create\`, made while the server is stopped)`
    : 'or do it in the back office or through the HTTP API';
  return `The server (rempart serve, pid ${pid}) holds the embedded database in ${dataDir}: stop it and run \`${command}\` again, ${instead}.`;
}
