import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners, getMaxListeners } from 'node:events';
import type { CheckSpec } from '../config/index.js';
import { RemotePool, RemotePoolError } from './remote-pool.js';
import { HealthCode, fail, pass } from './result.js';
import { HealthCheck } from './runner.js';
import type { ChangeEvent } from './runner.js';

const template: CheckSpec = {
  name: 'peer',
  remote: true,
  type: 'tcp',
  rise: 2,
  fall: 2,
  every: 0.02,
  timeout: 0.02,
  hookTimeout: 5,
  probe: { kind: 'tcp', port: 1 },
};

/** A pool whose checks use a fake probe that counts calls per IP; `down` IPs fail. */
function fakePool(ownIps: string[], down: Set<string> = new Set(), signal?: AbortSignal) {
  const calls = new Map<string, number>();
  const pool = new RemotePool(template, {
    ownIps,
    hooks: false,
    ...(signal !== undefined ? { signal } : {}),
    createCheck: (t, ip, options) =>
      new HealthCheck(t, {
        ...options,
        probe: () => {
          calls.set(ip, (calls.get(ip) ?? 0) + 1);
          return Promise.resolve(down.has(ip) ? fail(HealthCode.refused, 1, 'connect ECONNREFUSED') : pass(1));
        },
      }),
  });
  return { pool, calls };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RemotePool', () => {
  test('a set of IPs starts exactly one check per IP', () => {
    const { pool } = fakePool(['10.0.0.1']);
    const started: string[] = [];
    pool.on('started', (ip) => started.push(ip));
    const r = pool.setDestinations(['10.0.0.2', '10.0.0.3', '10.0.0.2']);
    assert.deepEqual(r, { started: ['10.0.0.2', '10.0.0.3'], stopped: [] });
    assert.deepEqual(started, ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(pool.destinations().sort(), ['10.0.0.2', '10.0.0.3']);
    assert.ok(pool.get('10.0.0.2')?.isRunning);
    pool.stop();
  });

  test('the same set again starts and stops nothing and keeps the same checks', () => {
    const { pool } = fakePool([]);
    pool.setDestinations(['10.0.0.2', '10.0.0.3']);
    const before = pool.get('10.0.0.2');
    assert.deepEqual(pool.setDestinations(['10.0.0.3', '10.0.0.2']), { started: [], stopped: [] });
    assert.equal(pool.get('10.0.0.2'), before);
    pool.stop();
  });

  test('a changed set stops removed IPs and starts new ones, leaving the rest alone', () => {
    const { pool } = fakePool([]);
    pool.setDestinations(['10.0.0.2', '10.0.0.3']);
    const kept = pool.get('10.0.0.3');
    const removed = pool.get('10.0.0.2');
    const stopped: string[] = [];
    pool.on('stopped', (ip) => stopped.push(ip));
    assert.deepEqual(pool.setDestinations(['10.0.0.3', '10.0.0.4']), { started: ['10.0.0.4'], stopped: ['10.0.0.2'] });
    assert.deepEqual(stopped, ['10.0.0.2']);
    assert.equal(pool.get('10.0.0.3'), kept);
    assert.equal(pool.get('10.0.0.2'), undefined);
    assert.equal(removed?.isRunning, false);
    pool.stop();
  });

  test('an empty set stops everything', () => {
    const { pool } = fakePool([]);
    pool.setDestinations(['10.0.0.2']);
    assert.deepEqual(pool.setDestinations([]), { started: [], stopped: ['10.0.0.2'] });
    assert.deepEqual(pool.destinations(), []);
  });

  test('our own IP is never checked, in any spelling', () => {
    const { pool } = fakePool(['10.0.0.1', '2001:db8::1']);
    const r = pool.setDestinations(['10.0.0.1', '2001:DB8:0:0::1', '2001:db8::2']);
    assert.deepEqual(r.started, ['2001:db8::2']);
    assert.equal(pool.get('10.0.0.1'), undefined);
    pool.stop();
  });

  test('something that is not an IP address is ignored', () => {
    const { pool } = fakePool([]);
    assert.deepEqual(pool.setDestinations(['eni-123', '', '10.0.0.2']).started, ['10.0.0.2']);
    pool.stop();
  });

  test('a removed check runs no more probes', async () => {
    const { pool, calls } = fakePool([]);
    pool.setDestinations(['10.0.0.2', '10.0.0.3']);
    await sleep(120);
    pool.setDestinations(['10.0.0.3']);
    const frozen = calls.get('10.0.0.2');
    const other = calls.get('10.0.0.3') ?? 0;
    await sleep(120);
    assert.equal(calls.get('10.0.0.2'), frozen);
    assert.ok((calls.get('10.0.0.3') ?? 0) > other, 'the kept check still runs');
    pool.stop();
    await pool.settled();
  });

  test('change events of every check are forwarded with their destination', async () => {
    const { pool } = fakePool([], new Set(['10.0.0.3']));
    const seen = new Map<string, ChangeEvent>();
    pool.on('change', (e) => seen.set(e.destination, e));
    pool.setDestinations(['10.0.0.2', '10.0.0.3']);
    while (seen.size < 2) await sleep(10);
    pool.stop();
    assert.equal(seen.get('10.0.0.2')?.healthy, true);
    assert.equal(seen.get('10.0.0.3')?.healthy, false);
    assert.equal(seen.get('10.0.0.3')?.decided, true);
    assert.deepEqual(pool.snapshot(), []);
  });

  test('the pool signal stops every check, and a stopped pool refuses new sets', () => {
    const ac = new AbortController();
    const { pool } = fakePool([], new Set(), ac.signal);
    pool.setDestinations(['10.0.0.2', '10.0.0.3']);
    const checks = pool.destinations().map((ip) => pool.get(ip));
    ac.abort();
    assert.deepEqual(pool.destinations(), []);
    assert.ok(checks.every((c) => c?.isRunning === false));
    assert.throws(() => pool.setDestinations(['10.0.0.2']), (e: unknown) => e instanceof RemotePoolError && e.code === 'HC_POOL_STOPPED');
  });

  test('stopped pools leave no listener on the caller\'s signal, so reloads do not pile them up', () => {
    const ac = new AbortController();
    const before = getEventListeners(ac.signal, 'abort').length;
    const limit = getMaxListeners(ac.signal);
    for (let i = 0; i < 20; i++) {
      const { pool } = fakePool([], new Set(), ac.signal);
      pool.setDestinations(['10.0.0.2']);
      pool.stop();
    }
    assert.equal(getEventListeners(ac.signal, 'abort').length, before);
    assert.equal(getMaxListeners(ac.signal), limit);
  });
});
