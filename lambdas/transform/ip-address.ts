import type { IpAnonymisation } from './config';

/**
 * The address to store for a validated IPv4/IPv6 address under the configured mode, or undefined
 * when none is stored. `truncate` keeps the network and zeroes the host part, as Google Analytics
 * does: IPv4 to /24 (last octet 0), IPv6 to /48, an IPv4-mapped IPv6 address by its IPv4 rule.
 */
export function storedIp(ip: string, mode: IpAnonymisation): string | undefined {
  if (mode === 'keep') return ip;
  if (mode === 'drop') return undefined;
  return ip.includes(':') ? truncateIpv6(ip) : truncateIpv4(ip);
}

function truncateIpv4(ip: string): string {
  return `${ip.slice(0, ip.lastIndexOf('.'))}.0`;
}

/** An address the parser cannot read is not stored at all (never stored un-anonymised). */
function truncateIpv6(ip: string): string | undefined {
  const groups = ipv6Groups(ip);
  if (groups === undefined) return undefined;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = groups;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0xffff) {
    const mapped = ip.slice(ip.lastIndexOf(':') + 1);
    // ::ffff:192.0.2.1 and ::ffff:c000:201 are the same address; store the dotted form.
    const ipv4 = mapped.includes('.') ? mapped : dottedFromGroups(groups[6] ?? 0, groups[7] ?? 0);
    return `::ffff:${truncateIpv4(ipv4)}`;
  }
  if (a === 0 && b === 0 && c === 0) return '::';
  return `${a.toString(16)}:${b.toString(16)}:${c.toString(16)}::`;
}

/** The eight 16-bit groups of an IPv6 address, expanding `::` and an embedded dotted IPv4 tail. */
function ipv6Groups(ip: string): number[] | undefined {
  const zone = ip.indexOf('%');
  const address = zone === -1 ? ip : ip.slice(0, zone);
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const part of text.split(':')) {
    if (part.includes('.')) {
      const octets = part.split('.').map(Number);
      if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255))
        return undefined;
      const [o1 = 0, o2 = 0, o3 = 0, o4 = 0] = octets;
      groups.push((o1 << 8) | o2, (o3 << 8) | o4);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(Number.parseInt(part, 16));
    }
  }
  return groups;
}

function dottedFromGroups(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}
