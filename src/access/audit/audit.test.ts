import { generateKeyPairSync } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import type { Database } from '../../db/schema.js';
import { newId } from '../../db/ids.js';
import { toEntry } from './entries.js';
import {
  appendInTransaction,
  auditPublicKey,
  auditSink,
  AuditWriter,
  canonicalJson,
  chainPending,
  createCheckpoint,
  entryHash,
  GENESIS_HASH,
  listAuditEntries,
  pruneBefore,
  startChainer,
  verifyChain,
  type AuditEvent,
} from './index.js';

const PEOPLE = [newId(), newId(), newId()];

function auditEvent(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: new Date(Date.UTC(2026, 10, 26, 10, 0, 0, i)),
    actor: `user:${PEOPLE[0]}`,
    role: 'sales',
    purpose: 'crm',
    action: i % 3 === 0 ? 'update' : 'read',
    resource: 'people',
    recordIds: [PEOPLE[i % 3] ?? ''],
    personIds: [PEOPLE[i % 3] ?? ''],
    fields: ['lastName', 'email'],
    reason: null,
    ...over,
  };
}

/** Runs SQL with the audit triggers off: what a database superuser could do. */
async function asSuperuser(db: Kysely<Database>, statements: (tx: Kysely<Database>) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const t of ['audit_queue', 'audit_entries', 'audit_checkpoints']) await sql`alter table ${sql.table(t)} disable trigger user`.execute(tx);
    await statements(tx);
    for (const t of ['audit_queue', 'audit_entries', 'audit_checkpoints']) await sql`alter table ${sql.table(t)} enable trigger user`.execute(tx);
  });
}

async function reset(db: Kysely<Database>): Promise<void> {
  await asSuperuser(db, async (tx) => {
    await sql`delete from audit_queue`.execute(tx);
    await sql`delete from audit_entries`.execute(tx);
    await sql`delete from audit_checkpoints`.execute(tx);
  });
}

/** Appends `n` events (numbered from `from`) in one write transaction and chains them. */
async function seed(db: Kysely<Database>, n: number, from = 1): Promise<void> {
  await db.transaction().execute((tx) => appendInTransaction(tx, Array.from({ length: n }, (_, i) => auditEvent(from + i))));
  await chainPending(db);
}

const count = async (db: Kysely<Database>, table: 'auditQueue' | 'auditEntries'): Promise<number> =>
  Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** Every column but seq, to move an entry's row elsewhere. */
const COLUMNS = 'at, actor, role, purpose, action, resource, record_ids, person_ids, fields, reason, prev_hash, hash';
const ROW = sql.raw(COLUMNS);

describeEachEngine('audit chain', (store, engine) => {
  beforeEach(() => reset(store().db));

  it('P2.5 appended events are chained in queue order and verify', async () => {
    const db = store().db;
    await seed(db, 5);
    expect(await count(db, 'auditQueue')).toBe(0);
    const rows = await db.selectFrom('auditEntries').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]?.prevHash).toBe(rows[0]?.hash);
    expect(rows.map((r) => r.at.getUTCMilliseconds())).toEqual([1, 2, 3, 4, 5]);
    expect(rows[2]).toMatchObject({ actor: `user:${PEOPLE[0]}`, role: 'sales', purpose: 'crm', resource: 'people', fields: ['lastName', 'email'] });
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 5 });
    // Chaining again goes on from the last link.
    await seed(db, 2, 6);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 7 });
  });

  it('P2.5 verify chains what is still queued first', async () => {
    const db = store().db;
    await appendInTransaction(db, [auditEvent(1), auditEvent(2)]);
    expect(await count(db, 'auditQueue')).toBe(2);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 2 });
    expect(await count(db, 'auditQueue')).toBe(0);
  });

  it('P2.5 an altered entry is named', async () => {
    const db = store().db;
    await seed(db, 6);
    await asSuperuser(db, async (tx) => void (await sql`update audit_entries set actor = 'user:someone-else' where seq = 3`.execute(tx)));
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'altered' });
    await reset(db);
    await seed(db, 6);
    await asSuperuser(db, async (tx) => void (await sql`update audit_entries set fields = array['lastName'] where seq = 4`.execute(tx)));
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 4, problem: 'altered' });
    await reset(db);
    await seed(db, 6);
    await asSuperuser(db, async (tx) => void (await sql`update audit_entries set at = at + interval '1 hour' where seq = 1`.execute(tx)));
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 1, problem: 'altered' });
  });

  it('P2.5 an altered entry whose hash was recomputed is still named: the next entry no longer follows it', async () => {
    const db = store().db;
    await seed(db, 5);
    const e2 = await db.selectFrom('auditEntries').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
    const content = { ...toEntry(e2), actor: 'user:someone-else' };
    await asSuperuser(db, async (tx) => {
      await sql`update audit_entries set actor = ${content.actor}, hash = ${entryHash(e2.prevHash, content)} where seq = 2`.execute(tx);
    });
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 2, problem: 'altered' });
  });

  it('P2.5 a deleted entry is named, renumbered or not', async () => {
    const db = store().db;
    await seed(db, 6);
    await asSuperuser(db, async (tx) => void (await sql`delete from audit_entries where seq = 3`.execute(tx)));
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'deleted' });

    await reset(db);
    await seed(db, 6);
    await asSuperuser(db, async (tx) => {
      await sql`delete from audit_entries where seq = 3`.execute(tx);
      await sql`update audit_entries set seq = seq + 1000 where seq > 3`.execute(tx);
      await sql`update audit_entries set seq = seq - 1001 where seq > 1000`.execute(tx);
    });
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'deleted' });

    await reset(db);
    await seed(db, 4);
    await asSuperuser(db, async (tx) => void (await sql`delete from audit_entries where seq = 1`.execute(tx)));
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 1, problem: 'deleted' });
  });

  it('P2.5 an inserted entry is named, whether its hash is junk or properly chained', async () => {
    const db = store().db;
    const shiftFrom3 = async (tx: Kysely<Database>) => {
      await sql`update audit_entries set seq = seq + 1000 where seq >= 3`.execute(tx);
      await sql`update audit_entries set seq = seq - 999 where seq > 1000`.execute(tx);
    };
    await seed(db, 6);
    await asSuperuser(db, async (tx) => {
      await shiftFrom3(tx);
      await sql`insert into audit_entries (seq, ${ROW}) select 3, ${ROW} from audit_entries where seq = 1`.execute(tx);
    });
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'inserted' });

    // A forger who knows the scheme chains the fake entry properly: the renumbered entry after it gives it away.
    await reset(db);
    await seed(db, 6);
    const entry2 = await db.selectFrom('auditEntries').select('hash').where('seq', '=', 2).executeTakeFirstOrThrow();
    const fake = {
      seq: 3,
      at: '2026-11-26T10:00:00.002Z',
      actor: 'user:forger',
      role: 'sales',
      purpose: 'crm',
      action: 'read' as const,
      resource: 'people',
      recordIds: [],
      personIds: [],
      fields: [],
      reason: null,
    };
    await asSuperuser(db, async (tx) => {
      await shiftFrom3(tx);
      await tx
        .insertInto('auditEntries')
        .values({ ...fake, at: new Date(fake.at), prevHash: entry2.hash, hash: entryHash(entry2.hash, fake) })
        .execute();
    });
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'inserted' });

    // An extra entry at the end that does not follow the last one.
    await reset(db);
    await seed(db, 4);
    await asSuperuser(
      db,
      async (tx) => void (await sql`insert into audit_entries (seq, ${ROW}) select 5, ${ROW} from audit_entries where seq = 2`.execute(tx)),
    );
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 5, problem: 'inserted' });
  });

  it('P2.5 reordered entries are named', async () => {
    const db = store().db;
    const swap = (a: number, b: number, cols: string) =>
      asSuperuser(db, async (tx) => {
        const sets = cols
          .split(',')
          .map((c) => `${c.trim()} = o.${c.trim()}`)
          .join(', ');
        await sql`update audit_entries e set ${sql.raw(sets)} from audit_entries o where (e.seq = ${a} and o.seq = ${b}) or (e.seq = ${b} and o.seq = ${a})`.execute(tx);
      });
    await seed(db, 6);
    await swap(2, 4, COLUMNS);
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 2, problem: 'reordered' });

    await reset(db);
    await seed(db, 6);
    await swap(3, 4, COLUMNS);
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 3, problem: 'reordered' });

    // Only the contents moved, each row keeping its hashes.
    await reset(db);
    await seed(db, 6);
    await swap(2, 5, 'at, actor, role, purpose, action, resource, record_ids, person_ids, fields, reason');
    expect(await verifyChain(db)).toMatchObject({ ok: false, seq: 2, problem: 'reordered' });
  });

  it('P2.5 entries pruned behind a signed checkpoint still verify; a forged checkpoint does not', async () => {
    const db = store().db;
    const { privateKey } = generateKeyPairSync('ed25519');
    const trusted = { trustedKeys: [auditPublicKey(privateKey)] };
    await seed(db, 5);
    const checkpoint = await createCheckpoint(db, privateKey, new Date('2026-11-26T12:00:00Z'));
    expect(checkpoint).toMatchObject({ seq: 5 });
    await seed(db, 3, 6);
    expect(await pruneBefore(db, 7, privateKey)).toBe(5);
    expect(await count(db, 'auditEntries')).toBe(3);
    expect(await verifyChain(db, trusted)).toEqual({ ok: true, entries: 3 });
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 3 });
    // Nothing to prune before the first checkpoint.
    expect(await pruneBefore(db, 4, privateKey)).toBe(0);

    // Everything pruned: the chain goes on from the checkpoint.
    await createCheckpoint(db, privateKey);
    expect(await pruneBefore(db, 100, privateKey)).toBe(3);
    await seed(db, 2, 9);
    expect(await verifyChain(db, trusted)).toEqual({ ok: true, entries: 2 });
    const first = await db.selectFrom('auditEntries').select('seq').orderBy('seq').executeTakeFirstOrThrow();
    expect(Number(first.seq)).toBe(9);

    // A checkpoint whose signature was tampered with.
    await asSuperuser(db, async (tx) => void (await sql`update audit_checkpoints set hash = repeat('b', 64) where seq = 8`.execute(tx)));
    expect(await verifyChain(db, trusted)).toMatchObject({ ok: false, problem: 'deleted', seq: 6, message: expect.stringMatching(/does not verify/) });

    // A checkpoint forged with another key, covering entries deleted to hide them.
    await reset(db);
    await seed(db, 5);
    const forger = generateKeyPairSync('ed25519').privateKey;
    await createCheckpoint(db, forger);
    await asSuperuser(db, async (tx) => void (await sql`delete from audit_entries where seq <= 5`.execute(tx)));
    await seed(db, 1, 6);
    expect(await verifyChain(db, trusted)).toMatchObject({ ok: false, seq: 1, problem: 'deleted' });
    // With no trusted key given, the stored public key is all verify has: the forgery passes (why the CLI passes the key).
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 1 });
    // pruneBefore trusts only checkpoints its key signed: a foreign one is tampering, and nothing is pruned.
    await reset(db);
    await seed(db, 3);
    await createCheckpoint(db, forger);
    await expect(pruneBefore(db, 3, privateKey)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(await count(db, 'auditEntries')).toBe(3);
  });

  it('P2.5 a signed checkpoint catches a rewritten or truncated tail', async () => {
    const db = store().db;
    const { privateKey } = generateKeyPairSync('ed25519');
    const trusted = { trustedKeys: [auditPublicKey(privateKey)] };
    await seed(db, 5);
    await createCheckpoint(db, privateKey);
    await asSuperuser(db, async (tx) => void (await sql`delete from audit_entries where seq >= 4`.execute(tx)));
    expect(await verifyChain(db, trusted)).toMatchObject({ ok: false, seq: 4, problem: 'deleted' });
  });

  it('P2.5 no checkpoint is signed over a broken chain, and nothing is pruned', async () => {
    const db = store().db;
    const { privateKey } = generateKeyPairSync('ed25519');
    await seed(db, 3);
    await createCheckpoint(db, privateKey);
    await asSuperuser(db, async (tx) => void (await sql`update audit_entries set actor = 'x' where seq = 2`.execute(tx)));
    await expect(createCheckpoint(db, privateKey)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    await expect(pruneBefore(db, 3, privateKey)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(await count(db, 'auditEntries')).toBe(3);
  });

  it('P2.5 group commit: 200 concurrent appends are all durable, in far fewer transactions, and the chain verifies', async () => {
    const db = store().db;
    const writer = new AuditWriter(db);
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.append([auditEvent(i)])));
    expect(writer.flushCount).toBeGreaterThan(0);
    expect(writer.flushCount).toBeLessThan(200);
    // Resolved means committed: all 200 are in the queue or already chained.
    expect((await count(db, 'auditQueue')) + (await count(db, 'auditEntries'))).toBe(200);
    // A second wave arriving while a flush runs goes into the next one.
    const first = writer.append([auditEvent(1000)]);
    await new Promise((r) => setImmediate(r));
    const late = Array.from({ length: 50 }, (_, i) => writer.append([auditEvent(2000 + i)]));
    await Promise.all([first, ...late]);
    await writer.close();
    expect(await count(db, 'auditQueue')).toBe(0);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 251 });
    await expect(writer.append([auditEvent(1)])).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('P2.5 a malformed event fails its own call only', async () => {
    const db = store().db;
    const writer = new AuditWriter(db);
    const good = writer.append([auditEvent(1)]);
    const bad = writer.append([auditEvent(2, { action: 'peek' as AuditEvent['action'] })]);
    await expect(bad).rejects.toMatchObject({ code: 'INTERNAL' });
    await good;
    await writer.close();
    expect(await count(db, 'auditEntries')).toBe(1);
  });

  it('P2.5 a write rolled back leaves no audit event; a committed one leaves exactly its events', async () => {
    const db = store().db;
    const sink = auditSink(new AuditWriter(db));
    const person = newId();
    const write = (fail: boolean) =>
      db.transaction().execute(async (tx) => {
        await tx
          .insertInto('people')
          .values({ id: person, relation: 'client_contact', lastName: 'Martin', phones: '[]', postalAddresses: '[]', source: 'test', collectedAt: new Date() })
          .execute();
        await sink.inTransaction(tx, [auditEvent(1, { action: 'create', personIds: [person], recordIds: [person] })]);
        if (fail) throw new Error('business rule failed');
      });
    await expect(write(true)).rejects.toThrow('business rule failed');
    expect(await count(db, 'auditQueue')).toBe(0);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 0 });
    await write(false);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 1 });
    const page = await listAuditEntries(db, { personId: person });
    expect(page.items.map((e) => e.action)).toEqual(['create']);
  });

  it('P2.5 the database refuses UPDATE, DELETE and TRUNCATE of the audit tables', async () => {
    const db = store().db;
    const { privateKey } = generateKeyPairSync('ed25519');
    await seed(db, 2);
    await createCheckpoint(db, privateKey);
    await appendInTransaction(db, [auditEvent(3)]);
    for (const table of ['audit_entries', 'audit_queue', 'audit_checkpoints']) {
      const t = sql.table(table);
      await expect(sql`update ${t} set ${sql.raw(table === 'audit_queue' ? "event = '{}'" : "hash = 'x'")}`.execute(db)).rejects.toThrow(/append-only: UPDATE refused/);
      await expect(sql`delete from ${t}`.execute(db)).rejects.toThrow(/append-only: DELETE refused/);
      await expect(sql`truncate ${t}`.execute(db)).rejects.toThrow(/append-only: TRUNCATE refused/);
    }
    // The chainer's and the pruner's settings open only their own door.
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`select set_config('rempart.chain', 'on', true)`.execute(tx);
        await sql`delete from audit_entries`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`select set_config('rempart.prune', 'on', true)`.execute(tx);
        await sql`delete from audit_checkpoints`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    expect(await verifyChain(db)).toEqual({ ok: true, entries: 3 });
  });

  it('lists entries newest first, by person, with a cursor', async () => {
    const db = store().db;
    await seed(db, 9);
    const all = await listAuditEntries(db, { limit: 4 });
    expect(all.items.map((e) => e.seq)).toEqual([9, 8, 7, 6]);
    const next = await listAuditEntries(db, { limit: 4, cursor: all.nextCursor ?? '' });
    expect(next.items.map((e) => e.seq)).toEqual([5, 4, 3, 2]);
    const last = await listAuditEntries(db, { limit: 4, cursor: next.nextCursor ?? '' });
    expect(last).toMatchObject({ nextCursor: null });
    expect(last.items.map((e) => e.seq)).toEqual([1]);
    const forPerson = await listAuditEntries(db, { personId: PEOPLE[1] });
    expect(forPerson.items.map((e) => e.seq)).toEqual([7, 4, 1]);
    expect(forPerson.items[0]?.fields).toEqual(['lastName', 'email']);
    await expect(listAuditEntries(db, { cursor: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('the interval chainer chains queued events by itself', async () => {
    const db = store().db;
    const stop = startChainer(db, { intervalMs: 10 });
    try {
      await appendInTransaction(db, [auditEvent(1), auditEvent(2)]);
      for (let i = 0; i < 200 && (await count(db, 'auditQueue')) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await count(db, 'auditEntries')).toBe(2);
    } finally {
      stop();
    }
  });

  if (engine === 'postgres') {
    it('P2.5 only one instance chains at a time: the others skip while the lock is held', async () => {
      const db = store().db;
      await appendInTransaction(db, [auditEvent(1)]);
      await db.transaction().execute(async (tx) => {
        const { CHAIN_LOCK_KEY } = await import('./chain.js');
        await sql`select pg_advisory_xact_lock(${sql.lit(CHAIN_LOCK_KEY)})`.execute(tx);
        expect(await chainPending(db)).toBe(0);
      });
      expect(await chainPending(db)).toBe(1);
      // Concurrent chainers and writers on several connections still make one unbroken chain.
      const writers = [new AuditWriter(db), new AuditWriter(db), new AuditWriter(db)];
      await Promise.all(writers.flatMap((w, k) => Array.from({ length: 40 }, (_, i) => w.append([auditEvent(k * 100 + i)]))));
      await Promise.all(writers.map((w) => w.close()));
      expect(await verifyChain(db)).toEqual({ ok: true, entries: 121 });
    });
  }
});

describe('canonical JSON', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [3, { d: null, c: 'x' }] })).toBe('{"a":[3,{"c":"x","d":null}],"b":1}');
  });
});
