/**
 * The audit trail (GDPR Art. 5(2), accountability; P2.5): every read and write of
 * personal data becomes an event (who, which purpose, which people, which field names),
 * queued in the business transaction, then chained by SHA-256 hashes so that altering,
 * deleting, inserting or reordering any entry is detected and named by verifyChain.
 * Ed25519-signed checkpoints let old entries be pruned without losing that evidence.
 */
export { AUDIT_ACTIONS, type AuditAction, type AuditTables, type AuditQueueTable, type AuditEntriesTable, type AuditCheckpointsTable } from './tables.js';
export type { AuditEvent } from './event.js';
export { appendInTransaction } from './append.js';
export { AUDIT_DURABILITIES, AuditWriter, BATCHED_WINDOW_MS, type AuditDurability, type AuditWriterOptions } from './writer.js';
export { auditSink, type AuditSinkImpl } from './sink.js';
export { CHAIN_LOCK_KEY, chainPending, startChainer } from './chain.js';
export { canonicalJson, entryHash, GENESIS_HASH, type AuditEntryContent } from './hash.js';
export type { AuditCheckpoint, AuditEntry } from './entries.js';
export { createCheckpoint, pruneBefore } from './checkpoint.js';
export { checkpointMessage, verifyCheckpoint } from './signature.js';
export { AUDIT_KEY_ENV, auditKeyFile, auditPublicKey, loadAuditKey, loadOrCreateAuditKey, type AuditKeySource } from './keys.js';
export { verifyChain, type AuditProblem, type VerifyOptions, type VerifyResult } from './verify.js';
export { verifyAndRecord, recentVerifications, type AuditVerification } from './verifications.js';
export { listAuditEntries, type AuditEntryPage, type AuditEntryQuery } from './list.js';
export { AUDIT_CATALOGUE } from './catalogue-entries.js';
