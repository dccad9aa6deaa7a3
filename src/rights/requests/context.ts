import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { LoadedPolicy } from '../../policy/index.js';
import type { Mailer, MailSender } from '../../mail/index.js';

/** What the request commands need; the clock is a parameter (time-travel tests). */
export interface RequestDeps {
  readonly db: Kysely<Database>;
  readonly policy: Pick<LoadedPolicy, 'controller' | 'supervisoryAuthority' | 'version' | 'roles'>;
  readonly now: () => Date;
  readonly mailer: Mailer;
  /** The server key: keys the code hashes, the subject hash and the connection-log identifier hash. */
  readonly serverKey: Buffer;
  /** The data directory, where ID documents are kept (`uploads/id-documents/`); needed only for them. */
  readonly dataDir?: string;
  /** The server as people reach it (`Config.publicUrl`): the code mail links to the portal's code page. */
  readonly publicUrl?: string;
}

/** Where a public request came from, for the connection log (P1.7). */
export interface RequestClient {
  readonly sourceIp: string | null;
  readonly sourcePort: number | null;
  readonly userAgent: string | null;
  /** The service named in the connection log: 'portal', 'api'… */
  readonly service?: string;
}

/** The sender of every message: the controller's name (and its DPO's or its own address when the policy gives one). */
export function senderOf(policy: RequestDeps['policy']): MailSender {
  const address = policy.controller.dpo.email !== '' ? policy.controller.dpo.email : policy.controller.email;
  return address === '' ? { name: policy.controller.name } : { name: policy.controller.name, address };
}
