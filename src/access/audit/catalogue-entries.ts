import type { PlainColumn, TableEntry } from '../../catalogue/types.js';

const plain = (why: string): PlainColumn => ({ personal: false, why });

/*
 * The audit trail holds references and names, never values (P2.5, P5.2): which actor,
 * which records and people (by id), which field names. It is the controller's own
 * accountability record (GDPR Art. 5(2), Art. 30), not data of the client base.
 */
const ACTOR = plain("reference to the acting staff account, API token, CLI operator or job (Actor.id); accountability record, GDPR Art. 5(2)");
const CHAIN = plain('hash-chain bookkeeping (SHA-256), tamper evidence: GDPR Art. 5(2), Art. 32(1)(b)');

const eventColumns = {
  at: plain('when the access happened; accountability record, GDPR Art. 5(2)'),
  actor: ACTOR,
  role: plain('the role whose grants applied (policy role id)'),
  purpose: plain('the purpose of the access (policy purpose id)'),
  action: plain('read, create, update, delete, export or denied'),
  resource: plain('the record type accessed'),
  record_ids: plain('references to the records accessed (ids only)'),
  person_ids: plain('references to the people the records concern (people.id values, never their data)'),
  fields: plain('names of the fields accessed, never their values (P5.2)'),
  reason: plain('machine reason of a denial or a stated reason for access'),
} as const;

/** The catalogue entries (P1.1) of the audit trail (P2.5). */
export const AUDIT_CATALOGUE: readonly TableEntry[] = Object.freeze<TableEntry[]>([
  {
    table: 'audit_queue',
    description: 'Audit events committed with their business write, waiting to be chained (moments)',
    subjects: [],
    columns: {
      id: plain('queue order'),
      event: plain('one audit event as JSON: actor, purpose, record and person ids, field names; never values'),
      queued_at: plain('bookkeeping timestamp of the row'),
    },
  },
  {
    table: 'audit_entries',
    description: 'The tamper-evident audit trail of every read and write of personal data (P2.5)',
    subjects: [],
    columns: {
      seq: plain('position in the hash chain'),
      ...eventColumns,
      prev_hash: CHAIN,
      hash: CHAIN,
    },
  },
  {
    table: 'audit_checkpoints',
    description: 'Ed25519-signed checkpoints of the audit chain, so entries can be pruned behind them',
    subjects: [],
    columns: {
      seq: plain('the entry the checkpoint pins'),
      hash: CHAIN,
      at: plain('when the checkpoint was signed'),
      signature: plain('Ed25519 signature of seq|hash|at'),
      public_key: plain('the public key of the signer (SPKI PEM)'),
    },
  },
  {
    table: 'audit_verifications',
    description: 'Each verification of the audit chain and its outcome, so the last one shows on the dpo dashboard (GDPR Art. 5(2), 32(1)(d))',
    subjects: [],
    columns: {
      id: plain('surrogate key'),
      at: plain('when the chain was verified'),
      actor: ACTOR,
      ok: plain('whether the whole chain verified'),
      entries: plain('how many entries were checked'),
      problem: plain('altered, deleted, inserted or reordered, when the chain is broken'),
      seq: plain('the first bad entry'),
      message: plain('what the verifier found, in words (entry numbers and hashes, never values)'),
    },
  },
]);
