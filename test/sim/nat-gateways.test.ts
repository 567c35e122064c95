// NAT gateways as AWS models them, through the real @aws-sdk/client-ec2 on a
// manual clock. Each behaviour names the AWS page (or, where AWS documents no
// wording, the public report of AWS's answer) it follows:
//
// * CreateNatGateway, DeleteNatGateway, DescribeNatGateways (EC2 API reference):
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateNatGateway.html
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteNatGateway.html
//   ("Deleting a NAT gateway does not delete any NAT gateway routes in your route tables.")
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNatGateways.html
//   (filters nat-gateway-id, state, subnet-id, tag:<key>, tag-key, vpc-id; MaxResults 5–1000 and NextToken)
// * NatGateway data type: the states ("pending: ... not ready to process
//   traffic", "available: ... able to process traffic", "deleting: ... may
//   still be processing traffic", "deleted: ... no longer processing
//   traffic", "failed: ... could not be created") and failureCode /
//   failureMessage ("For Resource.AlreadyAssociated: "Elastic IP address
//   eipalloc-xxxxxxxx is already associated"", "For Gateway.NotAttached:
//   "Network vpc-xxxxxxxx has no Internet gateway attached"").
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html
// * Route data type: natGatewayId; "The blackhole state indicates that the
//   route's target isn't available".
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html
// * Amazon VPC User Guide, NAT gateways (AWS's source in the archived
//   awsdocs/amazon-vpc-user-guide repository, doc_source/vpc-nat-gateway.md and
//   nat-gateway-troubleshooting.md): "If you delete a NAT gateway, the NAT
//   gateway routes remain in a blackhole status until you delete or update the
//   routes"; "After you delete a NAT gateway, its entry remains visible in the
//   Amazon VPC console for about an hour, after which it's automatically
//   removed"; "A failed NAT gateway is automatically deleted, usually in about
//   an hour"; and "The initial status of the NAT gateway is Pending. After the
//   status changes to Available, the NAT gateway is ready for you to use."
//   https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
//   https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html
// * Error codes NatGatewayNotFound ("The specified NAT gateway does not
//   exist") and NatGatewayMalformed ("... in the form nat-xxxxxxxxxxxxxxxxx"):
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
// * CreateNatGateway answers `pending`, and CreateRoute naming a gateway it
//   cannot find is InvalidNatGatewayID.NotFound "The natGateway ID 'nat-…'
//   does not exist": AWS's answers quoted in https://github.com/boto/boto3/issues/779.
// * A NAT gateway id in GatewayId: "invalid value for parameter gateway-id:
//   nat-…" (https://github.com/ansible-collections/amazon.aws/issues/2631); a
//   deleted one there is InvalidGatewayID.NotFound
//   (https://github.com/devopsacademyau/academy/pull/906).
import {
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  paginateDescribeNatGateways,
  type Filter,
  type NatGateway,
  type Route,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SdkEc2 } from '../../src/ec2/sdk-adapter.js';
import { ManualClock } from '../../src/sim/clock.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { loadWorldFile, parseWorld, WorldError, type World } from '../../src/sim/world.js';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { NAT, NAT_WORLD, WORLDS, ec2, failure, sim } from './helpers.js';

type Client = ReturnType<typeof ec2>;

const NGW_A = 'nat-0a0000000000000a1';
const NGW_GONE = 'nat-0a00000000000dead';
const EIP_A = 'eipalloc-0a0000000000000a1';
const EIP_NEW = 'eipalloc-0a0000000000000f1';
const NAT_DEST = '198.51.100.0/24';
const PENDING_MS = 5000;
const DELETING_MS = 3000;

/** nat-pair.yaml plus an available NAT gateway (with a route to it in the private-a table) and a deleted one. */
function natWorld(): World {
  const w = loadWorldFile(NAT_WORLD);
  return {
    ...w,
    timing: { ...w.timing, nat_gateway_pending_ms: PENDING_MS, nat_gateway_deleting_ms: DELETING_MS },
    nat_gateways: [
      { id: NGW_A, subnet: NAT.subPubA, state: 'available', connectivity_type: 'public', allocation_id: EIP_A, tags: { Name: 'ngw-a' } },
      { id: NGW_GONE, subnet: NAT.subPubA, state: 'deleted', connectivity_type: 'public', tags: {} },
    ],
    route_tables: w.route_tables.map((t) =>
      t.id === NAT.privA ? { ...t, routes: [...t.routes, { cidr: NAT_DEST, nat_gateway: NGW_A }] } : t,
    ),
  };
}

async function gateways(client: Client, filters?: Filter[], ids?: string[]): Promise<NatGateway[]> {
  const r = await client.send(new DescribeNatGatewaysCommand({ ...(filters !== undefined ? { Filter: filters } : {}), ...(ids !== undefined ? { NatGatewayIds: ids } : {}) }));
  return r.NatGateways ?? [];
}

async function stateOf(client: Client, id: string): Promise<string | undefined> {
  return (await gateways(client, undefined, [id]))[0]?.State;
}

async function routeTo(client: Client, table: string, cidr: string): Promise<Route | undefined> {
  const r = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }));
  return r.RouteTables?.[0]?.Routes?.find((x) => x.DestinationCidrBlock === cidr);
}

async function create(client: Client, params: { subnet?: string; eip?: string; tags?: Record<string, string> } = {}): Promise<NatGateway> {
  const r = await client.send(
    new CreateNatGatewayCommand({
      SubnetId: params.subnet ?? NAT.subPubA,
      AllocationId: params.eip ?? EIP_NEW,
      ...(params.tags !== undefined
        ? { TagSpecifications: [{ ResourceType: 'natgateway', Tags: Object.entries(params.tags).map(([Key, Value]) => ({ Key, Value })) }] }
        : {}),
    }),
  );
  return r.NatGateway!;
}

/** A suite on natWorld(): one simulator for the suite (given to `set` with its client), reset and a minute later before each test. */
function onNatWorld(clock: ManualClock, set: (s: Simulator, client: Client) => void): void {
  let s: Simulator | undefined;
  let client: Client | undefined;
  before(async () => {
    s = await sim(natWorld(), { clock });
    client = ec2(s);
    set(s, client);
  });
  beforeEach(async () => {
    await s!.reset();
    clock.advance(60_000);
  });
  after(async () => {
    client?.destroy();
    await s?.close();
  });
}

describe('NAT gateways: CreateNatGateway, DeleteNatGateway, DescribeNatGateways (EC2 API reference; NatGateway data type)', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let client: Client;
  onNatWorld(clock, (x, c) => {
    s = x;
    client = c;
  });

  it('world-file gateways are described with their subnet, VPC, addresses and tags; a deleted one stays listed with its DeleteTime', async () => {
    const [a] = await gateways(client, undefined, [NGW_A]);
    assert.equal(a?.NatGatewayId, NGW_A);
    assert.deepEqual([a?.State, a?.SubnetId, a?.VpcId, a?.ConnectivityType], ['available', NAT.subPubA, NAT.vpc, 'public']);
    const addr = a?.NatGatewayAddresses?.[0];
    assert.equal(addr?.AllocationId, EIP_A);
    assert.equal(addr?.PrivateIp, '10.0.1.4', 'the first address after the four AWS reserves in 10.0.1.0/24');
    assert.match(addr?.PublicIp ?? '', /^203\.0\.113\.\d+$/);
    assert.match(addr?.NetworkInterfaceId ?? '', /^eni-[0-9a-f]{17}$/);
    assert.deepEqual(a?.Tags, [{ Key: 'Name', Value: 'ngw-a' }]);
    assert.ok(a?.CreateTime instanceof Date);
    assert.equal(a?.DeleteTime, undefined);
    const [gone] = await gateways(client, undefined, [NGW_GONE]);
    assert.equal(gone?.State, 'deleted');
    assert.ok(gone?.DeleteTime instanceof Date);
  });

  it('CreateNatGateway answers pending; the gateway is pending for timing.nat_gateway_pending_ms, then available', async () => {
    const g = await create(client, { tags: { Name: 'new' } });
    assert.equal(g.State, 'pending');
    assert.match(g.NatGatewayId ?? '', /^nat-[0-9a-f]{17}$/);
    assert.deepEqual([g.SubnetId, g.VpcId, g.ConnectivityType], [NAT.subPubA, NAT.vpc, 'public']);
    assert.deepEqual(g.Tags, [{ Key: 'Name', Value: 'new' }]);
    assert.equal(g.NatGatewayAddresses?.[0]?.AllocationId, EIP_NEW);
    assert.equal(g.NatGatewayAddresses?.[0]?.PrivateIp, '10.0.1.5', 'the next free address: 10.0.1.4 is taken by the world\'s gateway');
    clock.advance(PENDING_MS - 1);
    assert.equal(await stateOf(client, g.NatGatewayId!), 'pending');
    clock.advance(1);
    assert.equal(await stateOf(client, g.NatGatewayId!), 'available');
    const log = s.mutations({ kind: 'resource' }).filter((m) => m.kind === 'resource' && m.resourceId === g.NatGatewayId);
    assert.deepEqual(
      log.map((m) => [m.action, m.caller, (m.kind === 'resource' ? m.detail : {}).state]),
      [
        ['CreateNatGateway', 'AKIDSIMTEST', { before: null, after: 'pending' }],
        ['CreateNatGateway', 'AKIDSIMTEST', { before: 'pending', after: 'available' }],
      ],
    );
    assert.equal(log[1]!.tMs - log[0]!.tMs, PENDING_MS);
  });

  it('a private gateway needs no Elastic IP and has no public address; PrivateIpAddress is taken as given', async () => {
    const r = await client.send(new CreateNatGatewayCommand({ SubnetId: NAT.subPrivA, ConnectivityType: 'private', PrivateIpAddress: '10.0.11.99' }));
    const addr = r.NatGateway?.NatGatewayAddresses?.[0];
    assert.deepEqual([r.NatGateway?.ConnectivityType, addr?.PrivateIp, addr?.PublicIp, addr?.AllocationId], ['private', '10.0.11.99', undefined, undefined]);
  });

  it('refused requests: an Elastic IP on a private gateway, a public gateway without one, an unknown subnet, an address outside the subnet', async () => {
    const cases: [string, () => Promise<unknown>, string][] = [
      // "You cannot specify an Elastic IP address with a private NAT gateway."
      ['private with AllocationId', () => client.send(new CreateNatGatewayCommand({ SubnetId: NAT.subPubA, ConnectivityType: 'private', AllocationId: EIP_NEW })), 'InvalidParameterCombination'],
      ['public without AllocationId', () => client.send(new CreateNatGatewayCommand({ SubnetId: NAT.subPubA })), 'MissingParameter'],
      ['unknown subnet', () => client.send(new CreateNatGatewayCommand({ SubnetId: 'subnet-0000000000000dead', AllocationId: EIP_NEW })), 'InvalidSubnetID.NotFound'],
      ['address outside the subnet', () => client.send(new CreateNatGatewayCommand({ SubnetId: NAT.subPubA, AllocationId: EIP_NEW, PrivateIpAddress: '10.9.9.9' })), 'InvalidParameterValue'],
    ];
    for (const [what, call, code] of cases) assert.equal((await failure(call)).name, code, what);
    assert.equal((await gateways(client)).length, 2, 'nothing was created');
  });

  it('DryRun: DryRunOperation, and no gateway', async () => {
    const e = await failure(() => client.send(new CreateNatGatewayCommand({ SubnetId: NAT.subPubA, AllocationId: EIP_NEW, DryRun: true })));
    assert.deepEqual([e.name, e.status], ['DryRunOperation', 412]);
    const d = await failure(() => client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A, DryRun: true })));
    assert.equal(d.name, 'DryRunOperation');
    assert.deepEqual((await gateways(client)).map((g) => [g.NatGatewayId, g.State]), [[NGW_A, 'available'], [NGW_GONE, 'deleted']]);
  });

  it('an Elastic IP already associated: the gateway ends failed, failureCode Resource.AlreadyAssociated', async () => {
    const g = await create(client, { eip: EIP_A });
    clock.advance(PENDING_MS);
    const [f] = await gateways(client, undefined, [g.NatGatewayId!]);
    assert.deepEqual([f?.State, f?.FailureCode, f?.FailureMessage], ['failed', 'Resource.AlreadyAssociated', `Elastic IP address ${EIP_A} is already associated`]);
  });

  it('a public gateway in a VPC without an internet gateway ends failed, failureCode Gateway.NotAttached', async () => {
    const vpc = (await client.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
    const subnet = (await client.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.50.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const g = await create(client, { subnet });
    assert.equal(g.State, 'pending');
    clock.advance(PENDING_MS);
    const [f] = await gateways(client, undefined, [g.NatGatewayId!]);
    assert.deepEqual([f?.State, f?.FailureCode, f?.FailureMessage], ['failed', 'Gateway.NotAttached', `Network ${vpc} has no Internet gateway attached`]);
  });

  it('DeleteNatGateway: deleting for timing.nat_gateway_deleting_ms, then deleted with a DeleteTime, still listed', async () => {
    const r = await client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A }));
    assert.equal(r.NatGatewayId, NGW_A);
    assert.equal(await stateOf(client, NGW_A), 'deleting');
    clock.advance(DELETING_MS - 1);
    assert.equal(await stateOf(client, NGW_A), 'deleting');
    clock.advance(1);
    const [g] = await gateways(client, undefined, [NGW_A]);
    assert.equal(g?.State, 'deleted');
    assert.equal(g?.DeleteTime?.getTime(), clock.wall());
    const again = await client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A }));
    assert.equal(again.NatGatewayId, NGW_A);
    assert.equal(await stateOf(client, NGW_A), 'deleted');
  });

  it('a deleted or failed gateway is listed for timing.nat_gateway_deleted_visible_ms (about an hour), then gone; routes to it stay blackhole', async () => {
    assert.equal(s.state.timing.natGatewayDeletedVisibleMs, 3_600_000);
    const failed = await create(client, { eip: EIP_A });
    clock.advance(PENDING_MS);
    assert.equal(await stateOf(client, failed.NatGatewayId!), 'failed');
    await client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A }));
    clock.advance(DELETING_MS);
    assert.equal(await stateOf(client, NGW_A), 'deleted');
    // The world's deleted gateway was deleted at the reset (beforeEach): 60 s + PENDING_MS + DELETING_MS ago.
    clock.advance(3_600_000 - 60_000 - PENDING_MS - DELETING_MS - 1);
    assert.deepEqual((await gateways(client)).map((g) => g.NatGatewayId), [NGW_A, NGW_GONE, failed.NatGatewayId]);
    clock.advance(1);
    assert.deepEqual((await gateways(client)).map((g) => g.NatGatewayId), [NGW_A, failed.NatGatewayId]);
    assert.equal((await failure(() => client.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [NGW_GONE] })))).name, 'NatGatewayNotFound');
    // The failed one failed 60 s + PENDING_MS after the reset, NGW_A was deleted DELETING_MS after that.
    clock.advance(60_000 + PENDING_MS);
    assert.deepEqual((await gateways(client)).map((g) => g.NatGatewayId), [NGW_A]);
    clock.advance(DELETING_MS);
    assert.deepEqual((await gateways(client)).map((g) => g.NatGatewayId), []);
    assert.equal((await failure(() => client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A })))).name, 'NatGatewayNotFound');
    // "the NAT gateway routes remain in a blackhole status until you delete or update the routes"
    assert.deepEqual(await routeTo(client, NAT.privA, NAT_DEST), { DestinationCidrBlock: NAT_DEST, NatGatewayId: NGW_A, Origin: 'CreateRoute', State: 'blackhole' });
    const e = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: NAT_DEST, NatGatewayId: NGW_A })));
    assert.equal(e.name, 'InvalidNatGatewayID.NotFound');
  });

  it('an unknown id is NatGatewayNotFound; a malformed one NatGatewayMalformed (EC2 error codes)', async () => {
    const d = await failure(() => client.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0000000000000beef'] })));
    assert.deepEqual([d.name, d.status], ['NatGatewayNotFound', 400]);
    assert.equal((await failure(() => client.send(new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0000000000000beef' })))).name, 'NatGatewayNotFound');
    assert.equal((await failure(() => client.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-1'] })))).name, 'NatGatewayMalformed');
    assert.equal((await failure(() => client.send(new DeleteNatGatewayCommand({ NatGatewayId: 'ngw-0123' })))).name, 'NatGatewayMalformed');
  });

  it('every documented filter: nat-gateway-id, state, subnet-id, vpc-id, tag:<key>, tag-key (with wildcards)', async () => {
    const made = await create(client, { tags: { Team: 'net' } });
    const ids = async (filters: Filter[]): Promise<string[]> => (await gateways(client, filters)).map((g) => g.NatGatewayId!).sort();
    const id = made.NatGatewayId!;
    assert.deepEqual(await ids([{ Name: 'nat-gateway-id', Values: [NGW_A] }]), [NGW_A]);
    assert.deepEqual(await ids([{ Name: 'state', Values: ['deleted'] }]), [NGW_GONE]);
    assert.deepEqual(await ids([{ Name: 'state', Values: ['pending', 'available'] }]), [NGW_A, id].sort());
    assert.deepEqual(await ids([{ Name: 'subnet-id', Values: [NAT.subPubA] }]), [NGW_A, NGW_GONE, id].sort());
    assert.deepEqual(await ids([{ Name: 'subnet-id', Values: [NAT.subPrivB] }]), []);
    assert.deepEqual(await ids([{ Name: 'vpc-id', Values: [NAT.otherVpc] }]), []);
    assert.deepEqual(await ids([{ Name: 'vpc-id', Values: ['vpc-0a*'] }, { Name: 'state', Values: ['available'] }]), [NGW_A]);
    assert.deepEqual(await ids([{ Name: 'tag:Name', Values: ['ngw-?'] }]), [NGW_A]);
    assert.deepEqual(await ids([{ Name: 'tag-key', Values: ['Team'] }]), [id]);
    const bad = await failure(() => gateways(client, [{ Name: 'route-table-id', Values: ['x'] }]));
    assert.deepEqual([bad.name, bad.message], ['InvalidParameterValue', "The filter 'route-table-id' is invalid"]);
  });

  it('pagination: MaxResults and NextToken, as the SDK paginator uses them', async () => {
    for (let n = 0; n < 6; n++) await create(client, { eip: `eipalloc-0a00000000000000${n}` });
    const first = await client.send(new DescribeNatGatewaysCommand({ MaxResults: 5 }));
    assert.equal(first.NatGateways?.length, 5);
    assert.ok(first.NextToken !== undefined);
    const second = await client.send(new DescribeNatGatewaysCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.NatGateways?.length, 3);
    assert.equal(second.NextToken, undefined);
    const all: string[] = [];
    for await (const page of paginateDescribeNatGateways({ client, pageSize: 5 }, {})) all.push(...(page.NatGateways ?? []).map((g) => g.NatGatewayId!));
    assert.equal(new Set(all).size, 8);
    const bad = await failure(() => client.send(new DescribeNatGatewaysCommand({ MaxResults: 5, NextToken: 'bm9wZQ' })));
    assert.equal(bad.name, 'InvalidPaginationToken');
  });

  it('CreateTags works on a NAT gateway, and the tag filters see it', async () => {
    await client.send(new CreateTagsCommand({ Resources: [NGW_A], Tags: [{ Key: 'env', Value: 'prod' }] }));
    assert.deepEqual((await gateways(client, [{ Name: 'tag:env', Values: ['prod'] }])).map((g) => g.NatGatewayId), [NGW_A]);
  });

  it('the admin API lists gateways and shows NAT routes; POST /_sim/timing sets the phase lengths', async () => {
    const res = await fetch(`${s.adminEndpoint}/_sim/nat-gateways`);
    const body = (await res.json()) as { natGateways: { natGatewayId: string; state: string }[] };
    assert.deepEqual(body.natGateways.map((g) => [g.natGatewayId, g.state]), [[NGW_A, 'available'], [NGW_GONE, 'deleted']]);
    const [t] = s.routeTables({ ids: [NAT.privA] });
    assert.deepEqual(t?.routes.find((r) => r.cidr === NAT_DEST), { cidr: NAT_DEST, state: 'active', origin: 'CreateRoute', natGatewayId: NGW_A });
    const timing = await fetch(`${s.adminEndpoint}/_sim/timing`, { method: 'POST', body: JSON.stringify({ natGatewayPendingMs: 10, natGatewayDeletingMs: 20 }) });
    const after = (await timing.json()) as { natGatewayPendingMs: number; natGatewayDeletingMs: number };
    assert.equal((await fetch(`${s.adminEndpoint}/_sim/timing`, { method: 'POST', body: JSON.stringify({ natGatewayDeletedVisibleMs: -1 }) })).status, 400);
    assert.deepEqual([after.natGatewayPendingMs, after.natGatewayDeletingMs], [10, 20]);
    s.setTiming({ natGatewayPendingMs: PENDING_MS, natGatewayDeletingMs: DELETING_MS });
  });
});

describe('routes to NAT gateways: CreateRoute/ReplaceRoute NatGatewayId, DescribeRouteTables natGatewayId, route.nat-gateway-id, blackhole when deleted (Route data type)', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let client: Client;
  onNatWorld(clock, (x, c) => {
    s = x;
    client = c;
  });

  it('a world-file route to a NAT gateway is described with NatGatewayId (no GatewayId), active, Origin CreateRoute', async () => {
    const r = await routeTo(client, NAT.privA, NAT_DEST);
    assert.deepEqual(r, { DestinationCidrBlock: NAT_DEST, NatGatewayId: NGW_A, Origin: 'CreateRoute', State: 'active' });
  });

  it('CreateRoute and ReplaceRoute with NatGatewayId; the route.nat-gateway-id filter selects the tables', async () => {
    await client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', NatGatewayId: NGW_A }));
    assert.deepEqual(await routeTo(client, NAT.privB, '203.0.113.0/24'), {
      DestinationCidrBlock: '203.0.113.0/24',
      NatGatewayId: NGW_A,
      Origin: 'CreateRoute',
      State: 'active',
    });
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: NGW_A }));
    const replaced = await routeTo(client, NAT.privB, '0.0.0.0/0');
    assert.deepEqual([replaced?.NatGatewayId, replaced?.InstanceId, replaced?.NetworkInterfaceId, replaced?.State], [NGW_A, undefined, undefined, 'active']);
    const byNat = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: [NGW_A] }] }));
    assert.deepEqual(byNat.RouteTables?.map((t) => t.RouteTableId).sort(), [NAT.privA, NAT.privB].sort());
    const wild = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: ['nat-*'] }, { Name: 'vpc-id', Values: [NAT.otherVpc] }] }));
    assert.deepEqual(wild.RouteTables, []);
    // And back to an instance (the daemon's take-back).
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0', InstanceId: NAT.natB }));
    const back = await routeTo(client, NAT.privB, '0.0.0.0/0');
    assert.deepEqual([back?.NatGatewayId, back?.InstanceId, back?.State], [undefined, NAT.natB, 'active']);
    const log = s.mutations({ kind: 'route', routeTableId: NAT.privB, cidr: '0.0.0.0/0' });
    assert.deepEqual(log.map((m) => (m.kind === 'route' ? m.after?.natGatewayId : undefined)), [NGW_A, undefined]);
  });

  it('DeleteNatGateway keeps the routes: active while deleting ("may still be processing traffic"), blackhole once deleted, NatGatewayId kept', async () => {
    await client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A }));
    assert.equal((await routeTo(client, NAT.privA, NAT_DEST))?.State, 'active');
    clock.advance(DELETING_MS);
    assert.deepEqual(await routeTo(client, NAT.privA, NAT_DEST), { DestinationCidrBlock: NAT_DEST, NatGatewayId: NGW_A, Origin: 'CreateRoute', State: 'blackhole' });
    const holes = await client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.state', Values: ['blackhole'] }] }));
    assert.deepEqual(holes.RouteTables?.map((t) => t.RouteTableId), [NAT.privA]);
    // The route can be pointed elsewhere (a fallback taken back).
    await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privA, DestinationCidrBlock: NAT_DEST, InstanceId: NAT.natA }));
    assert.equal((await routeTo(client, NAT.privA, NAT_DEST))?.State, 'active');
  });

  it('a route to a pending gateway is blackhole ("not ready to process traffic") until it is available', async () => {
    const g = await create(client);
    await client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', NatGatewayId: g.NatGatewayId }));
    assert.equal((await routeTo(client, NAT.privB, '203.0.113.0/24'))?.State, 'blackhole');
    clock.advance(PENDING_MS);
    assert.equal((await routeTo(client, NAT.privB, '203.0.113.0/24'))?.State, 'active');
  });

  it('CreateRoute to a deleted or unknown gateway is InvalidNatGatewayID.NotFound, "The natGateway ID \'…\' does not exist"', async () => {
    for (const id of [NGW_GONE, 'nat-0000000000000beef']) {
      const e = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', NatGatewayId: id })));
      assert.deepEqual([e.name, e.message], ['InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`]);
    }
    const malformed = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', NatGatewayId: 'nat-xyz' })));
    assert.equal(malformed.name, 'NatGatewayMalformed');
  });

  it('a NAT gateway id in GatewayId is InvalidParameterValue; a deleted one there InvalidGatewayID.NotFound', async () => {
    const e = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', GatewayId: NGW_A })));
    assert.deepEqual([e.name, e.message], ['InvalidParameterValue', `invalid value for parameter gateway-id: ${NGW_A}`]);
    const gone = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '203.0.113.0/24', GatewayId: NGW_GONE })));
    assert.equal(gone.name, 'InvalidGatewayID.NotFound');
  });

  it('a NAT gateway in another VPC is InvalidParameterValue', async () => {
    const e = await failure(() => client.send(new CreateRouteCommand({ RouteTableId: NAT.other, DestinationCidrBlock: '203.0.113.0/24', NatGatewayId: NGW_A })));
    assert.equal(e.name, 'InvalidParameterValue');
  });

  it("the daemon's read side (src/ec2/sdk-adapter.ts) sees a NAT gateway route as an 'other' target with the nat- id, active or blackhole", async () => {
    const daemon = new SdkEc2({ region: 'us-east-1', endpoint: s.ec2Endpoint, credentials: { accessKeyId: 'AKIDSIMTEST', secretAccessKey: 'not-a-secret' } });
    const table = async () => (await daemon.describeRouteTables({ routeTableIds: [NAT.privA] }))[0]!;
    try {
      assert.deepEqual((await table()).routes.find((r) => r.destination === NAT_DEST), { destination: NAT_DEST, target: { kind: 'other', id: NGW_A }, state: 'active' });
      await client.send(new DeleteNatGatewayCommand({ NatGatewayId: NGW_A }));
      clock.advance(DELETING_MS);
      assert.deepEqual((await table()).routes.find((r) => r.destination === NAT_DEST), { destination: NAT_DEST, target: { kind: 'other', id: NGW_A }, state: 'blackhole' });
    } finally {
      daemon.destroy();
    }
  });

  it('under read lag the NAT route is rolled back like any route', async () => {
    s.setTiming({ readLagMs: 1000 });
    try {
      await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: NGW_A }));
      assert.equal((await routeTo(client, NAT.privB, '0.0.0.0/0'))?.InstanceId, NAT.natB);
      clock.advance(1000);
      await client.send(new ReplaceRouteCommand({ RouteTableId: NAT.privB, DestinationCidrBlock: '0.0.0.0/0', InstanceId: NAT.natA }));
      const then = await routeTo(client, NAT.privB, '0.0.0.0/0');
      assert.deepEqual([then?.NatGatewayId, then?.InstanceId, then?.State], [NGW_A, undefined, 'active']);
    } finally {
      s.setTiming({ readLagMs: 0 });
    }
  });
});

describe('world file: nat_gateways and routes to them are checked', () => {
  const problems = (w: unknown): string[] => {
    try {
      parseWorld(JSON.stringify(w));
    } catch (e) {
      if (e instanceof WorldError) return e.problems.map((p) => `${p.path}: ${p.message}`);
      throw e;
    }
    return [];
  };
  const base = {
    vpcs: [
      { id: 'vpc-0a000000000000001', cidr: '10.0.0.0/16' },
      { id: 'vpc-0b000000000000002', cidr: '10.1.0.0/16' },
    ],
    subnets: [
      { id: 'subnet-0a000000000000a01', vpc: 'vpc-0a000000000000001', az: 'us-east-1a', cidr: '10.0.1.0/24' },
      { id: 'subnet-0b000000000000a01', vpc: 'vpc-0b000000000000002', az: 'us-east-1a', cidr: '10.1.1.0/24' },
    ],
  };

  it('a valid one parses, with its defaults (available, public)', () => {
    const w = parseWorld(JSON.stringify({ ...base, nat_gateways: [{ id: NGW_A, subnet: 'subnet-0a000000000000a01' }] }));
    assert.deepEqual(w.nat_gateways, [{ id: NGW_A, subnet: 'subnet-0a000000000000a01', state: 'available', connectivity_type: 'public', tags: {} }]);
  });

  it('unknown subnet, bad id, an Elastic IP on a private gateway, an address outside the subnet, a route to an unknown or foreign gateway', () => {
    const got = problems({
      ...base,
      nat_gateways: [
        { id: NGW_A, subnet: 'subnet-0000000000000dead' },
        { id: 'nat-0b000000000000001', subnet: 'subnet-0b000000000000a01', connectivity_type: 'private', allocation_id: EIP_A, private_ip: '10.0.1.9' },
        { id: 'ngw-1', subnet: 'subnet-0a000000000000a01' },
      ],
      route_tables: [
        {
          id: 'rtb-0a000000000000001',
          vpc: 'vpc-0a000000000000001',
          routes: [
            { cidr: '0.0.0.0/0', nat_gateway: 'nat-0b000000000000001' },
            { cidr: '10.9.0.0/16', nat_gateway: 'nat-0c000000000000001' },
            { cidr: '10.8.0.0/16', nat_gateway: NGW_A, gateway: 'local' },
          ],
        },
      ],
    });
    assert.deepEqual(got, [
      'nat_gateways[2].id: must be nat- followed by 8 or 17 lowercase letters or digits, as AWS ids are (the EC2 API refuses other ids as malformed)',
      'route_tables[0].routes[2]: needs exactly one target: instance, network_interface, gateway or nat_gateway',
    ]);
    const refs = problems({
      ...base,
      nat_gateways: [
        { id: NGW_A, subnet: 'subnet-0000000000000dead' },
        { id: 'nat-0b000000000000001', subnet: 'subnet-0b000000000000a01', connectivity_type: 'private', allocation_id: EIP_A, private_ip: '10.0.1.9' },
      ],
      route_tables: [
        {
          id: 'rtb-0a000000000000001',
          vpc: 'vpc-0a000000000000001',
          routes: [
            { cidr: '0.0.0.0/0', nat_gateway: 'nat-0b000000000000001' },
            { cidr: '10.9.0.0/16', nat_gateway: 'nat-0c000000000000001' },
          ],
        },
      ],
    });
    assert.deepEqual(refs, [
      'nat_gateways[0].subnet: unknown subnet subnet-0000000000000dead',
      'nat_gateways[1].allocation_id: a private NAT gateway has no Elastic IP address',
      'nat_gateways[1].private_ip: 10.0.1.9 is not in subnet subnet-0b000000000000a01 (10.1.1.0/24)',
      'route_tables[0].routes[0].nat_gateway: NAT gateway nat-0b000000000000001 is in another VPC',
      'route_tables[0].routes[1].nat_gateway: unknown NAT gateway nat-0c000000000000001',
    ]);
  });
});

describe('examples/worlds/nat-fallback.yaml', () => {
  let s: Simulator;
  let client: Client;
  before(async () => {
    s = await sim(`${WORLDS}nat-fallback.yaml`);
    client = ec2(s);
  });
  after(async () => {
    client.destroy();
    await s.close();
  });

  it('has an available NAT gateway per AZ, private-b at its gateway, and nat-b under a Spot interruption notice', async () => {
    assert.deepEqual(
      (await gateways(client, [{ Name: 'state', Values: ['available'] }])).map((g) => [g.NatGatewayId, g.SubnetId]),
      [
        ['nat-0a0000000000000a1', 'subnet-0a000000000000a01'],
        ['nat-0a0000000000000b1', 'subnet-0a000000000000b01'],
      ],
    );
    assert.deepEqual(await routeTo(client, NAT.privB, '0.0.0.0/0'), { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0a0000000000000b1', Origin: 'CreateRoute', State: 'active' });
    const b = (await s.instances()).find((i) => i.instanceId === NAT.natB)!;
    const notice = JSON.parse(await new MetadataService({ endpoint: b.imdsEndpoint, retries: 0 }).request('/latest/meta-data/spot/instance-action', {})) as { action: string };
    assert.equal(notice.action, 'terminate');
  });
});
