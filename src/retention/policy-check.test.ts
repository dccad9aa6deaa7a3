import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.js';

describe('rempart policy check and archiveKeeps (P4.5)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rempart-keeps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const original = readFileSync('policies/certilience.yaml', 'utf8');
  const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

  it('P4.5 a kept column or table the catalogue does not have is a problem at its own line; the default policy passes', async () => {
    const ordersLine = 'orders: [id, organisation_id, contract_id, number, ordered_at, amount, status]';
    const ticketsLine = 'tickets: [id, organisation_id, order_id, subject, status, opened_at, closed_at]';
    expect(original).toContain(ordersLine);
    expect(original).toContain(ticketsLine);
    const edited = original.replace(ordersLine, ordersLine.replace('amount', 'amont')).replace(ticketsLine, ticketsLine.replace('tickets:', 'tikets:'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, edited);
    const r = await runCli('policy', 'check', file);
    expect(r.code).toBe(1);
    // crm is the policy's first purpose (purposes[0]).
    const crm = 0;
    expect(r.err).toContain(`policy.yaml:${lineOf(edited, 'orders: [id')}: purposes[${crm}].retention.archiveKeeps.orders[5]: no column amont in table orders`);
    expect(r.err).toContain(`policy.yaml:${lineOf(edited, 'tikets:')}: purposes[${crm}].retention.archiveKeeps.tikets: no table tikets in the catalogue`);
    expect(r.err).toContain('2 problem(s)');
    const ok = await runCli('policy', 'check', 'policies/certilience.yaml');
    expect(ok.code).toBe(0);
  }, 60_000);
});
