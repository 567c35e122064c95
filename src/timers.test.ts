import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TIMER_MS, timerDelay } from './timers.js';

test('a timer delay past 2^31-1 ms (which Node would fire after 1 ms) is refused; negative becomes 0', () => {
  assert.equal(timerDelay(1500), 1500);
  assert.equal(timerDelay(-5), 0);
  assert.equal(timerDelay(MAX_TIMER_MS), MAX_TIMER_MS);
  assert.throws(() => timerDelay(2 ** 31), RangeError);
  assert.throws(() => timerDelay(2_592_000_000), RangeError);
  assert.throws(() => timerDelay(Number.NaN), RangeError);
});
