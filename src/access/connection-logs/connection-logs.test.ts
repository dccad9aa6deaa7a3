import { type Kysely, sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Database } from '../../db/schema.js';
import { newId } from '../../db/ids.js';
import {
  CONNECTION_EVENTS,
  connectionLogsCsv,
  hashIdentifier,
  listConnectionLogs,
  purgeConnectionLogs,
  recordConnection,
  retentionCutoff,
  type ConnectionEvent,
} from './index.js';

const KEY = Buffer.alloc(32, 7);

function event(over: Partial<ConnectionEvent> = {}): ConnectionEvent {
  return {
    at: new Date('2026-11-26T10:00:00Z'),
    service: 'backoffice',
    event: 'login',
    accountId: newId(),
    sourceIp: '203.0.113.7',
    sourcePort: 51234,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
    outcome: 'success',
    ...over,
  };
}

async function csvText(db: Kysely<Database>, filters: Parameters<typeof connectionLogsCsv>[1] = {}): Promise<string> {
  let out = '';
  for await (const line of connectionLogsCsv(db, filters)) out += line;
  return out;
}

/** Empties the table through the only door it has: a purge as of the far future. */
async function clear(db: Kysely<Database>): Promise<void> {
  await purgeConnectionLogs(db, new Date('9000-01-01T00:00:00Z'));
}

describeEachEngine('connection logs', (store) => {
  beforeEach(() => clear(store().db));

  it('P1.7 every event type of every service is written with time, account, source IP and port, user agent, service and outcome', async () => {
    const db = store().db;
    const accountId = newId();
    const services = ['api', 'backoffice', 'portal', 'cli'];
    for (const [i, type] of CONNECTION_EVENTS.entries()) {
      await recordConnection(
        db,
        event({ event: type, service: services[i % services.length] ?? 'api', accountId, at: new Date(Date.UTC(2026, 10, 26, 10, i)) }),
        KEY,
      );
    }
    await recordConnection(db, event({ accountId: null, identifier: 'nobody@example.org', outcome: 'failure', reason: 'bad_password' }), KEY);
    const page = await listConnectionLogs(db, { limit: 100 });
    expect(page.items.map((r) => r.event).sort()).toEqual([...CONNECTION_EVENTS, 'login'].sort());
    const logout = page.items.find((r) => r.event === 'logout');
    expect(logout).toMatchObject({
      accountId,
      service: 'backoffice',
      sourceIp: '203.0.113.7',
      sourcePort: 51234,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      outcome: 'success',
      reason: null,
      identifierHash: null,
    });
    expect(logout?.at.toISOString()).toBe('2026-11-26T10:01:00.000Z');
    const failed = page.items.find((r) => r.outcome === 'failure');
    expect(failed).toMatchObject({ accountId: null, reason: 'bad_password', identifierHash: hashIdentifier('nobody@example.org', KEY) });
  });

  it('P1.7 the attempted identifier is never stored in clear, only its keyed hash (normalised first)', async () => {
    const db = store().db;
    await recordConnection(db, event({ accountId: null, identifier: '  Alice.Martin@Example.FR ', outcome: 'failure', reason: 'unknown_account' }), KEY);
    // An identifier given with a matched account is not stored at all (the account says who it was).
    await recordConnection(db, event({ identifier: 'bob@example.fr' }), KEY);
    const dump = await sql<{ row: string }>`select t::text as row from connection_logs t`.execute(db);
    const text = dump.rows.map((r) => r.row).join('\n').toLowerCase();
    expect(text).not.toContain('alice');
    expect(text).not.toContain('bob@');
    const rows = await db.selectFrom('connectionLogs').select(['identifierHash', 'accountId']).execute();
    const hashed = rows.find((r) => r.accountId === null);
    expect(hashed?.identifierHash).toBe(hashIdentifier('alice.martin@example.fr', KEY));
    expect(hashed?.identifierHash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashIdentifier('alice.martin@example.fr', Buffer.alloc(32, 8))).not.toBe(hashed?.identifierHash);
    expect(rows.find((r) => r.accountId !== null)?.identifierHash).toBeNull();
  });

  it('P1.7 the database refuses UPDATE, DELETE and TRUNCATE of the logs', async () => {
    const db = store().db;
    await recordConnection(db, event(), KEY);
    await expect(sql`update connection_logs set outcome = 'failure'`.execute(db)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(sql`delete from connection_logs`.execute(db)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(sql`truncate connection_logs`.execute(db)).rejects.toThrow(/append-only: TRUNCATE refused/);
    // The purge's setting does not open UPDATE or TRUNCATE.
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`select set_config('rempart.purge', 'on', true)`.execute(tx);
        await sql`update connection_logs set outcome = 'failure'`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`select set_config('rempart.purge', 'on', true)`.execute(tx);
        await sql`truncate connection_logs`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    // And it does not outlive its transaction.
    await expect(sql`delete from connection_logs`.execute(db)).rejects.toThrow(/append-only/);
    expect((await listConnectionLogs(db)).items).toHaveLength(1);
  });

  it('P4.4 the purge deletes exactly the entries older than 12 months (time travel, ±1 day)', async () => {
    const db = store().db;
    const now = new Date('2026-11-26T09:30:00Z');
    const at = (iso: string) => event({ at: new Date(iso), service: iso });
    await recordConnection(db, at('2025-11-25T09:30:00Z'), KEY); // 12 months + 1 day: goes
    await recordConnection(db, at('2025-11-26T09:29:59.999Z'), KEY); // just past the term: goes
    await recordConnection(db, at('2025-11-26T09:30:00Z'), KEY); // exactly 12 months: stays
    await recordConnection(db, at('2025-11-27T09:30:00Z'), KEY); // 12 months - 1 day: stays
    await recordConnection(db, at('2026-11-26T09:00:00Z'), KEY); // today: stays
    expect(await purgeConnectionLogs(db, now)).toBe(2);
    const left = (await listConnectionLogs(db)).items.map((r) => r.service).sort();
    expect(left).toEqual(['2025-11-26T09:30:00Z', '2025-11-27T09:30:00Z', '2026-11-26T09:00:00Z']);
    // Idempotent; and one day later the 12-month-old entry goes too.
    expect(await purgeConnectionLogs(db, now)).toBe(0);
    expect(await purgeConnectionLogs(db, new Date('2026-11-27T09:30:00Z'))).toBe(1);
  });

  it('P4.4 a year counted back from 29 February ends on 28 February', async () => {
    const db = store().db;
    await recordConnection(db, event({ at: new Date('2027-02-27T12:00:00Z') }), KEY);
    await recordConnection(db, event({ at: new Date('2027-02-28T12:00:00Z') }), KEY);
    await recordConnection(db, event({ at: new Date('2027-03-01T12:00:00Z') }), KEY);
    expect(await purgeConnectionLogs(db, new Date('2028-02-29T12:00:00Z'))).toBe(1);
    expect((await listConnectionLogs(db)).items).toHaveLength(2);
  });

  it('lists newest first with filters and an opaque cursor', async () => {
    const db = store().db;
    const accountId = newId();
    for (let i = 0; i < 7; i++) {
      await recordConnection(db, event({ accountId, at: new Date(Date.UTC(2026, 10, 20 + i)), outcome: i % 2 ? 'failure' : 'success' }), KEY);
    }
    // Two entries at the same instant: the id breaks the tie, nothing is skipped or repeated.
    await recordConnection(db, event({ accountId, at: new Date(Date.UTC(2026, 10, 23)) }), KEY);
    await recordConnection(db, event({ at: new Date(Date.UTC(2026, 10, 22)), event: 'token' }), KEY);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listConnectionLogs(db, { accountId, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    const all = (await listConnectionLogs(db, { accountId, limit: 100 })).items;
    expect(all.map((r) => r.id)).toEqual(seen);
    expect(all.map((r) => r.at.getTime())).toEqual([...all.map((r) => r.at.getTime())].sort((a, b) => b - a));
    expect((await listConnectionLogs(db, { outcome: 'failure' })).items).toHaveLength(3);
    expect((await listConnectionLogs(db, { event: 'token' })).items).toHaveLength(1);
    const window = await listConnectionLogs(db, { from: new Date(Date.UTC(2026, 10, 22)), to: new Date(Date.UTC(2026, 10, 24)) });
    expect(window.items).toHaveLength(4);
    await expect(listConnectionLogs(db, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('exports CSV with RFC 4180 quoting and the formula-injection guard', async () => {
    const db = store().db;
    await recordConnection(
      db,
      event({ userAgent: '=HYPERLINK("http://evil.example","click")', reason: 'a,b "quoted"\nline', at: new Date('2026-11-26T10:00:00Z') }),
      KEY,
    );
    await recordConnection(db, event({ userAgent: '@SUM(1+1)', sourceIp: null, sourcePort: null, at: new Date('2026-11-25T10:00:00Z') }), KEY);
    const text = await csvText(db);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,at,service,event,account_id,identifier_hash,source_ip,source_port,user_agent,outcome,reason');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain(`"a,b ""quoted""\nline"`);
    expect(text).toContain(`,,,'@SUM(1+1),success,`);
    expect(text).toContain(',2026-11-26T10:00:00.000Z,backoffice,login,');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(await csvText(db, { from: new Date('2026-11-26T00:00:00Z') })).not.toContain('@SUM');
  });

  it('refuses a malformed event before it reaches the table', async () => {
    const db = store().db;
    await expect(recordConnection(db, event({ sourcePort: 70000 }), KEY)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(recordConnection(db, event({ at: new Date('nope') }), KEY)).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(sql`insert into connection_logs (id, at, service, event, outcome) values (${newId()}, now(), 'api', 'hack', 'success')`.execute(db)).rejects.toThrow();
    expect((await listConnectionLogs(db)).items).toHaveLength(0);
  });
});

describe('retentionCutoff', () => {
  it('P4.4 counts 12 calendar months back in UTC, keeping the time of day', () => {
    expect(retentionCutoff(new Date('2026-11-26T09:30:00.123Z')).toISOString()).toBe('2025-11-26T09:30:00.123Z');
    expect(retentionCutoff(new Date('2028-02-29T00:00:00Z')).toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(retentionCutoff(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(retentionCutoff(new Date('2026-03-31T08:00:00Z'), 'P1M').toISOString()).toBe('2026-02-28T08:00:00.000Z');
    expect(retentionCutoff(new Date('2026-03-01T08:00:00Z'), 'P1D').toISOString()).toBe('2026-02-28T08:00:00.000Z');
  });
});
