import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RouteSpec } from '../config/model.js';
import { confirmStep, isRisky, mergeConfirmed, rankDelayMs } from './confirm.js';
import { withWrites } from './own-writes.js';
import type { Plan, PlannedAction } from './reasons.js';
import { isOurs } from './targets.js';
import type { RouteTableView, RouteView } from './types.js';

const spec = (over: Partial<RouteSpec> = {}): RouteSpec => ({ cidr: '0.0.0.0/0', ifUnhealthy: false, priority: 50, ...over }) as RouteSpec;
const act = (action: PlannedAction['action'], over: Partial<PlannedAction> = {}): PlannedAction => ({
  routeTableId: 'rtb-1',
  tableName: 't',
  cidr: '0.0.0.0/0',
  action,
  reason: 'OWNED',
  detail: '',
  route: spec(),
  ...over,
});
const planOf = (...actions: PlannedAction[]): Plan => ({ actions, problems: [], remoteTargets: {} });

describe('which actions are confirmed on a fresh read', () => {
  test('replace and delete always; create by a backup or on the cached view; none never', () => {
    assert.equal(isRisky(act('replace'), false), true);
    assert.equal(isRisky(act('delete'), false), true);
    assert.equal(isRisky(act('create'), false), false, 'a primary creating a missing route after a full read');
    assert.equal(isRisky(act('create'), true), true, 'planned on the cached view: the route may exist by now');
    assert.equal(isRisky(act('create', { route: spec({ ifUnhealthy: true }) }), false), true);
    assert.equal(isRisky(act('none'), true), false);
  });

  test('the wait is the smallest rank delay among the backups; primaries do not wait', () => {
    const backup = act('replace', { route: spec({ ifUnhealthy: true, priority: 0 }) });
    const primary = act('replace', { routeTableId: 'rtb-2' });
    const s = confirmStep(planOf(backup, primary, act('none', { routeTableId: 'rtb-3' })), 'i-1', false);
    assert.deepEqual(s.routeTableIds, ['rtb-1', 'rtb-2']);
    assert.equal(s.delayMs, rankDelayMs(0, 'i-1', 'rtb-1', '0.0.0.0/0'));
    assert.equal(confirmStep(planOf(primary), 'i-1', false).delayMs, 0);
  });

  test('rank delay: priority first (2 ms a step), then a stable hash below 200 ms', () => {
    const hi = rankDelayMs(100, 'i-1', 'rtb-1', '0.0.0.0/0');
    assert.ok(hi >= 0 && hi < 200);
    assert.equal(rankDelayMs(0, 'i-1', 'rtb-1', '0.0.0.0/0'), hi + 200);
    assert.equal(rankDelayMs(100, 'i-1', 'rtb-1', '0.0.0.0/0'), hi, 'the same for every instance that asks');
  });
});

describe('how the re-plan replaces the first plan', () => {
  test('a risky change the re-plan still makes is applied as re-planned; one it no longer makes is dropped', () => {
    const first = act('replace', { reason: 'OWNER_BLACKHOLE', current: { target: 'eni-z', state: 'blackhole' } });
    const again = act('replace', { reason: 'OWNER_BLACKHOLE', current: { target: 'eni-y', state: 'blackhole' } });
    const kept = mergeConfirmed(planOf(first), planOf(again), [first]);
    assert.equal(kept.plan.actions[0], again);
    assert.deepEqual(kept.dropped, []);
    const now = act('none', { reason: 'OWNER_ALIVE' });
    const gone = mergeConfirmed(planOf(first), planOf(now), [first]);
    assert.equal(gone.plan.actions[0], now);
    assert.deepEqual(gone.dropped, [{ first, now }]);
  });

  test('a route the re-plan no longer has becomes none; unchanged routes and non-risky changes stay', () => {
    const del = act('delete');
    const create = act('create', { routeTableId: 'rtb-2' });
    const none = act('none', { routeTableId: 'rtb-3' });
    const m = mergeConfirmed(planOf(del, create, none), planOf(act('create', { routeTableId: 'rtb-2', reason: 'MISSING_CREATE' })), [del]);
    assert.deepEqual(m.plan.actions.map((a) => a.action), ['none', 'create', 'none']);
    assert.equal(m.plan.actions[1], create, 'not risky: the first plan\'s action');
    assert.equal(m.dropped.length, 1);
  });
});

describe('the world after our writes', () => {
  const r = (eni: string, cidr = '0.0.0.0/0'): RouteView => ({ destination: cidr, target: { kind: 'interface', networkInterfaceId: eni }, state: 'active' });
  const t = (id: string, routes: RouteView[]): RouteTableView => ({ id, vpcId: 'v', main: false, subnetIds: [], tags: {}, routes });

  test('a write replaces the route, a delete removes it, other tables and routes are untouched', () => {
    const before = [t('rtb-1', [r('eni-b'), r('eni-x', '10.0.0.0/8')]), t('rtb-2', [r('eni-b')])];
    const after = withWrites(before, [
      { routeTableId: 'rtb-1', cidr: '0.0.0.0/0', after: r('eni-a') },
      { routeTableId: 'rtb-2', cidr: '0.0.0.0/0', after: undefined },
    ]);
    assert.deepEqual(after[0]!.routes.map((x) => [x.destination, (x.target as { networkInterfaceId: string }).networkInterfaceId]), [
      ['10.0.0.0/8', 'eni-x'],
      ['0.0.0.0/0', 'eni-a'],
    ]);
    assert.deepEqual(after[1]!.routes, []);
    assert.equal(before[0]!.routes[0]!.target.kind, 'interface', 'the input is not changed');
    assert.equal((before[0]!.routes[0]!.target as { networkInterfaceId: string }).networkInterfaceId, 'eni-b');
  });

  test('isOurs: the wanted interface, or the wanted instance; a missing route is not ours', () => {
    const want = { instanceId: 'i-a', networkInterfaceId: 'eni-a' };
    assert.equal(isOurs(r('eni-a'), want), true);
    assert.equal(isOurs(r('eni-b'), want), false);
    assert.equal(isOurs({ destination: '0.0.0.0/0', target: { kind: 'instance', instanceId: 'i-a' }, state: 'active' }, want), true);
    assert.equal(isOurs({ destination: '0.0.0.0/0', target: { kind: 'other', id: 'igw-1' }, state: 'active' }, want), false);
    assert.equal(isOurs(undefined, want), false);
    assert.equal(isOurs(r('eni-a'), { instanceId: 'i-c' }), false, 'an instance whose interface is unknown');
  });
});
