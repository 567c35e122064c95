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
