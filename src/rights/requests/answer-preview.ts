import { answerMail, type MailPolicy } from '../../mail/index.js';
import type { RequestRow } from './present.js';
import type { RequestType } from './tables.js';

/** What the dpo reviews before answering: the mail as it will leave, and what answering will do. */
export interface AnswerPreview {
  readonly subject: string;
  /** The answer's text; the result of carrying out the right takes the marked place. */
  readonly text: string;
  /** What pressing "answer" carries out, in the dpo's words (English: the API's language). */
  readonly willDo: string;
  readonly attachmentNames: readonly string[];
}

/*
 * The engine of each right (src/rights/executor.ts) acts as it answers: an erasure erases,
 * so its outcome cannot be produced for a preview without doing it. The preview is the
 * answer's frame, filled with what the engine will do; the summary it writes replaces the
 * marked line.
 */
const WILL_DO: Readonly<Record<RequestType, { readonly does: string; readonly attachments: readonly string[] }>> = {
  access: { does: 'Builds the copy of every record held on the person with the Art. 15 information, as HTML in a ZIP, and attaches it (GDPR Art. 15(3)).', attachments: ['donnees-personnelles.zip'] },
  portability: { does: 'Builds the data the person provided, as JSON and CSV in a ZIP, and attaches it (GDPR Art. 20).', attachments: ['portabilite.zip'] },
  erasure: { does: 'Erases the person, keeping only what a legal obligation holds, and says what was kept and why (GDPR Art. 17(3)); recipients are told (Art. 19).', attachments: [] },
  restriction: { does: 'Restricts processing of the person: stored, no longer used (GDPR Art. 18); recipients are told (Art. 19).', attachments: [] },
  objection: { does: 'Stops processing objected to: for prospecting, at once and for good (GDPR Art. 21(3)); otherwise suspended pending a reasoned decision.', attachments: [] },
  rectification: { does: 'Applies the corrections asked for, through the gate, the old values kept in the history (GDPR Art. 16); recipients are told (Art. 19).', attachments: [] },
};

const PLACEHOLDER: Readonly<Record<RequestRow['language'], string>> = {
  fr: '[Le résultat de l’exécution du droit sera inséré ici.]',
  en: '[The result of carrying out the right will be inserted here.]',
};

/** The preview of a request's answer, for the dpo's review (no side effect). */
export function answerPreview(policy: MailPolicy, row: Pick<RequestRow, 'id' | 'type' | 'language' | 'personId'>): AnswerPreview {
  const plan = WILL_DO[row.type];
  // No person matched the address: the answer says we hold nothing (Art. 15(1), "whether or not").
  const willDo = row.personId === null ? 'No person matched the address: the answer says that no personal data is held on them (GDPR Art. 15(1)).' : plan.does;
  const attachmentNames = row.personId === null ? [] : plan.attachments;
  const mail = answerMail({ policy, language: row.language, type: row.type, requestId: row.id, summary: PLACEHOLDER[row.language], attachmentNames });
  return { subject: mail.subject, text: mail.text, willDo, attachmentNames };
}
