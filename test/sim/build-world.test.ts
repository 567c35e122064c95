// Building and changing a world through the API with the real SDK: VPCs,
// subnets, route tables, associations and tags.
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteTagsCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DisassociateRouteTableCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../src/sim/simulator.js';
import { NAT, ec2, failure, sim } from './helpers.js';

describe('building a world through the API', () => {
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim();
    client = ec2(s);
  });
  beforeEach(() => s.reset());
  after(async () => {
    client.destroy();
    await s.close();
  });

  it('CreateVpc, CreateSubnet, RunInstances, CreateRouteTable, AssociateRouteTable and CreateRoute make a working table', async () => {
    const vpc = (await client.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16', TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'built' }] }] }))).Vpc;
    const vpcId = vpc?.VpcId;
    assert.ok(vpcId !== undefined && vpcId.startsWith('vpc-'));
    assert.equal(vpc?.CidrBlock, '10.9.0.0/16');
    const mains = await client.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }),
    );
    assert.equal(mains.RouteTables?.length, 1);
    const subnet = (await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.9.1.0/24', AvailabilityZone: 'us-east-1c' }))).Subnet;
    assert.ok(subnet?.SubnetId !== undefined);
    assert.equal(subnet.AvailabilityZone, 'us-east-1c');
    const table = (
      await client.send(
        new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: [{ ResourceType: 'route-table', Tags: [{ Key: 'Name', Value: 'new' }] }] }),
      )
    ).RouteTable;
    assert.ok(table?.RouteTableId !== undefined);
    assert.deepEqual(table.Routes, [{ DestinationCidrBlock: '10.9.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }]);
    assert.deepEqual(table.Tags, [{ Key: 'Name', Value: 'new' }]);
    const assoc = await client.send(new AssociateRouteTableCommand({ RouteTableId: table.RouteTableId, SubnetId: subnet.SubnetId }));
    assert.equal(assoc.AssociationState?.State, 'associated');
    const inst = (await client.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, SubnetId: subnet.SubnetId }))).Instances?.[0];
    assert.ok(inst?.InstanceId !== undefined);
    await client.send(new CreateRouteCommand({ RouteTableId: table.RouteTableId, DestinationCidrBlock: '0.0.0.0/0', InstanceId: inst.InstanceId }));
    const found = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnet.SubnetId] }] }));
    const t = found.RouteTables?.[0];
    assert.equal(t?.RouteTableId, table.RouteTableId);
    assert.equal(t?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.State, 'active');
    const vpcs = await client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['built'] }] }));
    assert.deepEqual(vpcs.Vpcs?.map((v) => v.VpcId), [vpcId]);
    const subnets = await client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    assert.deepEqual(subnets.Subnets?.map((x) => x.SubnetId), [subnet.SubnetId]);
  });

  it('DisassociateRouteTable removes an association, and the main association cannot be removed', async () => {
    const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.privA, NAT.main] }));
    const priv = r.RouteTables?.find((t) => t.RouteTableId === NAT.privA)?.Associations?.[0]?.RouteTableAssociationId;
    const main = r.RouteTables?.find((t) => t.RouteTableId === NAT.main)?.Associations?.[0]?.RouteTableAssociationId;
    assert.ok(priv !== undefined && main !== undefined);
    await client.send(new DisassociateRouteTableCommand({ AssociationId: priv }));
    const after = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.privA] }));
    assert.deepEqual(after.RouteTables?.[0]?.Associations, []);
    const e = await failure(() => client.send(new DisassociateRouteTableCommand({ AssociationId: main })));
    assert.equal(e.name, 'InvalidParameterValue');
    const gone = await failure(() => client.send(new DisassociateRouteTableCommand({ AssociationId: priv })));
    assert.equal(gone.name, 'InvalidAssociationID.NotFound');
  });

  it('AssociateRouteTable of a subnet that already has a table is Resource.AlreadyAssociated', async () => {
    const e = await failure(() => client.send(new AssociateRouteTableCommand({ RouteTableId: NAT.privB, SubnetId: NAT.subPrivA })));
    assert.equal(e.name, 'Resource.AlreadyAssociated');
  });

  it('AssociateRouteTable across VPCs is InvalidParameterValue', async () => {
    const e = await failure(() => client.send(new AssociateRouteTableCommand({ RouteTableId: NAT.privB, SubnetId: NAT.otherSubnet })));
    assert.equal(e.name, 'InvalidParameterValue');
  });

  it('CreateRouteTable in an unknown VPC is InvalidVpcID.NotFound', async () => {
    const e = await failure(() => client.send(new CreateRouteTableCommand({ VpcId: 'vpc-0000000000000dead' })));
    assert.equal(e.name, 'InvalidVpcID.NotFound');
  });

  it('CreateSubnet outside the VPC range is InvalidSubnet.Range, and over another subnet InvalidSubnet.Conflict', async () => {
    const range = await failure(() => client.send(new CreateSubnetCommand({ VpcId: NAT.vpc, CidrBlock: '10.99.0.0/24' })));
    assert.equal(range.name, 'InvalidSubnet.Range');
    const conflict = await failure(() => client.send(new CreateSubnetCommand({ VpcId: NAT.vpc, CidrBlock: '10.0.1.0/25' })));
    assert.equal(conflict.name, 'InvalidSubnet.Conflict');
  });

  it('CreateVpc with a bad range is InvalidVpc.Range', async () => {
    const e = await failure(() => client.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })));
    assert.equal(e.name, 'InvalidVpc.Range');
  });

  it('CreateTags and DeleteTags change what tag filters find', async () => {
    await client.send(new CreateTagsCommand({ Resources: [NAT.privA, NAT.natA], Tags: [{ Key: 'owner', Value: 'team-x' }] }));
    const tagged = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:owner', Values: ['team-x'] }] }));
    assert.deepEqual(tagged.RouteTables?.map((t) => t.RouteTableId), [NAT.privA]);
    await client.send(new DeleteTagsCommand({ Resources: [NAT.privA], Tags: [{ Key: 'owner', Value: 'someone-else' }] }));
    const kept = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag-key', Values: ['owner'] }] }));
    assert.equal(kept.RouteTables?.length, 1);
    await client.send(new DeleteTagsCommand({ Resources: [NAT.privA], Tags: [{ Key: 'owner' }] }));
    const none = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag-key', Values: ['owner'] }] }));
    assert.deepEqual(none.RouteTables, []);
  });

  it('CreateTags on an unknown resource is its NotFound code, and on a malformed id InvalidID', async () => {
    const nf = await failure(() => client.send(new CreateTagsCommand({ Resources: ['rtb-0000000000000dead'], Tags: [{ Key: 'a', Value: 'b' }] })));
    assert.equal(nf.name, 'InvalidRouteTableID.NotFound');
    const bad = await failure(() => client.send(new CreateTagsCommand({ Resources: ['nonsense'], Tags: [{ Key: 'a', Value: 'b' }] })));
    assert.equal(bad.name, 'InvalidID');
  });

  const dryRuns: [string, () => Promise<unknown>][] = [
    ['CreateVpc', () => client.send(new CreateVpcCommand({ DryRun: true, CidrBlock: '10.9.0.0/16' }))],
    ['CreateSubnet', () => client.send(new CreateSubnetCommand({ DryRun: true, VpcId: NAT.vpc, CidrBlock: '10.0.99.0/24' }))],
    ['CreateRouteTable', () => client.send(new CreateRouteTableCommand({ DryRun: true, VpcId: NAT.vpc }))],
    ['AssociateRouteTable', () => client.send(new AssociateRouteTableCommand({ DryRun: true, RouteTableId: NAT.privB, SubnetId: 'subnet-0a000000000000c01' }))],
    ['CreateTags', () => client.send(new CreateTagsCommand({ DryRun: true, Resources: [NAT.privA], Tags: [{ Key: 'k', Value: 'v' }] }))],
    ['DeleteTags', () => client.send(new DeleteTagsCommand({ DryRun: true, Resources: [NAT.privA], Tags: [{ Key: 'Name' }] }))],
    ['DescribeVpcs', () => client.send(new DescribeVpcsCommand({ DryRun: true }))],
    ['DescribeSubnets', () => client.send(new DescribeSubnetsCommand({ DryRun: true }))],
  ];
  for (const [action, call] of dryRuns) {
    it(`${action} with DryRun answers DryRunOperation and changes nothing`, async () => {
      const before = { tables: s.routeTables(), vpcs: s.state.vpcs.size, subnets: s.state.subnets.size };
      const e = await failure(call);
      assert.equal(e.name, 'DryRunOperation');
      assert.equal(e.status, 412);
      assert.deepEqual({ tables: s.routeTables(), vpcs: s.state.vpcs.size, subnets: s.state.subnets.size }, before);
      assert.deepEqual(s.mutations(), []);
    });
  }

  it('DisassociateRouteTable with DryRun answers DryRunOperation and keeps the association', async () => {
    const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.privA] }));
    const id = r.RouteTables?.[0]?.Associations?.[0]?.RouteTableAssociationId;
    const e = await failure(() => client.send(new DisassociateRouteTableCommand({ DryRun: true, AssociationId: id })));
    assert.equal(e.name, 'DryRunOperation');
    assert.deepEqual(s.routeTables({ ids: [NAT.privA] })[0]?.subnets, [NAT.subPrivA]);
  });
});
