import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_STATE, replay, step } from './state.js';
import type { CheckState, Thresholds } from './state.js';

const P = true;
const F = false;

interface Case {
  name: string;
  t: Thresholds;
  /** Results before the run under test. */
  before: boolean[];
  /** The run under test. */
  run: boolean;
  healthy: boolean;
  decided: boolean;
  transition?: 'to healthy' | 'to unhealthy';
  decidedNow: boolean;
}

const r2f3: Thresholds = { rise: 2, fall: 3 };

const cases: Case[] = [
  { name: 'a new check is unhealthy and undecided after one pass', t: r2f3, before: [], run: P, healthy: false, decided: false, decidedNow: false },
  { name: 'a new check is unhealthy and undecided after one failure', t: r2f3, before: [], run: F, healthy: false, decided: false, decidedNow: false },
  { name: 'rise consecutive passes make a new check healthy and decided', t: r2f3, before: [P], run: P, healthy: true, decided: true, transition: 'to healthy', decidedNow: true },
  { name: 'rise runs without becoming healthy decide it unhealthy without a transition', t: r2f3, before: [F], run: F, healthy: false, decided: true, decidedNow: true },
  { name: 'decided without ever becoming healthy when passes and failures alternate', t: r2f3, before: [P], run: F, healthy: false, decided: true, decidedNow: true },
  { name: 'a failure then a pass at run rise decides it unhealthy, the pass streak is only one', t: r2f3, before: [F], run: P, healthy: false, decided: true, decidedNow: true },
  { name: 'a decided unhealthy check becomes healthy after rise consecutive passes', t: r2f3, before: [F, F, P], run: P, healthy: true, decided: true, transition: 'to healthy', decidedNow: false },
  { name: 'a failure resets the pass streak, so rise passes must be consecutive', t: { rise: 3, fall: 3 }, before: [P, P, F, P], run: P, healthy: false, decided: true, decidedNow: false },
  { name: 'a healthy check stays healthy after fewer than fall failures', t: r2f3, before: [P, P, F], run: F, healthy: true, decided: true, decidedNow: false },
  { name: 'fall consecutive failures make a healthy check unhealthy', t: r2f3, before: [P, P, F, F], run: F, healthy: false, decided: true, transition: 'to unhealthy', decidedNow: false },
  { name: 'a pass resets the failure streak, so fall failures must be consecutive', t: r2f3, before: [P, P, F, F, P, F], run: F, healthy: true, decided: true, decidedNow: false },
  { name: 'a healthy check stays healthy on a pass', t: r2f3, before: [P, P], run: P, healthy: true, decided: true, decidedNow: false },
  { name: 'an unhealthy check stays unhealthy on a failure', t: r2f3, before: [P, P, F, F, F], run: F, healthy: false, decided: true, decidedNow: false },
  { name: 'an unhealthy check becomes healthy again after rise passes', t: r2f3, before: [P, P, F, F, F, P], run: P, healthy: true, decided: true, transition: 'to healthy', decidedNow: false },
  { name: 'rise 1 makes the first pass healthy and decided', t: { rise: 1, fall: 1 }, before: [], run: P, healthy: true, decided: true, transition: 'to healthy', decidedNow: true },
  { name: 'rise 1 decides the first failure unhealthy without a transition', t: { rise: 1, fall: 1 }, before: [], run: F, healthy: false, decided: true, decidedNow: true },
  { name: 'fall 1 makes a single failure of a healthy check unhealthy', t: { rise: 1, fall: 1 }, before: [P], run: F, healthy: false, decided: true, transition: 'to unhealthy', decidedNow: false },
  { name: 'with rise 3 a check stays undecided for two runs', t: { rise: 3, fall: 2 }, before: [F], run: F, healthy: false, decided: false, decidedNow: false },
  { name: 'with rise 3 the third failing run decides it', t: { rise: 3, fall: 2 }, before: [F, F], run: F, healthy: false, decided: true, decidedNow: true },
  { name: 'fall is counted only once healthy: failures before the first rise do not transition', t: { rise: 3, fall: 1 }, before: [F], run: F, healthy: false, decided: false, decidedNow: false },
];

for (const c of cases) {
  test(c.name, () => {
    const before = replay(c.before, c.t);
    const s = step(before, c.run, c.t);
    assert.equal(s.state.healthy, c.healthy, 'healthy');
    assert.equal(s.state.decided, c.decided, 'decided');
    assert.equal(s.decidedNow, c.decidedNow, 'decidedNow');
    assert.equal(s.state.runs, c.before.length + 1, 'runs');
    const want = c.transition === undefined ? undefined : c.transition === 'to healthy' ? { from: 'unhealthy', to: 'healthy' } : { from: 'healthy', to: 'unhealthy' };
    assert.deepEqual(s.transition, want, 'transition');
  });
}

test('the initial state is unhealthy, undecided and has no runs', () => {
  assert.deepEqual({ ...INITIAL_STATE }, { healthy: false, decided: false, passes: 0, fails: 0, runs: 0 });
});

test('the reducer never mutates its input', () => {
  const s: CheckState = { healthy: true, decided: true, passes: 4, fails: 0, runs: 4 };
  const copy = { ...s };
  step(s, false, r2f3);
  assert.deepEqual(s, copy);
});

test('streak counters count consecutive results only', () => {
  const s = replay([P, P, P, F, F], r2f3);
  assert.equal(s.passes, 0);
  assert.equal(s.fails, 2);
  const t = step(s, true, r2f3).state;
  assert.equal(t.passes, 1);
  assert.equal(t.fails, 0);
});
