import type { Kysely } from 'kysely';
import type { GateSession } from '../../access/gate.js';
import { resource } from '../../crm/resources.js';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { notifyRecipients } from '../recipients/recipients.js';

/** What a rectification changed: field names (camelCase, as sent). */
export interface RectificationResult {
  readonly changed: readonly string[];
  readonly recipientsNotified: number;
}

const toSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Rectification (GDPR Art. 16; P5.2), applied THROUGH the gate: the actor's grants,
 * the person's state (a restricted person is refused, Art. 18) and the audit entry (field
 * names only) all apply. The values replaced go to the person's own change history,
 * which erasure removes; with `key`, each recipient is told (Art. 19).
 */
export async function rectify(
  gate: GateSession,
  db: Kysely<Database>,
  personId: string,
  patch: Readonly<Record<string, unknown>>,
  options: { readonly now?: Date; readonly key?: Buffer } = {},
): Promise<RectificationResult> {
  const fields = Object.keys(patch);
  if (fields.length === 0) throw new RempartError('VALIDATION_FAILED', 'A rectification needs at least one field.');
  const before = await db.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!before) throw new RempartError('NOT_FOUND', `Person ${personId} not found.`);
  const old = before as unknown as Record<string, unknown>;
  await gate.update(resource('people'), personId, patch);
  const now = options.now ?? new Date();
  const changed = fields.filter((f) => JSON.stringify(old[f] ?? null) !== JSON.stringify(patch[f] ?? null));
  let recipientsNotified = 0;
  await db.transaction().execute(async (tx) => {
    for (const f of changed) {
      const value = old[f] instanceof Date ? (old[f] as Date).toISOString() : (old[f] ?? null);
      await tx.insertInto('personChangeHistory').values({ id: newId(now.getTime()), personId, changedAt: now, field: toSnake(f), oldValue: JSON.stringify(value) }).execute();
    }
    if (options.key && changed.length > 0) {
      const email = typeof patch.email === 'string' ? patch.email : before.email;
      recipientsNotified = await notifyRecipients(tx, options.key, {
        event: 'rectification',
        person: { email, lastName: before.lastName, firstName: before.firstName },
        personId,
        changes: Object.fromEntries(changed.map((f) => [f, patch[f]])),
        now,
      });
    }
  });
  return { changed, recipientsNotified };
}

/** The person's change history: field and old value, newest first (theirs to see, Art. 15). */
export async function changeHistory(db: Kysely<Database>, personId: string): Promise<{ changedAt: Date; field: string; oldValue: unknown }[]> {
  return db.selectFrom('personChangeHistory').select(['changedAt', 'field', 'oldValue']).where('personId', '=', personId).orderBy('changedAt', 'desc').orderBy('id', 'desc').execute();
}
