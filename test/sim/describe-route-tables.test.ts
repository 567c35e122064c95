// DescribeRouteTables through the real SDK: every filter, wildcards,
// pagination and the errors for bad input.
import {
  AssociateRouteTableCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  paginateDescribeRouteTables,
  type Filter,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Simulator } from '../../src/sim/simulator.js';
import { ANYCAST_WORLD, ANY, NAT, WORLDS, ec2, failure, sim } from './helpers.js';

const OTHER_MAIN = 'rtb-0b000000000000000';
const SPARE_SUBNET = 'subnet-0a000000000000c01';

describe('DescribeRouteTables', () => {
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim();
    client = ec2(s);
  });
  after(async () => {
    client.destroy();
    await s.close();
  });

  const ids = async (filters: Filter[]): Promise<string[]> => {
    const r = await client.send(new DescribeRouteTablesCommand({ Filters: filters }));
    return (r.RouteTables ?? []).map((t) => t.RouteTableId!).sort();
  };
  const all = [NAT.main, NAT.public, NAT.privA, NAT.privB, OTHER_MAIN, NAT.other].sort();

  const cases: [string, Filter[], string[]][] = [
    ['vpc-id selects the tables of one VPC', [{ Name: 'vpc-id', Values: [NAT.otherVpc] }], [OTHER_MAIN, NAT.other]],
    ['route-table-id selects by id', [{ Name: 'route-table-id', Values: [NAT.privA, NAT.privB] }], [NAT.privA, NAT.privB]],
    ['route-table-id accepts a ? wildcard', [{ Name: 'route-table-id', Values: ['rtb-0a0000000000000?1'] }], [NAT.privA, NAT.privB]],
    ['association.main true selects the main tables', [{ Name: 'association.main', Values: ['true'] }], [NAT.main, OTHER_MAIN]],
    ['association.main false selects the other tables', [{ Name: 'association.main', Values: ['false'] }], [NAT.public, NAT.privA, NAT.privB, NAT.other]],
    ['association.subnet-id selects the explicitly associated table', [{ Name: 'association.subnet-id', Values: [NAT.subPrivA] }], [NAT.privA]],
    ['tag:<key> matches a tag value exactly', [{ Name: 'tag:type', Values: ['private'] }], [NAT.privA, NAT.privB, NAT.other]],
    ['tag:<key> accepts a * wildcard', [{ Name: 'tag:Name', Values: ['private-*'] }], [NAT.privA, NAT.privB, NAT.other]],
    ['tag-key selects tables having the key', [{ Name: 'tag-key', Values: ['az'] }], [NAT.privA, NAT.privB]],
    ['route.destination-cidr-block matches a route destination', [{ Name: 'route.destination-cidr-block', Values: ['0.0.0.0/0'] }], [NAT.public, NAT.privA, NAT.privB, NAT.other]],
    ['route.destination-cidr-block matches local routes too', [{ Name: 'route.destination-cidr-block', Values: ['10.1.0.0/16'] }], [OTHER_MAIN, NAT.other]],
    ['route.instance-id matches instance routes', [{ Name: 'route.instance-id', Values: [NAT.natA] }], [NAT.privA]],
    ['route.gateway-id matches internet gateway routes', [{ Name: 'route.gateway-id', Values: [NAT.igw] }], [NAT.public]],
    ['route.gateway-id local matches every table', [{ Name: 'route.gateway-id', Values: ['local'] }], all],
    ['route.state active matches every table here', [{ Name: 'route.state', Values: ['active'] }], all],
    ['route.state blackhole matches nothing while every target runs', [{ Name: 'route.state', Values: ['blackhole'] }], []],
    ['route.origin CreateRoute matches tables with added routes', [{ Name: 'route.origin', Values: ['CreateRoute'] }], [NAT.public, NAT.privA, NAT.privB, NAT.other]],
    ['route.origin CreateRouteTable matches every table', [{ Name: 'route.origin', Values: ['CreateRouteTable'] }], all],
    ['association.route-table-id matches tables that have associations', [{ Name: 'association.route-table-id', Values: [NAT.privB] }], [NAT.privB]],
    ['owner-id matches the account', [{ Name: 'owner-id', Values: ['123456789012'] }], all],
    ['values of one filter are ORed', [{ Name: 'tag:Name', Values: ['public', 'main'] }], [NAT.main, NAT.public]],
    ['separate filters are ANDed', [{ Name: 'vpc-id', Values: [NAT.vpc] }, { Name: 'tag:type', Values: ['private'] }], [NAT.privA, NAT.privB]],
    ['a filter that matches nothing returns an empty list', [{ Name: 'tag:Name', Values: ['nope'] }], []],
  ];
  for (const [name, filters, expected] of cases) {
    it(name, async () => {
      assert.deepEqual(await ids(filters), [...expected].sort());
    });
  }

  it('association.route-table-association-id selects the table owning the association', async () => {
    const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.privA] }));
    const assoc = r.RouteTables?.[0]?.Associations?.[0]?.RouteTableAssociationId;
    assert.ok(assoc !== undefined && assoc.startsWith('rtbassoc-'));
    assert.deepEqual(await ids([{ Name: 'association.route-table-association-id', Values: [assoc] }]), [NAT.privA]);
  });

  // route.nat-gateway-id is implemented: test/sim/nat-gateways.test.ts.
  for (const name of [
    'route.transit-gateway-id',
    'route.vpc-peering-connection-id',
    'route.egress-only-internet-gateway-id',
    'route.destination-prefix-list-id',
  ]) {
    it(`${name} is accepted and matches nothing (the simulator models no such target)`, async () => {
      assert.deepEqual(await ids([{ Name: name, Values: ['*'] }]), []);
      assert.deepEqual(await ids([{ Name: 'vpc-id', Values: [NAT.vpc] }, { Name: name, Values: ['nat-0123456789abcdef0', 'pl-63a5400a'] }]), []);
    });
  }

  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeRouteTables.html: the
  // model the simulator enforces (botocore 1.29.27) does not list these for the action.
  for (const name of ['tag-value', 'route.network-interface-id', 'association.association-state', 'association.gateway-id']) {
    it(`${name}, which AWS's model does not document for DescribeRouteTables, is refused like any unknown filter`, async () => {
      const e = await failure(() => ids([{ Name: name, Values: ['x'] }]));
      assert.equal(e.name, 'InvalidParameterValue');
      assert.equal(e.message, `The filter '${name}' is invalid`);
    });
  }

  it('an unknown filter is a 400 InvalidParameterValue', async () => {
    const e = await failure(() => ids([{ Name: 'route.colour', Values: ['blue'] }]));
    assert.equal(e.name, 'InvalidParameterValue');
    assert.equal(e.status, 400);
  });

  it('an unknown route table id is InvalidRouteTableID.NotFound', async () => {
    const e = await failure(() => client.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000dead'] })));
    assert.equal(e.name, 'InvalidRouteTableID.NotFound');
    assert.equal(e.status, 400);
  });

  // Route data type: instanceId ("The ID of a NAT instance in your VPC"),
  // instanceOwnerId, networkInterfaceId, origin, state
  // (https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route). AWS reports
  // both the instance and its interface for a route made with either
  // ("reading back the route from the EC2 API also returns the ENI ID of the
  // instance's primary network interface", and the instance ID for a route
  // made with the ENI: https://github.com/hashicorp/terraform-provider-aws/issues/14197).
  it('a route to an instance reports InstanceId, InstanceOwnerId, NetworkInterfaceId, Origin and State', async () => {
    const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [NAT.privA] }));
    const t = r.RouteTables![0]!;
    assert.equal(t.VpcId, NAT.vpc);
    assert.equal(t.OwnerId, '123456789012');
    assert.deepEqual(t.Routes, [
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      {
        DestinationCidrBlock: '0.0.0.0/0',
        InstanceId: NAT.natA,
        InstanceOwnerId: '123456789012',
        NetworkInterfaceId: NAT.eniA,
        Origin: 'CreateRoute',
        State: 'active',
      },
    ]);
    assert.deepEqual(t.Associations?.map((a) => [a.SubnetId, a.Main, a.AssociationState?.State]), [[NAT.subPrivA, false, 'associated']]);
    assert.deepEqual(t.Tags?.find((x) => x.Key === 'type'), { Key: 'type', Value: 'private' });
  });

  it('MaxResults and NextToken page through the tables', async () => {
    const first = await client.send(new DescribeRouteTablesCommand({ MaxResults: 5 }));
    assert.equal(first.RouteTables?.length, 5);
    assert.ok(first.NextToken);
    const second = await client.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.RouteTables?.length, 1);
    assert.equal(second.NextToken, undefined);
    const seen = [...first.RouteTables, ...second.RouteTables].map((t) => t.RouteTableId!).sort();
    assert.deepEqual(seen, all);
  });

  it('pagination applies after filtering', async () => {
    const r = await client.send(
      new DescribeRouteTablesCommand({ MaxResults: 5, Filters: [{ Name: 'tag:type', Values: ['private'] }] }),
    );
    assert.equal(r.RouteTables?.length, 3);
    assert.equal(r.NextToken, undefined);
  });

  it('MaxResults below 5 is InvalidParameterValue', async () => {
    const e = await failure(() => client.send(new DescribeRouteTablesCommand({ MaxResults: 4 })));
    assert.equal(e.name, 'InvalidParameterValue');
  });

  it('a forged NextToken is InvalidPaginationToken', async () => {
    const e = await failure(() => client.send(new DescribeRouteTablesCommand({ MaxResults: 5, NextToken: 'bm9wZQ' })));
    assert.equal(e.name, 'InvalidPaginationToken');
  });

  // DryRunOperation: "The user has the required permissions, so the request
  // would have succeeded, but the DryRun parameter was used."
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
  // HTTP 412 as in the public reports (https://github.com/getmoto/moto/pull/4270).
  it('DryRun on a describe answers DryRunOperation with HTTP 412', async () => {
    const e = await failure(() => client.send(new DescribeRouteTablesCommand({ DryRun: true })));
    assert.equal(e.name, 'DryRunOperation');
    assert.equal(e.status, 412);
  });
});

describe('DescribeRouteTables association.main', () => {
  it('follows the associations’ main flags: no associations matches neither value, a main table with subnets matches both', async () => {
    const s = await sim();
    const client = ec2(s);
    const ids = async (main: string): Promise<string[]> => {
      const r = await client.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [NAT.vpc] }, { Name: 'association.main', Values: [main] }] }),
      );
      return (r.RouteTables ?? []).map((t) => t.RouteTableId!).sort();
    };
    try {
      const created = await client.send(new CreateRouteTableCommand({ VpcId: NAT.vpc }));
      const bare = created.RouteTable!.RouteTableId!;
      assert.deepEqual(await ids('true'), [NAT.main]);
      assert.deepEqual(await ids('false'), [NAT.public, NAT.privA, NAT.privB].sort(), 'a table without associations is not returned');
      await client.send(new AssociateRouteTableCommand({ RouteTableId: NAT.main, SubnetId: SPARE_SUBNET }));
      assert.deepEqual(await ids('true'), [NAT.main]);
      assert.deepEqual(await ids('false'), [NAT.main, NAT.public, NAT.privA, NAT.privB].sort(), 'the main table’s subnet association has main=false');
      assert.ok(!(await ids('false')).includes(bare));
    } finally {
      client.destroy();
      await s.close();
    }
  });
});

describe('DescribeRouteTables on other worlds', () => {
  it('route.destination-ipv6-cidr-block matches IPv6 routes', async () => {
    const s = await sim(ANYCAST_WORLD);
    const client = ec2(s);
    try {
      const r = await client.send(
        new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.destination-ipv6-cidr-block', Values: ['2a05:d018:abcd:ee00::/56'] }] }),
      );
      assert.deepEqual(r.RouteTables?.map((t) => t.RouteTableId).sort(), [ANY.main, ANY.app]);
      const local6 = r.RouteTables?.[0]?.Routes?.find((x) => x.DestinationIpv6CidrBlock !== undefined);
      assert.deepEqual(local6, { DestinationIpv6CidrBlock: '2a05:d018:abcd:ee00::/56', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' });
    } finally {
      client.destroy();
      await s.close();
    }
  });

  it('the SDK paginator reads all 200 tables and 10,000 routes of the load world', async () => {
    const s = await sim(`${WORLDS}load-200x50.yaml`);
    const client = ec2(s);
    try {
      let tables = 0;
      let routes = 0;
      let pages = 0;
      const p = paginateDescribeRouteTables(
        { client, pageSize: 100 },
        { Filters: [{ Name: 'vpc-id', Values: ['vpc-0d000000000000001'] }, { Name: 'tag:Name', Values: ['load-*'] }] },
      );
      for await (const page of p) {
        pages++;
        for (const t of page.RouteTables ?? []) {
          tables++;
          routes += (t.Routes ?? []).filter((r) => r.GatewayId !== 'local').length;
        }
      }
      assert.equal(tables, 200);
      assert.equal(routes, 10000);
      assert.equal(pages, 2);
    } finally {
      client.destroy();
      await s.close();
    }
  });
});
