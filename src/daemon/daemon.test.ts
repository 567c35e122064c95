import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './daemon.js';

test('failed passes are retried after a growing delay, capped by poll_time and 30 s', () => {
  for (const [failures, poll, lo, hi] of [[1, 300_000, 500, 1000], [3, 300_000, 2000, 4000], [10, 300_000, 15_000, 30_000], [10, 5000, 2500, 5000]] as const) {
    const d = retryDelayMs(failures, poll);
    assert.ok(d >= lo && d <= hi, `${failures} failures at poll ${poll}: ${d}`);
  }
});
