import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ProcessorClient } from '../documents/index.js';

/**
 * The clients of the training processor entry of the register (GDPR Art. 30(2)(a)): one
 * line per engagement not yet closed, naming the client, the engagement and the
 * sub-processors the client authorised (Art. 28(2)). Organisations are legal persons:
 * nothing here is personal data.
 */
export async function trainingProcessorClients(db: Kysely<Database>): Promise<ProcessorClient[]> {
  const rows = await db
    .selectFrom('trainingEngagements as e')
    .innerJoin('organisations as o', 'o.id', 'e.clientOrganisationId')
    .select(['e.id', 'e.name', 'e.startsOn', 'e.endsOn', 'e.subProcessors', 'o.name as client'])
    .where('e.status', '=', 'active')
    .orderBy('o.name')
    .orderBy('e.startsOn')
    .execute();
  return rows.map((r) => {
    const subs = r.subProcessors.map((s) => `${s.name} (${s.country}, ${s.service})`).join('; ');
    return { id: r.id, purpose: 'training', name: `${r.client}: ${r.name}, ${r.startsOn} – ${r.endsOn}${subs ? `; sub-processors: ${subs}` : ''}` };
  });
}
