// CreateRoute, ReplaceRoute and DeleteRoute through the real SDK: targets,
// IPv4 and IPv6, every error code, DryRun without side effects, and the
// mutation log.
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  type Route,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../src/sim/simulator.js';
import { ANYCAST_WORLD, ANY, NAT, ec2, failure, sim } from './helpers.js';

describe('route mutations', () => {
  let s: Simulator;
  let client: ReturnType<typeof ec2>;
  before(async () => {
    s = await sim(ANYCAST_WORLD);
    client = ec2(s, { accessKeyId: 'AKIDROUTES' });
  });
  beforeEach(() => s.reset());
  after(async () => {
    client.destroy();
    await s.close();
  });

  const routes = async (table: string): Promise<Route[]> => {
    const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }));
    return r.RouteTables?.[0]?.Routes ?? [];
  };
  const route = async (table: string, cidr: string): Promise<Route | undefined> =>
    (await routes(table)).find((r) => r.DestinationCidrBlock === cidr || r.DestinationIpv6CidrBlock === cidr);

  // Routes to an attached interface carry both ids, whichever was given: after
  // a route targets an instance, "reading back the route from the EC2 API also
  // returns the ENI ID of the instance's primary network interface", and a
  // route made with the ENI "also returns the Instance ID of that ENI"
  // (https://github.com/hashicorp/terraform-provider-aws/issues/14197); fields
  // per the Route data type (https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route).
  it('CreateRoute with an InstanceId records the instance, its owner and its interface', async () => {
    await client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b }));
    assert.deepEqual(await route(ANY.app, '192.168.1.1/32'), {
      DestinationCidrBlock: '192.168.1.1/32',
      InstanceId: ANY.b,
      InstanceOwnerId: '210987654321',
      NetworkInterfaceId: ANY.eniB,
      Origin: 'CreateRoute',
      State: 'active',
    });
  });

  it('CreateRoute with a NetworkInterfaceId also reports the instance it is attached to', async () => {
    await client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', NetworkInterfaceId: ANY.eniC1 }));
    const r = await route(ANY.app, '192.168.1.1/32');
    assert.equal(r?.InstanceId, ANY.c);
    assert.equal(r?.NetworkInterfaceId, ANY.eniC1);
  });

  it('CreateRoute takes an IPv6 destination and stores it in canonical form', async () => {
    await client.send(
      new CreateRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '2001:DB8:0:0::1/128', NetworkInterfaceId: ANY.eniA }),
    );
    const r = await route(ANY.app, '2001:db8::1/128');
    assert.equal(r?.DestinationIpv6CidrBlock, '2001:db8::1/128');
    assert.equal(r?.NetworkInterfaceId, ANY.eniA);
    assert.equal(r?.DestinationCidrBlock, undefined);
  });

  it('CreateRoute with an InstanceId of an instance with several interfaces is InvalidInstanceID', async () => {
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.c })),
    );
    assert.equal(e.name, 'InvalidInstanceID');
    assert.equal(e.status, 400);
  });

  it('CreateRoute of an existing destination is RouteAlreadyExists', async () => {
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'RouteAlreadyExists');
  });

  it('CreateRoute onto the local destination is RouteAlreadyExists', async () => {
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '10.20.0.0/16', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'RouteAlreadyExists');
  });

  const badTargets: [string, Record<string, string>, string][] = [
    ['no target', {}, 'InvalidParameterCombination'],
    ['two targets', { InstanceId: ANY.b, NetworkInterfaceId: ANY.eniB }, 'InvalidParameterCombination'],
    ['an unknown instance', { InstanceId: 'i-0000000000000dead' }, 'InvalidInstanceID.NotFound'],
    ['an unknown interface', { NetworkInterfaceId: 'eni-0000000000000dead' }, 'InvalidNetworkInterfaceID.NotFound'],
    ['an unknown gateway', { GatewayId: 'igw-0000000000000dead' }, 'InvalidGatewayID.NotFound'],
    ['an interface id passed as a gateway', { GatewayId: ANY.eniB }, 'InvalidGatewayID.NotFound'],
    ['an unmodelled target kind', { VpcPeeringConnectionId: 'pcx-0123456789abcdef0' }, 'InvalidParameterValue'],
    // As AWS answered CreateRoute in https://github.com/boto/boto3/issues/779 (more in nat-gateways.test.ts).
    ['an unknown NAT gateway', { NatGatewayId: 'nat-0000000000000dead' }, 'InvalidNatGatewayID.NotFound'],
  ];
  for (const [what, target, code] of badTargets) {
    it(`CreateRoute with ${what} is ${code}`, async () => {
      const e = await failure(() =>
        client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.9.9/32', ...target })),
      );
      assert.equal(e.name, code);
      assert.equal(e.status, 400);
    });
  }

  it('CreateRoute with a malformed CIDR is InvalidParameterValue', async () => {
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '10.0.0.300/32', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'InvalidParameterValue');
  });

  const wrongFamily: [string, () => Promise<unknown>][] = [
    ['CreateRoute with an IPv6 DestinationCidrBlock', () => client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '2001:db8::/64', InstanceId: ANY.b }))],
    ['CreateRoute with an IPv4 DestinationIpv6CidrBlock', () => client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '10.9.0.0/16', InstanceId: ANY.b }))],
    ['ReplaceRoute naming an IPv4 route by DestinationIpv6CidrBlock', () => client.send(new ReplaceRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '192.168.1.1/32', NetworkInterfaceId: ANY.eniB }))],
    ['DeleteRoute naming an IPv4 route by DestinationIpv6CidrBlock', () => client.send(new DeleteRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '192.168.1.1/32' }))],
    ['DeleteRoute with an IPv6 DestinationCidrBlock', () => client.send(new DeleteRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '2a05:d018:abcd:ee00::/56' }))],
  ];
  for (const [name, call] of wrongFamily) {
    it(`${name} is InvalidParameterValue and changes nothing`, async () => {
      const before = await routes(ANY.app);
      const e = await failure(call);
      assert.equal(e.name, 'InvalidParameterValue');
      assert.equal(e.status, 400);
      assert.match(e.message, /not a valid IPv[46] CIDR block/);
      assert.deepEqual(await routes(ANY.app), before);
    });
  }

  it('CreateRoute in an unknown table is InvalidRouteTableID.NotFound', async () => {
    const e = await failure(() =>
      client.send(new CreateRouteCommand({ RouteTableId: 'rtb-0000000000000dead', DestinationCidrBlock: '10.9.0.0/16', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'InvalidRouteTableID.NotFound');
  });

  it('CreateRoute without a destination is MissingParameter', async () => {
    const e = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: ANY.app, InstanceId: ANY.b })));
    assert.equal(e.name, 'MissingParameter');
  });

  it('ReplaceRoute points an existing route at a new target and logs before and after', async () => {
    const since = s.mutations().at(-1)?.seq ?? 0;
    await client.send(new ReplaceRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', NetworkInterfaceId: ANY.eniB }));
    const r = await route(ANY.main, '192.168.1.1/32');
    assert.equal(r?.NetworkInterfaceId, ANY.eniB);
    assert.equal(r?.InstanceId, ANY.b);
    assert.equal(r?.Origin, 'CreateRoute');
    const [m] = s.mutations({ since, kind: 'route' });
    assert.ok(m !== undefined && m.kind === 'route');
    assert.equal(m.action, 'ReplaceRoute');
    assert.equal(m.caller, 'AKIDROUTES');
    assert.equal(m.routeTableId, ANY.main);
    assert.equal(m.cidr, '192.168.1.1/32');
    assert.equal(m.before?.networkInterfaceId, ANY.eniA);
    assert.equal(m.after?.networkInterfaceId, ANY.eniB);
    assert.equal(typeof m.tMs, 'number');
    assert.ok(!Number.isNaN(Date.parse(m.time)));
  });

  it('ReplaceRoute of a missing route is InvalidParameterValue', async () => {
    const e = await failure(() =>
      client.send(new ReplaceRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'InvalidParameterValue');
  });

  it('ReplaceRoute of the local route is InvalidParameterValue and changes nothing', async () => {
    const e = await failure(() =>
      client.send(new ReplaceRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '10.20.0.0/16', InstanceId: ANY.b })),
    );
    assert.equal(e.name, 'InvalidParameterValue');
    assert.equal((await route(ANY.main, '10.20.0.0/16'))?.GatewayId, 'local');
  });

  it('ReplaceRoute with an InstanceId of a multi-interface instance is InvalidInstanceID', async () => {
    const e = await failure(() =>
      client.send(new ReplaceRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.c })),
    );
    assert.equal(e.name, 'InvalidInstanceID');
  });

  it('DeleteRoute removes the route and logs a null after', async () => {
    await client.send(new DeleteRouteCommand({ RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32' }));
    assert.equal(await route(ANY.main, '192.168.1.1/32'), undefined);
    const m = s.mutations({ kind: 'route' }).at(-1);
    assert.ok(m !== undefined && m.kind === 'route');
    assert.equal(m.after, null);
    assert.equal(m.before?.instanceId, ANY.a);
  });

  it('DeleteRoute of an IPv6 route works by DestinationIpv6CidrBlock', async () => {
    await client.send(new CreateRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '2001:db8::/64', NetworkInterfaceId: ANY.eniA }));
    await client.send(new DeleteRouteCommand({ RouteTableId: ANY.app, DestinationIpv6CidrBlock: '2001:db8:0::/64' }));
    assert.equal(await route(ANY.app, '2001:db8::/64'), undefined);
  });

  it('DeleteRoute of a missing route is InvalidRoute.NotFound', async () => {
    const e = await failure(() => client.send(new DeleteRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32' })));
    assert.equal(e.name, 'InvalidRoute.NotFound');
  });

  it('DeleteRoute of the local route is InvalidParameterValue', async () => {
    const e = await failure(() => client.send(new DeleteRouteCommand({ RouteTableId: ANY.app, DestinationCidrBlock: '10.20.0.0/16' })));
    assert.equal(e.name, 'InvalidParameterValue');
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
    const dryRuns: [string, () => Promise<unknown>, string][] = [
      ['CreateRoute that would succeed', () => client.send(new CreateRouteCommand({ DryRun: true, RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })), 'DryRunOperation'],
      ['ReplaceRoute that would succeed', () => client.send(new ReplaceRouteCommand({ DryRun: true, RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })), 'DryRunOperation'],
      ['DeleteRoute that would succeed', () => client.send(new DeleteRouteCommand({ DryRun: true, RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32' })), 'DryRunOperation'],
      ['CreateRoute that would fail', () => client.send(new CreateRouteCommand({ DryRun: true, RouteTableId: ANY.main, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })), 'RouteAlreadyExists'],
      ['ReplaceRoute that would fail', () => client.send(new ReplaceRouteCommand({ DryRun: true, RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32', InstanceId: ANY.b })), 'InvalidParameterValue'],
      ['DeleteRoute that would fail', () => client.send(new DeleteRouteCommand({ DryRun: true, RouteTableId: ANY.app, DestinationCidrBlock: '192.168.1.1/32' })), 'InvalidRoute.NotFound'],
    ];
    for (const [what, call, code] of dryRuns) {
      it(`${what} answers ${code} and changes no route`, async () => {
        const before = s.routeTables();
        const e = await failure(call);
        assert.equal(e.name, code);
        assert.equal(e.status, code === 'DryRunOperation' ? 412 : 400);
        assert.deepEqual(s.routeTables(), before);
        assert.deepEqual(s.mutations({ kind: 'route' }), []);
      });
    }
  });
});

describe('routes across VPCs', () => {
  it('a target in another VPC is refused with InvalidParameterValue', async () => {
    const s = await sim();
    const client = ec2(s);
    try {
      const e = await failure(() =>
        client.send(new CreateRouteCommand({ RouteTableId: NAT.other, DestinationCidrBlock: '192.168.1.1/32', InstanceId: NAT.natA })),
      );
      assert.equal(e.name, 'InvalidParameterValue');
      const g = await failure(() =>
        client.send(new CreateRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: '192.168.1.1/32', GatewayId: NAT.otherIgw })),
      );
      assert.equal(g.name, 'InvalidParameterValue');
    } finally {
      client.destroy();
      await s.close();
    }
  });
});
