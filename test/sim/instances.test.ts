// Instance lifecycle through the real SDK: state phases on an injected
// clock, route blackholing and recovery, interface deletion on termination,
// DescribeInstances / DescribeInstanceStatus, RunInstances, and DryRun.
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type Route,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/sim/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadWorldFile } from '../../src/sim/world.js';
import { ANYCAST_WORLD, ANY, NAT, NAT_WORLD, ec2, failure, sim } from './helpers.js';
import { prepareCreateRoute } from '../../src/sim/ops/routes.js';

async function routeTo(client: ReturnType<typeof ec2>, table: string, cidr: string): Promise<Route | undefined> {
  const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }));
  return r.RouteTables?.[0]?.Routes?.find((x) => x.DestinationCidrBlock === cidr);
}

async function stateOf(client: ReturnType<typeof ec2>, id: string): Promise<string | undefined> {
  const r = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

describe('instance phases on an injected clock', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    const world = loadWorldFile(NAT_WORLD);
    s = await sim({ ...world, timing: { pending_ms: 3000, stopping_ms: 5000, shutting_down_ms: 2000 } }, { clock });
    client = ec2(s);
  });
  after(async () => {
    client.destroy();
    await s.close();
  });

  // Route data type (EC2 API reference): "The blackhole state indicates that
  // the route's target isn't available (for example, the specified gateway
  // isn't attached to the VPC, or the specified NAT instance has been
  // terminated)." https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route
  // A stopped NAT instance too ("If the NAT instance is terminated or stopped,
  // the status will become 'Black Hole'",
  // https://schen1628.wordpress.com/2015/05/21/aws-auto-healing-vpc-nat-instance/);
  // whether AWS already says blackhole during `stopping` is not documented.
  it('a stopping instance blackholes its routes at once and is stopped when the phase ends', async () => {
    const r = await client.send(new StopInstancesCommand({ InstanceIds: [NAT.natA] }));
    assert.deepEqual(r.StoppingInstances?.[0]?.CurrentState, { Code: 64, Name: 'stopping' });
    assert.deepEqual(r.StoppingInstances?.[0]?.PreviousState, { Code: 16, Name: 'running' });
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'blackhole');
    clock.advance(4999);
    assert.equal(await stateOf(client, NAT.natA), 'stopping');
    clock.advance(1);
    assert.equal(await stateOf(client, NAT.natA), 'stopped');
    const route = await routeTo(client, NAT.privA, '0.0.0.0/0');
    assert.equal(route?.State, 'blackhole');
    assert.equal(route?.InstanceId, NAT.natA);
    assert.equal(route?.NetworkInterfaceId, NAT.eniA);
  });

  it('a started instance passes through pending and its routes are active again once it runs', async () => {
    const r = await client.send(new StartInstancesCommand({ InstanceIds: [NAT.natA] }));
    assert.equal(r.StartingInstances?.[0]?.CurrentState?.Name, 'pending');
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'blackhole');
    const status = await client.send(new DescribeInstanceStatusCommand({ InstanceIds: [NAT.natA], IncludeAllInstances: true }));
    assert.equal(status.InstanceStatuses?.[0]?.InstanceStatus?.Status, 'initializing');
    clock.advance(3000);
    assert.equal(await stateOf(client, NAT.natA), 'running');
    assert.equal((await routeTo(client, NAT.privA, '0.0.0.0/0'))?.State, 'active');
  });

  it('the mutation log stamps each phase change at the time it happened, under the action that caused it', () => {
    const changes = s.mutations({ kind: 'instance', instanceId: NAT.natA });
    assert.deepEqual(
      changes.map((m) => (m.kind === 'instance' ? [m.action, m.caller, m.before?.state, m.after.state, m.tMs] : [])),
      [
        ['StopInstances', 'AKIDSIMTEST', 'running', 'stopping', 0],
        ['StopInstances', 'AKIDSIMTEST', 'stopping', 'stopped', 5000],
        ['StartInstances', 'AKIDSIMTEST', 'stopped', 'pending', 5000],
        ['StartInstances', 'AKIDSIMTEST', 'pending', 'running', 8000],
      ],
    );
  });

  it('a terminating instance is shutting-down, then terminated', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [NAT.natB] }));
    assert.equal(await stateOf(client, NAT.natB), 'shutting-down');
    clock.advance(2000);
    assert.equal(await stateOf(client, NAT.natB), 'terminated');
  });
});

describe('instances', () => {
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim(ANYCAST_WORLD);
    client = ec2(s);
  });
  beforeEach(() => s.reset());
  after(async () => {
    client.destroy();
    await s.close();
  });

  // Route data type (EC2 API reference): "The blackhole state indicates that
  // the route's target isn't available (for example, the specified gateway
  // isn't attached to the VPC, or the specified NAT instance has been
  // terminated)." https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route
  it('termination deletes the primary interface and blackholes routes to it', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [ANY.a] }));
    const e = await failure(() => client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ANY.eniA] })));
    assert.equal(e.name, 'InvalidNetworkInterfaceID.NotFound');
    const r = await routeTo(client, ANY.main, '192.168.1.1/32');
    assert.equal(r?.State, 'blackhole');
    assert.equal(r?.NetworkInterfaceId, ANY.eniA);
    assert.equal(r?.InstanceId, ANY.a);
  });

  it('termination detaches a secondary interface kept by delete_on_termination false; routes to it blackhole', async () => {
    prepareCreateRoute(s.state, ANY.app, '192.168.2.2/32', 'destinationCidrBlock', { networkInterfaceId: ANY.eniC1 }, { action: 'test', caller: 'test' })();
    await client.send(new TerminateInstancesCommand({ InstanceIds: [ANY.c] }));
    const n = await client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [ANY.eniC1] }));
    assert.equal(n.NetworkInterfaces?.[0]?.Status, 'available');
    assert.equal(n.NetworkInterfaces?.[0]?.Attachment, undefined);
    const r = await routeTo(client, ANY.app, '192.168.2.2/32');
    assert.equal(r?.State, 'blackhole');
    assert.equal(r?.InstanceId, undefined);
    assert.equal(r?.NetworkInterfaceId, ANY.eniC1);
  });

  // Route data type: blackhole when "the route's target isn't available"
  // (https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route).
  it('a route to an interface detached through the admin API is blackhole', async () => {
    prepareCreateRoute(s.state, ANY.app, '192.168.2.2/32', 'destinationCidrBlock', { networkInterfaceId: ANY.eniC1 }, { action: 'test', caller: 'test' })();
    s.detachNetworkInterface(ANY.eniC1);
    assert.equal((await routeTo(client, ANY.app, '192.168.2.2/32'))?.State, 'blackhole');
  });

  it('starting a terminated instance is IncorrectInstanceState', async () => {
    await client.send(new TerminateInstancesCommand({ InstanceIds: [ANY.b] }));
    const e = await failure(() => client.send(new StartInstancesCommand({ InstanceIds: [ANY.b] })));
    assert.equal(e.name, 'IncorrectInstanceState');
  });

  it('stopping an unknown instance is InvalidInstanceID.NotFound and stops nothing', async () => {
    const e = await failure(() => client.send(new StopInstancesCommand({ InstanceIds: [ANY.a, 'i-0000000000000dead'] })));
    assert.equal(e.name, 'InvalidInstanceID.NotFound');
    assert.equal(await stateOf(client, ANY.a), 'running');
  });

  it('DescribeInstanceStatus lists only running instances by default', async () => {
    await client.send(new StopInstancesCommand({ InstanceIds: [ANY.b] }));
    const r = await client.send(new DescribeInstanceStatusCommand({}));
    assert.deepEqual(r.InstanceStatuses?.map((x) => x.InstanceId).sort(), [ANY.a, ANY.c]);
    const byId = await client.send(new DescribeInstanceStatusCommand({ InstanceIds: [ANY.b] }));
    assert.deepEqual(byId.InstanceStatuses, []);
  });

  it('DescribeInstanceStatus with IncludeAllInstances lists stopped instances as not-applicable', async () => {
    await client.send(new StopInstancesCommand({ InstanceIds: [ANY.b] }));
    const r = await client.send(new DescribeInstanceStatusCommand({ IncludeAllInstances: true }));
    const b = r.InstanceStatuses?.find((x) => x.InstanceId === ANY.b);
    assert.equal(r.InstanceStatuses?.length, 3);
    assert.deepEqual(b?.InstanceState, { Code: 80, Name: 'stopped' });
    assert.equal(b?.InstanceStatus?.Status, 'not-applicable');
    assert.equal(b?.SystemStatus?.Status, 'not-applicable');
  });

  it('DescribeInstanceStatus reports statuses set through the admin API, and filters on them', async () => {
    s.setInstanceStatus(ANY.a, { instance: 'impaired' });
    s.setInstanceStatus(ANY.b, { system: 'insufficient-data' });
    const r = await client.send(new DescribeInstanceStatusCommand({ InstanceIds: [ANY.a, ANY.b] }));
    const a = r.InstanceStatuses?.find((x) => x.InstanceId === ANY.a);
    const b = r.InstanceStatuses?.find((x) => x.InstanceId === ANY.b);
    assert.equal(a?.InstanceStatus?.Status, 'impaired');
    assert.equal(a?.InstanceStatus?.Details?.[0]?.Status, 'failed');
    assert.ok(a?.InstanceStatus?.Details?.[0]?.ImpairedSince instanceof Date);
    assert.equal(a?.SystemStatus?.Status, 'ok');
    assert.equal(b?.SystemStatus?.Status, 'insufficient-data');
    const impaired = await client.send(
      new DescribeInstanceStatusCommand({ Filters: [{ Name: 'instance-status.status', Values: ['impaired'] }] }),
    );
    assert.deepEqual(impaired.InstanceStatuses?.map((x) => x.InstanceId), [ANY.a]);
    const sys = await client.send(new DescribeInstanceStatusCommand({ Filters: [{ Name: 'system-status.status', Values: ['ok'] }] }));
    assert.deepEqual(sys.InstanceStatuses?.map((x) => x.InstanceId).sort(), [ANY.a, ANY.c]);
  });

  it('DescribeInstances filters by state, tag and interface, and reports the primary interface source/dest check', async () => {
    await client.send(new StopInstancesCommand({ InstanceIds: [ANY.b] }));
    const running = await client.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }, { Name: 'tag:role', Values: ['dns'] }] }),
    );
    const ids = running.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId).sort();
    assert.deepEqual(ids, [ANY.a, ANY.c]);
    const byEni = await client.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'network-interface.network-interface-id', Values: [ANY.eniC1] }] }),
    );
    const c = byEni.Reservations?.[0]?.Instances?.[0];
    assert.equal(c?.InstanceId, ANY.c);
    assert.equal(c?.SourceDestCheck, true);
    assert.deepEqual(c?.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.Attachment?.DeviceIndex, n.SourceDestCheck]), [
      [ANY.eniC0, 0, true],
      [ANY.eniC1, 1, false],
    ]);
    assert.equal(c?.Placement?.AvailabilityZone, 'eu-west-1c');
    assert.equal(c?.MetadataOptions?.HttpTokens, 'required');
  });

  const instanceFilterCases: [string, { Name: string; Values: string[] }[], string[]][] = [
    ['instance-id', [{ Name: 'instance-id', Values: [ANY.b] }], [ANY.b]],
    ['instance-state-code', [{ Name: 'instance-state-code', Values: ['16'] }], [ANY.a, ANY.b, ANY.c]],
    ['vpc-id', [{ Name: 'vpc-id', Values: [ANY.vpc] }], [ANY.a, ANY.b, ANY.c]],
    ['subnet-id', [{ Name: 'subnet-id', Values: ['subnet-0c00000000000000a'] }], [ANY.a]],
    ['availability-zone', [{ Name: 'availability-zone', Values: ['eu-west-1b'] }], [ANY.b]],
    ['private-ip-address', [{ Name: 'private-ip-address', Values: ['127.0.3.13'] }], [ANY.c]],
    ['network-interface.addresses.private-ip-address', [{ Name: 'network-interface.addresses.private-ip-address', Values: ['127.0.3.113'] }], [ANY.c]],
    ['source-dest-check', [{ Name: 'source-dest-check', Values: ['false'] }], [ANY.a, ANY.b]],
    ['tag-key', [{ Name: 'tag-key', Values: ['role'] }], [ANY.a, ANY.b, ANY.c]],
    ['tag:Name with a wildcard', [{ Name: 'tag:Name', Values: ['dns-?'] }], [ANY.a, ANY.b, ANY.c]],
  ];
  for (const [name, filters, expected] of instanceFilterCases) {
    it(`DescribeInstances filter ${name} selects the right instances`, async () => {
      const r = await client.send(new DescribeInstancesCommand({ Filters: filters }));
      assert.deepEqual(r.Reservations?.flatMap((x) => x.Instances ?? []).map((i) => i.InstanceId).sort(), expected);
    });
  }

  it('DescribeInstanceStatus filters by state name and zone', async () => {
    await client.send(new StopInstancesCommand({ InstanceIds: [ANY.b] }));
    const stopped = await client.send(
      new DescribeInstanceStatusCommand({ IncludeAllInstances: true, Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] }),
    );
    assert.deepEqual(stopped.InstanceStatuses?.map((x) => x.InstanceId), [ANY.b]);
    const zone = await client.send(new DescribeInstanceStatusCommand({ Filters: [{ Name: 'availability-zone', Values: ['eu-west-1c'] }] }));
    assert.deepEqual(zone.InstanceStatuses?.map((x) => x.InstanceId), [ANY.c]);
    // The simulator has no scheduled events: the documented event filters truthfully match nothing.
    const events = await client.send(new DescribeInstanceStatusCommand({ Filters: [{ Name: 'event.code', Values: ['*'] }] }));
    assert.deepEqual(events.InstanceStatuses ?? [], []);
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceStatus.html lists no instance-id filter.
    const e = await failure(() => client.send(new DescribeInstanceStatusCommand({ Filters: [{ Name: 'instance-id', Values: [ANY.a] }] })));
    assert.equal(e.name, 'InvalidParameterValue');
    assert.equal(e.message, "The filter 'instance-id' is invalid");
  });

  it('DescribeInstances with MaxResults pages, and refuses MaxResults with InstanceIds', async () => {
    const p1 = await client.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    assert.equal(p1.Reservations?.flatMap((r) => r.Instances ?? []).length, 3);
    const e = await failure(() => client.send(new DescribeInstancesCommand({ MaxResults: 5, InstanceIds: [ANY.a] })));
    assert.equal(e.name, 'InvalidParameterCombination');
  });

  it('DescribeInstances of an unknown id is InvalidInstanceID.NotFound', async () => {
    const e = await failure(() => client.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })));
    assert.equal(e.name, 'InvalidInstanceID.NotFound');
  });

  it('RunInstances launches an instance with an interface, tags and its own metadata endpoint', async () => {
    const r = await client.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: 'subnet-0c00000000000000b',
        PrivateIpAddress: '127.0.3.50',
        InstanceType: 't3.nano',
        MetadataOptions: { HttpTokens: 'optional' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'new' }] }],
      }),
    );
    const inst = r.Instances?.[0];
    assert.ok(inst?.InstanceId !== undefined);
    assert.equal(inst.PrivateIpAddress, '127.0.3.50');
    assert.equal(inst.NetworkInterfaces?.length, 1);
    assert.deepEqual(inst.Tags, [{ Key: 'Name', Value: 'new' }]);
    assert.equal(await stateOf(client, inst.InstanceId), 'running');
    const listed = (await s.instances()).find((i) => i.instanceId === inst.InstanceId);
    assert.ok(listed !== undefined && listed.imdsEndpoint.startsWith('http://127.'));
    const res = await fetch(`${listed.imdsEndpoint}/latest/meta-data/instance-id`);
    assert.equal(await res.text(), inst.InstanceId);
  });

  it('RunInstances without a subnet is VPCIdNotSpecified', async () => {
    const e = await failure(() => client.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 })));
    assert.equal(e.name, 'VPCIdNotSpecified');
  });

  it('RunInstances with an address in use is InvalidIPAddress.InUse', async () => {
    const e = await failure(() =>
      client.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0c00000000000000a', PrivateIpAddress: '127.0.3.11' })),
    );
    assert.equal(e.name, 'InvalidIPAddress.InUse');
  });

  // DryRun (EC2 API reference, on every action): "Checks whether you have the
  // required permissions for the action, without actually making the request,
  // and provides an error response. If you have the required permissions, the
  // error response is DryRunOperation." (e.g. CreateRoute,
  // https://docs.aws.amazon.com/sdk-for-ruby/v3/api/Aws/EC2/Types/CreateRouteRequest.html);
  // "DryRunOperation: The user has the required permissions, so the request
  // would have succeeded, but the DryRun parameter was used."
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
  // AWS documents no status; the public reports give 412
  // (https://github.com/getmoto/moto/pull/4270, https://github.com/floci-io/floci/issues/3598).
  describe('DryRun', () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      ['StopInstances', () => client.send(new StopInstancesCommand({ DryRun: true, InstanceIds: [ANY.a] })), 'DryRunOperation'],
      ['StartInstances', () => client.send(new StartInstancesCommand({ DryRun: true, InstanceIds: [ANY.a] })), 'DryRunOperation'],
      ['TerminateInstances', () => client.send(new TerminateInstancesCommand({ DryRun: true, InstanceIds: [ANY.a] })), 'DryRunOperation'],
      ['RunInstances', () => client.send(new RunInstancesCommand({ DryRun: true, ImageId: 'ami-1', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0c00000000000000a' })), 'DryRunOperation'],
      ['StopInstances of an unknown instance', () => client.send(new StopInstancesCommand({ DryRun: true, InstanceIds: ['i-0000000000000dead'] })), 'InvalidInstanceID.NotFound'],
      ['DescribeInstances', () => client.send(new DescribeInstancesCommand({ DryRun: true })), 'DryRunOperation'],
      ['DescribeInstanceStatus', () => client.send(new DescribeInstanceStatusCommand({ DryRun: true })), 'DryRunOperation'],
    ];
    for (const [action, call, code] of cases) {
      it(`${action} with DryRun answers ${code} and changes no instance`, async () => {
        const before = await s.instances();
        const e = await failure(call);
        assert.equal(e.name, code);
        assert.deepEqual(await s.instances(), before);
        assert.deepEqual(s.mutations(), []);
      });
    }
  });
});
