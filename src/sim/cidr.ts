// CIDR parsing for route destinations, VPC and subnet ranges. IPv6 blocks are
// put in RFC 5952 form (lower case, longest zero run compressed) so that
// `2001:DB8:0::1/128` and `2001:db8::1/128` name the same route, as in AWS.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  readonly family: 4 | 6;
  /** Canonical text, e.g. `10.0.0.0/16` or `2001:db8::/56`. */
  readonly text: string;
  readonly prefix: number;
  /** Address as a bigint, for containment checks. */
  readonly addr: bigint;
}

export function parseIpv4(s: string): bigint | undefined {
  if (!isIPv4(s)) return undefined;
  return s.split('.').reduce((a, p) => (a << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(s: string): bigint | undefined {
  if (!isIPv6(s) || s.includes('%')) return undefined;
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const n = parseIpv4(v4[1]!);
    if (n === undefined) return undefined;
    text = text.slice(0, -v4[1]!.length) + ((n >> 16n) & 0xffffn).toString(16) + ':' + (n & 0xffffn).toString(16);
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const hs = head === '' ? [] : head.split(':');
  const ts = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  if (groups.length !== 8) return undefined;
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 0xffn).toString()).join('.');
}

export function formatIpv6(n: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((n >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses `a.b.c.d/n` or `x:y::/n`; returns undefined for anything else. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash === -1) return undefined;
  const ip = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const a4 = parseIpv4(ip);
  if (a4 !== undefined) {
    if (prefix > 32) return undefined;
    return { family: 4, text: `${formatIpv4(a4)}/${prefix}`, prefix, addr: a4 };
  }
  const a6 = parseIpv6(ip);
  if (a6 !== undefined) {
    if (prefix > 128) return undefined;
    return { family: 6, text: `${formatIpv6(a6)}/${prefix}`, prefix, addr: a6 };
  }
  return undefined;
}

/** Is `inner` (a CIDR or a single address as a /32 or /128) inside `outer`? */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const width = outer.family === 4 ? 32n : 128n;
  const shift = width - BigInt(outer.prefix);
  return outer.addr >> shift === inner.addr >> shift;
}

/** Does the address have bits set beyond the prefix (10.0.0.1/24)? */
export function hasHostBits(c: Cidr): boolean {
  const width = c.family === 4 ? 32n : 128n;
  const mask = (1n << (width - BigInt(c.prefix))) - 1n;
  return (c.addr & mask) !== 0n;
}

export function ipInCidr(ip: string, cidr: Cidr): boolean {
  const a = parseIpv4(ip);
  if (a === undefined) return false;
  return cidrContains(cidr, { family: 4, text: `${ip}/32`, prefix: 32, addr: a });
}
