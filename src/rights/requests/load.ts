import type { Kysely } from 'kysely';
import { isUuid } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import type { RequestRow } from './present.js';

/** Reads one request or throws NOT_FOUND. */
export async function loadRequest(db: Kysely<Database>, id: string): Promise<RequestRow> {
  const row = isUuid(id) ? await db.selectFrom('rightsRequests').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
  if (row === undefined) throw new RempartError('NOT_FOUND', 'No request has this id.', { details: [{ field: 'id', message: 'no such request' }] });
  return row;
}
