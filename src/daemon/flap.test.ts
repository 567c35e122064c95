import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { FLAP_MAX_SWINGS, FLAP_WINDOW_MS, FlapDetector } from './flap.js';

function detector(): { d: FlapDetector; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { d: new FlapDetector(pino(sink), 'i-us'), lines };
}

const KEY = 'rtb-1 0.0.0.0/0';

test(`${FLAP_MAX_SWINGS} take-backs from the same owner within the window mark the route, once, with an error naming both`, () => {
  const { d, lines } = detector();
  d.tookBack(KEY, 'i-other', 0);
  d.tookBack(KEY, 'i-other', 1000);
  assert.deepEqual(d.snapshot(), {});
  d.tookBack(KEY, 'i-other', 2000);
  d.tookBack(KEY, 'i-other', 3000);
  assert.deepEqual(d.snapshot(), { [KEY]: 'i-other' });
  assert.deepEqual(d.routes(), [{ routeTable: 'rtb-1', cidr: '0.0.0.0/0', other: 'i-other' }]);
  const errors = lines.filter((l) => l.includes('is flapping between i-us and i-other'));
  assert.equal(errors.length, 1);
});

test('take-backs older than the window, or from another owner, do not count', () => {
  const { d } = detector();
  d.tookBack(KEY, 'i-other', 0);
  d.tookBack(KEY, 'i-other', 1000);
  d.tookBack(KEY, 'i-other', FLAP_WINDOW_MS + 500);
  assert.deepEqual(d.snapshot(), {}, 'the first one fell out of the window');
  const { d: d2 } = detector();
  d2.tookBack(KEY, 'i-a', 0);
  d2.tookBack(KEY, 'i-b', 1);
  d2.tookBack(KEY, 'i-a', 2);
  assert.deepEqual(d2.snapshot(), {}, 'a different owner starts the count again');
});

test('the flap ends when the route no longer points at the other instance', () => {
  const { d, lines } = detector();
  for (let i = 0; i < FLAP_MAX_SWINGS; i++) d.tookBack(KEY, 'i-other', i);
  d.update(() => 'i-other');
  assert.deepEqual(d.snapshot(), { [KEY]: 'i-other' }, 'still pointing at it');
  d.update(() => 'i-third');
  assert.deepEqual(d.snapshot(), {});
  assert.ok(lines.some((l) => l.includes('flap detection reset')));
  // And the count starts from zero again.
  d.tookBack(KEY, 'i-other', 10);
  assert.deepEqual(d.snapshot(), {});
});
