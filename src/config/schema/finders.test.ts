import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../index.js';
import { config, ruleTests } from '../testing.js';
import type { RuleCase } from '../testing.js';

const RULES: RuleCase[] = [
  {
    name: 'an unknown finder type is named with the known ones',
    yaml: 'routetables:\n  t:\n    find: {type: by_vpc}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.UnknownType, 'routetables.t.find.type']],
    message: /"by_vpc" is not a known finder/,
  },
  {
    name: 'by_tag needs key and value',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [
      [ErrorCode.Missing, 'routetables.t.find.config.key'],
      [ErrorCode.Missing, 'routetables.t.find.config.value'],
    ],
  },
  {
    name: 'subnet needs subnet_id',
    yaml: 'routetables:\n  t:\n    find: {type: subnet, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.subnet_id']],
  },
  {
    name: 'has_route_to needs a cidr',
    yaml: 'routetables:\n  t:\n    find: {type: has_route_to, config: {}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.cidr']],
  },
  {
    name: 'or needs filters, and an empty list is refused',
    yaml: 'routetables:\n  t:\n    find: {type: or, config: {filters: []}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.find.config.filters']],
  },
  {
    name: 'an error inside a nested finder is located inside it',
    yaml: 'routetables:\n  t:\n    find:\n      type: and\n      config:\n        filters:\n          - {type: main}\n          - {type: by_tag, config: {key: az}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Missing, 'routetables.t.find.config.filters[1].config.value']],
    line: 8,
  },
  {
    name: 'an invalid regexp is refused',
    yaml: 'routetables:\n  t:\n    find: {type: by_tag_regexp, config: {key: Name, regexp: "a(b"}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n',
    expect: [[ErrorCode.Value, 'routetables.t.find.config.regexp']],
  },
];

describe('finder rules', () => ruleTests(RULES));

describe('the finder model', () => {
  test('finders keep their shape, not and no_results_ok', () => {
    const c = config('routetables:\n  t:\n    find:\n      type: and\n      no_results_ok: true\n      config:\n        filters:\n          - {type: by_tag, not: "true", config: {key: az, value: "${az}"}}\n          - {type: has_route_to, config: {cidr: 10.0.0.0/8}}\n    manage_routes: [{cidr: 10.0.0.1/32}]\n');
    const t = c.routeTables[0]!;
    assert.equal(t.noResultsOk, true);
    assert.deepEqual(t.find, {
      kind: 'and',
      not: false,
      filters: [
        { kind: 'by_tag', key: 'az', value: '${az}', not: true },
        { kind: 'has_route_to', cidr: '10.0.0.0/8', not: false },
      ],
    });
  });
});
