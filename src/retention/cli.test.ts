import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';
import { openStore } from '../db/database.js';
import { seedRetentionFixture } from './test-support.js';

describe('rempart retention plan / run (P4.6)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rempart-retention-cli-'));
  beforeAll(async () => {
    const store = await openStore({ dataDir: dir, command: 'test' });
    await seedRetentionFixture(store.db, 9);
    await store.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('P4.6 plan --json prints exactly {at, due, upcoming{30,90,365}}; run applies it; due is all zero right after', async () => {
    const before = await runCli('retention', 'plan', '--at', '2023-07-01', '--json', '--data-dir', dir);
    expect(before.code).toBe(0);
    const plan = JSON.parse(before.out) as { at: string; due: { purpose: string; action: string; count: number }[]; upcoming: Record<string, unknown[]> };
    expect(Object.keys(plan)).toEqual(['at', 'due', 'upcoming']);
    expect(Object.keys(plan.upcoming)).toEqual(['30', '90', '365']);
    expect(plan.at).toBe('2023-07-01');
    expect(plan.due).toContainEqual({ purpose: 'crm', action: 'archive', count: 2 });
    expect(plan.due.every((l) => Object.keys(l).join() === 'purpose,action,count')).toBe(true);

    const run = await runCli('retention', 'run', '--at', '2023-07-01', '--batch-size', '2', '--data-dir', dir);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/crm archive: 2/);
    const after = JSON.parse((await runCli('retention', 'plan', '--at', '2023-07-01', '--json', '--data-dir', dir)).out) as typeof plan;
    expect(after.due.every((l) => l.count === 0)).toBe(true);

    const human = await runCli('retention', 'plan', '--at', '2024-03-01', '--data-dir', dir);
    expect(human.out).toMatch(/prospecting\s+delete .*\s1\s*$/m);
    expect((await runCli('retention', 'run', '--batch-size', '0', '--data-dir', dir)).code).not.toBe(0);
  }, 180_000);
});
