import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import type { LoadedPolicy } from '../policy/index.js';
import { consentHistory } from './events.js';
import { noticesOf } from './notices.js';
import { getPartner, type Partner } from './partners.js';
import { toRecord27560, type ConsentRecord27560 } from './record-27560.js';
import type { ControllerScope } from './tables.js';
import { transfersOf } from './transfer.js';

/** What the dpo shows to prove a consent and what was done on it (GDPR Art. 5(2), 7(1)). */
export interface ConsentProof {
  readonly generatedAt: string;
  readonly personId: string;
  readonly partner: Partner | null;
  /** The controller scope the proof is for (no partner), or null. */
  readonly scope: ControllerScope | null;
  readonly policyVersion: string;
  readonly history: readonly ConsentRecord27560[];
  readonly activeNow: boolean;
  readonly transfers: readonly {
    readonly id: string;
    readonly partnerId: string;
    readonly at: string;
    readonly fields: readonly string[];
    readonly fileName: string;
    readonly fileSha256: string;
    readonly rowCount: number;
    readonly createdBy: string;
    readonly consentRecordId: string;
  }[];
  readonly withdrawalNotices: readonly {
    readonly id: string;
    readonly partnerId: string;
    readonly consentRecordId: string;
    readonly payloadSha256: string;
    readonly createdAt: string;
    readonly deliveredAt: string | null;
    readonly gaveUpAt: string | null;
    readonly attempts: number;
    readonly lastStatus: string | null;
  }[];
}

/**
 * The proof for one person, for one partner, for one of the controller's scopes, or for
 * everything: consent history, transfers, withdrawal notices.
 */
export async function consentProof(db: Kysely<Database>, policy: LoadedPolicy, personId: string, partnerId: string | undefined, now: Date, scope?: ControllerScope): Promise<ConsentProof> {
  const person = await db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst();
  if (!person) throw new RempartError('NOT_FOUND', `Person ${personId} not found.`);
  const partner = partnerId === undefined ? null : await getPartner(db, partnerId);
  // Every pseudonym of the person: a merged person's proof holds the histories of both records (Art. 7(1)).
  const history = await consentHistory(db, personId, partnerId, scope);
  // History order puts the deciding event of an instant last.
  const last = history.filter((e) => e.eventAt <= now).at(-1);
  // The controller's scopes pass nothing to partners: no transfers, no notices.
  const transfers = scope !== undefined ? [] : await transfersOf(db, personId, partnerId);
  const notices = scope !== undefined ? [] : await noticesOf(db, personId, partnerId);
  return {
    generatedAt: now.toISOString(),
    personId,
    partner,
    scope: scope ?? null,
    policyVersion: policy.version.hash,
    history: history.map((e) => toRecord27560(policy, personId, e)),
    activeNow: (partnerId !== undefined || scope !== undefined) && last?.state === 'given',
    transfers: transfers.map((t) => ({
      id: t.id,
      partnerId: t.partnerId,
      at: t.createdAt.toISOString(),
      fields: t.fields,
      fileName: t.fileName,
      fileSha256: t.fileSha256,
      rowCount: t.rowCount,
      createdBy: t.createdBy,
      consentRecordId: t.consentEventId,
    })),
    withdrawalNotices: notices.map((n) => ({
      id: n.id,
      partnerId: n.partnerId,
      consentRecordId: n.consentEventId,
      payloadSha256: n.payloadHash,
      createdAt: n.createdAt.toISOString(),
      deliveredAt: n.deliveredAt?.toISOString() ?? null,
      gaveUpAt: n.gaveUpAt?.toISOString() ?? null,
      attempts: n.attempts,
      lastStatus: n.lastStatus,
    })),
  };
}

const esc = (t: string): string => t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** The proof page's inline style: the page is a standalone printable file; routes allow it by hash (cspAllowingStyle). */
export const PROOF_STYLE = 'body{font:11pt/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #999;padding:4px;text-align:left;vertical-align:top}@media print{body{margin:0}}';

/** The proof as one printable HTML page (no script, print styles). */
export function consentProofHtml(p: ConsentProof): string {
  const rows = (cells: readonly string[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  const head = (cells: readonly string[]) => `<tr>${cells.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Consent proof</title>',
    `<style>${PROOF_STYLE}</style>`,
    '</head><body>',
    '<h1>Proof of consent and transfers (GDPR Art. 7(1))</h1>',
    `<p>Person <code>${esc(p.personId)}</code>${p.partner ? ` · partner ${esc(p.partner.name)} (${esc(p.partner.country)}, ${esc(p.partner.transferGround)}) <code>${esc(p.partner.id)}</code>` : p.scope ? ` · ${esc(p.scope)} (the controller's own)` : ' · all partners and scopes'}</p>`,
    `<p>Generated ${esc(p.generatedAt)} · policy version ${esc(p.policyVersion.slice(0, 12))}${p.partner || p.scope ? ` · consent active now: <strong>${p.activeNow ? 'yes' : 'no'}</strong>` : ''}</p>`,
    '<h2>Consent history</h2>',
    '<table>',
    head(['Time', 'State', 'Channel', 'Notice version', 'Text shown', 'Collector', 'Evidence', 'Record id']),
    ...p.history.map((r) => rows([r.event.time, r.event.state, r.event.channel, r.notice.version.slice(0, 12), r.notice.textShown, r.event.collector, r.event.evidence ?? '', r.recordId])),
    '</table>',
    '<h2>Transfers</h2>',
    p.transfers.length === 0 ? '<p>None.</p>' : '<table>',
    ...(p.transfers.length === 0
      ? []
      : [head(['Time', 'Partner', 'Fields', 'File', 'SHA-256', 'Rows', 'By', 'On consent record']), ...p.transfers.map((t) => rows([t.at, t.partnerId, t.fields.join(', '), t.fileName, t.fileSha256, String(t.rowCount), t.createdBy, t.consentRecordId])), '</table>']),
    '<h2>Withdrawal notices to partners</h2>',
    p.withdrawalNotices.length === 0 ? '<p>None.</p>' : '<table>',
    ...(p.withdrawalNotices.length === 0
      ? []
      : [
          head(['Created', 'Partner', 'Delivered', 'Given up', 'Attempts', 'Status', 'Payload SHA-256']),
          ...p.withdrawalNotices.map((n) => rows([n.createdAt, n.partnerId, n.deliveredAt ?? '', n.gaveUpAt ?? '', String(n.attempts), n.lastStatus ?? '', n.payloadSha256])),
          '</table>',
        ]),
    '</body></html>',
  ].join('\n');
}
