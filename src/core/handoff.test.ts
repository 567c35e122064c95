import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Config } from '../config/index.js';
import { config } from '../config/testing.js';
import { Reason, plan, remoteTargets } from './plan.js';
import { HEALTHY, ME, UNHEALTHY, oneRoute } from './testing.js';
import type { PeerView, PlanInput, RouteTableView, RouteView } from './types.js';

const cfg = (yaml: string): Config => config(yaml);
const NAT = 'nat-0123456789abcdef0';

const at = (target: RouteView['target'], state: RouteView['state'] = 'active'): RouteView => ({ destination: '0.0.0.0/0', target, state });
const toMe = at({ kind: 'interface', networkInterfaceId: 'eni-a', instanceId: 'i-0000000a' });
const toB = at({ kind: 'interface', networkInterfaceId: 'eni-b', instanceId: 'i-0000000b' });
const toNat = at({ kind: 'other', id: NAT });

const table = (routes: RouteView[]): RouteTableView => ({ id: 'rtb-1', vpcId: 'vpc-1', main: false, subnetIds: [], tags: { Name: 'private' }, routes });

const B: PeerView = { instanceId: 'i-0000000b', networkInterfaceId: 'eni-b', ip: '127.0.1.11' };
const C: PeerView = { instanceId: 'i-0000000c', networkInterfaceId: 'eni-c', ip: '127.0.1.12' };

function input(over: Partial<PlanInput>): PlanInput {
  return {
    identity: ME,
    tables: [table([toMe])],
    checks: { internet: HEALTHY },
    remoteChecks: { peer: { '127.0.1.11': HEALTHY, '127.0.1.12': HEALTHY } },
    owners: { 'i-0000000b': { state: 'running', instanceStatus: 'ok', systemStatus: 'ok' } },
    interfaceIps: { 'eni-b': '127.0.1.11', 'eni-c': '127.0.1.12' },
    interfaceOwners: { 'eni-b': 'i-0000000b', 'eni-c': 'i-0000000c' },
    peers: { 'role=nat': [B, C] },
    natGateways: { [NAT]: { state: 'available', vpcId: 'vpc-1' } },
    now: 100_000,
    ...over,
  };
}

const route = (extra: string): Config => cfg(oneRoute(extra));

const PEERS = route(', remote_healthcheck: peer, peers: {tag: role, value: nat}');
const PEERS_FALLBACK = route(`, remote_healthcheck: peer, peers: {tag: role, value: nat}, fallback: ${NAT}`);
const PEERS_NEVER_DELETE = route(', remote_healthcheck: peer, never_delete: true, peers: {tag: role, value: nat}');
const FALLBACK = route(`, fallback: ${NAT}`);
const FALLBACK_NEVER_DELETE = route(`, never_delete: true, fallback: ${NAT}`);
const BACKUP_FALLBACK = route(`, if_unhealthy: true, remote_healthcheck: peer, fallback: ${NAT}`);
const PLAIN = route('');

const DRAINED = { drain: { force: false, why: 'spot interruption notice' } };
const first = (c: Config, i: PlanInput) => plan(c, i).actions[0]!;

describe('hand-off: a drained owner gives its route to the best healthy peer, make-before-break', () => {
  test('a drained owner replaces its route with the first-ranked healthy peer (one ReplaceRoute, never a delete)', () => {
    const a = first(PEERS, input(DRAINED));
    assert.equal(a.action, 'replace');
    assert.equal(a.reason, Reason.Handoff);
    // Ranked as backups rank themselves: the same peer whatever the order EC2 listed them in.
    const again = first(PEERS, input({ ...DRAINED, peers: { 'role=nat': [C, B] } }));
    assert.equal(again.target, a.target);
    assert.ok(a.target === 'eni-b' || a.target === 'eni-c');
    assert.match(a.detail, /spot interruption notice/);
  });

  test('a never_delete route is handed off too (a plain drain used to keep it)', () => {
    const a = first(PEERS_NEVER_DELETE, input(DRAINED));
    assert.deepEqual([a.action, a.reason], ['replace', Reason.Handoff]);
  });

  test('a peer that fails its remote check, or whose check has not decided, is passed over', () => {
    const a = first(PEERS, input({ ...DRAINED, remoteChecks: { peer: { '127.0.1.11': UNHEALTHY } } }));
    assert.deepEqual([a.action, a.reason], ['none', Reason.HandoffNone]);
    assert.match(a.detail, /i-0000000b: fails remote check peer/);
    assert.match(a.detail, /i-0000000c: remote check peer of 127.0.1.12 has not decided yet/);
    const b = first(PEERS, input({ ...DRAINED, remoteChecks: { peer: { '127.0.1.11': UNHEALTHY, '127.0.1.12': HEALTHY } } }));
    assert.deepEqual([b.action, b.target], ['replace', 'eni-c']);
  });

  test('with no healthy peer the route goes to its fallback NAT gateway when that is available', () => {
    const a = first(PEERS_FALLBACK, input({ ...DRAINED, peers: { 'role=nat': [] } }));
    assert.deepEqual([a.action, a.reason, a.target], ['replace', Reason.HandoffFallback, NAT]);
  });

  test('a fallback that is not available is not used, and the route stays where it is (this instance still forwards)', () => {
    for (const state of ['deleted', 'deleting', 'pending', 'failed']) {
      const a = first(PEERS_FALLBACK, input({ ...DRAINED, peers: { 'role=nat': [] }, natGateways: { [NAT]: { state, vpcId: 'vpc-1' } } }));
      assert.deepEqual([a.action, a.reason], ['none', Reason.HandoffNone], state);
      assert.match(a.detail, new RegExp(`fallback ${NAT} is ${state}`));
      assert.equal(a.handoff?.to, undefined);
    }
    const unknown = first(PEERS_FALLBACK, input({ ...DRAINED, peers: { 'role=nat': [] }, natGateways: {} }));
    assert.match(unknown.detail, /unknown to EC2/);
    const elsewhere = first(PEERS_FALLBACK, input({ ...DRAINED, peers: { 'role=nat': [] }, natGateways: { [NAT]: { state: 'available', vpcId: 'vpc-2' } } }));
    assert.deepEqual([elsewhere.action, elsewhere.reason], ['none', Reason.HandoffNone]);
    assert.match(elsewhere.detail, /is in vpc-2, not this instance's VPC/);
  });

  test('drain --force withdraws a route nothing can carry; a route without peers or fallback keeps the original rule', () => {
    const forced = first(PEERS, input({ drain: { force: true }, peers: { 'role=nat': [] } }));
    assert.deepEqual([forced.action, forced.reason], ['delete', Reason.DrainedDelete]);
    const plain = first(PLAIN, input(DRAINED));
    assert.deepEqual([plain.action, plain.reason], ['delete', Reason.DrainedDelete]);
  });

  test('a route handed to us less than hold_down ago is not handed straight back to the instance that gave it', () => {
    const since = { 'rtb-1 0.0.0.0/0': 95_000 };
    const a = first(PEERS, input({ ...DRAINED, peers: { 'role=nat': [B] }, ownerSince: since, previousTarget: { 'rtb-1 0.0.0.0/0': 'eni-b' } }));
    assert.deepEqual([a.action, a.reason], ['none', Reason.HandoffNone]);
    assert.match(a.detail, /handed the route to us less than hold_down ago/);
    const later = first(PEERS, input({ ...DRAINED, peers: { 'role=nat': [B] }, ownerSince: { 'rtb-1 0.0.0.0/0': 50_000 }, previousTarget: { 'rtb-1 0.0.0.0/0': 'eni-b' } }));
    assert.deepEqual([later.action, later.target], ['replace', 'eni-b']);
  });

  test('we never count ourselves as a peer', () => {
    const a = first(PEERS, input({ ...DRAINED, peers: { 'role=nat': [{ instanceId: 'i-0000000a', networkInterfaceId: 'eni-a', ip: '127.0.1.10' }] } }));
    assert.match(a.detail, /no peer found by its tag/);
  });

  test('a route of ours shows where a hand-off would send it now, and the peers it must judge get remote checks', () => {
    const p = plan(PEERS, input({}));
    const a = p.actions[0]!;
    assert.equal(a.reason, Reason.Owned);
    assert.ok(a.handoff?.to === 'i-0000000b' || a.handoff?.to === 'i-0000000c');
    assert.deepEqual(remoteTargets(p.actions), { peer: ['127.0.1.11', '127.0.1.12'] });
  });

  test('a drained instance does not touch routes that are not its own', () => {
    const a = first(PEERS, input({ ...DRAINED, tables: [table([toB])] }));
    assert.deepEqual([a.action, a.reason], ['none', Reason.Drained]);
  });
});

describe('fallback: a NAT gateway carries the route while no instance can', () => {
  test('an owner whose check fails points the route at the available fallback (even with never_delete)', () => {
    for (const c of [FALLBACK, FALLBACK_NEVER_DELETE]) {
      const a = first(c, input({ checks: { internet: UNHEALTHY } }));
      assert.deepEqual([a.action, a.reason, a.target], ['replace', Reason.CheckUnhealthyFallback, NAT]);
    }
    const gone = first(FALLBACK, input({ checks: { internet: UNHEALTHY }, natGateways: { [NAT]: { state: 'deleted', vpcId: 'vpc-1' } } }));
    assert.deepEqual([gone.action, gone.reason], ['delete', Reason.CheckUnhealthyDelete]);
  });

  test('a missing route is created at the fallback when our check is unhealthy', () => {
    const a = first(FALLBACK, input({ tables: [table([])], checks: { internet: UNHEALTHY } }));
    assert.deepEqual([a.action, a.reason, a.target], ['create', Reason.MissingFallback, NAT]);
  });

  test('a backup whose own check fails moves a dead owner\'s route to the fallback (dead by what EC2 says); a live owner keeps it', () => {
    const dead = first(BACKUP_FALLBACK, input({ tables: [table([toB])], checks: { internet: UNHEALTHY }, owners: { 'i-0000000b': { state: 'stopped' } } }));
    assert.deepEqual([dead.action, dead.reason, dead.target], ['replace', Reason.OwnerDeadFallback, NAT]);
    // Its own remote verdict is not enough while its own checks fail: a broken network here fails both.
    const remote = first(BACKUP_FALLBACK, input({ tables: [table([toB])], checks: { internet: UNHEALTHY }, remoteChecks: { peer: { '127.0.1.11': UNHEALTHY } } }));
    assert.deepEqual([remote.action, remote.reason], ['none', Reason.CheckUnhealthy]);
    const blackhole = first(BACKUP_FALLBACK, input({ tables: [table([{ ...toB, state: 'blackhole' }])], checks: { internet: UNHEALTHY } }));
    assert.equal(blackhole.reason, Reason.OwnerDeadFallback);
    const alive = first(BACKUP_FALLBACK, input({ tables: [table([toB])], checks: { internet: UNHEALTHY } }));
    assert.deepEqual([alive.action, alive.reason], ['none', Reason.CheckUnhealthy]);
  });

  test('a healthy backup takes the route back from the fallback; an unhealthy one leaves it there', () => {
    const a = first(BACKUP_FALLBACK, input({ tables: [table([toNat])] }));
    assert.deepEqual([a.action, a.reason, a.target], ['replace', Reason.FallbackTakeback, 'eni-a']);
    const sick = first(BACKUP_FALLBACK, input({ tables: [table([toNat])], checks: { internet: UNHEALTHY } }));
    assert.deepEqual([sick.action, sick.reason], ['none', Reason.CheckUnhealthy]);
  });

  test('a primary takes the route back from the fallback only after its hold-down', () => {
    const early = first(FALLBACK, input({ tables: [table([toNat])], healthySince: { internet: 90_000 } }));
    assert.deepEqual([early.action, early.reason], ['none', Reason.HoldDown]);
    const late = first(FALLBACK, input({ tables: [table([toNat])], healthySince: { internet: 10_000 } }));
    assert.deepEqual([late.action, late.reason, late.target], ['replace', Reason.Preempt, 'eni-a']);
  });

  test('a route at a deleted fallback is a blackhole: a healthy backup takes it over at once', () => {
    const a = first(BACKUP_FALLBACK, input({ tables: [table([{ ...toNat, state: 'blackhole' }])], natGateways: { [NAT]: { state: 'deleted', vpcId: 'vpc-1' } } }));
    assert.deepEqual([a.action, a.reason], ['replace', Reason.OwnerBlackhole]);
  });
});

describe('hand-off among instances that all step aside', () => {
  test('a route that came to us while we were drained goes on to the fallback only, never to another peer', () => {
    const key = 'rtb-1 0.0.0.0/0';
    const drain = { force: false, why: 'scale-in', since: 50_000 };
    const came = first(PEERS_FALLBACK, input({ drain, ownerSince: { [key]: 60_000 } }));
    assert.deepEqual([came.action, came.reason, came.target], ['replace', Reason.HandoffFallback, NAT]);
    const noFallback = first(PEERS, input({ drain, ownerSince: { [key]: 60_000 } }));
    assert.deepEqual([noFallback.action, noFallback.reason], ['none', Reason.HandoffNone]);
    assert.match(noFallback.detail, /came to us while this instance was stepping aside/);
    // A route we already had when the drain began is handed to a peer as usual.
    const had = first(PEERS, input({ drain, ownerSince: { [key]: 10_000 } }));
    assert.deepEqual([had.action, had.reason], ['replace', Reason.Handoff]);
  });
});

