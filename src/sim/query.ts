// Reading EC2 Query parameters: `Name=v`, lists as `Name.1`, `Name.2`, and
// structures as `Name.1.Key`. Missing or malformed values raise the errors
// AWS gives (MissingParameter, InvalidParameterValue).
import { Ec2Error, invalidValue, missing } from './errors.js';

export interface FilterSpec {
  readonly name: string;
  readonly values: readonly string[];
}

/** The most parameters one request may carry (the body is capped at 1 MiB by the server as well). */
export const MAX_PARAMS = 10_000;

/** `prefix` → N → (the rest of the key after `prefix.N.`, or '' for `prefix.N` itself) → value. */
type Index = Map<string, Map<number, Map<string, string>>>;

export class Query {
  /** Built on first use, in one pass over the parameters, so lists and structures cost linear time. */
  private index: Index | undefined;

  constructor(readonly params: ReadonlyMap<string, string>) {}

  static parse(body: string): Query {
    const params = new Map<string, string>();
    let n = 0;
    for (const [k, v] of new URLSearchParams(body)) {
      if (++n > MAX_PARAMS)
        throw new Ec2Error('InvalidRequest', `The request has more than ${MAX_PARAMS} parameters. Please send fewer parameters.`);
      params.set(k, v);
    }
    return new Query(params);
  }

  str(name: string): string | undefined {
    return this.params.get(name);
  }

  req(name: string): string {
    const v = this.params.get(name);
    if (v === undefined || v === '') throw missing(name);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.params.get(name);
    if (v === undefined) return undefined;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidValue(name, v, 'Expected true or false.');
  }

  int(name: string, min: number, max: number): number | undefined {
    const v = this.params.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || n < min || n > max)
      throw invalidValue(name, v, `It must be an integer between ${min} and ${max}.`);
    return n;
  }

  /** The numbered members `prefix.N` (N from 1), in numeric order. */
  list(prefix: string): string[] {
    return this.members(prefix).map(([i]) => this.params.get(`${prefix}.${i}`) ?? '');
  }

  /** Sub-queries for `prefix.N.*`, in numeric order. */
  structs(prefix: string): Query[] {
    return this.members(prefix).map(([, rest]) => {
      const sub = new Map<string, string>();
      for (const [k, v] of rest) if (k !== '') sub.set(k, v);
      return new Query(sub);
    });
  }

  /** `prefix.N` members in numeric order, each with what follows `prefix.N.`. */
  private members(prefix: string): [number, Map<string, string>][] {
    this.index ??= Query.buildIndex(this.params);
    return [...(this.index.get(prefix) ?? [])].sort((a, b) => a[0] - b[0]);
  }

  /**
   * One pass over the parameters: `A.1.B.2` is filed under `A` (1, `B.2`) and
   * under `A.1.B` (2, ''). Work is the total number of key segments.
   */
  private static buildIndex(params: ReadonlyMap<string, string>): Index {
    const index: Index = new Map();
    for (const [key, value] of params) {
      const segs = key.split('.');
      for (let i = 1; i < segs.length; i++) {
        if (!/^\d+$/.test(segs[i]!)) continue;
        const prefix = segs.slice(0, i).join('.');
        const n = Number(segs[i]);
        const rest = segs.slice(i + 1).join('.');
        let byN = index.get(prefix);
        if (byN === undefined) index.set(prefix, (byN = new Map<number, Map<string, string>>()));
        let sub = byN.get(n);
        if (sub === undefined) byN.set(n, (sub = new Map<string, string>()));
        // `Filter.1` and `Filter.01` are the same member; the first spelling of a key wins, as Map did.
        if (!sub.has(rest)) sub.set(rest, value);
      }
    }
    return index;
  }

  filters(): FilterSpec[] {
    return this.structs('Filter').map((f) => {
      const name = f.str('Name');
      if (name === undefined || name === '') throw missing('Filter.Name');
      return { name, values: f.list('Value') };
    });
  }

  /** `Tag.N.Key` / `Tag.N.Value` pairs. */
  tags(prefix = 'Tag'): [string, string | undefined][] {
    return this.structs(prefix).map((t) => {
      const key = t.str('Key');
      if (key === undefined) throw missing(`${prefix}.Key`);
      return [key, t.str('Value')];
    });
  }

  /** Tags from `TagSpecification.N` entries whose ResourceType matches. */
  tagSpecs(resourceType: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const spec of this.structs('TagSpecification')) {
      const rt = spec.str('ResourceType');
      if (rt !== resourceType) {
        if (rt === undefined) throw missing('TagSpecification.ResourceType');
        continue;
      }
      for (const [k, v] of spec.tags('Tag')) out.set(k, v ?? '');
    }
    return out;
  }

  /** `MaxResults`, already checked against the action's contract by validateRequest. */
  maxResults(): number | undefined {
    const v = this.params.get('MaxResults');
    return v === undefined ? undefined : Number(v);
  }

  /** Throws when a documented parameter this simulator does not model was sent (better than ignoring it). */
  rejectUnsupported(names: readonly string[]): void {
    for (const n of names)
      for (const k of this.params.keys())
        if (k === n || k.startsWith(`${n}.`))
          throw new Ec2Error('InvalidParameterValue', `The parameter ${n} is not supported by this simulator.`);
  }
}
