// The in-memory EC2 state, driven with plain values and a manual clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildState } from './build-state.js';
import { ManualClock } from './clock.js';
import { Ec2Error } from './errors.js';
import type { Ec2State } from './state.js';
import { parseWorld } from './world.js';
import { setInstanceStatus } from './ops/admin.js';
import { prepareSetEniSourceDestCheck, prepareSetInstanceSourceDestCheck, prepareStart, prepareStop, prepareTerminate } from './ops/instances.js';
import { prepareCreateRoute, prepareDeleteRoute, prepareReplaceRoute } from './ops/routes.js';

const WORLD = `
timing: { pending_ms: 100, stopping_ms: 200, shutting_down_ms: 300 }
vpcs: [{ id: vpc-00000001, cidr: 10.0.0.0/16 }]
subnets: [{ id: subnet-00000001, vpc: vpc-00000001, az: us-east-1a, cidr: 10.0.1.0/24 }]
instances:
  - { id: i-00000001, subnet: subnet-00000001, network_interfaces: [{ id: eni-00000001, private_ip: 127.0.9.1, source_dest_check: false }] }
  - id: i-00000002
    subnet: subnet-00000001
    network_interfaces:
      - { id: eni-0000002a, private_ip: 127.0.9.2 }
      - { id: eni-0000002b, private_ip: 127.0.9.3, delete_on_termination: false }
route_tables:
  - { id: rtb-00000001, vpc: vpc-00000001, main: true, routes: [{ cidr: 0.0.0.0/0, instance: i-00000001 }, { cidr: 192.168.0.1/32, network_interface: eni-0000002b }] }
`;
const who = { action: 'test', caller: 'unit' };

function setup(): { s: Ec2State; clock: ManualClock } {
  const clock = new ManualClock();
  return { s: buildState(parseWorld(WORLD), clock), clock };
}
const view = (s: Ec2State, cidr: string) => {
  s.settle();
  const t = s.routeTable('rtb-00000001');
  return s.targetView(t, t.routes.get(cidr)!.target);
};
const code = (c: string) => (e: unknown) => e instanceof Ec2Error && e.code === c;

describe('Ec2State', () => {
  it('every table gets its VPC’s local route first', () => {
    const { s } = setup();
    assert.deepEqual([...s.routeTable('rtb-00000001').routes.keys()], ['10.0.0.0/16', '0.0.0.0/0', '192.168.0.1/32']);
  });

  it('a prepared mutation changes nothing until it is applied', () => {
    const { s } = setup();
    const version = s.version;
    const apply = prepareReplaceRoute(s, 'rtb-00000001', '0.0.0.0/0', 'destinationCidrBlock', { networkInterfaceId: 'eni-0000002b' }, who);
    assert.equal(view(s, '0.0.0.0/0').networkInterfaceId, 'eni-00000001');
    assert.equal(s.version, version);
    assert.deepEqual(s.log, []);
    apply();
    assert.equal(view(s, '0.0.0.0/0').networkInterfaceId, 'eni-0000002b');
    assert.equal(s.log.length, 1);
  });

  it('stop blackholes routes during stopping and after; start brings them back after pending', () => {
    const { s, clock } = setup();
    prepareStop(s, ['i-00000001'], who)();
    assert.equal(s.instance('i-00000001').state, 'stopping');
    assert.equal(view(s, '0.0.0.0/0').state, 'blackhole');
    clock.advance(200);
    s.settle();
    assert.equal(s.instance('i-00000001').state, 'stopped');
    prepareStart(s, ['i-00000001'], who)();
    assert.equal(view(s, '0.0.0.0/0').state, 'blackhole');
    clock.advance(100);
    assert.equal(view(s, '0.0.0.0/0').state, 'active');
  });

  it('termination deletes interfaces marked delete-on-termination and detaches the others', () => {
    const { s, clock } = setup();
    prepareTerminate(s, ['i-00000002'], who)();
    clock.advance(300);
    s.settle();
    assert.equal(s.instance('i-00000002').state, 'terminated');
    assert.equal(s.enis.has('eni-0000002a'), false);
    assert.equal(s.eni('eni-0000002b').attachment, undefined);
    assert.deepEqual(view(s, '192.168.0.1/32'), { networkInterfaceId: 'eni-0000002b', state: 'blackhole' });
  });

  it('instance routes and source/dest check refuse multi-interface instances', () => {
    const { s } = setup();
    assert.throws(() => prepareCreateRoute(s, 'rtb-00000001', '10.9.0.0/16', 'd', { instanceId: 'i-00000002' }, who), code('InvalidInstanceID'));
    assert.throws(() => prepareSetInstanceSourceDestCheck(s, 'i-00000002', false, who), code('InvalidInstanceID'));
  });

  it('the instance source/dest check follows the primary interface', () => {
    const { s } = setup();
    assert.equal(s.instanceSourceDestCheck(s.instance('i-00000002')), true);
    prepareSetEniSourceDestCheck(s, 'eni-0000002a', false, who)();
    assert.equal(s.instanceSourceDestCheck(s.instance('i-00000002')), false);
    prepareSetInstanceSourceDestCheck(s, 'i-00000001', true, who)();
    assert.equal(s.eni('eni-00000001').sourceDestCheck, true);
  });

  it('status is initializing while pending, not-applicable when stopped, and the set value when running', () => {
    const { s, clock } = setup();
    setInstanceStatus(s, 'i-00000001', { instance: 'impaired' }, who);
    assert.deepEqual(s.effectiveStatus(s.instance('i-00000001')), { instance: 'impaired', system: 'ok' });
    prepareStop(s, ['i-00000001'], who)();
    clock.advance(200);
    s.settle();
    assert.deepEqual(s.effectiveStatus(s.instance('i-00000001')), { instance: 'not-applicable', system: 'not-applicable' });
    prepareStart(s, ['i-00000001'], who)();
    assert.deepEqual(s.effectiveStatus(s.instance('i-00000001')), { instance: 'initializing', system: 'initializing' });
  });

  it('route errors carry AWS’s codes', () => {
    const { s } = setup();
    assert.throws(() => prepareCreateRoute(s, 'rtb-00000001', '0.0.0.0/0', 'd', { instanceId: 'i-00000001' }, who), code('RouteAlreadyExists'));
    assert.throws(() => prepareDeleteRoute(s, 'rtb-00000001', '10.8.0.0/16', 'd', who), code('InvalidRoute.NotFound'));
    assert.throws(() => prepareDeleteRoute(s, 'rtb-00000001', '10.0.0.0/16', 'd', who), code('InvalidParameterValue'));
    assert.throws(() => prepareReplaceRoute(s, 'rtb-00000001', '10.8.0.0/16', 'd', { instanceId: 'i-00000001' }, who), code('InvalidParameterValue'));
    assert.throws(() => prepareCreateRoute(s, 'rtb-00000009', '10.8.0.0/16', 'd', { instanceId: 'i-00000001' }, who), code('InvalidRouteTableID.NotFound'));
    assert.throws(() => prepareCreateRoute(s, 'rtb-00000001', 'nope', 'd', { instanceId: 'i-00000001' }, who), code('InvalidParameterValue'));
  });

  it('the log stays in time order: phases that ended are logged, oldest first, before any later change', () => {
    const { s, clock } = setup();
    prepareTerminate(s, ['i-00000001'], who)(); // shutting-down ends at 300
    prepareStop(s, ['i-00000002'], who)(); // stopping ends at 200
    clock.advance(1000);
    setInstanceStatus(s, 'i-00000002', { instance: 'ok' }, who); // no settle() before it: record() settles first
    assert.deepEqual(
      s.log.map((m) => [m.tMs, m.kind === 'instance' ? m.after.state : m.kind]),
      [[0, 'shutting-down'], [0, 'stopping'], [200, 'stopped'], [300, 'terminated'], [1000, 'resource']],
    );
  });

  it('a terminated instance is visible for timing.terminatedVisibleMs, then InvalidInstanceID.NotFound, then forgotten', () => {
    const { s, clock } = setup();
    s.timing = { ...s.timing, terminatedVisibleMs: 1000 };
    prepareTerminate(s, ['i-00000001'], who)();
    clock.advance(300);
    s.settle();
    assert.equal(s.instance('i-00000001').terminatedAt, 300);
    clock.advance(999);
    assert.equal(s.instance('i-00000001').state, 'terminated');
    clock.advance(1);
    assert.throws(() => s.instance('i-00000001'), code('InvalidInstanceID.NotFound'));
    assert.throws(() => s.instancesByIds(['i-00000001', 'i-00000009']), /The instance IDs 'i-00000001, i-00000009' do not exist/);
    assert.throws(() => s.tagsOf('i-00000001'), code('InvalidInstanceID.NotFound'));
    assert.deepEqual(s.visibleInstances().map((i) => i.id), ['i-00000002']);
    s.settle();
    assert.equal(s.instances.has('i-00000001'), false);
    assert.deepEqual(view(s, '0.0.0.0/0'), { instanceId: 'i-00000001', instanceOwnerId: '123456789012', networkInterfaceId: 'eni-00000001', state: 'blackhole' });
  });

  it('an expired instance is kept while a lagged read could still see it', () => {
    const { s, clock } = setup();
    s.timing = { ...s.timing, terminatedVisibleMs: 1000, readLagMs: 500 };
    prepareTerminate(s, ['i-00000001'], who)();
    clock.advance(1300);
    s.settle();
    assert.throws(() => s.instance('i-00000001'), code('InvalidInstanceID.NotFound'));
    assert.deepEqual(s.describableInstances(['i-00000001']).map((i) => i.state), ['terminated']);
    clock.advance(500);
    s.settle();
    assert.throws(() => s.describableInstances(['i-00000001']), code('InvalidInstanceID.NotFound'));
    assert.equal(s.instances.has('i-00000001'), false);
  });

  it('the mutation log records route changes with before and after targets and time stamps', () => {
    const { s, clock } = setup();
    clock.advance(1234);
    prepareDeleteRoute(s, 'rtb-00000001', '0.0.0.0/0', 'd', who)();
    const [m] = s.log;
    assert.ok(m !== undefined && m.kind === 'route');
    assert.equal(m.seq, 1);
    assert.equal(m.tMs, 1234);
    assert.equal(m.time, new Date(Date.UTC(2026, 0, 1) + 1234).toISOString());
    assert.deepEqual(m.before, { instanceId: 'i-00000001', instanceOwnerId: '123456789012', networkInterfaceId: 'eni-00000001', state: 'active' });
    assert.equal(m.after, null);
  });
});
