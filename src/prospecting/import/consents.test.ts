import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { cliActor } from '../../access/actor.js';
import { consentedToElectronicProspecting, consentHistory, recordConsent, type ConsentDeps } from '../../consent/index.js';
import { DEFAULT_POLICY_FILE, loadPolicy, type LoadedPolicy } from '../../policy/index.js';
import { addOpposition } from '../../rights/opposition/index.js';
import { recordImportConsents, type ImportConsentEntry } from './consents.js';
import { importProspects } from './engine.js';
import { resolveColumns, type ProspectField } from './mapping.js';
import { normaliseProspectRow, type RowValues } from './prospect-row.js';
import { mergePeople } from './review.js';

/**
 * R-PROS-6: the opt-ins of an imported file become consent events to the controller's
 * email prospecting, in the batch's transaction, set-based, never twice, never over a
 * withdrawal or an objection; and the campaign guard's question then answers yes.
 */
const dir = mkdtempSync(join(tmpdir(), 'rempart-import-consents-'));
let files = 0;
const now = new Date('2026-11-26T10:00:00Z');
const key = randomBytes(32);
const actor = cliActor();
const SOURCE = 'Jeu concours partenaire 2026';
const HEADER = ['Prénom', 'Nom', 'Email', 'Opt-in', 'Date opt-in', 'Preuve'];
let policy: LoadedPolicy;
beforeAll(async () => {
  policy = await loadPolicy(DEFAULT_POLICY_FILE);
});

interface Line {
  readonly first: string;
  readonly last: string;
  readonly email: string;
  readonly optin: string;
  readonly at: string;
  readonly proof: string;
}
const line = (i: number, extra: Partial<Line> = {}): Line => ({ first: `Prénom${i}`, last: `Nom${i}`, email: `prospect.${i}@gmail.com`, optin: 'oui', at: '14/03/2026', proof: `https://partenaire.example/jeu?c=${i}`, ...extra });

/** Counts the statements run through a connection (raw SQL included). */
function counter(): { readonly plugin: KyselyPlugin; readonly count: () => number } {
  let n = 0;
  return {
    plugin: {
      transformQuery: (args) => {
        n++;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    },
    count: () => n,
  };
}

describeEachEngine('R-PROS-6 consents from an imported file', (store) => {
  const db = () => store().db;
  const deps = (): ConsentDeps => ({ db: db(), policy, now: () => now, serverKey: key });

  /**
   * Imports the lines (people only: the engine's wiring is not under test here), then reads
   * them as the engine does (header mapping, normaliser) and returns the consent entries,
   * each with the person its row ended in.
   */
  async function imported(lines: readonly Line[]): Promise<ImportConsentEntry[]> {
    const path = join(dir, `f${++files}.csv`);
    const cells = (l: Line) => [l.first, l.last, l.email, l.optin, l.at, l.proof];
    writeFileSync(path, [HEADER, ...lines.map(cells)].map((r) => r.join(';')).join('\n') + '\n');
    const placed = new Map<number, string>();
    const report = await importProspects(db(), path, { source: SOURCE, actor, key, now, fuzzyPass: false, onPlaced: (row, personId) => placed.set(row, personId) });
    expect(report.rejected).toEqual([]);
    const columns = resolveColumns(HEADER);
    return lines.flatMap((l, i) => {
      const values: Partial<Record<ProspectField, string[]>> = {};
      cells(l).forEach((v, c) => {
        const f = columns.fields[c];
        if (f && v !== '') (values[f] ??= []).push(v);
      });
      const outcome = normaliseProspectRow(values as RowValues, { row: i + 1, line: i + 2 }, now);
      if (!outcome.ok || outcome.candidate.consent === null) return [];
      return [{ personId: placed.get(i + 1) as string, consent: outcome.candidate.consent, source: SOURCE, row: i + 1, line: i + 2 }];
    });
  }

  /** Runs recordImportConsents in a transaction of its own, as a batch does, counting its statements. */
  async function record(entries: readonly ImportConsentEntry[], jobId?: string) {
    const c = counter();
    const result = await db().transaction().execute((tx) => recordImportConsents(tx.withPlugin(c.plugin), entries, { policy, actor, now, ...(jobId ? { jobId } : {}) }));
    return { ...result, statements: c.count() };
  }

  const importedEvents = async (personId: string) => (await consentHistory(db(), personId, undefined, 'email_prospecting'));

  it('R-PROS-6 a batch is recorded set-based: the same few statements for 3 people as for 300, one audit entry each', async () => {
    const entries = await imported(Array.from({ length: 303 }, (_, i) => line(i)));
    expect(entries).toHaveLength(303);
    const small = await record(entries.slice(0, 3), 'job-small');
    const large = await record(entries.slice(3), 'job-large');
    expect([small.recorded, large.recorded, small.alreadyRecorded, large.alreadyRecorded]).toEqual([3, 300, 0, 0]);
    expect(small.warnings).toEqual([]);
    // Checks, pseudonyms (insert and read), events, audit.
    expect(small.statements).toBe(5);
    expect(large.statements).toBe(small.statements);
    const audit = (await db().selectFrom('auditQueue').select('event').execute())
      .map((r) => (typeof r.event === 'string' ? JSON.parse(r.event) : r.event) as { resource: string; action: string; personIds: string[]; recordIds: string[]; reason: string | null; fields: string[] })
      .filter((e) => e.resource === 'consents');
    expect(audit.map((e) => [e.action, e.personIds.length, e.recordIds.length])).toEqual([
      ['create', 3, 3],
      ['create', 300, 300],
    ]);
    expect(audit[1]?.reason).toMatch(/prospect import .*consent to email prospecting/);
    // Names of fields only: no evidence, no address in the trail.
    expect(JSON.stringify(audit)).not.toMatch(/partenaire\.example|gmail\.com/);
  });

  it('R-PROS-6 the recorded consent makes consentedToElectronicProspecting answer yes from the consent date, and is the event recordConsent writes', async () => {
    const [entry, other] = await imported([line(1000), line(1001)]);
    expect((await record([entry!])).recorded).toBe(1);
    const id = entry!.personId;
    expect([...(await consentedToElectronicProspecting(db(), [id], now))]).toEqual([id]);
    // Dated when the person consented: not before.
    expect([...(await consentedToElectronicProspecting(db(), [id], new Date('2026-03-13T23:59:59Z')))]).toEqual([]);
    const [ev] = await importedEvents(id);
    expect(ev).toMatchObject({ scope: 'email_prospecting', partnerId: null, state: 'given', channel: 'import', collector: actor.id, noticeVersion: policy.version.hash, recordedAt: now });
    expect(ev?.eventAt.toISOString()).toBe('2026-03-14T00:00:00.000Z');
    expect(ev?.evidence).toBe(`imported file, source "${SOURCE}", row 1 (line 2); proof of collection: https://partenaire.example/jeu?c=1000`);
    // What the person saw is the source's form, not our notice: the event says so.
    expect(ev?.textShown).toContain(SOURCE);
    // The same 27560 context as a consent recorded one by one.
    await recordConsent(deps(), { personId: other!.personId, scope: 'email_prospecting', state: 'given', channel: 'import', evidence: 'a proof', eventAt: new Date('2026-03-14T00:00:00Z'), collector: actor.id });
    const [one] = await importedEvents(other!.personId);
    const context = (e: typeof ev) => {
      const { id: _i, subjectId: _s, textShown: _t, evidence: _e, ...rest } = e!;
      return rest;
    };
    expect(context(ev)).toEqual(context(one));
  });

  it('R-PROS-6 re-importing the same file records no second event; the same person twice in a batch is one event; another date is history', async () => {
    const entries = await imported([line(2000), line(2001), line(2000)]);
    expect(entries[2]?.personId).toBe(entries[0]?.personId);
    expect(await record(entries)).toMatchObject({ recorded: 2, alreadyRecorded: 1, warnings: [] });
    // The file again: the people are merged, their consents already on record.
    const again = await imported([line(2000), line(2001), line(2000)]);
    expect(again.map((e) => e.personId)).toEqual(entries.map((e) => e.personId));
    expect(await record(again)).toMatchObject({ recorded: 0, alreadyRecorded: 3, warnings: [] });
    expect(await importedEvents(entries[0]!.personId)).toHaveLength(1);
    // A later opt-in to another form is a consent of its own.
    const later = await imported([line(2000, { at: '02/09/2026', proof: 'newsletter septembre' })]);
    expect((await record(later)).recorded).toBe(1);
    expect((await importedEvents(entries[0]!.personId)).map((e) => e.eventAt.toISOString())).toEqual(['2026-03-14T00:00:00.000Z', '2026-09-02T00:00:00.000Z']);
  });

  it('R-PROS-6 a file never brings back a consent the person withdrew, nor gives one to a person who objected', async () => {
    const [w] = await imported([line(3000)]);
    await recordConsent(deps(), { personId: w!.personId, scope: 'email_prospecting', state: 'given', channel: 'web_form', evidence: 'form 1', eventAt: new Date('2026-01-05T00:00:00Z'), collector: 'system:test' });
    await recordConsent(deps(), { personId: w!.personId, scope: 'email_prospecting', state: 'withdrawn', channel: 'link', evidence: 'link', eventAt: new Date('2026-02-01T00:00:00Z'), collector: 'system:test' });
    await addOpposition(db(), key, { email: 'prospect.3001@gmail.com' }, { now });
    const [, o] = await imported([line(3000), line(3001)]);
    const r = await record([{ ...w!, row: 1, line: 2 }, o!]);
    expect(r.recorded).toBe(0);
    expect(r.warnings).toEqual([
      { row: 1, line: 2, field: 'consentEmail', code: 'consent_withdrawn', reason: expect.stringMatching(/withdrew or refused.*Art\. 7\(3\)/) },
      { row: 2, line: 3, field: 'consentEmail', code: 'consent_objected', reason: expect.stringMatching(/objected.*Art\. 21/) },
    ]);
    expect(JSON.stringify(r.warnings)).not.toMatch(/gmail|partenaire/);
    expect([...(await consentedToElectronicProspecting(db(), [w!.personId, o!.personId], now))]).toEqual([]);
    expect((await importedEvents(w!.personId)).map((e) => e.state)).toEqual(['given', 'withdrawn']);
    expect(await importedEvents(o!.personId)).toEqual([]);
  });

  it('R-PROS-6 R-PROS-2 a withdrawal recorded under a record since merged into this one still stops the file\'s consent', async () => {
    // Either record may survive the merge: the withdrawal must hold under either pseudonym.
    for (const [n, bSurvives] of [[7000, false], [7010, true]] as const) {
      const [a, b] = await imported([line(n), line(n + 1)]);
      // Both records consented (two pseudonyms); the second then withdrew. A reviewer merges them.
      await recordConsent(deps(), { personId: a!.personId, scope: 'email_prospecting', state: 'given', channel: 'web_form', evidence: 'form a', eventAt: new Date('2026-01-05T00:00:00Z'), collector: 'system:test' });
      await recordConsent(deps(), { personId: b!.personId, scope: 'email_prospecting', state: 'given', channel: 'web_form', evidence: 'form b', eventAt: new Date('2026-01-06T00:00:00Z'), collector: 'system:test' });
      await recordConsent(deps(), { personId: b!.personId, scope: 'email_prospecting', state: 'withdrawn', channel: 'link', evidence: 'link', eventAt: new Date('2026-02-01T00:00:00Z'), collector: 'system:test' });
      const [survivor, other] = bSurvives ? [b!, a!] : [a!, b!];
      await db().transaction().execute((tx) => mergePeople(tx, survivor.personId, other.personId, actor, now));
      const r = await record([{ ...a!, personId: survivor.personId }]);
      expect(r.recorded).toBe(0);
      expect(r.warnings).toEqual([{ row: a!.row, line: a!.line, field: 'consentEmail', code: 'consent_withdrawn', reason: expect.stringMatching(/withdrew or refused/) }]);
      expect([...(await consentedToElectronicProspecting(db(), [survivor.personId], now))]).toEqual([]);
    }
  });

  it('R-PROS-6 an entry the consent rules refuse (a future date) fails the batch before anything is written', async () => {
    const [e] = await imported([line(4000)]);
    const future = { ...e!, consent: { ...e!.consent, givenAt: new Date(now.getTime() + 86_400_000) } };
    await expect(record([future])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await importedEvents(e!.personId)).toEqual([]);
  });
});
