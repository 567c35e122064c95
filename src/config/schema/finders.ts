// Finders: how a route table is found among the VPC's tables (by tag, by a
// tag matching a regexp, the main table, a subnet's table, a table with a
// route to a CIDR, and `and` / `or` of finders). Each finder's transform
// makes its FinderSpec.
import * as z from 'zod';
import { ErrorCode } from '../codes.js';
import { FINDER_TYPES } from '../model.js';
import type { FinderSpec } from '../model.js';
import { show } from '../values.js';
import { Fail } from './issues.js';
import { bool, cidr, leaf, placeholderFail, templateText, typeFail } from './leaf.js';
import { list, mapping, strictKeys, tagged } from './shapes.js';

/** A finder, and whether finding no table is fine (said on the top finder of a table). */
export interface Found {
  readonly spec: FinderSpec;
  readonly noResultsOk: boolean;
}

const regexp = (required?: string) =>
  leaf<string>({ type: 'string', description: 'An unanchored regular expression (placeholders allowed).' }, (v) => {
    if (typeof v !== 'string') return typeFail('a regular expression', v);
    const bad = placeholderFail(v);
    if (bad !== undefined) return bad;
    try {
      // Placeholders are filled with plain words at run time; test with one.
      new RegExp(v.replace(/\$\{[^}]*\}/g, 'x'));
      return v;
    } catch {
      return new Fail(ErrorCode.Value, `${show(v)} is not a valid regular expression`);
    }
  }, required);

const common = {
  not: bool().default(false).describe('Invert this finder.'),
  no_results_ok: bool().default(false).describe('On the top finder: finding no table is not an error.'),
};

const found = (spec: FinderSpec, f: { readonly no_results_ok: boolean }): Found => Object.freeze({ spec: Object.freeze(spec), noResultsOk: f.no_results_ok });

const filters = (kind: 'and' | 'or') =>
  mapping({
    filters: list(finder, { what: 'a list of finders', missing: `is required for ${kind}`, empty: `must list at least one finder for ${kind}` }),
  });

export const finder: z.ZodType<Found> = tagged(
  z.lazy(() =>
    z.discriminatedUnion('type', [
      strictKeys({
        type: z.literal('by_tag'),
        config: mapping({ key: templateText('is required for by_tag'), value: templateText('is required for by_tag') }),
        ...common,
      }).transform((f) => found({ kind: 'by_tag', key: f.config.key, value: f.config.value, not: f.not }, f)),
      strictKeys({
        type: z.literal('by_tag_regexp'),
        config: mapping({ key: templateText('is required for by_tag_regexp'), regexp: regexp('is required for by_tag_regexp') }),
        ...common,
      }).transform((f) => found({ kind: 'by_tag_regexp', key: f.config.key, regexp: f.config.regexp, not: f.not }, f)),
      ...(['and', 'or'] as const).map((kind) =>
        strictKeys({ type: z.literal(kind), config: filters(kind), ...common }).transform((f) =>
          found({ kind, filters: Object.freeze(f.config.filters.map((x) => x.spec)), not: f.not }, f),
        ),
      ),
      strictKeys({ type: z.literal('main'), config: mapping({}).optional(), ...common }).transform((f) => found({ kind: 'main', not: f.not }, f)),
      strictKeys({ type: z.literal('subnet'), config: mapping({ subnet_id: templateText('is required for subnet') }), ...common }).transform((f) =>
        found({ kind: 'subnet', subnetId: f.config.subnet_id, not: f.not }, f),
      ),
      strictKeys({ type: z.literal('has_route_to'), config: mapping({ cidr: cidr('is required for has_route_to') }), ...common }).transform((f) =>
        found({ kind: 'has_route_to', cidr: f.config.cidr.text, not: f.not }, f),
      ),
    ]),
  ),
  FINDER_TYPES,
  'finder',
  'a finder mapping',
);
