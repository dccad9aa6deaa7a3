import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { AuditWriter, auditSink, chainPending } from '../access/audit/index.js';
import { loadOrCreateServerKey, SERVER_KEY_ENV } from '../access/server-key.js';
import { writeBackup } from '../backup/backup.js';
import { restoreBackup } from '../backup/restore.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

/**
 * `rempart backup --out FILE` and `rempart restore FILE` (GDPR Art. 32(1)(c): the ability
 * to restore; Art. 17: a restore gives an erased person back to no one). The commands
 * only parse and print; src/backup holds the logic.
 */
export function registerBackupCommands(program: Command, setExit: (code: number) => void): void {
  withStoreOptions(
    program
      .command('backup')
      .description('write a consistent, encrypted snapshot of the database (and FILE.manifest.json beside it)')
      .requiredOption('--out <file>', 'the backup file to write'),
  ).action(async (opts: StoreFlags & { out: string }) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart backup');
    try {
      const key = loadOrCreateServerKey(config.dataDir);
      const out = resolve(opts.out);
      const writer = new AuditWriter(store.db);
      let result: Awaited<ReturnType<typeof writeBackup>>;
      try {
        result = await writeBackup(store.db, store.engine, out, key, new Date(), { actor: cliActor(), sink: auditSink(writer) });
        await chainPending(store.db);
      } finally {
        await writer.close();
      }
      const { manifest, sha256, bytes } = result;
      const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
      console.log(`backup of ${manifest.tables.length} tables, ${rows} rows (${store.engine}), encrypted under the server key`);
      console.log(`sha256 ${sha256} (${bytes} bytes); manifest ${out}.manifest.json`);
      console.log(out);
      setExit(0);
    } finally {
      await store.close();
    }
  });

  withStoreOptions(
    program
      .command('restore')
      .description('replace the database with a backup, then replay the erasures and objections made since it was taken')
      .argument('<file>', 'a file written by `rempart backup`'),
  ).action(async (file: string, opts: StoreFlags) => {
    const { config, store } = await openConfiguredStore(opts, 'rempart restore');
    try {
      // The backup is encrypted under the server key it was made with: never create a new one here.
      if (!process.env[SERVER_KEY_ENV]?.trim() && !existsSync(join(config.dataDir, 'keys', 'server.key'))) {
        throw new RempartError('CONFIG_INVALID', `A restore needs the server key the backup was made with: set ${SERVER_KEY_ENV} or put keys/server.key in the data directory.`);
      }
      const key = loadOrCreateServerKey(config.dataDir);
      const policy = await loadPolicy(config.policyFile);
      const writer = new AuditWriter(store.db);
      try {
        const report = await restoreBackup(store.db, resolve(file), { serverKey: key, now: new Date(), policy, actor: cliActor(), dataDir: config.dataDir, audit: auditSink(writer) });
        await chainPending(store.db);
        console.log(`restored ${report.rows} rows of the backup taken ${report.manifest.createdAt} (${report.manifest.engine})`);
        if (report.migrationsApplied.length > 0) console.log(`  migrated  ${report.migrationsApplied.length} migration(s) newer than the backup`);
        console.log(`  replayed  ${report.erasuresReplayed} erasure(s) journalled since the backup: ${report.peopleErased} person record(s) erased again`);
        console.log(`  carried   ${report.objectionsCarried} objection(s) to prospecting made since the backup`);
        setExit(0);
      } finally {
        await writer.close();
      }
    } finally {
      await store.close();
    }
  });
}
