import type { Kysely } from 'kysely';
import type { Actor } from '../../access/actor.js';
import { appendInTransaction, type AuditEvent } from '../../access/audit/index.js';
import { mayOnOpposition, type OppositionRight } from '../../access/duties.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { LoadedPolicy } from '../../policy/index.js';
// The rights on the list are the access layer's (the back office's menu reads them too).
export { mayOnOpposition, type OppositionRight } from '../../access/duties.js';
import { addOpposition, isOpposed, OPPOSITION_CHANNELS, oppositionListSize, removeOpposition, type OppositionChannel, type OppositionIdentifiers } from '../../rights/opposition/index.js';
import { detectShape, readRecords } from '../import/reader.js';
import { fieldOfHeader } from '../import/mapping.js';
import { normaliseEmailAddress, normalisePhoneNumber } from '../normalise/index.js';

const event = (actor: Actor, action: AuditEvent['action'], now: Date, reason: string | null, recordIds: readonly string[] = []): AuditEvent => ({
  at: now,
  actor: actor.id,
  role: actor.role,
  purpose: 'prospecting',
  action,
  resource: 'opposition-list',
  recordIds,
  personIds: [],
  fields: ['email_hash', 'phone_hash', 'channel'],
  reason,
});

/** Refuses (403, audited as denied) unless the actor holds the right. */
export async function assertOppositionRight(db: Kysely<Database>, policy: LoadedPolicy, actor: Actor, right: OppositionRight, now: Date): Promise<void> {
  if (mayOnOpposition(policy, actor, right)) return;
  await appendInTransaction(db, [event(actor, 'denied', now, `no right to ${right} on the opposition list`)]);
  const hint = right === 'remove' ? ' Only the dpo removes an entry (run with --as dpo on the command line).' : right === 'list' ? ' Others may only check one identifier (yes or no).' : '';
  throw new RempartError('FORBIDDEN', `Your role may not ${right} on the opposition list.${hint}`);
}

function identifiers(ids: OppositionIdentifiers): OppositionIdentifiers {
  const email = ids.email ? normaliseEmailAddress(ids.email) : null;
  const phone = ids.phone ? normalisePhoneNumber(ids.phone) : null;
  const problems = [
    ...(ids.email && !email ? [{ field: 'email', message: 'is not a valid email address' }] : []),
    ...(ids.phone && !phone ? [{ field: 'phone', message: 'is not a valid phone number' }] : []),
  ];
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', 'An identifier is not valid.', { details: problems });
  if (!email && !phone) throw new RempartError('VALIDATION_FAILED', 'Give an email or a phone number.', { details: [{ field: 'email', message: 'an email or a phone number is required' }] });
  return { email: email?.email ?? null, phone: phone?.e164 ?? null };
}

/** Yes or no: is this email or phone on the opposition list (for `channel`, or any)? Audited. */
export async function checkOpposition(
  db: Kysely<Database>,
  ctx: { readonly policy: LoadedPolicy; readonly key: Buffer; readonly actor: Actor; readonly now: Date },
  ids: OppositionIdentifiers,
  channel?: OppositionChannel,
): Promise<boolean> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'check', ctx.now);
  const opposed = await isOpposed(db, ctx.key, { ...identifiers(ids), ...(channel ? { channel } : {}) });
  await appendInTransaction(db, [event(ctx.actor, 'read', ctx.now, 'opposition check')]);
  return opposed;
}

/**
 * How many entries the list holds (the back office's opposition page): a count, nothing
 * about anyone, for the roles that may check it.
 */
export async function oppositionSize(db: Kysely<Database>, ctx: { readonly policy: LoadedPolicy; readonly actor: Actor; readonly now: Date }): Promise<number> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'check', ctx.now);
  return oppositionListSize(db);
}

/** Records an objection to prospecting (P5.6): hashes only, kept at least 3 years. Audited in its transaction. */
export async function recordOpposition(
  db: Kysely<Database>,
  ctx: { readonly policy: LoadedPolicy; readonly key: Buffer; readonly actor: Actor; readonly now: Date },
  ids: OppositionIdentifiers,
  channel: OppositionChannel = 'all',
): Promise<void> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'add', ctx.now);
  const clean = identifiers(ids);
  await db.transaction().execute(async (tx) => {
    await addOpposition(tx, ctx.key, clean, { channel, now: ctx.now });
    await appendInTransaction(tx, [event(ctx.actor, 'create', ctx.now, `objection to prospecting (${channel})`)]);
  });
}

/** Removes the entries of an identifier (the person withdrew the objection): the dpo only, with the reason, audited. */
export async function withdrawOpposition(
  db: Kysely<Database>,
  ctx: { readonly policy: LoadedPolicy; readonly key: Buffer; readonly actor: Actor; readonly now: Date },
  ids: OppositionIdentifiers,
  reason: string,
): Promise<number> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'remove', ctx.now);
  if (reason.trim() === '') throw new RempartError('VALIDATION_FAILED', 'Say why the entry is removed (e.g. the person withdrew the objection).', { details: [{ field: 'reason', message: 'required' }] });
  const clean = identifiers(ids);
  return db.transaction().execute(async (tx) => {
    const n = await removeOpposition(tx, ctx.key, clean);
    await appendInTransaction(tx, [event(ctx.actor, 'delete', ctx.now, reason)]);
    return n;
  });
}

/** One entry as the dpo sees it: never the hashes, only what kind of identifier it holds. */
export interface OppositionEntryView {
  readonly id: string;
  readonly channel: OppositionChannel;
  readonly hasEmail: boolean;
  readonly hasPhone: boolean;
  readonly createdAt: string;
  readonly keepUntil: string;
}

/** The entries, newest first (dpo). */
export async function listOpposition(
  db: Kysely<Database>,
  ctx: { readonly policy: LoadedPolicy; readonly actor: Actor; readonly now: Date },
  page: { readonly limit?: number; readonly before?: string } = {},
): Promise<{ items: OppositionEntryView[]; total: number }> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'list', ctx.now);
  let q = db.selectFrom('oppositionList').select(['id', 'channel', 'emailHash', 'phoneHash', 'createdAt', 'keepUntil']).orderBy('id', 'desc').limit(page.limit ?? 100);
  if (page.before) q = q.where('id', '<', page.before);
  const rows = await q.execute();
  const total = Number((await db.selectFrom('oppositionList').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  await appendInTransaction(db, [event(ctx.actor, 'read', ctx.now, 'opposition list', rows.map((r) => r.id))]);
  return {
    items: rows.map((r) => ({ id: r.id, channel: r.channel, hasEmail: r.emailHash !== null, hasPhone: r.phoneHash !== null, createdAt: r.createdAt.toISOString(), keepUntil: r.keepUntil.toISOString() })),
    total,
  };
}

/** What an opposition file import did. */
export interface OppositionImportReport {
  readonly added: number;
  readonly rejected: readonly { readonly row: number; readonly line: number; readonly field: string; readonly reason: string }[];
}

/**
 * Imports a CSV (or XLSX) of emails and/or phones onto the opposition list (e.g. the
 * objections a former tool collected). Columns are found by header (email, téléphone,
 * mobile…); a one-column file without a recognised header is read as emails or phones
 * by value. Each valid identifier is added; the rest is reported by row.
 */
export async function importOppositionFile(
  db: Kysely<Database>,
  ctx: { readonly policy: LoadedPolicy; readonly key: Buffer; readonly actor: Actor; readonly now: Date },
  path: string,
  channel: OppositionChannel = 'all',
): Promise<OppositionImportReport> {
  await assertOppositionRight(db, ctx.policy, ctx.actor, 'add', ctx.now);
  if (!(OPPOSITION_CHANNELS as readonly string[]).includes(channel)) throw new RempartError('VALIDATION_FAILED', `Unknown channel; one of ${OPPOSITION_CHANNELS.join(', ')}.`, { details: [{ field: 'channel', message: 'unknown' }] });
  const shape = await detectShape(path);
  let columns: ('email' | 'phone' | null)[] | null = null;
  let row = 0;
  let added = 0;
  const rejected: { row: number; line: number; field: string; reason: string }[] = [];
  let pending: { email: string | null; phone: string | null }[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await db.transaction().execute(async (tx) => {
      for (const ids of batch) await addOpposition(tx, ctx.key, ids, { channel, now: ctx.now });
      await appendInTransaction(tx, [event(ctx.actor, 'create', ctx.now, `opposition file import (${batch.length} entries, ${channel})`)]);
    });
  };
  for await (const rec of readRecords(path, shape)) {
    if (columns === null) {
      columns = rec.values.map((h) => {
        const f = fieldOfHeader(h);
        return f === 'email' ? 'email' : f === 'phone' || f === 'mobile' ? 'phone' : null;
      });
      if (columns.every((c) => c === null)) {
        if (rec.values.length !== 1) throw new RempartError('VALIDATION_FAILED', 'No column of the file is an email or a phone number.', { details: [{ line: 1, message: 'expected a header such as email, téléphone or mobile' }] });
        // One column, no header: the first line is data.
        columns = [null];
      } else continue;
    }
    row++;
    let email: string | null = null;
    let phone: string | null = null;
    let problem: string | null = null;
    rec.values.forEach((v, i) => {
      const kind = columns?.[i] ?? (columns?.length === 1 ? (v.includes('@') ? 'email' : 'phone') : null);
      if (kind === null || v.trim() === '') return;
      if (kind === 'email') {
        const e = normaliseEmailAddress(v);
        if (e) email ??= e.email;
        else problem ??= 'email';
      } else {
        const p = normalisePhoneNumber(v);
        if (p) phone ??= p.e164;
        else problem ??= 'phone';
      }
    });
    if (email === null && phone === null) {
      rejected.push({ row, line: rec.line, field: problem ?? 'email', reason: problem ? `invalid ${problem === 'email' ? 'email' : 'phone number'}` : 'no email or phone' });
      continue;
    }
    pending.push({ email, phone });
    added++;
    if (pending.length >= 1000) await flush();
  }
  await flush();
  return { added, rejected };
}
