// Webhook destinations are checked when each attempt is made and the checked address is pinned (no DNS rebinding).
import dns from 'node:dns';
import net from 'node:net';

export class DestinationRefused extends Error {
  override name = 'DestinationRefused';
}

const V4_BLOCKS: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const v4Number = (ip: string) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);

/** Loopback, private, link-local, CGNAT, multicast, unspecified, IPv4-mapped/translated IPv6. */
export function isForbiddenAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const n = v4Number(ip);
    return V4_BLOCKS.some(([base, bits]) => n >>> (32 - bits) === v4Number(base) >>> (32 - bits));
  }
  if (!net.isIPv6(ip)) return true;
  const a = ip.toLowerCase();
  if (a === '::' || a === '::1') return true;
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible and NAT64 forms carry an IPv4 address we will not chase.
  if (a.startsWith('::ffff:') || /^::\d+\.\d+\.\d+\.\d+$/.test(a) || a.startsWith('64:ff9b:')) return true;
  const first = parseInt(a.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((first & 0xff00) === 0xff00) return true; // multicast
  return false;
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves the URL's host once; outside development every address must be public. */
export async function resolveDestination(url: URL, allowPrivate: boolean): Promise<PinnedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const found = net.isIP(host) ? [{ address: host, family: net.isIP(host) as 4 | 6 }] : ((await dns.promises.lookup(host, { all: true, verbatim: true })) as PinnedAddress[]);
  if (found.length === 0) throw new DestinationRefused(`${url.hostname} does not resolve`);
  if (!allowPrivate) {
    const bad = found.find((a) => isForbiddenAddress(a.address));
    if (bad) throw new DestinationRefused(`${url.hostname} resolves to a non-public address`);
  }
  return found[0];
}
