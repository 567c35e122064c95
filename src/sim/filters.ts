// DescribeX filters: `Filter.N.Name` with `Filter.N.Value.M`. Values OR
// together, filters AND together. `*` matches any run of characters and `?`
// one character (`\*`, `\?`, `\\` are literal), as AWS allows on string
// filters. `tag:<key>`, `tag-key` and `tag-value` work wherever the resource
// has tags. An unknown filter name is a 400 InvalidParameterValue.
import { Ec2Error } from './errors.js';
import type { Tags } from './model.js';
import type { FilterSpec } from './query.js';

/** For each filter name, the values a resource offers to it (undefined entries are skipped). */
export type FilterDefs<T> = Readonly<Record<string, (r: T) => Iterable<string | boolean | number | undefined>>>;

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
export function compileFilters<T>(
  defs: FilterDefs<T>,
  specs: readonly FilterSpec[],
  tagsOf?: (r: T) => Tags,
): (r: T) => boolean {
  const preds: ((r: T) => boolean)[] = [];
  for (const spec of specs) {
    const exact = spec.values.every((v) => !/[*?\\]/.test(v)) ? new Set(spec.values) : undefined;
    const matchers = spec.values.map(wildcard);
    const any = (values: Iterable<string | boolean | number | undefined>): boolean => {
      for (const v of values) {
        if (v === undefined) continue;
        const text = typeof v === 'string' ? v : String(v);
        if (exact !== undefined ? exact.has(text) : matchers.some((m) => m(text))) return true;
      }
      return false;
    };
    if (spec.values.length === 0)
      throw new Ec2Error('InvalidParameterValue', `The filter '${spec.name}' requires at least one value`);
    const def = Object.prototype.hasOwnProperty.call(defs, spec.name) ? defs[spec.name] : undefined;
    if (def !== undefined) {
      preds.push((r) => any(def(r)));
    } else if (tagsOf !== undefined && spec.name.startsWith('tag:') && spec.name.length > 4) {
      const key = spec.name.slice(4);
      preds.push((r) => {
        const v = tagsOf(r).get(key);
        return v !== undefined && any([v]);
      });
    } else if (tagsOf !== undefined && spec.name === 'tag-key') {
      preds.push((r) => any(tagsOf(r).keys()));
    } else if (tagsOf !== undefined && spec.name === 'tag-value') {
      preds.push((r) => any(tagsOf(r).values()));
    } else {
      throw new Ec2Error('InvalidParameterValue', `The filter '${spec.name}' is invalid`);
    }
  }
  return (r) => preds.every((p) => p(r));
}
