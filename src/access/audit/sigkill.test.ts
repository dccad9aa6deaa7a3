import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStoreWithUrl, testEngines } from '../../../test/engines.js';
import { sharedKeys } from '../../../test/server-process.js';
import { sigkillTrial } from '../../../test/sigkill-trials.js';
import type { Store } from '../../db/database.js';
import { seedDemo } from '../../demo/seed.js';
import { loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { BATCHED_WINDOW_MS } from './writer.js';

/** Trials per mode here; bench/sigkill.ts runs the full count (20 per mode and more). */
const TRIALS = Number(process.env.REMPART_SIGKILL_TRIALS ?? 2);
/** Timer and scheduling slack of a loaded test machine, on top of the stated window. */
const SLACK_MS = 30;

describe.runIf(testEngines().includes('postgres'))('SIGKILL trials of the read audit [postgres]', () => {
  let store: Store;
  let url: string;
  let policy: LoadedPolicy;
  let ids: string[] = [];
  const keys = sharedKeys();

  beforeAll(async () => {
    const made = await createTestStoreWithUrl('postgres');
    store = made.store;
    url = made.url ?? '';
    policy = await loadPolicy('policies/certilience.yaml');
    await seedDemo(store.db, { people: 400 * TRIALS * 2 + 400, seed: 7, now: new Date() });
    ids = (await store.db.selectFrom('people').select('id').execute()).map((r) => r.id);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  const take = (n: number): string[] => ids.splice(0, n);

  it(`P2.5 P1.7 strict: after a SIGKILL at a random moment, every read served is in the trail and its token use in the connection log (${TRIALS} trials)`, async () => {
    for (let t = 0; t < TRIALS; t++) {
      const r = await sigkillTrial(store.db, policy, url, 'strict', take(400), keys);
      expect(r.served).toBeGreaterThan(0);
      expect(r).toMatchObject({ lostReads: 0, lostConnections: 0 });
    }
  }, 300_000);

  it(`P2.5 batched: after a SIGKILL, the reads served but not logged span at most the ${BATCHED_WINDOW_MS} ms window (${TRIALS} trials)`, async () => {
    for (let t = 0; t < TRIALS; t++) {
      const r = await sigkillTrial(store.db, policy, url, 'batched', take(400), keys);
      expect(r.served).toBeGreaterThan(0);
      expect(r.lostSpanMs).toBeLessThanOrEqual(BATCHED_WINDOW_MS + SLACK_MS);
    }
  }, 300_000);
});
