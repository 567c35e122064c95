import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ec2Error } from './errors.js';
import { compileFilters, type FilterSet, wildcard } from './filters.js';

describe('wildcard', () => {
  const cases: [string, string, boolean][] = [
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a*', 'abcdef', true],
    ['a*f', 'abcdef', true],
    ['a*f', 'abcde', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a\\*c', 'a*c', true],
    ['a\\*c', 'abc', false],
    ['a.c', 'abc', false],
    ['10.0.*', '10.0.1.0/24', true],
  ];
  for (const [pattern, value, want] of cases) {
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${value}`, () => assert.equal(wildcard(pattern)(value), want));
  }
});

describe('compileFilters', () => {
  interface R {
    id: string;
    tags: Map<string, string>;
  }
  const rows: R[] = [
    { id: 'a', tags: new Map([['Name', 'alpha']]) },
    { id: 'b', tags: new Map([['Name', 'beta'], ['env', 'prod']]) },
  ];
  // DescribeVpcs documents vpc-id, state, tag:<key> and tag-key (among others).
  const set: FilterSet<R, undefined> = { action: 'DescribeVpcs', defs: { 'vpc-id': (r: R) => [r.id] }, tags: (r) => r.tags };
  const run = (specs: { name: string; values: string[] }[], s: FilterSet<R, undefined> = set) =>
    rows.filter(compileFilters(s, specs, undefined)).map((r) => r.id);
  const code = (want: string) => (e: unknown) => e instanceof Ec2Error && e.code === want && e.status === 400;

  it('values of one filter are ORed', () => assert.deepEqual(run([{ name: 'vpc-id', values: ['a', 'b'] }]), ['a', 'b']));
  it('filters are ANDed', () =>
    assert.deepEqual(run([{ name: 'vpc-id', values: ['a', 'b'] }, { name: 'tag:env', values: ['prod'] }]), ['b']));
  it('tag-key looks at every tag key', () => assert.deepEqual(run([{ name: 'tag-key', values: ['env'] }]), ['b']));
  it('a name the action does not document is "invalid", even one another action documents (tag-value, subnet-id)', () => {
    assert.throws(() => run([{ name: 'colour', values: ['x'] }]), code('InvalidParameterValue'));
    assert.throws(() => run([{ name: 'tag-value', values: ['x'] }]), /The filter 'tag-value' is invalid/);
    assert.throws(() => run([{ name: 'subnet-id', values: ['x'] }]), /The filter 'subnet-id' is invalid/);
  });
  it('a documented name the set does not implement is refused as a limit of the simulator', () => {
    assert.throws(() => run([{ name: 'dhcp-options-id', values: ['x'] }]), /does not model it/);
    assert.throws(() => run([{ name: 'tag:Name', values: ['x'] }], { action: 'DescribeVpcs', defs: {} }), /does not model it/);
  });
  it('a filter without values throws InvalidParameterValue', () => {
    assert.throws(() => run([{ name: 'vpc-id', values: [] }]), code('InvalidParameterValue'));
  });
});
