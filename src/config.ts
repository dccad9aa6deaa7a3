import { existsSync, statSync } from 'node:fs';
import { RempartError, type ErrorDetail } from './errors.js';
import { DEFAULT_POLICY_FILE } from './policy/index.js';
import { parseTrustProxy, type TrustProxy } from './http/trust-proxy.js';
import { parseAllowPrivateUrls } from './http/outgoing-url.js';

/** The validated, frozen configuration of one process. */
export interface Config {
  readonly dataDir: string;
  /** A PostgreSQL URL; when set it wins over the data dir. Never printed with its password. */
  readonly databaseUrl: string | null;
  readonly port: number;
  readonly host: string;
  readonly policyFile: string;
  readonly demo: boolean;
  /** The hour (Europe/Paris, 0–23) the daily jobs run from. */
  readonly dailyHour: number;
  /** SMTP server for outgoing mail; null writes .eml files into `<data-dir>/outbox/`. Never printed with its password. */
  readonly smtpUrl: string | null;
  /**
   * The server as the people concerned reach it: the base of every link mailed to them
   * (opt-out, re-permission, consent withdrawal). No trailing slash. Default `http://HOST:PORT`.
   */
  readonly publicUrl: string;
  /** True when `publicUrl` is the `http://HOST:PORT` default, not configured (mail sent from the CLI refuses it). */
  readonly publicUrlIsDefault: boolean;
  /** The reverse proxies whose X-Forwarded-For/-Proto are believed (src/http/trust-proxy.ts); false: none. */
  readonly trustProxy: TrustProxy;
  /** Hours an outbox `.eml` file stays before it is deleted (1–720, default 24). */
  readonly outboxKeepHours: number;
  /** Ranges outgoing webhooks and portability pushes may reach although private (src/http/outgoing-url.ts); default none. */
  readonly allowPrivateUrls: readonly string[];
  /**
   * Reads' audit events and connection-log entries (src/access/audit/writer.ts): `batched`
   * (default: committed within 50 ms) or `strict` (the answer waits for the commit).
   */
  readonly auditDurability: 'strict' | 'batched';
  /** Requests served at once beyond which the server sheds load: 429 with Retry-After (src/http/load-shedding.ts). */
  readonly maxInFlight: number;
}

/** What the command line gave; anything absent falls back to the environment, then the default. */
export interface ConfigFlags {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly port?: string | number;
  readonly host?: string;
  readonly policy?: string;
  readonly demo?: boolean;
  readonly dailyHour?: string;
  readonly publicUrl?: string;
  readonly trustProxy?: string;
}

/** Defaults, documented in README.md. */
export const DEFAULTS = Object.freeze({
  dataDir: './data',
  port: 8080,
  host: '127.0.0.1',
  policyFile: 'policies/certilience.yaml',
  dailyHour: 3,
  auditDurability: 'batched',
  maxInFlight: 256,
  outboxKeepHours: 24,
});

/** The public URL when none is configured: the server's own listening address. */
export function defaultPublicUrl(host: string = DEFAULTS.host, port: number = DEFAULTS.port): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}

/**
 * Reads flags then environment then defaults, validates everything at once and
 * throws one CONFIG_INVALID error listing every problem (Outline's env.ts pattern).
 */
export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ErrorDetail[] = [];

  const dataDir = nonEmpty(flags.dataDir) ?? nonEmpty(env.REMPART_DATA_DIR) ?? DEFAULTS.dataDir;
  if (existsSync(dataDir) && !statSync(dataDir).isDirectory()) {
    problems.push({ field: '--data-dir / REMPART_DATA_DIR', message: `${dataDir} exists and is not a directory` });
  }

  const databaseUrl = nonEmpty(flags.databaseUrl) ?? nonEmpty(env.DATABASE_URL) ?? null;
  if (databaseUrl !== null) {
    let protocol = '';
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      // The URL may hold a password: name the problem, not the value.
      problems.push({
        field: '--database-url / DATABASE_URL',
        message: 'must be a postgres:// or postgresql:// URL (value not shown: it may hold a password)',
      });
    }
  }

  const rawPort = flags.port ?? nonEmpty(env.PORT) ?? DEFAULTS.port;
  const port = typeof rawPort === 'number' ? rawPort : /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push({ field: '--port / PORT', message: `must be an integer from 0 to 65535, got "${String(rawPort)}"` });
  }

  const host = nonEmpty(flags.host) ?? nonEmpty(env.REMPART_HOST) ?? DEFAULTS.host;
  if (/\s/.test(host)) problems.push({ field: '--host', message: `must be a host name or address, got "${host}"` });

  const explicitPolicy = nonEmpty(flags.policy) ?? nonEmpty(env.REMPART_POLICY);
  // Run from another folder, the relative default is not there: use the packaged copy.
  const policyFile = explicitPolicy ?? (existsSync(DEFAULTS.policyFile) ? DEFAULTS.policyFile : DEFAULT_POLICY_FILE);
  if (!existsSync(policyFile)) {
    problems.push({ field: '--policy / REMPART_POLICY', message: `policy file ${policyFile} does not exist` });
  }

  const rawHour = flags.dailyHour ?? nonEmpty(env.REMPART_DAILY_HOUR) ?? String(DEFAULTS.dailyHour);
  const dailyHour = /^\d{1,2}$/.test(rawHour) ? Number(rawHour) : Number.NaN;
  if (!(dailyHour >= 0 && dailyHour <= 23)) {
    problems.push({ field: '--daily-hour / REMPART_DAILY_HOUR', message: `must be an hour from 0 to 23, got "${rawHour}"` });
  }

  const smtpUrl = nonEmpty(env.SMTP_URL) ?? null;
  if (smtpUrl !== null) {
    let protocol = '';
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      problems.push({ field: 'SMTP_URL', message: 'must be an smtp:// or smtps:// URL (value not shown: it may hold a password)' });
    }
  }

  const configuredPublicUrl = nonEmpty(flags.publicUrl) ?? nonEmpty(env.REMPART_PUBLIC_URL);
  const publicUrl = (configuredPublicUrl ?? defaultPublicUrl(host, port)).trim().replace(/\/+$/, '');
  if (configuredPublicUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(publicUrl);
    } catch {
      // reported below
    }
    // Mailed links must reach this server: an absolute http(s) URL, nothing after the origin but a path.
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
      problems.push({ field: '--public-url / REMPART_PUBLIC_URL', message: `must be an http:// or https:// URL without query, fragment or credentials, e.g. https://crm.example.fr; ${configuredPublicUrl.includes('@') ? 'value not shown: it may hold a password' : `got "${configuredPublicUrl}"`}` });
    }
  }

  const trust = parseTrustProxy(nonEmpty(flags.trustProxy) ?? nonEmpty(env.REMPART_TRUST_PROXY));
  if ('problem' in trust) problems.push({ field: '--trust-proxy / REMPART_TRUST_PROXY', message: trust.problem });
  const trustProxy = 'value' in trust ? trust.value : false;

  const rawKeep = nonEmpty(env.REMPART_OUTBOX_KEEP_HOURS) ?? String(DEFAULTS.outboxKeepHours);
  const outboxKeepHours = /^\d{1,3}$/.test(rawKeep) ? Number(rawKeep) : Number.NaN;
  if (!(outboxKeepHours >= 1 && outboxKeepHours <= 720)) {
    problems.push({ field: 'REMPART_OUTBOX_KEEP_HOURS', message: `must be a number of hours from 1 to 720, got "${rawKeep}"` });
  }

  const allow = parseAllowPrivateUrls(nonEmpty(env.REMPART_ALLOW_PRIVATE_URLS));
  if ('problem' in allow) problems.push({ field: 'REMPART_ALLOW_PRIVATE_URLS', message: allow.problem });
  const allowPrivateUrls = 'value' in allow ? allow.value : [];
  const auditDurability = nonEmpty(env.REMPART_AUDIT_DURABILITY) ?? DEFAULTS.auditDurability;
  if (auditDurability !== 'strict' && auditDurability !== 'batched') {
    problems.push({ field: 'REMPART_AUDIT_DURABILITY', message: `must be strict or batched, got "${auditDurability}"` });
  }
  const rawInFlight = nonEmpty(env.REMPART_MAX_IN_FLIGHT) ?? String(DEFAULTS.maxInFlight);
  const maxInFlight = /^\d{1,6}$/.test(rawInFlight) ? Number(rawInFlight) : Number.NaN;
  if (!(maxInFlight >= 1)) problems.push({ field: 'REMPART_MAX_IN_FLIGHT', message: `must be a whole number of requests, at least 1, got "${rawInFlight}"` });

  if (problems.length > 0) {
    throw new RempartError('CONFIG_INVALID', `The configuration has ${problems.length} problem(s).`, { details: problems });
  }
  return Object.freeze({ dataDir, databaseUrl, port, host, policyFile, demo: flags.demo ?? false, dailyHour, smtpUrl, publicUrl, publicUrlIsDefault: configuredPublicUrl === undefined, trustProxy, outboxKeepHours, allowPrivateUrls, auditDurability: auditDurability as Config['auditDurability'], maxInFlight });
}

/** Formats a RempartError's details, one per line, for the terminal. */
export function formatProblems(e: RempartError): string {
  const lines = [e.message];
  for (const d of e.details) {
    const where = [d.file, d.line === undefined ? undefined : `line ${d.line}`, d.row === undefined ? undefined : `row ${d.row}`, d.field]
      .filter((x) => x !== undefined)
      .join(', ');
    lines.push(`  - ${where ? `${where}: ` : ''}${d.message}`);
  }
  return lines.join('\n');
}
