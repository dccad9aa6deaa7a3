import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { runDailyJobs } from '../jobs/daily.js';
import { loadPolicy, type LoadedPolicy } from '../policy/index.js';
import { previewRetention } from './preview.js';
import { seedRetentionFixture } from './test-support.js';

describeEachEngine('retention in the daily jobs (P4.6)', (store) => {
  let policy: LoadedPolicy;
  beforeAll(async () => {
    policy = await loadPolicy('policies/certilience.yaml');
    await seedRetentionFixture(store().db, 3);
  });

  it('P4.6 the daily run applies the sweep with the date it is given, and leaves nothing due', async () => {
    const now = new Date('2023-07-01T03:00:00Z');
    const report = await runDailyJobs(store().db, now, Buffer.alloc(32, 7), undefined, { retention: { policy } });
    expect(report.retention).toEqual(expect.arrayContaining([{ purpose: 'crm', action: 'archive', count: 2 }]));
    const plan = await previewRetention(store().db, policy, '2023-07-01');
    expect(plan.due.filter((l) => l.count > 0)).toEqual([]);
    const again = await runDailyJobs(store().db, now, Buffer.alloc(32, 7), undefined, { retention: { policy } });
    expect(again.retention).toEqual([]);
  });
});
