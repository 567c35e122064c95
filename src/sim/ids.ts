// Resource ids in AWS's shape (`rtb-` + 17 hex digits), deterministic per
// simulator so runs are repeatable.
export class IdFactory {
  private n = 0;
  constructor(private readonly seed = 0x5a11) {}
  next(prefix: string): string {
    this.n++;
    const hex = (this.seed * 0x100000 + this.n).toString(16).padStart(17, '0');
    return `${prefix}-${hex}`;
  }
}

/** A stable, locally administered MAC address derived from an interface id. */
export function macFor(id: string): string {
  const hash = (seed: number): number => {
    let h = seed;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619) >>> 0;
    return h;
  };
  const h = hash(2166136261);
  const g = hash(0x811c9dc5 ^ 0x5bd1e995);
  const bytes = [0x02, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, g & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The AWS id prefix of a resource id (`rtb`, `i`, `eni`, ...), or undefined when it has none. */
export function idPrefix(id: string): string | undefined {
  const m = /^([a-z]+)-[0-9a-zA-Z]+$/.exec(id);
  return m?.[1];
}

/**
 * Whether an id has AWS's shape: its prefix, a dash, then 8 or 17 lowercase
 * letters or digits. "Resource IDs" in the EC2 User Guide
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html):
 * a prefix, a hyphen and 8 (before 2016) or 17 characters; AWS's own
 * malformed-id messages add "the Id may only contain lowercase alphanumeric
 * characters and a single dash". AWS's ids are hex in practice; this accepts
 * what the documentation allows.
 */
export function wellFormedId(prefix: string, id: string): boolean {
  if (!id.startsWith(`${prefix}-`)) return false;
  const rest = id.slice(prefix.length + 1);
  return (rest.length === 8 || rest.length === 17) && /^[0-9a-z]+$/.test(rest);
}
