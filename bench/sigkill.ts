/**
 * `node --import tsx bench/sigkill.ts [--trials 20]`: SIGKILL trials of the read audit on
 * PostgreSQL (BENCH_DATABASE_URL), strict and batched, each trial a server process killed
 * at a random moment while 8 clients read distinct people (test/sigkill-trials.ts).
 * Prints one line per trial and the summary that BENCHMARKS.md quotes.
 */
import { parseArgs } from 'node:util';
import { BATCHED_WINDOW_MS, type AuditDurability } from '../src/access/audit/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { sharedKeys } from '../test/server-process.js';
import { sigkillTrial, type TrialResult } from '../test/sigkill-trials.js';
import { benchPolicy } from './apps.js';
import { openFreshStore } from './engines.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' } } });
const trials = Number(values.trials);
const store = await openFreshStore('postgres', 'sigkill');
try {
  const url = store.url;
  if (!url) throw new Error('openFreshStore gave no URL');
  const policy = await benchPolicy();
  await seedDemo(store.db, { people: 500 * trials * 2 + 500, seed: 7, now: new Date() });
  const ids = (await store.db.selectFrom('people').select('id').execute()).map((r) => r.id);
  const keys = sharedKeys();
  const results: TrialResult[] = [];
  for (let t = 0; t < trials; t++) {
    for (const mode of ['strict', 'batched'] as AuditDurability[]) {
      const r = await sigkillTrial(store.db, policy, url, mode, ids.splice(0, 500), keys);
      results.push(r);
      console.log(JSON.stringify(r));
    }
  }
  for (const mode of ['strict', 'batched'] as AuditDurability[]) {
    const mine = results.filter((r) => r.mode === mode);
    const served = mine.reduce((n, r) => n + r.served, 0);
    const lost = mine.reduce((n, r) => n + r.lostReads, 0);
    const lostConn = mine.reduce((n, r) => n + r.lostConnections, 0);
    const span = Math.max(...mine.map((r) => r.lostSpanMs));
    console.log(
      `${mode}: ${mine.length} trials, ${served} reads served, ${lost} served without an audit event (${mine.filter((r) => r.lostReads > 0).length} trials), ${lostConn} without a connection entry; widest span of lost reads ${span.toFixed(1)} ms (window ${BATCHED_WINDOW_MS} ms)`,
    );
  }
} finally {
  await store.close();
}
