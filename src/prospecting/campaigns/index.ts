/**
 * Selection and solicitation (annex art. 1, prospecting): segments, the selection guard
 * every selection goes through (R-PROS-4, R-PROS-6), campaigns sent by email with the
 * sender's identity and a one-click opt-out (R-PROS-5), click tracking (R-PROS-7), no
 * pixel without consent (R-PROS-10), the Art. 14 information (R-PROS-11) and the log of
 * every solicitation.
 */
export { HEADCOUNT_BANDS, parseCriteria, RELATIONS, SEGMENT_KINDS, type HeadcountBand, type Relation, type SegmentCriteria, type SegmentKind } from './criteria.js';
export { findRegion, regionOfPostcode, REGIONS, type Region } from './regions.js';
export {
  countEligible,
  EXCLUSION_REASONS,
  exclusionReason,
  recheckBeforeSend,
  selectEligible,
  type ExclusionReason,
  type GuardDeps,
  type GuardFacts,
  type Selected,
  type SelectionCount,
  type SelectionOptions,
  type SelectionPage,
  type SelectionUse,
} from './guard.js';
export { createSegment, getSegment, listSegments, previewSelection, type NewSegment, type Segment } from './segments.js';
export { createCampaign, getCampaign, listCampaigns, type Campaign, type NewCampaign } from './campaigns.js';
export { ART14_NOTICE_AFTER_DAYS, messageUrls, sendArt14Notices, sendCampaign, type Art14Report, type SendDeps, type SendReport } from './send.js';
export { art14Paragraphs, composeMessage, extractLinks, type ComposedMessage, type MessageInput } from './message.js';
export { followLink, optOut, recordOpen, type LinkDeps, type OptOutDeps, type OptOutResult } from './links.js';
export { signToken, verifyToken, type TokenAction, type TokenPayload } from './tokens.js';
export { campaignRoutes, type CampaignRouteOptions } from './routes.js';
export { CAMPAIGNS_CATALOGUE } from './catalogue-entries.js';
export type { CampaignTables } from './tables.js';
