import type { Command } from 'commander';
import { cliActor } from '../access/actor.js';
import { loadOrCreateServerKey } from '../access/server-key.js';
import { RempartError } from '../errors.js';
import { loadPolicy } from '../policy/index.js';
import { checkOpposition, importOppositionFile, listOpposition, recordOpposition, withdrawOpposition } from '../prospecting/opposition/index.js';
import { OPPOSITION_CHANNELS, type OppositionChannel } from '../rights/opposition/index.js';
import { withStoreOptions, type StoreFlags } from './store-options.js';
import { openConfiguredStore } from './store.js';

type Flags = StoreFlags & { email?: string; phone?: string; channel?: string; reason?: string; as?: string; json?: boolean };

function channelOf(v: string | undefined): OppositionChannel | undefined {
  if (v === undefined) return undefined;
  if (!(OPPOSITION_CHANNELS as readonly string[]).includes(v)) {
    throw new RempartError('VALIDATION_FAILED', `--channel must be one of ${OPPOSITION_CHANNELS.join(', ')}.`, { details: [{ field: '--channel', message: 'unknown channel' }] });
  }
  return v as OppositionChannel;
}

async function withContext<T>(flags: Flags, command: string, fn: (ctx: Parameters<typeof checkOpposition>[1], db: Parameters<typeof checkOpposition>[0]) => Promise<T>): Promise<T> {
  const { config, store } = await openConfiguredStore(flags, command);
  try {
    const policy = await loadPolicy(config.policyFile);
    if (flags.as !== undefined && !policy.roles.some((r) => r.id === flags.as)) {
      throw new RempartError('VALIDATION_FAILED', `Unknown role "${flags.as}".`, { details: [{ field: '--as', message: 'is not a role of the policy' }] });
    }
    return await fn({ policy, key: loadOrCreateServerKey(config.dataDir), actor: cliActor(flags.as ?? null), now: new Date() }, store.db);
  } finally {
    await store.close();
  }
}

const ids = (f: Flags) => ({ email: f.email ?? null, phone: f.phone ?? null });

function base(cmd: Command): Command {
  return withStoreOptions(cmd).option('--as <role>', 'act as this role of the policy (audited)');
}

/**
 * `rempart opposition add|remove|check|import|list`: the opposition list (R-PROS-3,
 * P5.6). Identifiers are flags, never printed back; output is yes/no and counts.
 */
export function registerOppositionCommands(program: Command, setExit: (code: number) => void): void {
  const opp = program.command('opposition').description("the opposition list (liste d'opposition): objections to prospecting");
  base(opp.command('check').description('is this email or phone on the list? prints yes or no (exit 0 either way)'))
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--channel <channel>', `one of ${OPPOSITION_CHANNELS.join(', ')}`)
    .option('--json', 'print {"opposed": true|false}')
    .action(async (f: Flags) => {
      const opposed = await withContext(f, 'rempart opposition check', (ctx, db) => checkOpposition(db, ctx, ids(f), channelOf(f.channel)));
      console.log(f.json ? JSON.stringify({ opposed }) : opposed ? 'yes' : 'no');
      setExit(0);
    });
  base(opp.command('add').description('record an objection to prospecting: keyed hashes only, kept at least 3 years'))
    .option('--email <email>')
    .option('--phone <phone>')
    .option('--channel <channel>', `one of ${OPPOSITION_CHANNELS.join(', ')}`, 'all')
    .action(async (f: Flags) => {
      await withContext(f, 'rempart opposition add', (ctx, db) => recordOpposition(db, ctx, ids(f), channelOf(f.channel)));
      console.log('added to the opposition list');
      setExit(0);
    });
  base(opp.command('remove').description('remove an entry (the person withdrew the objection): the dpo only (--as dpo), audited'))
    .option('--email <email>')
    .option('--phone <phone>')
    .requiredOption('--reason <text>', 'why (e.g. the request that withdrew the objection)')
    .action(async (f: Flags) => {
      const n = await withContext(f, 'rempart opposition remove', (ctx, db) => withdrawOpposition(db, ctx, ids(f), f.reason ?? ''));
      console.log(`removed ${n} entr${n === 1 ? 'y' : 'ies'}`);
      setExit(0);
    });
  base(opp.command('import').description('add every email and phone of a CSV or XLSX file to the list').argument('<file>'))
    .option('--channel <channel>', `one of ${OPPOSITION_CHANNELS.join(', ')}`, 'all')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, f: Flags) => {
      const report = await withContext(f, 'rempart opposition import', (ctx, db) => importOppositionFile(db, ctx, file, channelOf(f.channel)));
      if (f.json) console.log(JSON.stringify(report));
      else {
        console.log(`added ${report.added}, rejected ${report.rejected.length}`);
        for (const r of report.rejected) console.log(`  row ${r.row} (line ${r.line}) rejected: ${r.field}: ${r.reason}`);
      }
      setExit(0);
    });
  base(opp.command('list').description('the entries (channel, dates; never the hashes): the dpo only'))
    .option('--json', 'print as JSON')
    .action(async (f: Flags) => {
      const page = await withContext(f, 'rempart opposition list', (ctx, db) => listOpposition(db, ctx, { limit: 1000 }));
      if (f.json) console.log(JSON.stringify(page));
      else {
        console.log(`${page.total} entries`);
        for (const e of page.items) console.log(`${e.id}  ${e.channel.padEnd(5)}  ${e.hasEmail ? 'email' : 'phone'}  ${e.createdAt}  kept until ${e.keepUntil}`);
      }
      setExit(0);
    });
}
