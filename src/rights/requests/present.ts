import type { Selectable } from 'kysely';
import { daysLeft, isOverdue } from './deadlines.js';
import { CLOSED_STATES, type RequestDetails, type RightsRequestsTable } from './tables.js';

/** A request row. */
export type RequestRow = Selectable<RightsRequestsTable>;

/** What the dpo sees in a list: no email, no name (GDPR Art. 5(1)(c)). */
export interface RequestSummary {
  readonly id: string;
  readonly type: RequestRow['type'];
  readonly state: RequestRow['state'];
  readonly channel: RequestRow['channel'];
  readonly language: RequestRow['language'];
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly extendedDueAt: string | null;
  /** The deadline in force: the extended one when there is one. */
  readonly effectiveDueAt: string;
  /** Days until the deadline in force (negative once overdue); null once closed. */
  readonly daysLeft: number | null;
  readonly overdue: boolean;
  readonly personMatched: boolean;
  readonly identityVerified: boolean;
  readonly doubtRecorded: boolean;
  readonly hasIdDocument: boolean;
  readonly closedAt: string | null;
}

/** Where the identity check of a request stands (GDPR Art. 12(2), 12(6)). */
export interface IdentityCheck {
  /**
   * `code_pending`: the one-time code was sent and not yet given; `verified`: the code was
   * given; `doubt`: the dpo recorded a real doubt and may ask for an ID document;
   * `document_received`: that document is on file; `closed`: nothing is kept any more.
   */
  readonly state: 'code_pending' | 'verified' | 'doubt' | 'document_received' | 'closed';
  readonly verifiedAt: string | null;
  readonly codeAttempts: number;
  readonly codeExpiresAt: string | null;
}

/** One request in full, for the dpo handling it. */
export interface RequestDetail extends RequestSummary {
  readonly identity: IdentityCheck;
  readonly contactEmail: string | null;
  readonly personId: string | null;
  readonly details: RequestDetails | null;
  readonly extensionReason: string | null;
  readonly refusalReason: string | null;
  readonly doubtReason: string | null;
  readonly answeredAt: string | null;
  readonly noticeVersion: string;
  /** Set once closed: the keyed hash of the person's identifiers, all that is left. */
  readonly subjectHash: string | null;
}

/** The deadline in force for a row. */
export function effectiveDue(row: Pick<RequestRow, 'dueAt' | 'extendedDueAt'>): string {
  return row.extendedDueAt ?? row.dueAt;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** Presents a row for a list. */
export function presentSummary(row: RequestRow, now: Date): RequestSummary {
  const closed = CLOSED_STATES.includes(row.state);
  const due = effectiveDue(row);
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    channel: row.channel,
    language: row.language,
    receivedAt: row.receivedAt.toISOString(),
    dueAt: row.dueAt,
    extendedDueAt: row.extendedDueAt,
    effectiveDueAt: due,
    daysLeft: closed ? null : daysLeft(due, now),
    overdue: !closed && isOverdue(due, now),
    personMatched: row.personId !== null,
    identityVerified: row.verifiedAt !== null,
    doubtRecorded: row.doubtReason !== null,
    hasIdDocument: row.idDocumentPath !== null,
    closedAt: iso(row.closedAt),
  };
}

/** Presents a row in full. */
export function presentDetail(row: RequestRow, now: Date): RequestDetail {
  return {
    ...presentSummary(row, now),
    identity: identityCheck(row),
    contactEmail: row.contactEmail,
    personId: row.personId,
    details: row.details,
    extensionReason: row.extensionReason,
    refusalReason: row.refusalReason,
    doubtReason: row.doubtReason,
    answeredAt: iso(row.answeredAt),
    noticeVersion: row.noticeVersion,
    subjectHash: row.subjectHash,
  };
}

/** Where the identity check of a row stands. */
export function identityCheck(row: RequestRow): IdentityCheck {
  const state: IdentityCheck['state'] = CLOSED_STATES.includes(row.state)
    ? 'closed'
    : row.idDocumentPath !== null
      ? 'document_received'
      : row.doubtReason !== null
        ? 'doubt'
        : row.verifiedAt !== null
          ? 'verified'
          : 'code_pending';
  return { state, verifiedAt: iso(row.verifiedAt), codeAttempts: row.codeAttempts, codeExpiresAt: iso(row.codeExpiresAt) };
}
