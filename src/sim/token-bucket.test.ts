import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.js';
import { DEFAULT_FAULTS, Faults } from './faults.js';
import { TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refuses, then refills at its rate', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ burst: 3, perSecond: 2 }, clock);
    assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [true, true, true, false]);
    clock.advance(499);
    assert.equal(b.take(), false);
    clock.advance(1);
    assert.equal(b.take(), true);
    assert.equal(b.take(), false);
  });

  it('never holds more than its burst', () => {
    const clock = new ManualClock();
    const b = new TokenBucket({ burst: 2, perSecond: 100 }, clock);
    clock.advance(60_000);
    assert.equal(b.available(), 2);
  });
});

describe('Faults throttling defaults', () => {
  it('uses AWS’s buckets: describe burst 100 at 20/s, mutating burst 50 at 5/s', () => {
    assert.deepEqual(DEFAULT_FAULTS.throttle.describe, { burst: 100, perSecond: 20 });
    assert.deepEqual(DEFAULT_FAULTS.throttle.mutate, { burst: 50, perSecond: 5 });
    const clock = new ManualClock();
    const f = new Faults(clock);
    f.update({ throttle: { enabled: true } });
    let describes = 0;
    while (!f.throttled('DescribeRouteTables', 'describe')) describes++;
    let mutates = 0;
    while (!f.throttled('CreateRoute', 'mutate')) mutates++;
    assert.deepEqual([describes, mutates], [100, 50]);
    clock.advance(50);
    assert.equal(f.throttled('DescribeRouteTables', 'describe'), false);
    assert.equal(f.throttled('CreateRoute', 'mutate'), true);
    clock.advance(150);
    assert.equal(f.throttled('CreateRoute', 'mutate'), false);
  });

  it('keeps one bucket per action, as AWS does: emptying one describe action leaves the others full', () => {
    const f = new Faults(new ManualClock());
    f.update({ throttle: { enabled: true, describe: { burst: 2, perSecond: 0.001 } } });
    assert.equal(f.throttled('DescribeRouteTables', 'describe'), false);
    assert.equal(f.throttled('DescribeRouteTables', 'describe'), false);
    assert.equal(f.throttled('DescribeRouteTables', 'describe'), true);
    assert.equal(f.throttled('DescribeNetworkInterfaces', 'describe'), false);
    assert.deepEqual(f.bucketLevels(), { DescribeRouteTables: 0, DescribeNetworkInterfaces: 1 });
  });

  it('is off by default, and forced throttling ignores the buckets', () => {
    const f = new Faults(new ManualClock());
    for (let i = 0; i < 500; i++) assert.equal(f.throttled('DescribeRouteTables', 'describe'), false);
    f.update({ throttle: { forced: true } });
    assert.equal(f.throttled('DescribeRouteTables', 'describe'), true);
  });
});
