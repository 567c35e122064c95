// DescribeX filters: `Filter.N.Name` with `Filter.N.Value.M`. Values OR
// together, filters AND together. `*` matches any run of characters and `?`
// one character (`\*`, `\?`, `\\` are literal), as AWS allows on string
// filters. Which names an action accepts is AWS's documentation (the
// generated contract): an undocumented name is 400 InvalidParameterValue
// "The filter 'X' is invalid"; a documented name the simulator does not
// implement is refused with a message naming the simulator as the limit.
// Each action's FilterSet is the implementation; a unit test checks that it
// implements nothing AWS does not document.
import { filterNotModelled, isDocumentedFilter } from './contract/enforce.js';
import { Ec2Error } from './errors.js';
import type { Tags } from './model.js';
import type { FilterSpec } from './query.js';

export type FilterValues = Iterable<string | boolean | number | undefined>;

/** For each filter name, the values a resource offers to it (undefined entries are skipped); `ctx` is the request's context. */
export type FilterDefs<T, C> = Readonly<Record<string, (r: T, ctx: C) => FilterValues>>;

/** The filters one action implements. */
export interface FilterSet<T, C> {
  /** The action whose documented filters these implement. */
  readonly action: string;
  readonly defs: FilterDefs<T, C>;
  /** The resource's tags, for `tag:<key>` and `tag-key` (where the action documents them). */
  readonly tags?: (r: T) => Tags;
}

/** The filter names a set implements, as AWS's documentation writes them (`tag:<key>`). */
export function implementedFilters(set: FilterSet<never, never>): string[] {
  return [...Object.keys(set.defs), ...(set.tags !== undefined ? ['tag:<key>', 'tag-key'] : [])];
}

type ValueMatch = (s: string) => boolean;

export function wildcard(pattern: string): ValueMatch {
  if (!/[*?\\]/.test(pattern)) return (s) => s === pattern;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[i + 1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    } else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  return (s) => rx.test(s);
}

/** Builds one predicate for all the filters of a request, or throws InvalidParameterValue. */
export function compileFilters<T, C>(set: FilterSet<T, C>, specs: readonly FilterSpec[], ctx: C): (r: T) => boolean {
  const preds: ((r: T) => boolean)[] = [];
  const tagsOf = set.tags;
  for (const spec of specs) {
    if (!isDocumentedFilter(set.action, spec.name)) throw new Ec2Error('InvalidParameterValue', `The filter '${spec.name}' is invalid`);
    if (spec.values.length === 0)
      throw new Ec2Error('InvalidParameterValue', `The filter '${spec.name}' requires at least one value`);
    const exact = spec.values.every((v) => !/[*?\\]/.test(v)) ? new Set(spec.values) : undefined;
    const matchers = spec.values.map(wildcard);
    const any = (values: FilterValues): boolean => {
      for (const v of values) {
        if (v === undefined) continue;
        const text = typeof v === 'string' ? v : String(v);
        if (exact !== undefined ? exact.has(text) : matchers.some((m) => m(text))) return true;
      }
      return false;
    };
    const def = Object.prototype.hasOwnProperty.call(set.defs, spec.name) ? set.defs[spec.name] : undefined;
    if (def !== undefined) {
      preds.push((r) => any(def(r, ctx)));
    } else if (tagsOf !== undefined && spec.name.startsWith('tag:')) {
      const key = spec.name.slice(4);
      preds.push((r) => {
        const v = tagsOf(r).get(key);
        return v !== undefined && any([v]);
      });
    } else if (tagsOf !== undefined && spec.name === 'tag-key') {
      preds.push((r) => any(tagsOf(r).keys()));
    } else {
      throw filterNotModelled(set.action, spec.name);
    }
  }
  return (r) => preds.every((p) => p(r));
}
