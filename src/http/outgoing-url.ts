import { BlockList, isIP } from 'node:net';
import { RempartError } from '../errors.js';
import { isAddressOrRange } from './trust-proxy.js';

/**
 * Outgoing requests (partner webhooks, portability pushes) go to addresses an operator
 * or an API client typed: left unchecked, a webhook URL such as http://169.254.169.254/
 * or http://127.0.0.1:5432/ makes Rempart reach into its own network for whoever can
 * register a partner (server-side request forgery). So loopback, private, link-local,
 * shared, multicast and reserved ranges are refused unless the config allows them
 * (`REMPART_ALLOW_PRIVATE_URLS`: a receiver on the same host or network).
 */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) FORBIDDEN.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96]] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

/** The names that stand for the loopback range in the allow list. */
const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

let configured: readonly string[] = [];

/** Sets the allow list of the process from `Config.allowPrivateUrls` (the CLI does it at start). */
export function configureOutgoingUrls(allow: readonly string[]): void {
  configured = Object.freeze([...allow]);
}

/** The allow list in force. */
export function allowedPrivateRanges(): readonly string[] {
  return configured;
}

function allowListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else if (entry === 'private' || entry === 'uniquelocal') {
      for (const [n, p] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) list.addSubnet(n, p, 'ipv4');
      list.addSubnet('fc00::', 7, 'ipv6');
    } else if (entry === 'linklocal') {
      list.addSubnet('169.254.0.0', 16, 'ipv4');
      list.addSubnet('fe80::', 10, 'ipv6');
    } else {
      const [address = '', prefix] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
  }
  return list;
}

/** True when `ip` is in a range outgoing requests may not reach, given the allow list. */
export function isForbiddenAddress(ip: string, allow: readonly string[] = configured): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it maps.
  const mapped = type === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] : undefined;
  if (mapped !== undefined) return isForbiddenAddress(mapped, allow);
  if (!FORBIDDEN.check(ip, type)) return false;
  return !allowListOf(allow).check(ip, type);
}

/**
 * Checks an outgoing URL (http or https, no credentials, a host outside the forbidden
 * ranges unless allowed) and returns it parsed; throws VALIDATION_FAILED naming `field`.
 * Host names are checked as written (`localhost`, IP literals in any form the URL parser
 * normalises, such as http://2130706433/); a public name that resolves to a private
 * address is not caught here.
 */
export function checkOutgoingUrl(url: string, field: string, allow: readonly string[] = configured): URL {
  const refuse = (message: string, what: string): never => {
    throw new RempartError('VALIDATION_FAILED', message, { details: [{ field, message: what }] });
  };
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    return refuse('The outgoing URL is not a valid URL.', 'is not a URL');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') refuse('The outgoing URL must be http or https.', 'must be an http(s) URL');
  if (u.username !== '' || u.password !== '') refuse('The outgoing URL must not carry credentials.', 'has credentials');
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const loopbackName = LOOPBACK_NAMES.has(host) || host.endsWith('.localhost');
  const forbidden = loopbackName ? isForbiddenAddress('127.0.0.1', allow) : isForbiddenAddress(host, allow);
  if (forbidden) {
    refuse(
      'The outgoing URL points to a loopback, private or reserved address; allow its range in REMPART_ALLOW_PRIVATE_URLS if the receiver is really there.',
      'must not point to a loopback, private or reserved address',
    );
  }
  return u;
}

/** Parses `REMPART_ALLOW_PRIVATE_URLS`: comma-separated addresses, CIDR ranges, or `loopback`, `private`, `linklocal`. */
export function parseAllowPrivateUrls(raw: string | undefined): { value: readonly string[] } | { problem: string } {
  const text = (raw ?? '').trim();
  if (text === '') return { value: [] };
  const entries = text.split(',').map((e) => e.trim());
  const bad = entries.filter((e) => e !== 'private' && !isAddressOrRange(e));
  return bad.length > 0
    ? { problem: `must be IP addresses, CIDR ranges or loopback, private, linklocal separated by commas; not one: "${bad.join('", "')}"` }
    : { value: Object.freeze(entries) };
}
