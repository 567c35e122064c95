import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Timeline, changesOf, gapsOf, quantiles } from './checker.js';
import { peakPerMinute } from './report.js';
import type { CheckParams, RouteInput, RouteWrite, Sample, StateChange } from './checker.js';

const P: CheckParams = { detectionMs: 2900, slackMs: 2000, windowMs: 10_000, holdDownMs: 3000, endMs: 60_000 };
const A = 'i-a';
const B = 'i-b';
const C = 'i-c';
const route = (samples: Sample[], writes: RouteWrite[] = []): RouteInput => ({ key: 'rtb 0.0.0.0/0', primary: A, candidates: [A, B, C], samples, writes });
const at = (t: number, target: string | null, state: Sample['state'] = 'active'): Sample => ({ t, target, state });
const write = (t: number, before: string | null, after: string | null, beforeState: RouteWrite['beforeState'] = 'active'): RouteWrite => ({ t, seq: t, caller: 'x', action: 'ReplaceRoute', before, beforeState, after });
const ch = (t: number, instance: string | null, field: StateChange['field'], value: boolean): StateChange => ({ t, instance, field, value });

describe('soak checker: gaps', () => {
  test('a route at a stopped service is a gap until the backup takes it; only time with a candidate counts', () => {
    const tl = new Timeline([ch(1000, A, 'serviceUp', false)]);
    const g = gapsOf(route([at(0, A), at(1000, A), at(2000, A), at(2500, B), at(3000, B)]), tl, P);
    assert.deepEqual(g, [{ route: 'rtb 0.0.0.0/0', start: 1000, end: 2500, countedMs: 1500, why: `at unhealthy ${A}` }]);
  });

  test('no gap time counts while no candidate could take the route, or while EC2 is down', () => {
    const tl = new Timeline([ch(0, A, 'serviceUp', false), ch(0, B, 'daemonReady', false), ch(0, C, 'running', false), ch(2000, null, 'ec2Down', true), ch(3000, null, 'ec2Down', false), ch(4000, B, 'daemonReady', true)]);
    const g = gapsOf(route([at(0, A), at(1000, A, 'blackhole'), at(2000, null, 'missing'), at(3000, null, 'missing'), at(4000, null, 'missing'), at(5000, B)]), tl, P);
    assert.equal(g.length, 1);
    assert.equal(g[0]!.countedMs, 1000, 'only 4000–5000: B ready, EC2 up');
    assert.equal(g[0]!.end, 5000);
  });

  test('a route at an available fallback NAT gateway is no gap', () => {
    const tl = new Timeline([ch(0, A, 'serviceUp', false)]);
    assert.deepEqual(gapsOf(route([at(0, 'nat:nat-1'), at(1000, 'nat:nat-1')]), tl, P), []);
  });
});

describe('soak checker: owner changes', () => {
  test('an unfit owner justifies one change; a second change away from a fit owner is unjustified', () => {
    const tl = new Timeline([ch(1000, A, 'serviceUp', false)]);
    const { changes } = changesOf(route([], [write(2000, A, B), write(2500, B, C)]), tl, P);
    assert.deepEqual(changes.map((c) => c.justified), [true, false]);
    assert.match(changes[1]!.why, /no fault/);
  });

  test('one fault justifies one change only, even if the same owner loses the route twice', () => {
    const tl = new Timeline([ch(1000, A, 'drained', true)]);
    const { changes } = changesOf(route([], [write(2000, A, B), write(3000, B, A), write(4000, A, C)]), tl, P);
    assert.deepEqual(changes.map((c) => c.justified), [true, false, false], 'A was never fit again, so taking it back and losing it are not justified');
  });

  test('the primary taking its route back after it is fit again (within hold-down + window) is justified once', () => {
    const tl = new Timeline([ch(1000, A, 'serviceUp', false), ch(5000, A, 'serviceUp', true)]);
    const { changes } = changesOf(route([], [write(2000, A, B), write(8000, B, A), write(9000, A, B), write(9500, B, A)]), tl, P);
    assert.deepEqual(changes.map((c) => c.justified), [true, true, false, false]);
    const late = changesOf(route([], [write(2000, A, B), write(5000 + 3000 + 10_000 + 1, B, A)]), tl, P).changes;
    assert.equal(late[1]!.justified, false, 'too long after the recovery');
  });

  test('a repair (missing or blackhole) is justified; a rewrite to the same active owner is redundant, not a change', () => {
    const tl = new Timeline([]);
    const r = changesOf(route([], [write(1000, null, A, 'missing'), write(2000, A, B, 'blackhole'), write(3000, B, B)]), tl, P);
    assert.deepEqual(r.changes.map((c) => c.justified), [true, true]);
    assert.equal(r.redundant.length, 1);
  });

  test('going to the fallback while a peer could take the route is unjustified (one fault, two changes); leaving it is not', () => {
    const tl = new Timeline([ch(1000, A, 'serviceUp', false)]);
    const { changes } = changesOf(route([], [write(1500, A, 'nat:n'), write(1505, 'nat:n', B)]), tl, P);
    assert.deepEqual(changes.map((c) => c.justified), [false, true]);
    assert.match(changes[0]!.why, /while i-b could take/);
  });

  test('leaving the fallback for a fit instance is justified once per stint at the fallback', () => {
    const tl = new Timeline([ch(1000, A, 'serviceUp', false), ch(1000, B, 'serviceUp', false), ch(1000, C, 'serviceUp', false), ch(4000, B, 'serviceUp', true)]);
    const { changes } = changesOf(route([], [write(2000, A, 'nat:n'), write(5000, 'nat:n', B), write(6000, B, 'nat:n'), write(7000, 'nat:n', B)]), tl, P);
    assert.deepEqual(changes.map((c) => c.justified), [true, true, false, true]);
  });
});

test('peak per minute: the most requests in any 60 s window', () => {
  assert.equal(peakPerMinute([]), 0);
  assert.equal(peakPerMinute([0, 59_999, 60_000, 61_000, 200_000]), 3);
});

test('quantiles: nearest rank', () => {
  assert.deepEqual(quantiles([]), { n: 0, p50: 0, p95: 0, max: 0 });
  assert.deepEqual(quantiles([5, 1, 3, 2, 4]), { n: 5, p50: 3, p95: 5, max: 5 });
});
