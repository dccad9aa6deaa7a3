import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.js';
import type { Database } from '../../db/schema.js';
import { RempartError, type ErrorDetail } from '../../errors.js';
import { getSegment } from './segments.js';
import { extractLinks } from './message.js';

/** A campaign, as presented. */
export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly segmentId: string;
  readonly channel: 'email';
  readonly language: 'fr' | 'en';
  readonly subject: string;
  readonly body: string;
  readonly links: readonly string[];
  readonly trackOpens: boolean;
  readonly status: 'draft' | 'sending' | 'sent';
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** What creating a campaign takes. */
export interface NewCampaign {
  readonly name: string;
  readonly segmentId: string;
  readonly subject: string;
  /** Plain text; its http(s) links are tracked through the redirect. */
  readonly body: string;
  readonly language?: 'fr' | 'en';
  /** Asks for an open pixel; it is added only for people who consented to it (R-PROS-10). */
  readonly trackOpens?: boolean;
}

/** A campaign row as read from the database. */
export type CampaignRow = Awaited<ReturnType<typeof loadRow>>;

async function loadRow(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new RempartError('NOT_FOUND', `Campaign ${id} not found.`);
  return row;
}

/** Reads one campaign row; NOT_FOUND when absent. */
export const loadCampaign = loadRow;

/** Presents a campaign row. */
export function presentCampaign(row: CampaignRow): Campaign {
  return {
    id: row.id,
    name: row.name,
    segmentId: row.segmentId,
    channel: row.channel,
    language: row.language,
    subject: row.subject,
    body: row.body,
    links: row.links,
    trackOpens: row.trackOpens,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
  };
}

/** Creates a draft campaign for a saved segment. */
export async function createCampaign(db: Kysely<Database>, input: NewCampaign, now: Date): Promise<Campaign> {
  const problems: ErrorDetail[] = [];
  const name = input.name.trim();
  if (name === '' || name.length > 200) problems.push({ field: 'name', message: 'must be 1 to 200 characters' });
  const subject = input.subject.trim();
  if (subject === '' || subject.length > 300 || /[\r\n]/.test(subject)) problems.push({ field: 'subject', message: 'must be one line of 1 to 300 characters' });
  if (input.body.trim() === '' || input.body.length > 100_000) problems.push({ field: 'body', message: 'must be 1 to 100000 characters' });
  const links = extractLinks(input.body);
  if (links.length > 255) problems.push({ field: 'body', message: 'holds more than 255 distinct links' });
  if (problems.length > 0) throw new RempartError('VALIDATION_FAILED', `The campaign is invalid (${problems.length} problem(s)).`, { details: problems });
  await getSegment(db, input.segmentId);
  const id = newId(now.getTime());
  await db
    .insertInto('campaigns')
    .values({
      id,
      name,
      segmentId: input.segmentId,
      channel: 'email',
      language: input.language ?? 'fr',
      subject,
      body: input.body,
      links: JSON.stringify(links),
      trackOpens: input.trackOpens ?? false,
      status: 'draft',
      createdAt: now,
    })
    .execute();
  return presentCampaign(await loadRow(db, id));
}

/** Every campaign, newest first. */
export async function listCampaigns(db: Kysely<Database>): Promise<Campaign[]> {
  return (await db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').limit(1000).execute()).map(presentCampaign);
}

/** One campaign; NOT_FOUND when absent. */
export async function getCampaign(db: Kysely<Database>, id: string): Promise<Campaign> {
  return presentCampaign(await loadRow(db, id));
}
