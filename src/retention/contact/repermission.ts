import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { appendInTransaction } from '../../access/audit/index.js';
import type { Database, PostalAddress } from '../../db/schema.js';
import { RempartError } from '../../errors.js';
import { repermissionMail, type MailLanguage, type MailPolicy, type Mailer } from '../../mail/index.js';
import type { Policy } from '../../policy/types.js';
import { isOpposed, objectToProspecting } from '../../rights/opposition/index.js';
import { recordPersonalContact } from './last-contact.js';
import { contactTerm, inRepermissionWindow, repermissionPurposes, utcDay } from './term.js';
import { signRepermissionToken, tokenHash, verifyRepermissionToken } from './token.js';

/**
 * Re-permission (P4.2): before the 3-year term of prospecting and file-exchange data, one
 * message asks the person whether they want to keep hearing from the company, with a
 * one-click yes. A yes is a contact from the person and restarts the clock (R-PROS-7);
 * no answer means nothing here: the retention sweep deletes the data at the term.
 *
 * Who gets none: people who objected to prospecting or are on the opposition list
 * (GDPR Art. 21(3): their data may no longer be used for it), people whose processing is
 * restricted (Art. 18(1): only storage) or stopped by a pending or upheld objection
 * (Art. 21(1)), and people under a litigation hold (their data is kept as evidence, not
 * for prospecting). People without an email are not asked.
 */

/** What the links need: the server key (token MAC, opposition hashes) and the public base URL. */
export interface RepermissionLinks {
  readonly serverKey: Buffer;
  /** `https://crm.example.fr`: the links of the message point there. */
  readonly publicUrl: string;
}

/** The languages of the message: French for addresses in French-speaking countries, else English. */
const FRENCH_SPEAKING = new Set(['FR', 'BE', 'CH', 'LU', 'MC']);

function languageOf(addresses: readonly PostalAddress[]): MailLanguage {
  const country = addresses[0]?.country?.trim().toUpperCase();
  return country === undefined || country === '' || FRENCH_SPEAKING.has(country) ? 'fr' : 'en';
}

/** The links of one request. */
export function repermissionUrls(links: RepermissionLinks, requestId: string): { yesUrl: string; stopUrl: string } {
  let base: URL;
  try {
    base = new URL(links.publicUrl);
  } catch {
    throw new RempartError('CONFIG_INVALID', 'The public URL of the server is not a URL; re-permission links must reach this server.', {
      details: [{ field: 'publicUrl', message: 'expected https://host[:port]' }],
    });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new RempartError('CONFIG_INVALID', 'The public URL must be http(s).', { details: [{ field: 'publicUrl', message: 'expected https://host[:port]' }] });
  }
  const root = links.publicUrl.replace(/\/+$/, '');
  const token = signRepermissionToken(links.serverKey, requestId);
  return { yesUrl: `${root}/rp/${token}`, stopUrl: `${root}/rp/${token}/stop` };
}

/** A day shift, for the coarse database window (the exact one is computed in whole days below). */
const SLACK = "interval '3 days'";

/**
 * The daily step: sends the one re-permission message to every person whose term falls
 * within the lead time (or whose answer window after the term is open), once per person
 * and term (the unique row in `repermission_requests` is written in the transaction that
 * sends). A message that fails to send is rolled back and tried again the next day.
 * Each message leaves one audit entry. `now` is the run's instant (no clock inside).
 */
export async function sendRepermissionRequests(
  db: Kysely<Database>,
  policy: Policy,
  mailer: Mailer,
  now: Date,
  links: RepermissionLinks,
): Promise<{ sent: number }> {
  const today = utcDay(now);
  let sent = 0;
  for (const { purpose, active, rule } of repermissionPurposes(policy)) {
    // Coarse window on the clock start, in SQL: [today - active - after, today - active + before], with slack.
    const ahead = rule.after === undefined ? (rule.before ?? 'P30D') : 'P0D';
    const behind = rule.after ?? 'P0D';
    // Result keys come back camelCased (CamelCasePlugin).
    const candidates = await sql<{ id: string; email: string; collectedAt: Date; lastContactAt: Date | null; postalAddresses: PostalAddress[] | string }>`
      select p.id, p.email, p.collected_at, p.last_contact_at, p.postal_addresses
      from people p
      where p.purpose = ${purpose}
        and p.email is not null and btrim(p.email) <> ''
        and greatest(p.collected_at, coalesce(p.last_contact_at, p.collected_at))
            between ${now}::timestamptz - ${active}::interval - ${behind}::interval - ${sql.raw(SLACK)}
                and ${now}::timestamptz - ${active}::interval + ${ahead}::interval + ${sql.raw(SLACK)}
        and not exists (
          select 1 from person_states s where s.person_id = p.id
            and (s.objected_prospecting_at is not null or s.restricted_at is not null
                 or (s.objection_other_at is not null and s.decision is distinct from 'overridden')))
        and not exists (select 1 from legal_holds h where h.person_id = p.id and h.lifted_at is null)
      order by p.id`.execute(db);
    for (const row of candidates.rows) {
      const term = contactTerm(new Date(row.collectedAt), row.lastContactAt === null ? null : new Date(row.lastContactAt), active);
      if (!inRepermissionWindow(today, term, rule)) continue;
      if (await isOpposed(db, links.serverKey, { email: row.email, channel: 'email' })) continue;
      const addresses = typeof row.postalAddresses === 'string' ? (JSON.parse(row.postalAddresses) as PostalAddress[]) : row.postalAddresses;
      const done = await sendOne(db, policy, mailer, now, links, { personId: row.id, email: row.email, purpose, term, language: languageOf(addresses) });
      if (done) sent += 1;
    }
  }
  return { sent };
}

async function sendOne(
  db: Kysely<Database>,
  policy: MailPolicy,
  mailer: Mailer,
  now: Date,
  links: RepermissionLinks,
  p: { personId: string; email: string; purpose: string; term: string; language: MailLanguage },
): Promise<boolean> {
  const requestId = randomUUID();
  const urls = repermissionUrls(links, requestId);
  const token = urls.yesUrl.slice(urls.yesUrl.lastIndexOf('/') + 1);
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('repermissionRequests')
      .values({ id: requestId, personId: p.personId, termAt: `${p.term}T00:00:00Z`, tokenHash: tokenHash(token), sentAt: now })
      .onConflict((oc) => oc.columns(['personId', 'termAt']).doNothing())
      .returning('id')
      .executeTakeFirst();
    // Already asked for this term: never twice.
    if (inserted === undefined) return false;
    await appendInTransaction(tx, [
      {
        at: now,
        actor: 'system:repermission',
        role: null,
        purpose: p.purpose,
        action: 'create',
        resource: 'repermission_requests',
        recordIds: [requestId],
        personIds: [p.personId],
        fields: ['email'],
        reason: `re-permission message before the retention term ${p.term} (P4.2)`,
      },
    ]);
    const mail = repermissionMail({ policy, language: p.language, termOn: p.term, ...urls });
    await mailer.send({
      to: p.email,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      from: { name: policy.controller.name },
      headers: {
        // RFC 8058: one-click stop, which writes to the opposition list (R-PROS-5).
        'List-Unsubscribe': `<${urls.stopUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Content-Language': p.language,
      },
    });
    return true;
  });
}

/** What a re-permission link finds. */
export type RepermissionLookup =
  | { readonly status: 'invalid' }
  | { readonly status: 'open' | 'answered'; readonly requestId: string; readonly personId: string; readonly termOn: string };

/** Finds the request of a token (the GET confirmation page); nothing is written. */
export async function lookupRepermission(db: Kysely<Database>, serverKey: Buffer, token: string): Promise<RepermissionLookup> {
  const requestId = verifyRepermissionToken(serverKey, token);
  if (requestId === null) return { status: 'invalid' };
  const row = await db
    .selectFrom('repermissionRequests')
    .select(['id', 'personId', 'termAt', 'answeredAt'])
    .where('id', '=', requestId)
    .where('tokenHash', '=', tokenHash(token))
    .executeTakeFirst();
  // Gone with the person (deleted at the term, or erased): the link no longer works.
  if (row === undefined) return { status: 'invalid' };
  return { status: row.answeredAt === null ? 'open' : 'answered', requestId: row.id, personId: row.personId, termOn: utcDay(row.termAt) };
}

/**
 * The one-click yes (POST): records the answer and a `repermission_yes` contact from the
 * person, which restarts the 3-year clock (P4.2). A second click changes nothing more.
 * Returns what the link found.
 */
export async function confirmRepermission(db: Kysely<Database>, serverKey: Buffer, token: string, now: Date): Promise<RepermissionLookup['status']> {
  const found = await lookupRepermission(db, serverKey, token);
  if (found.status !== 'open') return found.status;
  await db.transaction().execute(async (tx) => {
    const res = await tx.updateTable('repermissionRequests').set({ answeredAt: now }).where('id', '=', found.requestId).where('answeredAt', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return;
    await recordPersonalContact(tx, found.personId, 'repermission_yes', now);
  });
  return 'open';
}

/**
 * The one-click stop (POST, and the RFC 8058 List-Unsubscribe target): the person objects
 * to prospecting at once, through the rights engine (opposition list, P5.6, R-PROS-3).
 */
export async function stopFromRepermission(db: Kysely<Database>, serverKey: Buffer, token: string, now: Date): Promise<RepermissionLookup['status']> {
  const found = await lookupRepermission(db, serverKey, token);
  if (found.status === 'invalid') return 'invalid';
  await objectToProspecting(db, serverKey, found.personId, { now });
  await appendInTransaction(db, [
    {
      at: now,
      actor: 'system:repermission',
      role: null,
      purpose: 'prospecting',
      action: 'update',
      resource: 'person_states',
      recordIds: [found.personId],
      personIds: [found.personId],
      fields: ['objected_prospecting_at'],
      reason: 'one-click stop from the re-permission message (RFC 8058)',
    },
  ]);
  return found.status;
}
