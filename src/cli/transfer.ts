import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { createTransfer, SEGMENT_KEYS } from '../consent/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type CreateFlags = StoreFlags & { recipient: string; segment?: string; out: string };

/**
 * `rempart transfer create --recipient PARTNER_ID [--segment S] --out FILE.csv`: the file
 * for a partner with only the people whose consent for it is active now (annex art. 1;
 * P1.6), refused for a partner with no transfer ground (P3.1), logged with its SHA-256.
 */
export function registerTransferCommands(program: Command, setExit: (code: number) => void): void {
  const transfer = program.command('transfer').description('files of client data sent to group companies and partners, on consent (P1.6)');
  withStoreOptions(
    transfer
      .command('create')
      .description('write the CSV for a partner: only people whose consent for it is active at this instant; logged')
      .requiredOption('--recipient <partnerId>', 'the partner id (rempart partners list)')
      .option('--segment <criteria>', `comma-separated ${SEGMENT_KEYS.map((k) => `${k}=…`).join(', ')}`)
      .requiredOption('--out <file>', 'the CSV file to write (UTF-8)'),
  ).action(async (opts: CreateFlags) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart transfer create');
    try {
      const t = await createTransfer(
        { db: store.db, now: () => new Date(), serverKey: loadOrCreateServerKey(config.dataDir) },
        { partnerId: opts.recipient, ...(opts.segment === undefined ? {} : { segment: opts.segment }), actor: cliActor(), fileName: opts.out },
      );
      // The file is personal data: readable by its owner only.
      await writeFile(opts.out, t.csv, { mode: 0o600 });
      console.log(`wrote ${opts.out}: ${t.rows} person(s) for partner ${t.partnerId}; transfer ${t.transferId}; sha256 ${t.sha256}`);
      setExit(0);
    } finally {
      await store.close();
    }
  });
}
