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

/**
 * Loopback, private, link-local, CGNAT, multicast, unspecified — judged on the parsed address, so
 * every notation is caught (docs/security.md): IPv6 forms that carry an IPv4 address (mapped, compatible,
 * 6to4, NAT64, Teredo) are refused outright rather than chased, and so are site-local and
 * unique-local ones.
 */
export function isForbiddenAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const n = v4Number(ip);
    return V4_BLOCKS.some(([base, bits]) => n >>> (32 - bits) === v4Number(base) >>> (32 - bits));
  }
  const g = ipv6Groups(ip);
  if (!g) return true;
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0 || g[5] === 0xffff)) return true; // ::/96 (::, ::1, IPv4-compatible), ::ffff:0:0/96 mapped
  if (g[0] === 0x64 && g[1] === 0xff9b) return true; // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (g[0] === 0x2002) return true; // 6to4
  if (g[0] === 0x2001 && g[1] === 0) return true; // Teredo
  if (g[0] === 0x100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return true; // discard-only 100::/64
  if ((g[0] & 0xfe00) === 0xfc00) return true; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return true; // fec0::/10 site-local (deprecated, still routed privately)
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** The eight 16-bit groups of an IPv6 address in any notation (`::`, zero-padded, dotted IPv4 tail), or null. */
export function ipv6Groups(ip: string): number[] | null {
  const a = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!net.isIPv6(a)) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  const hex = dotted
    ? a.slice(0, dotted.index) +
      ((+dotted[1] << 8) | +dotted[2]).toString(16) +
      ':' +
      ((+dotted[3] << 8) | +dotted[4]).toString(16)
    : a;
  const [head, tail] = hex.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((x) => parseInt(x, 16));
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves the URL's host once; outside development every address must be public. */
export async function resolveDestination(url: URL, allowPrivate: boolean): Promise<PinnedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const found = net.isIP(host)
    ? [{ address: host, family: net.isIP(host) as 4 | 6 }]
    : ((await dns.promises.lookup(host, { all: true, verbatim: true })) as PinnedAddress[]);
  if (found.length === 0) throw new DestinationRefused(`${url.hostname} does not resolve`);
  if (!allowPrivate) {
    const bad = found.find((a) => isForbiddenAddress(a.address));
    if (bad) throw new DestinationRefused(`${url.hostname} resolves to a non-public address`);
  }
  return found[0];
}
