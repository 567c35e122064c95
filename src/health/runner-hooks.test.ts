// The runner's hooks: run_on_healthy / run_on_unhealthy, their environment, coalescing and time-outs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthCheck } from './runner.js';

import { scripted, spec, until } from '../../test/helpers/checks.js';

describe('HealthCheck hooks', () => {
  test('run_on_healthy and run_on_unhealthy run with the event in their environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awsn-hook-'));
    try {
      const out = join(dir, 'events');
      const hook = ['sh', '-c', `echo "$AWSNYCAST_EVENT $AWSNYCAST_CHECK $AWSNYCAST_STATE $AWSNYCAST_PREVIOUS_STATE $AWSNYCAST_DESTINATION $1" >> ${out}`, 'hook', '${instance_id}'];
      const check = new HealthCheck(spec({ runOnHealthy: hook, runOnUnhealthy: hook }), {
        probe: scripted([true, true, false]),
        hooks: { substitute: (a) => a.replace('${instance_id}', 'i-0123') },
      });
      const hooksDone: string[] = [];
      check.on('hook', (e) => hooksDone.push(`${e.hook} ${e.result.exitCode}`));
      check.start();
      await until(check, () => hooksDone.length === 2, 10000);
      check.stop();
      assert.deepEqual(hooksDone, ['run_on_healthy 0', 'run_on_unhealthy 0']);
      await check.settled();
      assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [
        'run_on_healthy unit healthy unhealthy 192.0.2.10 i-0123',
        'run_on_unhealthy unit unhealthy healthy 192.0.2.10 i-0123',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('hooks of a flapping check are coalesced: a transition superseded while an earlier hook runs is skipped, the latest one runs', async () => {
    // 20 alternating results, then failures only: about 20 transitions in 0.6 s, each hook taking 0.2 s.
    const results = [...Array.from({ length: 20 }, (_, i) => i % 2 === 0), false];
    const check = new HealthCheck(spec({ rise: 1, fall: 1, runOnHealthy: ['sh', '-c', 'sleep 0.2'], runOnUnhealthy: ['sh', '-c', 'sleep 0.2'] }), {
      probe: scripted(results),
      hooks: {},
    });
    const hooksDone: string[] = [];
    check.on('hook', (e) => hooksDone.push(e.hook));
    check.start();
    await new Promise((ok) => setTimeout(ok, 2500));
    check.stop();
    await check.settled();
    assert.ok(hooksDone.length >= 2 && hooksDone.length <= 6, `${hooksDone.length} hook runs: ${hooksDone.join(', ')}`);
    assert.equal(hooksDone.at(-1), 'run_on_unhealthy', 'the hook of the latest state ran last');
  });

  test('a hook that hangs neither blocks probes nor outlives its timeout, and its failure is logged', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (o: object) => logged.push(o as Record<string, unknown>),
    };
    const check = new HealthCheck(spec({ rise: 1, hookTimeout: 1.5, runOnHealthy: ['sh', '-c', 'echo going to sleep >&2; exec sleep 30'] }), {
      probe: scripted([true]),
      logger,
      hooks: { killGraceMs: 0 },
    });
    check.start();
    await until(check, () => check.state.runs >= 5);
    assert.equal(logged.length, 0, 'the hook is still running while probes go on');
    await until(check, () => logged.length > 0);
    check.stop();
    await check.settled();
    assert.equal(logged[0]?.code, 'HOOK_TIMEOUT');
    assert.match(String(logged[0]?.stderrTail), /going to sleep/);
  });

  test('a hook that cannot start (a NUL byte in its argv) is logged, and later hooks still run', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: object) => logged.push(o as Record<string, unknown>) };
    // Built directly: the config loader refuses such an argv.
    const check = new HealthCheck(spec({ rise: 1, fall: 1, runOnHealthy: ['echo', 'a\u0000b'], runOnUnhealthy: ['true'] }), {
      probe: scripted([true, false]),
      logger,
    });
    const hooksDone: string[] = [];
    check.on('hook', (e) => hooksDone.push(`${e.hook} ${e.result.spawnError ?? e.result.exitCode}`));
    check.start();
    await until(check, () => hooksDone.length === 2, 10000);
    check.stop();
    await check.settled();
    assert.deepEqual(hooksDone, ['run_on_healthy ERR_INVALID_ARG_VALUE', 'run_on_unhealthy 0']);
    assert.deepEqual(logged.map((o) => [o.code, o.hook]), [['HOOK_SPAWN', 'run_on_healthy']]);
  });

  test('a hook that throws inside the hook runner is logged; the chain stays alive and settled() resolves', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: object) => logged.push(o as Record<string, unknown>) };
    const check = new HealthCheck(spec({ rise: 1, fall: 1, runOnHealthy: ['boom'], runOnUnhealthy: ['true'] }), {
      probe: scripted([true, false]),
      logger,
      hooks: {
        substitute: (a) => {
          if (a === 'boom') throw new Error('substitution bug');
          return a;
        },
      },
    });
    const hooksDone: string[] = [];
    check.on('hook', (e) => hooksDone.push(`${e.hook} ${e.result.exitCode}`));
    check.start();
    await until(check, () => hooksDone.length === 1, 10000);
    check.stop();
    await check.settled();
    assert.deepEqual(hooksDone, ['run_on_unhealthy 0']);
    assert.equal(logged[0]?.code, 'HOOK_INTERNAL');
    assert.match(String(logged[0]?.err), /substitution bug/);
  });

  test('a failing hook is logged with its exit status and stderr tail', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (o: object) => logged.push(o as Record<string, unknown>) };
    const check = new HealthCheck(spec({ rise: 1, runOnHealthy: ['sh', '-c', 'echo no permission >&2; exit 4'] }), { probe: scripted([true]), logger });
    check.start();
    await until(check, () => logged.length > 0);
    check.stop();
    await check.settled();
    assert.equal(logged[0]?.code, 'HOOK_FAILED');
    assert.equal(logged[0]?.exitCode, 4);
    assert.equal(logged[0]?.stderrTail, 'no permission');
  });

  test('hooks: false never runs hooks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awsn-hook-'));
    try {
      const out = join(dir, 'ran');
      const check = new HealthCheck(spec({ rise: 1, runOnHealthy: ['touch', out] }), { probe: scripted([true]), hooks: false });
      check.start();
      await until(check, () => check.state.runs >= 3);
      check.stop();
      await check.settled();
      assert.throws(() => readFileSync(out));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
