/**
 * Documents generated from the policy: the notice given to clients (D2), the register
 * of processing activities (D1) and their versions (D3).
 */
export { buildNotice, noticeGaps } from './notice.js';
export { buildRegister, type Register, type ControllerEntry, type ProcessorEntry, type ProcessorClient, type RegisterTransfer } from './register.js';
export { registerDocument } from './register-document.js';
export { registerJsonLd, DPV_CONTEXT, LEGAL_BASIS_IRIS, CATEGORY_IRIS, PURPOSE_IRIS } from './register-jsonld.js';
export { renderNotice, renderRegister, NOTICE_FORMATS, REGISTER_FORMATS, type NoticeFormat, type RegisterFormat, type RenderOptions } from './render.js';
export { renderMarkdown } from './render-markdown.js';
export { renderHtml } from './render-html.js';
export { renderPdf } from './render-pdf.js';
export { diffPolicies } from './diff.js';
export { noticeVersion, recordVersion, listVersions, readVersion, findVersion, versionsDir, type NoticeVersion, type StoredVersion } from './versions.js';
export { resolvePolicyFile, loadPolicyRef } from './policy-ref.js';
export { isLang, type Lang } from './words.js';
export type { DocumentModel, Block } from './model.js';
