/**
 * The seams to other modules' functions that were not there when this folder was
 * written. Each is named after what it stands for and says what should replace it; the
 * rest of the folder calls only these, so the swap is one edit here.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { PERSONAL_EMAIL_DOMAINS } from '../normalise/index.js';

/**
 * A personal-domain address is presumed a private person's, for whom L34-5 CPCE requires
 * prior consent to electronic prospecting (R-PROS-6). The list is the import's
 * (src/prospecting/normalise), so the import's flag and the selection's rule agree.
 */
export function isPersonalEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  return PERSONAL_EMAIL_DOMAINS.has(email.slice(at + 1).trim().toLowerCase());
}

/**
 * The people among `personIds` who gave a consent, active at `now`, to electronic
 * prospecting by the controller (L34-5 CPCE, R-PROS-6).
 * SEAM: the consent module (src/consent) records consents to recipients (partners) for
 * the file_sharing purpose only; it cannot yet express a consent to the controller's own
 * electronic prospecting. Until it can, nobody counts as having consented, which is the
 * lawful default: personal-domain addresses are never selected.
 */
export async function consentedToElectronicProspecting(_db: Kysely<Database>, _personIds: readonly string[], _now: Date): Promise<ReadonlySet<string>> {
  return new Set();
}

/**
 * The people among `personIds` who consented, at `now`, to open tracking (CNIL
 * recommendation on tracking pixels in emails; R-PROS-10).
 * SEAM: as above; until the consent module can record such a consent, no message
 * carries a pixel.
 */
export async function consentedToOpenTracking(_db: Kysely<Database>, _personIds: readonly string[], _now: Date): Promise<ReadonlySet<string>> {
  return new Set();
}

