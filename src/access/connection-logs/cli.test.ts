import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli.js';
import { parseAt } from '../../cli/logs.js';
import { openStore } from '../../db/database.js';
import { listConnectionLogs, recordConnection } from './index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = async (...args: string[]) => {
  const { code, out } = await runCli(...args);
  return { code, out };
};

describe('rempart logs purge', () => {
  it('P4.4 purges the entries older than 12 months as of --at', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rempart-logs-cli-'));
    dirs.push(dataDir);
    const store = await openStore({ dataDir, command: 'test' });
    for (const at of ['2025-06-01T00:00:00Z', '2025-11-25T23:59:59Z', '2025-11-26T00:00:00Z', '2026-11-01T00:00:00Z']) {
      await recordConnection(
        store.db,
        { at: new Date(at), service: 'cli', event: 'login', accountId: null, sourceIp: null, sourcePort: null, userAgent: null, outcome: 'success' },
        Buffer.alloc(32, 1),
      );
    }
    await store.close();

    expect(await run('logs', 'purge', '--data-dir', dataDir, '--at', '2026-11-26')).toEqual({
      code: 0,
      out: 'purged 2 connection log entries older than 2025-11-26T00:00:00.000Z',
    });
    const after = await openStore({ dataDir, command: 'test' });
    expect((await listConnectionLogs(after.db)).items).toHaveLength(2);
    await after.close();
  });

  it('reads --at as a date or an ISO date-time and refuses anything else', () => {
    expect(parseAt('2026-11-26').toISOString()).toBe('2026-11-26T00:00:00.000Z');
    expect(parseAt('2026-11-26T10:15:00+01:00').toISOString()).toBe('2026-11-26T09:15:00.000Z');
    const now = new Date();
    expect(parseAt(undefined, now)).toBe(now);
    for (const bad of ['2026-02-30', 'yesterday', '26/11/2026', '2026-11-26Tnope']) {
      expect(() => parseAt(bad), bad).toThrow(/--at/);
    }
  });
});
