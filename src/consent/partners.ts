import type { Kysely } from 'kysely';
import { checkOutgoingUrl } from '../http/outgoing-url.js';
import { isUuid, newId } from '../db/ids.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { transferGround, type TransferGround } from '../policy/countries.js';
import type { Safeguard } from '../policy/types.js';
import type { PartnerKind } from './tables.js';

/** A partner as given to `addPartner`. */
export interface PartnerInput {
  readonly name: string;
  readonly kind: PartnerKind;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly safeguard?: Safeguard | null;
  readonly purposes?: readonly string[];
  readonly objectionContact?: string | null;
  readonly webhookUrl?: string | null;
  readonly hmacSecret?: string | null;
  readonly email?: string | null;
}

/** A partner as presented (never its HMAC secret). */
export interface Partner {
  readonly id: string;
  readonly name: string;
  readonly kind: PartnerKind;
  readonly country: string;
  readonly safeguard: Safeguard | null;
  readonly transferGround: TransferGround;
  readonly purposes: readonly string[];
  readonly objectionContact: string | null;
  readonly webhookUrl: string | null;
  readonly email: string | null;
  readonly createdAt: string;
}

/**
 * The ground of a transfer to a partner (GDPR Chapter V; P3.1), or a VALIDATION_FAILED
 * naming the field: inside the EU/EEA none is needed; elsewhere an adequacy decision
 * (Art. 45; for the US, a recipient certified under the Data Privacy Framework declares
 * `adequacy`), standard contractual clauses (Art. 46(2)(c)) or binding corporate rules
 * (Art. 47).
 */
export function requireTransferGround(country: string, safeguard: Safeguard | null | undefined): TransferGround {
  const ground = transferGround(country, safeguard ?? undefined);
  if (ground === null) {
    const why = safeguard === 'adequacy'
      ? `no adequacy decision covers ${country.toUpperCase()}`
      : `${country.toUpperCase()} is outside the EU/EEA and no adequacy decision or safeguard (scc, bcr) is declared`;
    throw new RempartError('VALIDATION_FAILED', `A recipient in ${country.toUpperCase()} is refused: ${why} (GDPR Art. 44-47; P3.1).`, {
      details: [{ field: 'safeguard', message: why }],
    });
  }
  return ground;
}

function present(row: Awaited<ReturnType<typeof selectPartners>>[number]): Partner {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    country: row.country,
    safeguard: row.safeguard,
    transferGround: row.transferGround,
    purposes: row.purposes,
    objectionContact: row.objectionContact,
    webhookUrl: row.webhookUrl,
    email: row.email,
    createdAt: row.createdAt.toISOString(),
  };
}

function selectPartners(db: Kysely<Database>, id?: string) {
  let q = db
    .selectFrom('partners')
    .select(['id', 'name', 'kind', 'country', 'safeguard', 'transferGround', 'purposes', 'objectionContact', 'webhookUrl', 'email', 'createdAt']);
  if (id !== undefined) q = q.where('id', '=', id);
  return q
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Registers a group company or partner; refuses one outside the EU/EEA with no transfer ground (P3.1). */
export async function addPartner(db: Kysely<Database>, input: PartnerInput, now: Date): Promise<Partner> {
  const country = input.country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new RempartError('VALIDATION_FAILED', 'country must be an ISO 3166-1 alpha-2 code.', { details: [{ field: 'country', message: 'two letters, e.g. FR' }] });
  if (input.name.trim() === '') throw new RempartError('VALIDATION_FAILED', 'A partner needs a name.', { details: [{ field: 'name', message: 'required' }] });
  const ground = requireTransferGround(country, input.safeguard);
  const webhookUrl = input.webhookUrl ?? null;
  const hmacSecret = input.hmacSecret ?? null;
  const email = input.email ?? null;
  // SSRF: no webhook into our own network unless the config allows it (src/http/outgoing-url.ts).
  if (webhookUrl !== null) checkOutgoingUrl(webhookUrl, 'webhookUrl');
  if (webhookUrl !== null && hmacSecret === null) {
    throw new RempartError('VALIDATION_FAILED', 'A webhook needs its HMAC secret: notices are signed.', { details: [{ field: 'hmacSecret', message: 'required with webhookUrl' }] });
  }
  if (webhookUrl === null && email === null) {
    throw new RempartError('VALIDATION_FAILED', 'A partner needs a webhook URL or an email for withdrawal notices (GDPR Art. 7(3), 19).', {
      details: [{ field: 'webhookUrl', message: 'or email, required' }],
    });
  }
  const id = newId(now.getTime());
  await db
    .insertInto('partners')
    .values({
      id,
      name: input.name.trim(),
      kind: input.kind,
      country,
      // Inside the EU/EEA a safeguard means nothing; keep what was declared anyway.
      safeguard: input.safeguard ?? null,
      transferGround: ground,
      purposes: JSON.stringify(input.purposes ?? ['file_sharing']),
      objectionContact: input.objectionContact ?? null,
      webhookUrl,
      hmacSecret,
      email,
      createdAt: now,
    })
    .execute();
  return getPartner(db, id);
}

/** Every partner, by name. */
export async function listPartners(db: Kysely<Database>): Promise<Partner[]> {
  return (await selectPartners(db)).map(present);
}

/** One partner, or NOT_FOUND. */
export async function getPartner(db: Kysely<Database>, id: string): Promise<Partner> {
  const [row] = isUuid(id) ? await selectPartners(db, id) : [];
  if (!row) throw new RempartError('NOT_FOUND', `Partner ${id} not found.`);
  return present(row);
}

/**
 * The ground on which a file may go to the partner now, re-checked at each transfer
 * (an adequacy decision can be withdrawn, a partner can move), or a FORBIDDEN saying why.
 */
export function transferGroundNow(partner: Pick<Partner, 'id' | 'country' | 'safeguard'>): TransferGround {
  const ground = transferGround(partner.country, partner.safeguard ?? undefined);
  if (ground === null) {
    throw new RempartError('FORBIDDEN', `Transfer refused: partner ${partner.id} is in ${partner.country}, outside the EU/EEA, with no adequacy decision or safeguard (GDPR Art. 44-47; P3.1).`);
  }
  return ground;
}
