// The admin API over HTTP against an in-process simulator: the parts the
// process-level test does not cover.
import { DescribeInstancesCommand, DescribeRouteTablesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Simulator } from '../../src/sim/simulator.js';
import { ANYCAST_WORLD, ANY, ec2, sim } from './helpers.js';

describe('admin API', () => {
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

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${s.adminEndpoint}/_sim/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('GET route-tables filters by VPC and by id', async () => {
    const byVpc = await call('GET', `route-tables?vpcId=${ANY.vpc}`);
    assert.equal((byVpc.body.routeTables as unknown[]).length, 2);
    const none = await call('GET', 'route-tables?vpcId=vpc-0000000000000dead');
    assert.deepEqual(none.body.routeTables, []);
    const byId = await call('GET', `route-tables?id=${ANY.app}`);
    const [t] = byId.body.routeTables as { routeTableId: string; main: boolean; subnets: string[] }[];
    assert.deepEqual([t?.routeTableId, t?.main, t?.subnets], [ANY.app, false, ['subnet-0c00000000000000b', 'subnet-0c00000000000000c']]);
  });

  // Route data type: blackhole when "the route's target isn't available"
  // (https://docs.aws.amazon.com/goto/WebAPI/ec2-2016-11-15/Route).
  it('deleting an interface blackholes routes to it and they keep naming it and its last instance', async () => {
    const r = await call('POST', `network-interfaces/${ANY.eniA}/delete`);
    assert.deepEqual(r.body, { networkInterfaceId: ANY.eniA, deleted: true });
    const d = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [ANY.main] }));
    const route = d.RouteTables?.[0]?.Routes?.find((x) => x.DestinationCidrBlock === '192.168.1.1/32');
    assert.deepEqual([route?.State, route?.NetworkInterfaceId, route?.InstanceId], ['blackhole', ANY.eniA, ANY.a]);
    const i = await client.send(new DescribeInstancesCommand({ InstanceIds: [ANY.a] }));
    assert.deepEqual(i.Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces, []);
  });

  it('POST timing changes the length of later phases', async () => {
    const t = await call('POST', 'timing', { stoppingMs: 60_000 });
    assert.deepEqual(t.body, {
      pendingMs: 0,
      stoppingMs: 60_000,
      shuttingDownMs: 0,
      terminatedVisibleMs: 3_600_000,
      readLagMs: 0,
      natGatewayPendingMs: 0,
      natGatewayDeletingMs: 0,
      natGatewayDeletedVisibleMs: 3_600_000,
    });
    const r = await client.send(new StopInstancesCommand({ InstanceIds: [ANY.b] }));
    assert.equal(r.StoppingInstances?.[0]?.CurrentState?.Name, 'stopping');
    const listed = await call('GET', 'instances');
    assert.equal((listed.body.instances as { instanceId: string; state: string }[]).find((x) => x.instanceId === ANY.b)?.state, 'stopping');
  });

  it('recover sets both statuses back to ok', async () => {
    await call('POST', `instances/${ANY.a}/impair`, { system: true });
    const r = await call('POST', `instances/${ANY.a}/recover`);
    assert.deepEqual(r.body, { instanceId: ANY.a, instance: 'ok', system: 'ok' });
    assert.deepEqual(s.state.effectiveStatus(s.state.instance(ANY.a)), { instance: 'ok', system: 'ok' });
  });

  it('mutations since a sequence number return only newer entries', async () => {
    await call('POST', `instances/${ANY.a}/stop`);
    const first = await call('GET', 'mutations');
    const last = first.body.lastSeq as number;
    assert.ok(last >= 2);
    await call('POST', `instances/${ANY.a}/start`);
    const newer = await call('GET', `mutations?since=${last}`);
    const entries = newer.body.entries as { seq: number; action: string }[];
    assert.ok(entries.length > 0 && entries.every((e) => e.seq > last && e.action === 'admin:start'));
  });

  it('the admin API is also served on the EC2 port', async () => {
    const res = await fetch(`${s.ec2Endpoint}/_sim/health`);
    assert.deepEqual(await res.json(), { ok: true });
  });

  it('an IMDS instance list for a terminated instance names no interfaces', async () => {
    await call('POST', `instances/${ANY.b}/terminate`);
    const inst = (await s.instances()).find((i) => i.instanceId === ANY.b);
    assert.deepEqual([inst?.state, inst?.privateIp, inst?.networkInterfaces], ['terminated', null, []]);
    const macs = await fetch(`${inst?.imdsEndpoint ?? ''}/latest/meta-data/network/interfaces/macs/`);
    assert.equal(await macs.text(), '');
  });
});
