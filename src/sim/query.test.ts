import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ec2Error } from './errors.js';
import { MAX_PARAMS, Query } from './query.js';

const code = (c: string) => (e: unknown) => e instanceof Ec2Error && e.code === c;

describe('Query', () => {
  it('numbered lists come back in numeric order', () => {
    const params = Array.from({ length: 11 }, (_, i) => `RouteTableId.${i + 1}=rtb-${i + 1}`).reverse().join('&');
    assert.deepEqual(Query.parse(params).list('RouteTableId'), Array.from({ length: 11 }, (_, i) => `rtb-${i + 1}`));
  });

  it('filters read Name and numbered Values', () => {
    const q = Query.parse('Filter.1.Name=tag%3AName&Filter.1.Value.1=a&Filter.1.Value.2=b&Filter.2.Name=vpc-id&Filter.2.Value.1=vpc-1');
    assert.deepEqual(q.filters(), [
      { name: 'tag:Name', values: ['a', 'b'] },
      { name: 'vpc-id', values: ['vpc-1'] },
    ]);
  });

  it('a filter without a name is MissingParameter', () => {
    assert.throws(() => Query.parse('Filter.1.Value.1=a').filters(), code('MissingParameter'));
  });

  it('tags and tag specifications are read per resource type', () => {
    const q = Query.parse(
      'TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x' +
        '&TagSpecification.2.ResourceType=network-interface&TagSpecification.2.Tag.1.Key=k&TagSpecification.2.Tag.1.Value=v',
    );
    assert.deepEqual([...q.tagSpecs('instance')], [['Name', 'x']]);
    assert.deepEqual([...q.tagSpecs('network-interface')], [['k', 'v']]);
    assert.deepEqual(Query.parse('Tag.1.Key=a&Tag.2.Key=b&Tag.2.Value=c').tags(), [['a', undefined], ['b', 'c']]);
  });

  it('booleans and integers are checked', () => {
    assert.equal(Query.parse('DryRun=true').bool('DryRun'), true);
    assert.throws(() => Query.parse('DryRun=yes').bool('DryRun'), code('InvalidParameterValue'));
    assert.equal(Query.parse('MaxResults=7').int('MaxResults', 5, 100), 7);
    assert.throws(() => Query.parse('MaxResults=101').int('MaxResults', 5, 100), code('InvalidParameterValue'));
    assert.throws(() => Query.parse('MaxResults=7.5').int('MaxResults', 5, 100), code('InvalidParameterValue'));
  });

  it('a required parameter that is absent or empty is MissingParameter', () => {
    assert.throws(() => Query.parse('').req('RouteTableId'), code('MissingParameter'));
    assert.throws(() => Query.parse('RouteTableId=').req('RouteTableId'), code('MissingParameter'));
  });
});

/** A Map that counts how many entries are read from it (iteration and get). */
class CountingMap extends Map<string, string> {
  visits = 0;
  override get(k: string): string | undefined {
    this.visits++;
    return super.get(k);
  }
  override *entries(): MapIterator<[string, string]> {
    for (const e of super.entries()) {
      this.visits++;
      yield e;
    }
  }
  override *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  override [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

function filterParams(n: number): CountingMap {
  const m = new CountingMap();
  for (let i = 1; i <= n; i++) {
    m.set(`Filter.${i}.Name`, 'vpc-id');
    m.set(`Filter.${i}.Value.1`, `vpc-${i}`);
  }
  return m;
}

describe('Query cost', () => {
  it('reading N filters visits the parameters a number of times linear in N (8,000 filters were quadratic)', () => {
    const small = filterParams(100);
    const big = filterParams(8000);
    const f = new Query(big).filters();
    assert.equal(f.length, 8000);
    assert.deepEqual(f[7999], { name: 'vpc-id', values: ['vpc-8000'] });
    new Query(small).filters();
    // Linear: 80 times the filters cost about 80 times the visits (quadratic would be 6,400 times).
    assert.ok(big.visits <= 100 * small.visits, `${big.visits} visits for 8,000 filters vs ${small.visits} for 100`);
  });

  it('parse refuses more than MAX_PARAMS parameters with a 400', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `InstanceId.${i + 1}=i-${i}`).join('&');
    assert.equal(Query.parse(body(MAX_PARAMS)).params.size, MAX_PARAMS);
    assert.throws(
      () => Query.parse(body(MAX_PARAMS + 1)),
      (e: unknown) => e instanceof Ec2Error && e.code === 'InvalidRequest' && e.status === 400 && e.message.includes(String(MAX_PARAMS)),
    );
  });
});
