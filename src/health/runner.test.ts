import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { HealthCode, fail, pass } from './result.js';
import type { Probe, ProbeResult } from './result.js';
import { HealthCheck, HealthCheckError } from './runner.js';
import type { ChangeEvent } from './runner.js';

import { scripted, spec, until } from '../../test/helpers/checks.js';

describe('HealthCheck runner', () => {
  test('rise passes make the check healthy with one transition and one change', async () => {
    const transitions: ChangeEvent[] = [];
    const changes: ChangeEvent[] = [];
    const check = new HealthCheck(spec(), { probe: scripted([true]), hooks: false });
    check.on('transition', (e) => transitions.push(e));
    check.on('change', (e) => changes.push(e));
    check.start();
    await until(check, () => check.state.runs >= 4);
    check.stop();
    await check.settled();
    assert.equal(check.healthy, true);
    assert.equal(check.decided, true);
    assert.equal(transitions.length, 1);
    assert.deepEqual(
      { from: transitions[0]?.from, to: transitions[0]?.to, decided: transitions[0]?.decided, transition: transitions[0]?.transition },
      { from: 'unhealthy', to: 'healthy', decided: true, transition: true },
    );
    assert.equal(changes.length, 1);
  });

  test('a check that never passes becomes decided unhealthy with a change but no transition', async () => {
    const transitions: ChangeEvent[] = [];
    const changes: ChangeEvent[] = [];
    const check = new HealthCheck(spec({ rise: 3 }), { probe: scripted([false]), hooks: false });
    check.on('transition', (e) => transitions.push(e));
    check.on('change', (e) => changes.push(e));
    check.start();
    const [e] = (await once(check, 'change')) as [ChangeEvent];
    check.stop();
    assert.equal(check.state.runs, 3);
    assert.deepEqual({ from: e.from, to: e.to, decided: e.decided, transition: e.transition }, { from: 'unhealthy', to: 'unhealthy', decided: true, transition: false });
    assert.equal(transitions.length, 0);
    assert.equal(changes.length, 1);
    assert.equal(e.result.detail, 'connect ECONNREFUSED');
  });

  test('fall failures after healthy emit a transition to unhealthy', async () => {
    const check = new HealthCheck(spec(), { probe: scripted([true, true, false]), hooks: false });
    const seen: string[] = [];
    check.on('transition', (e) => seen.push(`${e.from}->${e.to}`));
    check.start();
    await until(check, () => check.state.runs >= 4);
    check.stop();
    assert.deepEqual(seen, ['unhealthy->healthy', 'healthy->unhealthy']);
    assert.equal(check.state.runs, 4);
  });

  test('the snapshot keeps the last N results with latency, detail and time', async () => {
    const check = new HealthCheck(spec(), { probe: scripted([false]), hooks: false, history: 3 });
    check.start();
    await until(check, () => check.state.runs >= 5);
    check.stop();
    const s = check.snapshot();
    assert.equal(s.history.length, 3);
    assert.equal(s.state, 'unhealthy');
    assert.equal(s.decided, true);
    assert.equal(s.destination, '192.0.2.10');
    assert.equal(s.last?.code, HealthCode.refused);
    assert.equal(s.last?.latencyMs, 1);
    assert.ok(!Number.isNaN(Date.parse(s.last?.at ?? '')));
  });

  test('never two probes in flight: a probe that overruns its turn counts as a failure', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    // Ignores abort and takes about three intervals.
    const slow: Probe = async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 100));
      inFlight--;
      return pass(100);
    };
    const check = new HealthCheck(spec({ every: 0.03, timeout: 0.03 }), { probe: slow, hooks: false });
    check.start();
    await until(check, () => check.state.runs >= 3);
    check.stop();
    await check.settled();
    assert.equal(maxInFlight, 1);
    const codes = check.snapshot().history.map((r) => r.code);
    assert.ok(codes.includes(HealthCode.overrun), codes.join());
    assert.equal(check.healthy, false);
  });

  test('a probe that settles just after its turn is waited for, not counted as an overrun', async () => {
    // The first two probes settle a little after the next turn (as a probe whose timeout equals every
    // may): 10 ms past it, where the grace is every / 4 = 100 ms. Their end is set on the grid itself
    // (the first start plus whole intervals), not measured from their own start, which may be late.
    let calls = 0;
    let first: number | undefined;
    const starts: number[] = [];
    const probe: Probe = () => {
      const now = performance.now();
      first ??= now;
      starts.push(now);
      const k = ++calls;
      const wait = k <= 2 ? first + k * 400 + 10 - now : 5;
      return new Promise((r) => setTimeout(() => r(pass(Math.max(0, wait))), Math.max(0, wait)));
    };
    const check = new HealthCheck(spec({ every: 0.4, timeout: 0.4 }), { probe, hooks: false, maxJitterMs: 0 });
    check.start();
    await until(check, () => check.state.runs >= 4);
    check.stop();
    await check.settled();
    assert.deepEqual(
      check.snapshot().history.map((r) => r.code),
      Array(check.snapshot().history.length).fill(HealthCode.ok),
    );
    // The second probe really was late: it could only start when the first settled, after its turn.
    assert.ok((starts[1] ?? 0) - (starts[0] ?? 0) >= 400, `starts: ${starts.map((x) => (x - (starts[0] ?? 0)).toFixed(0)).join(' ')}`);
  });

  test('a probe that hangs for ever yields an overrun failure at every turn, so a healthy check falls', async () => {
    let calls = 0;
    // Two quick passes, then a probe that ignores its abort and never settles.
    const probe: Probe = () => (calls++ < 2 ? Promise.resolve(pass(1)) : new Promise<ProbeResult>(() => undefined));
    const check = new HealthCheck(spec({ rise: 2, fall: 3, every: 0.03, timeout: 0.03 }), { probe, hooks: false, maxJitterMs: 0 });
    const seen: string[] = [];
    check.on('transition', (e) => seen.push(e.to));
    check.start();
    await until(check, () => check.state.runs >= 5);
    check.stop();
    assert.deepEqual(seen, ['healthy', 'unhealthy']);
    assert.equal(calls, 3, 'no second probe was started while one hung');
    assert.deepEqual(check.snapshot().history.slice(2).map((r) => r.code), [HealthCode.overrun, HealthCode.overrun, HealthCode.overrun]);
  });

  test('a listener that throws is logged and does not stop the check', async () => {
    const errors: Array<Record<string, unknown>> = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: object) => errors.push(o as Record<string, unknown>) };
    const check = new HealthCheck(spec({ rise: 1 }), { probe: scripted([true]), hooks: false, logger });
    check.on('change', () => {
      throw new Error('listener bug');
    });
    check.start();
    await until(check, () => check.state.runs >= 3);
    check.stop();
    await check.settled();
    assert.equal(errors[0]?.code, 'HC_LISTENER_ERROR');
    assert.equal(check.healthy, true);
  });

  test('stop() aborts the probe in flight and no result is recorded afterwards', async () => {
    let aborted = false;
    const hang: Probe = (signal) =>
      new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve(fail(HealthCode.aborted, 0, 'stopped'));
        });
      });
    const check = new HealthCheck(spec({ every: 10, timeout: 5 }), { probe: hang, hooks: false, maxJitterMs: 0 });
    const ac = new AbortController();
    check.start(ac.signal);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(check.snapshot().running, true);
    ac.abort();
    await check.settled();
    assert.equal(aborted, true);
    assert.equal(check.state.runs, 0);
    assert.equal(check.isRunning, false);
  });

  test('runs start on a fixed grid: the time a probe takes does not push later runs back', async () => {
    const starts: number[] = [];
    const probe: Probe = () => {
      starts.push(performance.now());
      return new Promise((r) => setTimeout(() => r(pass(40)), 40));
    };
    const check = new HealthCheck(spec({ every: 0.1, timeout: 0.1 }), { probe, hooks: false, maxJitterMs: 0 });
    check.start();
    await until(check, () => check.state.runs >= 8);
    check.stop();
    await check.settled();
    // A scheduler that waited `every` after each probe would be 40 ms later per run: 840 ms from run 1 to run 7.
    // (Run 0 may start late while the process is still busy starting up; the grid does not move for it.)
    // So the span tells the two apart: comfortably under 800 ms, and not short of the 600 ms grid either.
    const span = (starts[7] ?? 0) - (starts[1] ?? 0);
    assert.ok(span > 500 && span < 800, `runs 1 to 7 took ${span.toFixed(1)} ms; starts: ${starts.map((x) => (x - (starts[0] ?? 0)).toFixed(0)).join(' ')}`);
  });

  test('a check is started once', () => {
    const check = new HealthCheck(spec(), { probe: scripted([true]), hooks: false });
    const ac = new AbortController();
    check.start(ac.signal);
    assert.throws(() => check.start(), (e: unknown) => e instanceof HealthCheckError && e.code === 'HC_ALREADY_STARTED');
    ac.abort();
  });

  test('a remote template without a destination cannot run', () => {
    assert.throws(
      () => new HealthCheck(spec({ remote: true, destination: undefined })),
      (e: unknown) => e instanceof HealthCheckError && e.code === 'HC_NO_DESTINATION',
    );
  });

  test('a probe that rejects is recorded as an internal failure', async () => {
    const check = new HealthCheck(spec(), { probe: () => Promise.reject(new Error('boom')), hooks: false });
    check.start();
    await until(check, () => check.state.runs >= 1);
    check.stop();
    assert.equal(check.snapshot().last?.code, HealthCode.internal);
    assert.match(check.snapshot().last?.detail ?? '', /boom/);
  });

  test('a probe that throws instead of rejecting is recorded as an internal failure and the check keeps running', async () => {
    let calls = 0;
    const throws: Probe = () => {
      calls++;
      throw new TypeError("Cannot read properties of null (reading 'setEncoding')");
    };
    const check = new HealthCheck(spec(), { probe: throws, hooks: false, maxJitterMs: 0 });
    check.start();
    await until(check, () => check.state.runs >= 3);
    check.stop();
    await check.settled();
    assert.equal(calls, 3);
    assert.deepEqual(check.snapshot().history.map((r) => r.code), [HealthCode.internal, HealthCode.internal, HealthCode.internal]);
    assert.match(check.snapshot().last?.detail ?? '', /^probe error: Cannot read properties of null/);
  });

  test('the first run waits at most the jitter bound', async (t) => {
    // The largest delay the random draw can give; without the jitter the first run would wait a whole `every` (30 s).
    t.mock.method(Math, 'random', () => 0.999);
    let firstAt: number | undefined;
    const probe: Probe = () => {
      firstAt ??= performance.now();
      return Promise.resolve(pass(1));
    };
    const check = new HealthCheck(spec({ every: 30, timeout: 1 }), { probe, hooks: false, maxJitterMs: 100 });
    const t0 = performance.now();
    check.start();
    t.mock.restoreAll();
    await until(check, () => check.state.runs >= 1, 5000);
    check.stop();
    const waited = (firstAt ?? Infinity) - t0;
    // A timer never fires early (beyond the event loop's clock granularity), and the margin above the bound is generous.
    assert.ok(waited >= 50 && waited < 100 + 2000, `first run after ${waited.toFixed(1)} ms`);
  });

  test('checks started together have their first runs spread by the jitter, not all at one instant', async (t) => {
    // Deterministic draws: the order of first runs must follow them, whatever the machine's load.
    const draws = [0.9, 0.1, 0.5, 0.3, 0.7];
    let i = 0;
    t.mock.method(Math, 'random', () => draws[i++ % draws.length] ?? 0);
    const order: number[] = [];
    const at: number[] = [];
    const checks = draws.map((_, n) => {
      const probe: Probe = () => {
        if (!order.includes(n)) {
          order.push(n);
          at.push(performance.now());
        }
        return Promise.resolve(pass(1));
      };
      return new HealthCheck(spec({ name: `c${n}`, every: 30, timeout: 1 }), { probe, hooks: false, maxJitterMs: 400 });
    });
    const t0 = performance.now();
    for (const c of checks) c.start();
    t.mock.restoreAll();
    await Promise.all(checks.map((c) => until(c, () => c.state.runs >= 1, 5000)));
    for (const c of checks) c.stop();
    assert.deepEqual(order, [1, 3, 2, 4, 0]);
    // The last one drew 0.9 of 400 ms: it cannot have run before about 360 ms.
    assert.ok((at[at.length - 1] ?? 0) - t0 >= 300, `first runs at ${at.map((x) => (x - t0).toFixed(0)).join(' ')} ms`);
  });
});
