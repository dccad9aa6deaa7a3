import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { recordConnection } from '../access/connection-logs/index.js';
import { isDue, parisDay, parisHour, runDailyJobs } from './daily.js';

describe('daily schedule', () => {
  it('runs once a day, from the configured hour in Paris time', () => {
    // 02:30 UTC in winter is 03:30 in Paris.
    const at = new Date('2026-01-15T02:30:00Z');
    expect(parisHour(at)).toBe(3);
    expect(parisDay(at)).toBe('2026-01-15');
    expect(isDue(at, null, 3)).toBe(true);
    expect(isDue(at, '2026-01-15', 3)).toBe(false);
    expect(isDue(at, '2026-01-14', 4)).toBe(false);
    // 22:30 UTC is 23:30 in Paris in winter (same day) and 00:30 the next day in summer.
    expect(parisDay(new Date('2026-01-14T22:30:00Z'))).toBe('2026-01-14');
    expect(parisDay(new Date('2026-07-14T22:30:00Z'))).toBe('2026-07-15');
  });
});

describeEachEngine('daily jobs', (store) => {
  it('P4.4 the daily run purges connection logs older than 12 months, and a second run changes nothing', async () => {
    const key = Buffer.alloc(32, 7);
    const base = { service: 'api', event: 'login' as const, accountId: null, sourceIp: '127.0.0.1', sourcePort: 1, userAgent: 'test', outcome: 'success' as const };
    await recordConnection(store().db, { ...base, at: new Date('2025-11-24T12:00:00Z') }, key);
    await recordConnection(store().db, { ...base, at: new Date('2025-11-27T12:00:00Z') }, key);
    const now = new Date('2026-11-26T03:00:00Z');
    const first = await runDailyJobs(store().db, now, key);
    expect(first.connectionLogsPurged).toBe(1);
    const second = await runDailyJobs(store().db, now, key);
    expect(second).toEqual({ connectionLogsPurged: 0, sessionsPurged: 0, outboxFilesPurged: 0 });
    const left = await sql<{ n: number }>`select count(*)::int as n from connection_logs`.execute(store().db);
    expect(left.rows[0]?.n).toBe(1);
  });
});
