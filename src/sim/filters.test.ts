import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ec2Error } from './errors.js';
import { compileFilters, wildcard } from './filters.js';

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
  const defs = { id: (r: R) => [r.id] };
  const run = (specs: { name: string; values: string[] }[]) =>
    rows.filter(compileFilters(defs, specs, (r) => r.tags)).map((r) => r.id);

  it('values of one filter are ORed', () => assert.deepEqual(run([{ name: 'id', values: ['a', 'b'] }]), ['a', 'b']));
  it('filters are ANDed', () =>
    assert.deepEqual(run([{ name: 'id', values: ['a', 'b'] }, { name: 'tag:env', values: ['prod'] }]), ['b']));
  it('tag-key and tag-value look at every tag', () => {
    assert.deepEqual(run([{ name: 'tag-key', values: ['env'] }]), ['b']);
    assert.deepEqual(run([{ name: 'tag-value', values: ['al*'] }]), ['a']);
  });
  it('an unknown filter name throws InvalidParameterValue', () => {
    assert.throws(() => run([{ name: 'colour', values: ['x'] }]), (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidParameterValue' && e.status === 400);
  });
  it('a filter without values throws InvalidParameterValue', () => {
    assert.throws(() => run([{ name: 'id', values: [] }]), (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidParameterValue');
  });
  it('tag filters are unknown where a resource has no tags', () => {
    assert.throws(() => rows.filter(compileFilters(defs, [{ name: 'tag:Name', values: ['x'] }])), (e: unknown) => e instanceof Ec2Error);
  });
});
