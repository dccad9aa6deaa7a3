import { isIP } from 'node:net';

/**
 * Which peers may tell us the client's address and protocol (X-Forwarded-For,
 * X-Forwarded-Proto): `false` (none, the default: the socket is the client), a hop count,
 * or addresses and CIDR ranges of the reverse proxies (Fastify's `trustProxy`). Trusting
 * every peer (`true`) is not offered: any client could then forge its address and escape
 * the per-client limits.
 */
export type TrustProxy = false | number | readonly string[];

/** The names proxy-addr knows for well-known ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function isAddressOrRange(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses `--trust-proxy` / `REMPART_TRUST_PROXY`: `false`/`no`/`0`/empty → false; a
 * number 1–10 → that many hops; else a comma-separated list of addresses, CIDR ranges or
 * `loopback`, `linklocal`, `uniquelocal`. Returns an error message for anything else.
 */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const text = (raw ?? '').trim();
  if (text === '' || /^(false|no|off|0)$/i.test(text)) return { value: false };
  if (/^(true|yes|on|\*)$/i.test(text)) {
    return { problem: 'trusting every peer would let any client forge its address; give the proxy addresses or CIDR ranges (e.g. 127.0.0.1 or 10.0.0.0/8), or a hop count' };
  }
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 10 ? { value: hops } : { problem: `a hop count must be from 1 to 10, got "${text}"` };
  }
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => !isAddressOrRange(e));
  if (bad.length > 0) {
    return { problem: `must be false, a hop count, or IP addresses / CIDR ranges / loopback, linklocal, uniquelocal separated by commas; not an address or range: "${bad.join('", "')}"` };
  }
  return { value: Object.freeze(entries) };
}

/** The setting as Fastify's `trustProxy` option: a hop count becomes "the first N hops". */
export function fastifyTrustProxy(trust: TrustProxy | undefined): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (trust === undefined || trust === false) return false;
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return [...trust];
}
