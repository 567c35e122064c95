// Reading EC2 Query parameters: `Name=v`, lists as `Name.1`, `Name.2`, and
// structures as `Name.1.Key`. Missing or malformed values raise the errors
// AWS gives (MissingParameter, InvalidParameterValue).
import { Ec2Error, invalidValue, missing } from './errors.js';

export interface FilterSpec {
  readonly name: string;
  readonly values: readonly string[];
}

export class Query {
  constructor(readonly params: ReadonlyMap<string, string>) {}

  static parse(body: string): Query {
    return new Query(new Map(new URLSearchParams(body)));
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
    return this.indexes(prefix).map((i) => this.params.get(`${prefix}.${i}`) ?? '');
  }

  /** Sub-queries for `prefix.N.*`, in numeric order. */
  structs(prefix: string): Query[] {
    return this.indexes(prefix).map((i) => {
      const head = `${prefix}.${i}.`;
      const sub = new Map<string, string>();
      for (const [k, v] of this.params) if (k.startsWith(head)) sub.set(k.slice(head.length), v);
      return new Query(sub);
    });
  }

  private indexes(prefix: string): number[] {
    const head = `${prefix}.`;
    const seen = new Set<number>();
    for (const k of this.params.keys()) {
      if (!k.startsWith(head)) continue;
      const m = /^(\d+)(\.|$)/.exec(k.slice(head.length));
      if (m !== null) seen.add(Number(m[1]));
    }
    return [...seen].sort((a, b) => a - b);
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
      if ([...this.params.keys()].some((k) => k === n || k.startsWith(`${n}.`)))
        throw new Ec2Error('InvalidParameterValue', `The parameter ${n} is not supported by this simulator.`);
  }
}
