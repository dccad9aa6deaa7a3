// The store options every sub-command shares. They live apart from main.ts, which imports every sub-command:
// the sub-commands import this file instead of main.ts, so the command line has no import cycle.
import { Option, type Command } from 'commander';

/** Options every command that opens the store takes. */
export interface StoreFlags {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly policy?: string;
}

/** Adds --data-dir, --database-url and --policy to a command. */
export function withStoreOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data-dir <dir>', 'embedded database folder (env REMPART_DATA_DIR, default ./data)'))
    .addOption(new Option('--database-url <url>', 'PostgreSQL server URL, instead of the embedded database (env DATABASE_URL)'))
    .addOption(new Option('--policy <file>', 'policy file (env REMPART_POLICY, default policies/certilience.yaml)'));
}
