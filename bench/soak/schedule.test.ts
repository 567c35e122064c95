import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GLOBAL_KINDS, UNFITTING, generateSchedule } from './schedule.js';
import type { ScheduleOptions, SoakEvent } from './schedule.js';

const NATS = ['i-nat-a', 'i-nat-b', 'i-nat-c'];
const DNS = ['i-dns-a', 'i-dns-b', 'i-dns-c'];
const OPTS: ScheduleOptions = { events: 1000, durationMs: 600_000, groups: [NATS, DNS], permanent: 1, startMs: 8000, detachable: DNS };
const end = (e: SoakEvent): number => (e.durMs === 0 ? Infinity : e.atMs + e.durMs);

describe('soak schedule', () => {
  test('the same seed gives the same schedule; another seed another one', () => {
    const a = generateSchedule(42, OPTS);
    assert.deepEqual(generateSchedule(42, OPTS), a);
    assert.notDeepEqual(generateSchedule(43, OPTS), a);
    assert.equal(a.length, 1000);
  });

  test('every fault starts after start-up, ends within the duration, and they come sorted by start', () => {
    const s = generateSchedule(1, OPTS);
    for (const e of s) {
      assert.ok(e.atMs >= 8000, `#${e.id} starts at ${e.atMs}`);
      assert.ok(e.durMs === 0 || end(e) <= OPTS.durationMs, `#${e.id} ends at ${end(e)}`);
    }
    assert.deepEqual(s.map((e) => e.atMs), s.map((e) => e.atMs).sort((x, y) => x - y));
  });

  test('faults overlap, but never the same kind on the same target, and one outage switch at a time', () => {
    const s = generateSchedule(3, OPTS);
    let overlapping = 0;
    for (const [i, a] of s.entries()) {
      for (const b of s.slice(i + 1)) {
        if (b.atMs >= end(a)) continue;
        overlapping++;
        assert.ok(!(a.kind === b.kind && a.target === b.target), `#${a.id} and #${b.id} are the same fault overlapping`);
        const outage = (k: string): boolean => k === 'hang' || k === 'refuse';
        assert.ok(!(outage(a.kind) && outage(b.kind)), `#${a.id} and #${b.id}: two outages at once`);
      }
    }
    assert.ok(overlapping > 500, `only ${overlapping} overlapping pairs`);
  });

  test('a group never has all its members unfit at once, and permanent faults are limited', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = generateSchedule(seed, OPTS);
      const permanent = s.filter((e) => e.durMs === 0);
      assert.ok(permanent.filter((e) => e.kind === 'terminate').length <= 1);
      assert.ok(permanent.filter((e) => e.kind === 'detach').length <= 1);
      for (const e of s) {
        for (const g of [NATS, DNS]) {
          const unfit = new Set(s.filter((x) => x.target !== null && g.includes(x.target) && UNFITTING.has(x.kind) && x.atMs <= e.atMs && end(x) > e.atMs).map((x) => x.target));
          assert.ok(unfit.size < g.length, `seed ${seed}: every member of ${g.join(',')} unfit at ${e.atMs} ms`);
        }
      }
    }
  });

  test('every kind of fault appears in a full run, global faults without a target', () => {
    const s = generateSchedule(9, OPTS);
    const kinds = new Set(s.map((e) => e.kind));
    for (const k of ['service-stop', 'instance-stop', 'impair', 'daemon-kill', 'reload', 'drain', 'spot-notice', 'lifecycle-state', 'scheduled-event', ...GLOBAL_KINDS]) assert.ok(kinds.has(k as SoakEvent['kind']), `no ${k}`);
    for (const e of s) assert.equal(e.target === null, (GLOBAL_KINDS as readonly string[]).includes(e.kind), `#${e.id} ${e.kind}`);
  });
});
