// IP addresses, CIDR blocks and HOST:PORT text: the one parser and the one
// canonical form for the whole program. IPv6 is written as RFC 5952 says
// (lower case, no leading zeros, the first longest run of two or more zero
// groups compressed; an IPv4 tail such as `::ffff:1.2.3.4` becomes hex
// groups), which is how EC2 reports it and how the WHATWG URL parser writes
// it, so two spellings of one address or block compare equal as strings.
// Pure functions, no I/O.
import { isIP, isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as a 32- or 128-bit number. */
  readonly value: bigint;
}

/**
 * An IPv4 or IPv6 literal as the operating system takes it (node's `isIP`):
 * no host names, no brackets; an IPv6 zone (`fe80::1%eth0`) is allowed.
 */
export function isIp(text: string): boolean {
  return isIP(text) !== 0;
}

/** The IPv4 address as a number; undefined unless `text` is a dotted-quad literal. */
export function parseIpv4(text: string): bigint | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let body = text;
  // An IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)?.[1];
  if (tail !== undefined) {
    const n = parseIpv4(tail);
    if (n === undefined) return undefined;
    body = `${body.slice(0, -tail.length)}${((n >> 16n) & 0xffffn).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = body.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An IP literal as a number; undefined for anything else (host names, brackets, IPv6 zones). */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

export function formatIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
}

/** RFC 5952: lower-case hex without leading zeros, the first longest run (two or more) of zero groups as `::`. */
export function formatIpv6(n: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((n >> s) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

/** The canonical text of an IP literal (`2001:DB8:0::1` -> `2001:db8::1`); undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

/** 127.0.0.0/8 or ::1, in any spelling. */
export function isLoopbackIp(text: string): boolean {
  const ip = parseIp(text);
  if (ip === undefined) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}

export interface Cidr {
  readonly family: IpFamily;
  /** Canonical text, e.g. `10.0.0.0/16` or `2001:db8::/56` (host bits, if any, kept). */
  readonly text: string;
  readonly prefix: number;
  /** The address part as a number. */
  readonly addr: bigint;
}

const widthOf = (family: IpFamily): bigint => (family === 4 ? 32n : 128n);

/**
 * Reads `a.b.c.d/n` or an IPv6 block `x:y::/n`; with `bareAddress`, also a
 * lone address, meaning its /32 or /128. Host bits below the prefix are kept
 * (see hasHostBits and networkOf). Undefined for anything else.
 */
export function parseCidr(text: string, opts: { readonly bareAddress?: boolean } = {}): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash === -1 && opts.bareAddress !== true) return undefined;
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = Number(widthOf(ip.family));
  const bits = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  const prefix = Number(bits);
  return { family: ip.family, text: `${formatIp(ip)}/${prefix}`, prefix, addr: ip.value };
}

/** The canonical text of a CIDR or of a lone address as its /32 or /128; undefined when it is neither. */
export function canonicalCidr(text: string): string | undefined {
  return parseCidr(text, { bareAddress: true })?.text;
}

const hostMask = (c: Cidr): bigint => (1n << (widthOf(c.family) - BigInt(c.prefix))) - 1n;

/** Does the address have bits set below the prefix (`10.0.0.1/24`)? */
export function hasHostBits(c: Cidr): boolean {
  return (c.addr & hostMask(c)) !== 0n;
}

/** The block with its host bits cleared (`10.0.0.1/24` -> `10.0.0.0/24`). */
export function networkOf(c: Cidr): Cidr {
  const addr = c.addr & ~hostMask(c);
  return { ...c, addr, text: `${formatIp({ family: c.family, value: addr })}/${c.prefix}` };
}

/** Is `inner` (a block, or an address as its /32 or /128) inside `outer`? */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const shift = widthOf(outer.family) - BigInt(outer.prefix);
  return outer.addr >> shift === inner.addr >> shift;
}

export interface HostPort {
  /** Without brackets: `127.0.0.1`, `::1`, `localhost`. */
  readonly host: string;
  readonly port: number;
}

/**
 * Reads `HOST:PORT`: `127.0.0.1:80`, `[::1]:80` (IPv6 in brackets, as in a
 * URL), `name:80`. The port is 0-65535 in at most five digits. With
 * `defaultPort`, the port may be left out (`127.0.0.1`, `[::1]`, `localhost`,
 * and a bare IPv6 literal such as `::1`, which cannot hold a port).
 * With `ipOnly`, the host must be an IP literal. Undefined for anything else.
 */
export function parseHostPort(text: string, opts: { readonly defaultPort?: number; readonly ipOnly?: boolean } = {}): HostPort | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(text);
  let host: string;
  let portText: string | undefined;
  if (m !== null) {
    if (m[1] !== undefined && parseIpv6(m[1]) === undefined) return undefined;
    host = m[1] ?? m[2]!;
    portText = m[3];
  } else if (parseIpv6(text) !== undefined) {
    host = text;
  } else {
    return undefined;
  }
  if (opts.ipOnly === true && parseIp(host) === undefined) return undefined;
  const port = portText === undefined ? opts.defaultPort : Number(portText);
  if (port === undefined || port > 65535) return undefined;
  return { host, port };
}

/** `HOST:PORT`, with an IPv6 host in brackets. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
