import { sql, type Kysely } from 'kysely';
import { purgeEndedSessions } from '../access/auth/index.js';
import { purgeConnectionLogs } from '../access/connection-logs/index.js';
import type { Database } from '../db/schema.js';
import { OUTBOX_STORE, purgeOutbox } from '../mail/index.js';
import { parseDuration } from '../policy/index.js';
import type { Mailer } from '../mail/index.js';
import type { Policy } from '../policy/types.js';
import { sendRepermissionRequests, type RepermissionLinks } from '../retention/contact/repermission.js';
import { systemActor } from '../access/actor.js';
import { sendArt14Notices, type SendDeps } from '../prospecting/campaigns/send.js';
import type { LoadedPolicy } from '../policy/index.js';
import { runRetention } from '../retention/sweep.js';
import { deliverConsentNotices } from '../consent/notices.js';
import { deliverPending } from '../rights/recipients/index.js';
import { purgeJournal } from '../rights/erasure/journal.js';
import { purgePortalSessions } from '../rights/portal/session.js';

/** What one daily run did. */
export interface DailyReport {
  readonly connectionLogsPurged: number;
  readonly sessionsPurged: number;
  readonly outboxFilesPurged: number;
  /** Erasure-journal entries past their keeping period (src/rights/erasure/journal.ts). */
  readonly erasureJournalPurged: number;
  /** Re-permission messages sent (P4.2); present when the run was given what it needs to send them. */
  readonly repermissionSent?: number;
  /** GDPR Art. 14 notices sent to imported people not yet informed (R-PROS-11); present when given what it needs. */
  readonly art14NoticesSent?: number;
  /** The retention sweep (P4): records changed by purpose and action; present when given the policy. */
  readonly retention?: readonly { readonly purpose: string; readonly action: string; readonly count: number }[];
  /** Withdrawal notices to partners retried (Art. 7(3), 19); present when given what it needs. */
  readonly consentNotices?: { readonly delivered: number; readonly retried: number; readonly gaveUp: number };
  /** Art. 19 notices (rectification, erasure, restriction) to recipients, sent or retried; present with `consentNotices`. */
  readonly recipientNotices?: { readonly delivered: number; readonly retried: number; readonly gaveUp: number };
}

/** What the optional daily steps need. */
export interface DailyExtras {
  /** How long outbox files stay (`Config.outboxKeepHours`); default the file store's declared expiry. */
  readonly outboxKeepMs?: number;
  /** P4.2: the policy, the mailer and the links of the re-permission messages. */
  readonly repermission?: { readonly policy: Policy; readonly mailer: Mailer; readonly links: RepermissionLinks };
  /** R-PROS-11: what the Art. 14 notices need (policy, server key, mailer, public URL). */
  readonly art14?: Omit<SendDeps, 'db'>;
  /** P4.1–P4.6: the retention sweep, with the real date (`--at` exists only on the command line). */
  readonly retention?: { readonly policy: LoadedPolicy };
  /**
   * Art. 7(3), 19: send or retry the notices to recipients that are due — consent withdrawals to
   * partners and the Art. 19 notices of rectification, erasure and restriction — (webhooks by
   * `fetch`, the global one by default; mailed ones by the mailer). Absent, none is tried: a
   * recipient reached by email would use up its retries.
   */
  readonly consentNotices?: { readonly mailer?: Pick<Mailer, 'send'>; readonly fetch?: typeof globalThis.fetch };
  /** The data directory, whose copy of the erasure journal is purged with the database's. */
  readonly dataDir?: string;
}

/**
 * The daily jobs: connection logs older than 12 months go (annex art. 1, P4.4; the
 * retention sweep of a later issue joins here), and ended sessions are removed. Each
 * step is idempotent, so a second run the same day, or on another instance, changes nothing.
 */
export async function runDailyJobs(db: Kysely<Database>, now: Date, serverKey: Buffer, outboxDir?: string, extras: DailyExtras = {}): Promise<DailyReport> {
  const connectionLogsPurged = await purgeConnectionLogs(db, now);
  // Staff sessions and the privacy portal's (30 minutes at most) both end here.
  const sessionsPurged = (await purgeEndedSessions(db, now, serverKey)) + (await purgePortalSessions({ db }, now));
  // Outgoing mail kept as files expires as the catalogue of file stores declares (P5.3).
  const days = parseDuration(OUTBOX_STORE.expiry.after ?? 'P30D').days;
  const outboxFilesPurged = outboxDir ? await purgeOutbox(outboxDir, new Date(now.getTime() - (extras.outboxKeepMs ?? days * 86_400_000))) : 0;
  // The erasure journal outlives what it protects against (a backup older than the erasure) by no more than its term.
  const erasureJournalPurged = await purgeJournal(db, now, extras.dataDir);
  // P4.2: the one message before the retention term of prospects and file-exchange subjects.
  const rp = extras.repermission;
  const repermission = rp ? { repermissionSent: (await sendRepermissionRequests(db, rp.policy, rp.mailer, now, rp.links)).sent } : {};
  // R-PROS-11: imported people not yet informed get the Art. 14 information within one month of collection.
  const art14 = extras.art14 ? { art14NoticesSent: (await sendArt14Notices({ ...extras.art14, db }, { now, actor: systemActor('art14-notices') })).sent } : {};
  // P4: the retention sweep last, after the re-permission messages of the day.
  const retention = extras.retention ? { retention: (await runRetention(db, extras.retention.policy, { at: now })).changed } : {};
  // Art. 7(3), 19: pending withdrawal notices whose retry time has come (the server key opens their sealed payloads).
  const cn = extras.consentNotices;
  const notices = cn
    ? {
        consentNotices: await deliverConsentNotices(db, { key: serverKey, now, fetch: cn.fetch ?? globalThis.fetch, ...(cn.mailer ? { mailer: cn.mailer } : {}) }),
        // Art. 19: the request's answer queues them; this is what sends and retries them.
        recipientNotices: await deliverPending(db, { key: serverKey, now, fetch: cn.fetch ?? globalThis.fetch, ...(cn.mailer ? { mailer: cn.mailer } : {}) }),
      }
    : {};
  return { connectionLogsPurged, sessionsPurged, outboxFilesPurged, erasureJournalPurged, ...repermission, ...art14, ...retention, ...notices };
}

/** The local calendar day (Europe/Paris) of an instant, `YYYY-MM-DD`. */
export function parisDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The local hour (Europe/Paris) of an instant, 0–23. */
export function parisHour(at: Date): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(at));
}

/** Pure: is a run due at `now`, given the day of the last run and the configured hour? */
export function isDue(now: Date, lastRunDay: string | null, hour: number): boolean {
  return parisHour(now) >= hour && lastRunDay !== parisDay(now);
}

// Several app instances on one PostgreSQL server: one runs the jobs, the others skip.
const DAILY_LOCK = 0x72656d01;

/**
 * Starts the daily scheduler: checks every minute, runs once a day from `hour`
 * (Europe/Paris). On PostgreSQL only the instance that takes the advisory lock runs.
 * Returns a stop function.
 */
export function startDailyJobs(options: {
  db: Kysely<Database>;
  engine: 'pglite' | 'postgres';
  hour: number;
  serverKey: Buffer;
  outboxDir?: string;
  extras?: DailyExtras;
  now?: () => Date;
  onReport?: (report: DailyReport) => void;
  onError?: (e: unknown) => void;
}): () => void {
  const now = options.now ?? (() => new Date());
  let lastRunDay: string | null = null;
  let running = false;
  const tick = async (): Promise<void> => {
    const at = now();
    if (running || !isDue(at, lastRunDay, options.hour)) return;
    running = true;
    try {
      const report =
        options.engine === 'postgres'
          ? await options.db.connection().execute(async (conn) => {
              const got = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${DAILY_LOCK}) as locked`.execute(conn);
              if (!got.rows[0]?.locked) return null;
              try {
                return await runDailyJobs(conn, at, options.serverKey, options.outboxDir, options.extras);
              } finally {
                await sql`select pg_advisory_unlock(${DAILY_LOCK})`.execute(conn);
              }
            })
          : await runDailyJobs(options.db, at, options.serverKey, options.outboxDir, options.extras);
      lastRunDay = parisDay(at);
      if (report) options.onReport?.(report);
    } catch (e) {
      options.onError?.(e);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), 60_000);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
