import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/engines.js';
import { addOpposition, isOpposed, normalisePhone, removeOpposition } from './index.js';

describe('normalisers', () => {
  it('R-PROS-3 phone numbers become E.164', () => {
    expect(normalisePhone('06 12 34 56 78')).toBe('+33612345678');
    expect(normalisePhone('+33 (0)6')).toBeNull();
    expect(normalisePhone('0033 6.12.34.56.78')).toBe('+33612345678');
    expect(normalisePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalisePhone('n/a')).toBeNull();
  });
});

describeEachEngine('opposition list', (store) => {
  const key = randomBytes(32);

  it('R-PROS-3 the opposition list holds no clear email or phone, only keyed hashes, kept at least 3 years', async () => {
    const now = new Date('2026-11-26T10:00:00Z');
    await addOpposition(store().db, key, { email: ' Jean.Dupont@Example.FR ', phone: '06 98 76 54 32' }, { now, channel: 'all' });
    const dump = await sql<{ v: string }>`select t::text as v from opposition_list t`.execute(store().db);
    const text = dump.rows.map((r) => r.v).join('\n').toLowerCase();
    for (const clear of ['jean.dupont', 'example.fr', '0698765432', '698765432', '06 98']) expect(text).not.toContain(clear);
    const rows = await store().db.selectFrom('oppositionList').selectAll().execute();
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.keepUntil.getTime() - r.createdAt.getTime()).toBeGreaterThanOrEqual(3 * 365 * 86_400_000);
      expect(Object.keys(r).sort()).toEqual(['channel', 'createdAt', 'emailHash', 'id', 'keepUntil', 'phoneHash']);
    }
    // The same key finds it; another key does not (the hash is keyed).
    expect(await isOpposed(store().db, key, { email: 'jean.dupont@example.fr' })).toBe(true);
    expect(await isOpposed(store().db, key, { phone: '+33698765432', channel: 'phone' })).toBe(true);
    expect(await isOpposed(store().db, randomBytes(32), { email: 'jean.dupont@example.fr' })).toBe(false);
    // Adding again renews, never duplicates.
    await addOpposition(store().db, key, { email: 'JEAN.DUPONT@example.fr' }, { now: new Date('2027-01-01T00:00:00Z') });
    expect(await store().db.selectFrom('oppositionList').select('id').execute()).toHaveLength(2);
    expect(await removeOpposition(store().db, key, { email: 'jean.dupont@example.fr', phone: '0698765432' })).toBe(2);
    expect(await isOpposed(store().db, key, { email: 'jean.dupont@example.fr' })).toBe(false);
  });

  it('R-PROS-3 a channel-specific entry answers for its channel only', async () => {
    await addOpposition(store().db, key, { email: 'postal@example.fr' }, { channel: 'post' });
    expect(await isOpposed(store().db, key, { email: 'postal@example.fr', channel: 'post' })).toBe(true);
    expect(await isOpposed(store().db, key, { email: 'postal@example.fr', channel: 'email' })).toBe(false);
    expect(await isOpposed(store().db, key, { email: 'postal@example.fr' })).toBe(true);
  });
});
