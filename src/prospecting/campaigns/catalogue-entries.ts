import type { PersonalColumn, PlainColumn, TableEntry } from '../../catalogue/types.js';

const prospecting: PersonalColumn = { personal: true, category: 'prospecting', purposes: ['prospecting'], provided: false };
const plain = (why: string): PlainColumn => ({ personal: false, why });
const CAMPAIGN = 'a campaign setting, written by staff for everyone in a segment, about no one in particular';

/** The catalogue entries (P1.1) of segments, campaigns and the solicitation log (R-PROS-4 to R-PROS-11). */
export const CAMPAIGNS_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'segments',
    description: 'Saved selection criteria for loyalty, prospecting, study, survey and promotion actions',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      name: plain('the name staff gave the segment'),
      kind: plain('the kind of action the segment is for'),
      criteria: plain('criteria describing groups (size, sector, region, job title, source, dates), never one person'),
      created_at: plain('bookkeeping timestamp of the row'),
    },
  },
  {
    table: 'campaigns',
    description: 'Messages sent to a segment: subject, body template, tracked links, state',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      name: plain(CAMPAIGN),
      segment_id: plain('reference to segments'),
      channel: plain(CAMPAIGN),
      language: plain(CAMPAIGN),
      subject: plain(CAMPAIGN),
      body: plain(`${CAMPAIGN}; personalised only when each message is composed, never stored per person`),
      links: plain(CAMPAIGN),
      track_opens: plain(CAMPAIGN),
      status: plain('the state of the campaign'),
      created_at: plain('bookkeeping timestamp of the row'),
      sent_at: plain('when the campaign finished sending'),
    },
  },
  {
    table: 'solicitations',
    description: 'The log of every message sent to a person (campaigns and Art. 14 notices): person, campaign, channel, time, never the body',
    subjects: [{ column: 'person_id' }],
    columns: {
      id: plain('surrogate key, also the random part of the signed link tokens'),
      person_id: prospecting,
      campaign_id: plain('reference to campaigns'),
      kind: prospecting,
      channel: prospecting,
      sent_at: prospecting,
      art14_included: prospecting,
      opened_at: prospecting,
      clicked_at: prospecting,
    },
  },
]);
