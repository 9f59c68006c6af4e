import net from 'node:net';

/** The eight 16-bit groups of an IPv6 address in any notation (`::`, zero-padded, dotted IPv4 tail), or null. */
export function ipv6Groups(ip: string): number[] | null {
  const a = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!net.isIPv6(a)) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  const hex = dotted ? a.slice(0, dotted.index) + ((+dotted[1] << 8) | +dotted[2]).toString(16) + ':' + ((+dotted[3] << 8) | +dotted[4]).toString(16) : a;
  const [head, tail] = hex.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((x) => parseInt(x, 16));
}
