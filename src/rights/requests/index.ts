/**
 * Requests to exercise a right (GDPR Art. 12, 15–21): receipt, identity checked in
 * proportion, deadlines (Art. 12(3), Regulation 1182/71), extension, refusal with the
 * right to complain (P5.7), answer, and closing down to a keyed hash. Everything outside
 * this folder imports from here.
 */
export {
  CLOSED_STATES,
  REQUEST_CHANNELS,
  REQUEST_LANGUAGES,
  REQUEST_STATES,
  REQUEST_TYPES,
  type RequestChannel,
  type RequestDetails,
  type RequestLanguage,
  type RequestState,
  type RequestType,
  type RightsRequestTables,
  type RightsRequestsTable,
} from './tables.js';
export * from './deadlines.js';
export { senderOf, type RequestClient, type RequestDeps } from './context.js';
export { CODE_VALID_MINUTES, MAX_CODE_ATTEMPTS, normaliseEmail, subjectHash } from './identity.js';
export { openRequest, openVerifiedRequest, type NewRequest, type OpenedRequest, type VerifiedNewRequest } from './open-request.js';
export { verifyRequest, type IdentityCheckFailure, type VerifiedRequest } from './verify-request.js';
export { answerRequest, type AnswerOptions, extendRequest, refuseRequest, withdrawRequest, type ExecutionContext, type ExecutionResult, type RightExecutor } from './decisions.js';
export { MAX_ID_DOCUMENT_BYTES, attachIdDocument, deleteIdDocument, recordDoubt } from './id-documents.js';
export { countOpenRequests, getRequest, listRequestPage, listRequests, type RequestListQuery, type RequestPage } from './list-requests.js';
export { effectiveDue, presentDetail, presentSummary, type RequestDetail, type RequestRow, type RequestSummary } from './present.js';
export { requireRequestHandler, rightsRequestRoutes, type RequestRouteLimits, type RightsRequestRouteOptions } from './routes.js';
export { RIGHTS_REQUESTS_CATALOGUE } from './catalogue-entries.js';
