import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { normaliseEmail, normalisePhone, oppositionHash } from './identifiers.js';
import type { OppositionChannel } from './tables.js';

/** The identifiers an opposition entry or a check is about; at least one is needed. */
export interface OppositionIdentifiers {
  readonly email?: string | null;
  readonly phone?: string | null;
}

/** What an entry covers and when it was made. */
export interface OppositionOptions {
  readonly channel?: OppositionChannel;
  readonly now?: Date;
}

/** R-PROS-3: the list is kept at least three years after the objection. */
export const OPPOSITION_KEEP_YEARS = 3;

interface Hashes {
  readonly emailHash: string | null;
  readonly phoneHash: string | null;
}

function hashes(key: Buffer, ids: OppositionIdentifiers): Hashes {
  const email = ids.email ? normaliseEmail(ids.email) : '';
  const phone = ids.phone ? normalisePhone(ids.phone) : null;
  return {
    emailHash: email !== '' ? oppositionHash(key, 'email', email) : null,
    phoneHash: phone !== null ? oppositionHash(key, 'phone', phone) : null,
  };
}

function keepUntil(now: Date): Date {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() + OPPOSITION_KEEP_YEARS);
  return d;
}

/**
 * Adds an objection to prospecting to the opposition list (P5.6, R-PROS-3): only the
 * keyed hashes, the channel and the dates. An identifier already listed has its keeping
 * period renewed rather than a second entry.
 */
export async function addOpposition(db: Kysely<Database>, key: Buffer, ids: OppositionIdentifiers, options: OppositionOptions = {}): Promise<void> {
  const { emailHash, phoneHash } = hashes(key, ids);
  if (emailHash === null && phoneHash === null) {
    throw new RempartError('VALIDATION_FAILED', 'An objection needs an email or a phone number.', {
      details: [{ field: 'email', message: 'an email or an E.164 phone number is required' }],
    });
  }
  const now = options.now ?? new Date();
  const channel = options.channel ?? 'all';
  for (const [column, hash] of [['emailHash', emailHash], ['phoneHash', phoneHash]] as const) {
    if (hash === null) continue;
    const renewed = await db
      .updateTable('oppositionList')
      .set({ keepUntil: keepUntil(now), createdAt: now })
      .where(column, '=', hash)
      .where('channel', '=', channel)
      .executeTakeFirst();
    if (Number(renewed.numUpdatedRows) > 0) continue;
    await db
      .insertInto('oppositionList')
      .values({ id: newId(now.getTime()), emailHash: column === 'emailHash' ? hash : null, phoneHash: column === 'phoneHash' ? hash : null, channel, createdAt: now, keepUntil: keepUntil(now) })
      .execute();
  }
}

/** Removes the entries of these identifiers (the person withdrew the objection); returns how many went. */
export async function removeOpposition(db: Kysely<Database>, key: Buffer, ids: OppositionIdentifiers): Promise<number> {
  const { emailHash, phoneHash } = hashes(key, ids);
  if (emailHash === null && phoneHash === null) return 0;
  const res = await db
    .deleteFrom('oppositionList')
    .where((eb) => eb.or([...(emailHash ? [eb('emailHash', '=', emailHash)] : []), ...(phoneHash ? [eb('phoneHash', '=', phoneHash)] : [])]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * Whether any of these identifiers is on the opposition list (for `channel`, or any
 * channel when none is named): the check prospecting runs at import, selection and send.
 */
export async function isOpposed(db: Kysely<Database>, key: Buffer, ids: OppositionIdentifiers & { readonly channel?: OppositionChannel }): Promise<boolean> {
  const { emailHash, phoneHash } = hashes(key, ids);
  if (emailHash === null && phoneHash === null) return false;
  let q = db
    .selectFrom('oppositionList')
    .select('id')
    .where((eb) => eb.or([...(emailHash ? [eb('emailHash', '=', emailHash)] : []), ...(phoneHash ? [eb('phoneHash', '=', phoneHash)] : [])]));
  if (ids.channel) q = q.where('channel', 'in', [ids.channel, 'all']);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

/** How many entries the opposition list holds (a count: the entries are keyed hashes). */
export async function oppositionListSize(db: Kysely<Database>): Promise<number> {
  return Number((await db.selectFrom('oppositionList').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
}
