/**
 * The retention sweep alone, for the crash test (`crash.test.ts`): a child process that
 * imports only what the sweep needs (not the whole CLI). Test support, not a command:
 * `rempart retention run` is the user's entry point.
 *
 *   node --import tsx src/retention/sweep-child.ts <data-dir|postgres-url> <YYYY-MM-DD> <batch-size> [wait]
 *
 * With `wait`, it loads its modules and the policy, prints `warm` and waits for a line on
 * stdin before it touches the store: the test starts the next child while the current one
 * sweeps, so a restart after a kill costs only the store's opening. Then it prints `ready`
 * once the store is open, `batch` after each committed batch (the test aims its kills at
 * these) and `done <ms> <batches>` after the sweep.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../db/database.js';
import { loadPolicy } from '../policy/index.js';
import { runRetention } from './sweep.js';

const [where, at, batch, wait] = process.argv.slice(2);
if (where === undefined || at === undefined || batch === undefined) {
  process.stderr.write('usage: sweep-child <data-dir|postgres-url> <YYYY-MM-DD> <batch-size> [wait]\n');
  process.exit(2);
}
const policy = await loadPolicy('policies/certilience.yaml');
if (wait === 'wait') {
  process.stdout.write('warm\n');
  const lines = createInterface({ input: process.stdin });
  // No go (the test ended or failed before using this spare): leave without touching the store.
  const go = await new Promise<boolean>((resolve) => {
    lines.once('line', () => resolve(true));
    lines.once('close', () => resolve(false));
  });
  lines.close();
  if (!go) process.exit(0);
}
const store = await openStore(where.startsWith('postgres') ? { databaseUrl: where, command: 'crash test', migrate: false } : { dataDir: where, command: 'crash test', migrate: false });
process.stdout.write('ready\n');
const started = performance.now();
let batches = 0;
await runRetention(store.db, policy, {
  at: new Date(`${at}T00:00:00Z`),
  batchSize: Number(batch),
  onBatch: () => {
    batches++;
    process.stdout.write('batch\n');
  },
});
process.stdout.write(`done ${Math.round(performance.now() - started)} ${batches}\n`);
await store.close();
