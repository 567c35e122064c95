// AWS behaviours the daemon relies on, each pinned to the AWS page (or, where
// AWS documents no wording, the public report) it follows, through the real
// @aws-sdk/client-ec2 against the simulator on a manual clock:
//
// * Terminated instances stay visible for about an hour, then describe calls
//   no longer return them. TerminateInstances (EC2 API reference): "Terminated
//   instances remain visible after termination (for approximately one hour)."
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ApiReference-query-TerminateInstances.html
//   (the sentence as AWS's SDK reference repeats it:
//   https://docs.aws.amazon.com/sdkfornet1/latest/apidocs/html/T_Amazon_EC2_Model_TerminateInstancesRequest.htm;
//   also https://docs.amazonaws.cn/AWSEC2/latest/APIReference/API_TerminateInstances.html;
//   the original wording: "after which their instance ID is invalidated",
//   http://docs.amazonwebservices.com/AmazonEC2/dg/2006-10-01/ApiReference-Query-TerminateInstances.html).
//   The NotFound messages: "The instance ID 'i-…' does not exist" (e.g.
//   https://github.com/boto/boto3/issues/567) and, for several ids, "The
//   instance IDs 'i-a, i-b' do not exist" (https://github.com/getmoto/moto/issues/4903).
// * Eventual consistency. "Eventual consistency in the Amazon EC2 API": "the
//   result of an API command you run that affects your Amazon EC2 resources
//   might not be immediately visible to all subsequent commands you run", and
//   its example: after RunInstances, a command using the new instance ID "may
//   return an InvalidInstanceID.NotFound error. This does not mean the
//   instance does not exist."
//   https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
//   (linked from the API reference's "Troubleshooting API request errors",
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/query-api-troubleshooting.html).
import {
  CreateRouteCommand,
  CreateTagsCommand,
  DeleteRouteCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  ModifyInstanceAttributeCommand,
  ReplaceRouteCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Filter,
  type Route,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/sim/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadWorldFile } from '../../src/sim/world.js';
import { NAT, NAT_WORLD, ec2, failure, sim } from './helpers.js';

type Client = ReturnType<typeof ec2>;

async function routeTo(client: Client, table: string, cidr: string): Promise<Route | undefined> {
  const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }));
  return r.RouteTables?.[0]?.Routes?.find((x) => x.DestinationCidrBlock === cidr);
}

async function listed(client: Client, filters?: Filter[]): Promise<Record<string, string | undefined>> {
  const r = await client.send(new DescribeInstancesCommand(filters !== undefined ? { Filters: filters } : {}));
  const out: Record<string, string | undefined> = {};
  for (const res of r.Reservations ?? []) for (const i of res.Instances ?? []) out[i.InstanceId!] = i.State?.Name;
  return out;
}

async function stateOf(client: Client, id: string): Promise<string | undefined> {
  const r = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function admin(s: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${s.adminEndpoint}/_sim/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const HOUR = 3_600_000;
const DEAD = 'i-0000000000000dead';

// TerminateInstances: "Terminated instances remain visible after termination
// (for approximately one hour)."
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ApiReference-query-TerminateInstances.html
describe('terminated instances stay visible for about an hour, then stop being returned (TerminateInstances, EC2 API reference)', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let client: Client;
  before(async () => {
    s = await sim(NAT_WORLD, { clock });
    client = ec2(s);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natA] }));
  });
  after(async () => {
    client.destroy();
    await s.close();
  });

  it('the default visibility is one hour (timing.terminated_visible_ms, admin terminatedVisibleMs)', () => {
    assert.equal(s.state.timing.terminatedVisibleMs, HOUR);
  });

  it('just under an hour later it is still described as terminated, by id, unfiltered and by DescribeInstanceStatus', async () => {
    clock.advance(HOUR - 1);
    assert.equal(await stateOf(client, NAT.natA), 'terminated');
    assert.equal((await listed(client))[NAT.natA], 'terminated');
    const st = await client.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
    assert.equal(st.InstanceStatuses?.find((x) => x.InstanceId === NAT.natA)?.InstanceState?.Name, 'terminated');
    assert.equal((await failure(() => client.send(new StartInstancesCommand({ InstanceIds: [NAT.natA] })))).name, 'IncorrectInstanceState');
  });

  it('an hour later DescribeInstances and DescribeInstanceStatus no longer list it, filtered or not', async () => {
    clock.advance(1);
    assert.deepEqual(await listed(client), { [NAT.natB]: 'running' });
    assert.deepEqual(await listed(client, [{ Name: 'instance-state-name', Values: ['terminated'] }]), {});
    assert.deepEqual(await listed(client, [{ Name: 'instance-id', Values: [NAT.natA] }]), {});
    const st = await client.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
    assert.deepEqual(st.InstanceStatuses?.map((x) => x.InstanceId), [NAT.natB]);
  });

  it('naming it in InstanceId.N is InvalidInstanceID.NotFound, "The instance ID \'…\' does not exist"', async () => {
    const one = await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: [NAT.natA] })));
    assert.deepEqual([one.name, one.status, one.message], ['InvalidInstanceID.NotFound', 400, `The instance ID '${NAT.natA}' does not exist`]);
    const mixed = await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: [NAT.natB, NAT.natA] })));
    assert.equal(mixed.message, `The instance ID '${NAT.natA}' does not exist`);
    const st = await failure(() => client.send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT.natA], IncludeAllInstances: true })));
    assert.deepEqual([st.name, st.message], ['InvalidInstanceID.NotFound', `The instance ID '${NAT.natA}' does not exist`]);
  });

  // The plural form as AWS answered TerminateInstances: https://github.com/getmoto/moto/issues/4903
  it('several missing ids are named together: "The instance IDs \'i-a, i-b\' do not exist"', async () => {
    const e = await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: [NAT.natA, DEAD] })));
    assert.deepEqual([e.name, e.message], ['InvalidInstanceID.NotFound', `The instance IDs '${NAT.natA}, ${DEAD}' do not exist`]);
    const t = await failure(() => client.send(new TerminateInstancesCommand({ InstanceIds: [DEAD, NAT.natB, NAT.natA] })));
    assert.deepEqual([t.name, t.message], ['InvalidInstanceID.NotFound', `The instance IDs '${DEAD}, ${NAT.natA}' do not exist`]);
    assert.equal(await stateOf(client, NAT.natB), 'running', 'a failed TerminateInstances terminates none of the instances');
  });

  it('every other action naming it answers InvalidInstanceID.NotFound', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['StartInstances', () => client.send(new StartInstancesCommand({ InstanceIds: [NAT.natA] }))],
      ['StopInstances', () => client.send(new StopInstancesCommand({ InstanceIds: [NAT.natA] }))],
      ['TerminateInstances', () => client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natA] }))],
      ['CreateRoute', () => client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.9.0/24', InstanceId: NAT.natA }))],
      ['ReplaceRoute', () => client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0', InstanceId: NAT.natA }))],
      ['ModifyInstanceAttribute', () => client.send(new ModifyInstanceAttributeCommand({ InstanceId: NAT.natA, SourceDestCheck: { Value: false } }))],
      ['DescribeInstanceAttribute', () => client.send(new DescribeInstanceAttributeCommand({ InstanceId: NAT.natA, Attribute: 'sourceDestCheck' }))],
      ['CreateTags', () => client.send(new CreateTagsCommand({ Resources: [NAT.natA], Tags: [{ Key: 'k', Value: 'v' }] }))],
    ];
    for (const [action, call] of calls) {
      const e = await failure(call);
      assert.deepEqual([action, e.name, e.message], [action, 'InvalidInstanceID.NotFound', `The instance ID '${NAT.natA}' does not exist`]);
    }
  });

  // Route data type: "The blackhole state indicates that the route's target
  // isn't available (for example, ... the specified NAT instance has been
  // terminated)." https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route
  it('a route that pointed at it keeps its instance and interface ids, as blackhole', async () => {
    const r = await routeTo(client, NAT.privA, '0.0.0.0/0');
    assert.deepEqual([r?.State, r?.InstanceId, r?.NetworkInterfaceId], ['blackhole', NAT.natA, NAT.eniA]);
    const byInstance = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: [NAT.natA] }] }));
    assert.deepEqual(byInstance.RouteTables?.map((t) => t.RouteTableId), [NAT.privA]);
  });

  it('the admin API and the start-up listing leave it out, and admin calls naming it are 404 InvalidInstanceID.NotFound', async () => {
    const list = await admin(s, 'GET', 'instances');
    assert.equal(list.status, 200);
    assert.deepEqual((list.body.instances as { instanceId: string }[]).map((i) => i.instanceId), [NAT.natB]);
    assert.deepEqual((await s.instances()).map((i) => i.instanceId), [NAT.natB]);
    const stop = await admin(s, 'POST', `instances/${NAT.natA}/stop`);
    assert.deepEqual([stop.status, (stop.body.error as { code: string }).code], [404, 'InvalidInstanceID.NotFound']);
    const status = await admin(s, 'POST', `instances/${NAT.natA}/impair`, {});
    assert.equal(status.status, 404);
    const tables = await admin(s, 'GET', `route-tables?id=${NAT.privA}`);
    const [t] = tables.body.routeTables as { routes: { cidr: string; state: string; instanceId?: string }[] }[];
    assert.deepEqual(t?.routes.find((r) => r.cidr === '0.0.0.0/0'), {
      cidr: '0.0.0.0/0',
      state: 'blackhole',
      origin: 'CreateRoute',
      instanceId: NAT.natA,
      networkInterfaceId: NAT.eniA,
    });
  });
});

describe('terminated-instance visibility is a timing knob: world file, admin API, programmatic handle', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let client: Client;
  before(async () => {
    s = await sim({ ...loadWorldFile(NAT_WORLD), timing: { shutting_down_ms: 1000, terminated_visible_ms: 10_000 } }, { clock });
    client = ec2(s);
  });
  beforeEach(() => s.reset());
  after(async () => {
    client.destroy();
    await s.close();
  });

  it('timing.terminated_visible_ms counts from the end of shutting-down', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natA] }));
    clock.advance(1000);
    assert.equal(await stateOf(client, NAT.natA), 'terminated');
    clock.advance(9999);
    assert.equal(await stateOf(client, NAT.natA), 'terminated');
    clock.advance(1);
    assert.equal((await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: [NAT.natA] })))).name, 'InvalidInstanceID.NotFound');
  });

  it('POST /_sim/timing terminatedVisibleMs and sim.setTiming change it for instances already terminated', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natA] }));
    clock.advance(1000);
    const r = await admin(s, 'POST', 'timing', { terminatedVisibleMs: 500 });
    assert.equal(r.body.terminatedVisibleMs, 500);
    clock.advance(499);
    assert.equal(await stateOf(client, NAT.natA), 'terminated');
    clock.advance(1);
    assert.deepEqual(await listed(client), { [NAT.natB]: 'running' });
    assert.equal(s.setTiming({ terminatedVisibleMs: 0 }).terminatedVisibleMs, 0);
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natB] }));
    assert.equal(await stateOf(client, NAT.natB), 'shutting-down');
    clock.advance(1000);
    assert.deepEqual(await listed(client), {});
    const bad = await admin(s, 'POST', 'timing', { terminatedVisibleMs: -1 });
    assert.equal(bad.status, 400);
  });
});

// "Eventual consistency in the Amazon EC2 API": "the result of an API command
// you run that affects your Amazon EC2 resources might not be immediately
// visible to all subsequent commands you run."
// https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
describe('eventual consistency as read lag: describe calls see writes only after timing.read_lag_ms (Eventual consistency in the Amazon EC2 API)', () => {
  const LAG = 2000;
  const clock = new ManualClock();
  let s: Simulator;
  let client: Client;
  before(async () => {
    s = await sim({ ...loadWorldFile(NAT_WORLD), timing: { read_lag_ms: LAG } }, { clock });
    client = ec2(s);
  });
  beforeEach(async () => {
    await s.reset();
    clock.advance(10 * LAG);
  });
  after(async () => {
    client.destroy();
    await s.close();
  });

  it('a replaced route is described as before until the lag has passed; the admin API shows the truth at once', async () => {
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '0.0.0.0/0', InstanceId: NAT.natB }));
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.InstanceId, NAT.natA);
    assert.equal(s.routeTables({ ids: [NAT.privA] })[0]?.routes.find((r) => r.cidr === '0.0.0.0/0')?.instanceId, NAT.natB);
    const adminView = await admin(s, 'GET', `route-tables?id=${NAT.privA}`);
    assert.equal((adminView.body.routeTables as { routes: { cidr: string; instanceId?: string }[] }[])[0]?.routes.find((r) => r.cidr === '0.0.0.0/0')?.instanceId, NAT.natB);
    clock.advance(LAG - 1);
    const still = await routeTo(client, NAT.privA, '0.0.0.0/0');
    assert.deepEqual([still?.InstanceId, still?.NetworkInterfaceId, still?.State], [NAT.natA, NAT.eniA, 'active']);
    clock.advance(1);
    const now = await routeTo(client, NAT.privA, '0.0.0.0/0');
    assert.deepEqual([now?.InstanceId, now?.NetworkInterfaceId, now?.State], [NAT.natB, NAT.eniB, 'active']);
  });

  it('a created route is invisible until the lag has passed, yet creating it again is RouteAlreadyExists and replacing it works (writes check the current state)', async () => {
    const dest = '192.168.5.0/24';
    await client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: dest, InstanceId: NAT.natB }));
    assert.equal(await routeTo(client, NAT.privA, dest), undefined);
    const byDest = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.destination-cidr-block', Values: [dest] }] }));
    assert.deepEqual(byDest.RouteTables, []);
    const again = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: dest, InstanceId: NAT.natB })));
    assert.equal(again.name, 'RouteAlreadyExists');
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: dest, InstanceId: NAT.natA }));
    assert.equal(await routeTo(client, NAT.privA, dest), undefined);
    clock.advance(LAG);
    const r = await routeTo(client, NAT.privA, dest);
    assert.deepEqual([r?.InstanceId, r?.State, r?.Origin], [NAT.natA, 'active', 'CreateRoute']);
  });

  it('a deleted route is still described until the lag has passed; deleting it again is InvalidRoute.NotFound', async () => {
    await client.send(new DeleteRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0' }));
    const r = await routeTo(client, NAT.privB, '0.0.0.0/0');
    assert.deepEqual([r?.InstanceId, r?.NetworkInterfaceId, r?.State, r?.Origin], [NAT.natB, NAT.eniB, 'active', 'CreateRoute']);
    const again = await failure(() => client.send(new DeleteRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0' })));
    assert.equal(again.name, 'InvalidRoute.NotFound');
    clock.advance(LAG);
    assert.equal(await routeTo(client, NAT.privB, '0.0.0.0/0'), undefined);
  });

  it('a stopped instance is described as running, and its routes as active, until the lag has passed', async () => {
    await client.send(new StopInstancesCommand({ InstanceIds: [NAT.natA] }));
    assert.equal(await stateOf(client, NAT.natA), 'running');
    assert.equal((await listed(client, [{ Name: 'instance-state-name', Values: ['running'] }]))[NAT.natA], 'running');
    const st = await client.send(new DescribeInstanceStatusCommand({}));
    assert.deepEqual(st.InstanceStatuses?.map((x) => [x.InstanceId, x.InstanceState?.Name]).sort(), [[NAT.natA, 'running'], [NAT.natB, 'running']]);
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'active');
    const holes = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.state', Values: ['blackhole'] }] }));
    assert.deepEqual(holes.RouteTables, []);
    // Writes see the truth: stopping it again answers from its current state, stopped.
    const again = await client.send(new StopInstancesCommand({ InstanceIds: [NAT.natA] }));
    assert.deepEqual(again.StoppingInstances?.[0]?.PreviousState, { Code: 80, Name: 'stopped' });
    clock.advance(LAG);
    assert.equal(await stateOf(client, NAT.natA), 'stopped');
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'blackhole');
    const after = await client.send(new DescribeInstanceStatusCommand({}));
    assert.deepEqual(after.InstanceStatuses?.map((x) => x.InstanceId), [NAT.natB]);
  });

  it('a terminated instance is described as running and its route as active with its ids until the lag has passed', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natB] }));
    assert.equal(await stateOf(client, NAT.natB), 'running');
    const r = await routeTo(client, NAT.privB, '0.0.0.0/0');
    assert.deepEqual([r?.InstanceId, r?.NetworkInterfaceId, r?.State], [NAT.natB, NAT.eniB, 'active']);
    clock.advance(LAG);
    assert.equal(await stateOf(client, NAT.natB), 'terminated');
    const later = await routeTo(client, NAT.privB, '0.0.0.0/0');
    assert.deepEqual([later?.InstanceId, later?.NetworkInterfaceId, later?.State], [NAT.natB, NAT.eniB, 'blackhole']);
  });

  // The page's own example: "If you successfully run the RunInstances command,
  // and then immediately run another command using the instance ID that was
  // provided in the response of RunInstances, it may return an
  // InvalidInstanceID.NotFound error."
  it('DescribeInstances of an instance RunInstances just made is InvalidInstanceID.NotFound until the lag has passed', async () => {
    const run = await client.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, SubnetId: NAT.subPrivA }));
    const id = run.Instances?.[0]?.InstanceId ?? '';
    const e = await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: [id] })));
    assert.deepEqual([e.name, e.message], ['InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`]);
    assert.equal((await listed(client))[id], undefined);
    // The instance exists: a write naming it succeeds.
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'new' }] }));
    clock.advance(LAG);
    assert.equal(await stateOf(client, id), 'running');
  });

  it('lagged answers are never cached as current ones, nor current ones as lagged', async () => {
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.InstanceId, NAT.natA); // cached as current
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '0.0.0.0/0', InstanceId: NAT.natB }));
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.InstanceId, NAT.natA); // lagged
    s.setTiming({ readLagMs: 0 });
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.InstanceId, NAT.natB); // current, cached
    const r = await admin(s, 'POST', 'timing', { readLagMs: LAG });
    assert.equal(r.body.readLagMs, LAG);
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.InstanceId, NAT.natA); // lagged again, not the cached current answer
    // Tables that did not change in the window come from the cache unchanged.
    assert.equal((await routeTo(client, NAT.privB, '0.0.0.0/0'))?.InstanceId, NAT.natB);
  });

  it('without lag (the default) a write is visible to the next describe call', async () => {
    s.setTiming({ readLagMs: 0 });
    try {
      await client.send(new StopInstancesCommand({ InstanceIds: [NAT.natA] }));
      assert.equal(await stateOf(client, NAT.natA), 'stopped');
      assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'blackhole');
    } finally {
      s.setTiming({ readLagMs: LAG });
    }
  });
});
