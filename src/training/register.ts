import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ProcessorClient } from '../documents/index.js';

/**
 * The training engagements not yet closed, for the register as processor (GDPR Art.
 * 30(2)): one entry per engagement, naming the client (a), the categories of processing
 * (b: platforms, instructions in force, end choice), the sub-processors the client
 * authorised (Art. 28(2)) and, from their countries, the transfers (c). Organisations are
 * legal persons: nothing here is personal data.
 */
export async function trainingProcessorClients(db: Kysely<Database>): Promise<ProcessorClient[]> {
  const rows = await db
    .selectFrom('trainingEngagements as e')
    .innerJoin('organisations as o', 'o.id', 'e.clientOrganisationId')
    .select(['e.id', 'e.name', 'e.startsOn', 'e.endsOn', 'e.subProcessors', 'e.platforms', 'e.instructions', 'e.endChoice', 'o.id as clientId', 'o.name as client'])
    .where('e.status', '=', 'active')
    .orderBy('o.name')
    .orderBy('e.startsOn')
    .execute();
  return rows.map((r) => {
    const last = r.instructions.at(-1);
    return {
      id: r.clientId,
      purpose: 'training',
      name: r.client,
      engagement: {
        id: r.id,
        name: r.name,
        startsOn: String(r.startsOn),
        endsOn: String(r.endsOn),
        platforms: r.platforms,
        instructions: last ? { version: last.version, date: last.date } : null,
        endChoice: r.endChoice,
        subProcessors: r.subProcessors,
      },
    };
  });
}
