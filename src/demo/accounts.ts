import type { Kysely } from 'kysely';
import { createAccount, issueEnrolmentCode, listAccounts } from '../access/auth/index.js';
import type { Database } from '../db/schema.js';
import { requiresMfa, type LoadedPolicy } from '../policy/index.js';

/**
 * Demo only: one account per role of the policy, all with this password, created by
 * `serve --demo` and printed at start. A real start creates no account.
 */
export const DEMO_PASSWORD = 'rempart-demo-2026';

/** The demo login of a role. */
export function demoEmail(role: string): string {
  return `${role.replace(/_/g, '-')}@demo.rempart.example`;
}

/** The organisation kind a role bound to an organisation is bound to in the demo. */
const SCOPE_KIND: Readonly<Record<string, string>> = { debt_recovery: 'recovery_body', subcontractor: 'subcontractor', subsidiary: 'subsidiary' };

/** A demo login; `enrolmentCode` is set for an MFA role that has not enrolled its app yet. */
export interface DemoLogin {
  readonly role: string;
  readonly email: string;
  readonly mfa: boolean;
  readonly enrolmentCode?: string;
}

/**
 * Creates the missing demo accounts (one per role); returns every demo login. Each start
 * issues a fresh one-time TOTP enrolment code to the MFA accounts not enrolled yet, as
 * `rempart user add` does for a real account, printed beside the login.
 */
export async function ensureDemoAccounts(db: Kysely<Database>, policy: LoadedPolicy, now: Date = new Date()): Promise<DemoLogin[]> {
  const existing = new Set((await listAccounts(db)).map((a) => a.email.toLowerCase()));
  const out: DemoLogin[] = [];
  for (const role of policy.roles) {
    const email = demoEmail(role.id);
    if (!existing.has(email)) {
      const kind = role.scope === 'organisation' ? SCOPE_KIND[role.id] : undefined;
      const scope = kind
        ? ((await db.selectFrom('organisations').select('id').where('kind', '=', kind as 'recovery_body').orderBy('id').executeTakeFirst())?.id ?? null)
        : null;
      if (role.scope === 'organisation' && !scope) continue; // no organisation of that kind in this database
      await createAccount(db, policy, { email, role: role.id, password: DEMO_PASSWORD, scopeOrganisationId: scope });
    }
    out.push({ role: role.id, email, mfa: requiresMfa(policy, role.id) });
  }
  const accounts = new Map((await listAccounts(db)).map((a) => [a.email.toLowerCase(), a]));
  return Promise.all(
    out.map(async (login) => {
      const account = accounts.get(login.email);
      if (!login.mfa || account === undefined || account.totpEnabled || account.disabledAt !== null) return login;
      return { ...login, enrolmentCode: (await issueEnrolmentCode(db, account.id, now)).code };
    }),
  );
}
