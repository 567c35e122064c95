// Leaf value rules shared by the schema and the model conversion: IP addresses,
// CIDRs, loose numbers and booleans (the original accepted `port: "80"` and
// `ssl: "true"`), placeholders. Pure functions, no I/O.
import { isIPv4, isIPv6 } from 'node:net';

/** A short description of a YAML value for error messages: `"x"`, `a list`, `-1`. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return 'a mapping';
}

/** Numbers may be written as YAML numbers or as numeric strings, as in the original. */
export function looseNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v);
  return undefined;
}

/** Booleans may be YAML booleans or the strings "true"/"false" (any case), as in the original. */
export function looseBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

export function isIp(v: string): boolean {
  return isIPv4(v) || isIPv6(v);
}

export interface Cidr {
  /** Canonical text, as EC2 reports it: `10.0.0.1/32`, `2001:db8::10/128`. */
  readonly text: string;
  readonly family: 4 | 6;
  readonly prefix: number;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = ipv4ToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + ((n >> 16n) & 0xffffn).toString(16) + ':' + (n & 0xffffn).toString(16);
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function ipv6FromBigInt(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, lower-case hex.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; reason: 'syntax' | 'host-bits'; network?: string };

/**
 * Parses `a.b.c.d/n`, an IPv6 prefix, or a bare address (meaning /32 or /128).
 * A prefix with host bits set is refused: EC2 would store the network address,
 * so the route we look for would never match the one in the table.
 */
export function parseCidr(input: string): CidrResult {
  const slash = input.indexOf('/');
  const addr = slash === -1 ? input : input.slice(0, slash);
  const lenText = slash === -1 ? undefined : input.slice(slash + 1);
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) return { ok: false, reason: 'syntax' };
  const max = family === 4 ? 32 : 128;
  if (lenText !== undefined && !/^\d{1,3}$/.test(lenText)) return { ok: false, reason: 'syntax' };
  const prefix = lenText === undefined ? max : Number(lenText);
  if (prefix > max) return { ok: false, reason: 'syntax' };
  const bits = BigInt(max);
  const value = family === 4 ? ipv4ToBigInt(addr) : ipv6ToBigInt(addr);
  const hostMask = (1n << (bits - BigInt(prefix))) - 1n;
  const network = value & ~hostMask;
  const netText =
    family === 4
      ? [24n, 16n, 8n, 0n].map((s) => String((network >> s) & 0xffn)).join('.')
      : ipv6FromBigInt(network);
  if (network !== value) return { ok: false, reason: 'host-bits', network: `${netText}/${prefix}` };
  return { ok: true, cidr: { text: `${netText}/${prefix}`, family, prefix } };
}

/** Names that may appear as `${name}` in finder values and hook arguments. */
export const PLACEHOLDERS = ['az', 'region', 'vpc_id', 'subnet_id', 'instance_id'] as const;
export type PlaceholderName = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Readonly<Record<PlaceholderName, string>>;

const PLACEHOLDER_RE = /\$\{([^}]*)\}/g;

/** The `${...}` names in a string that are not known placeholders. */
export function unknownPlaceholders(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    const name = m[1] ?? '';
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) bad.push(name);
  }
  return bad;
}

export function hasPlaceholder(text: string): boolean {
  return /\$\{[^}]*\}/.test(text);
}

/** Substitutes `${az}` and friends; unknown names cannot occur in a validated config. */
export function substitute(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER_RE, (whole, name: string) =>
    (PLACEHOLDERS as readonly string[]).includes(name) ? values[name as PlaceholderName] : whole,
  );
}

/** Edit distance counting a swap of two neighbours as one edit (so "prot" is 1 from "port"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest known word, if it is close enough to be a likely typo. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) { best = k; bestD = d; }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}
