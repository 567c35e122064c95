// Value rules of the config format: loose numbers and booleans (the
// original accepted `port: "80"` and `ssl: "true"`), placeholders, how a
// value is shown in a message, and "did you mean" suggestions. IP addresses
// and CIDRs are net/address.ts. Pure functions, no I/O.

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
