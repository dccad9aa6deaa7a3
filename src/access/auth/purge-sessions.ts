import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { recordConnection } from '../connection-logs/index.js';
import { deleteEndedSessions } from './sessions.js';

/**
 * The periodic clean-up of sessions: deletes the ended ones (nothing of them is needed
 * once they end: the connection log keeps what the law asks, P1.7) and logs the expiry
 * of those that ended without a request noticing, at the moment they expired.
 * Idempotent; meant for the daily job.
 */
export async function purgeEndedSessions(db: Kysely<Database>, now: Date, identifierKey: Buffer, service = 'api'): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { unnoticed, deleted } = await deleteEndedSessions(tx, now);
    for (const session of unnoticed) {
      await recordConnection(
        tx,
        { at: session.expiresAt, service, event: 'session_expired', accountId: session.accountId, sourceIp: null, sourcePort: null, userAgent: null, outcome: 'failure', reason: 'expired' },
        identifierKey,
      );
    }
    return deleted;
  });
}
