/**
 * The retention sweep alone, for the crash test (`crash.test.ts`): a child process that
 * imports only what the sweep needs (not the whole CLI), so that being started and killed
 * many times stays cheap. Test support, not a command: `rempart retention run` is the
 * user's entry point.
 *
 *   node --import tsx src/retention/sweep-child.ts <data-dir|postgres-url> <YYYY-MM-DD> <batch-size>
 *
 * Prints `ready` once the store is open and `done <ms>` after the sweep (its own duration),
 * so the test can aim its kills at the sweep rather than at start-up.
 */
import { openStore } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';
import { runRetention } from './sweep.js';

const [where, at, batch] = process.argv.slice(2);
if (where === undefined || at === undefined || batch === undefined) {
  process.stderr.write('usage: sweep-child <data-dir|postgres-url> <YYYY-MM-DD> <batch-size>\n');
  process.exit(2);
}
const policy = await loadPolicy('policies/certilience.yaml');
const store = await openStore(where.startsWith('postgres') ? { databaseUrl: where, command: 'crash test', migrate: false } : { dataDir: where, command: 'crash test', migrate: false });
process.stdout.write('ready\n');
const started = performance.now();
await runRetention(store.db, policy, { at: new Date(`${at}T00:00:00Z`), batchSize: Number(batch) });
process.stdout.write(`done ${Math.round(performance.now() - started)}\n`);
await store.close();
