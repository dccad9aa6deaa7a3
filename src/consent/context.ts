import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Mailer } from '../mail/index.js';
import type { LoadedPolicy } from '../policy/index.js';

/** What the consent commands need; the clock is a parameter (time-travel tests). */
export interface ConsentDeps {
  readonly db: Kysely<Database>;
  readonly policy: LoadedPolicy;
  readonly now: () => Date;
  /** The server key: signs withdrawal links, seals pending notices. */
  readonly serverKey: Buffer;
  /** Receipts to the person and notices to partners without a webhook; absent: none sent (CLI). */
  readonly mailer?: Mailer;
  /** How webhooks are posted (tests pass the global fetch; never mocked). */
  readonly fetch?: typeof globalThis.fetch;
  /**
   * This server as the person reaches it (`Config.publicUrl`), for the one-click withdrawal
   * link of a receipt; required when a mailer is given (recordConsent refuses otherwise).
   */
  readonly publicUrl?: string;
}

/** The purpose consent to file exchange is for (annex art. 1). */
export const FILE_SHARING = 'file_sharing';

/** The purpose of the controller's own prospecting, which consents to email prospecting and open tracking serve (R-PROS-6, R-PROS-10). */
export const PROSPECTING = 'prospecting';
