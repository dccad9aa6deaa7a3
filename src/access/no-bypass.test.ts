import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../catalogue/catalogue.js';

/**
 * P2.1 / P2.5: no code path reaches personal data around the gate. This test reads the
 * source: only the modules listed here may name a table that holds personal data in a
 * query, and the record commands may be imported only by the gate.
 */
const ROOT = 'src';

/** Modules allowed to query personal tables directly, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/crm/commands.ts': 'the record commands, reachable only through the gate (checked below)',
  'src/access/gate.ts': 'the gate itself',
  'src/access/person-state-checks.ts': "the gate's person-state hook: reads whether a person is restricted or objected before the gate lets an operation through",
  'src/demo/seed.ts': 'bulk demo seeding by the local operator, before any person is real',
  'src/backup/restore.ts': 'the restore replaces the whole database (a storage operation, audited as one event) and replays the erasure journal through erasePerson',
};
/**
 * Stores of the gate's own machinery, and the rights engine, which must reach every
 * trace of a person wherever it is (GDPR Art. 15, 17) by walking the catalogue; each of
 * its exports and erasures writes its own audit event.
 */
const ALLOWED_DIRS = ['src/db/', 'src/access/audit/', 'src/access/auth/', 'src/access/connection-logs/', 'src/rights/', 'src/consent/' /* consent history and transfers: set-based consent checks at the transfer instant, each transfer audited as one export in its transaction (P1.6) */];

// The retention engines (last contact, re-permission, statistics fold) are batch engines over the whole base:
// each act, message and fold runs inside an audited batch or writes its own audit entry (appendInTransaction).
ALLOWED_DIRS.push('src/retention/contact/', 'src/retention/statistics/');
// The retention sweep and planner (P4): set-based batches over the whole base, each batch audited in its transaction (appendInTransaction).
ALLOWED_DIRS.push('src/retention/');

// Selection, sending and commercial statistics are batch engines over the whole base: every selection passes the
// guard (src/prospecting/campaigns/guard.ts, R-PROS-4) and each message, preview and report writes its audit event.
ALLOWED_DIRS.push('src/prospecting/campaigns/', 'src/prospecting/stats/');
// Prospect import, the opposition list's commands and the dedupe review are batch engines: each import batch
// writes people in one transaction with one audit event per kind of write (appendInTransaction); review
// merges and opposition changes are audited in their transaction too.
ALLOWED_DIRS.push('src/prospecting/import/', 'src/prospecting/opposition/');
// Training engagements (issue 19): data held as a processor, never in the record types; every command authorises
// from the policy's training grants through GateSession.assertCan and audits (recordWrite in its transaction, recordAccess).
ALLOWED_DIRS.push('src/training/');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const personalTables = CATALOGUE.filter((t) => Object.values(t.columns).some((c) => c.personal)).map((t) => t.table);

describe('the gate cannot be bypassed', () => {
  it('P2.1 only the gate and its stores query tables holding personal data', () => {
    const names = personalTables.flatMap((t) => [t, camel(t)]);
    const query = new RegExp(`(selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin)\\(\\s*'(${names.join('|')})\\b|\\b(from|join|into|update)\\s+(${personalTables.join('|')})\\b`, 'i');
    const offenders: string[] = [];
    for (const file of sources(ROOT)) {
      const rel = relative('.', file);
      if (rel in ALLOWED || ALLOWED_DIRS.some((d) => rel.startsWith(d))) continue;
      const text = readFileSync(file, 'utf8');
      text.split('\n').forEach((line, i) => {
        if (query.test(line)) offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('P2.1 the record commands are imported only by the gate', () => {
    const importers = sources(ROOT)
      .map((f) => relative('.', f))
      .filter((f) => f !== 'src/crm/commands.ts')
      .filter((f) => /from '\.{1,2}\/(crm\/)?commands\.js'/.test(readFileSync(f, 'utf8')))
      .filter((f) => /\b(createRecord|getRecord|listRecords|updateRecord|deleteRecord)\b/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual(['src/access/gate.ts']);
  });
});
