/**
 * Last contact and re-permission (P4.2, R-PROS-7): the one writer of `people.last_contact_at`,
 * the term it gives, and the one message before that term.
 */
export { isPersonalAct, PERSONAL_ACTS, recordPersonalContact, type PersonalAct } from './last-contact.js';
export { clockStart, contactTerm, DEFAULT_REPERMISSION, deletionDay, inRepermissionWindow, repermissionPurposes, utcDay } from './term.js';
export {
  confirmRepermission,
  lookupRepermission,
  repermissionUrls,
  sendRepermissionRequests,
  stopFromRepermission,
  type RepermissionLinks,
  type RepermissionLookup,
} from './repermission.js';
export { repermissionRoutes, type RepermissionRouteOptions } from './routes.js';
export { CONTACT_CATALOGUE } from './catalogue-entries.js';
export type { ContactTables, RepermissionRequestsTable } from './tables.js';
