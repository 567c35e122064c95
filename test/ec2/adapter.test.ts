// The daemon's EC2 adapter (src/ec2/sdk-adapter.ts on the query client in
// src/ec2/query/) against (1) the simulator, answer for answer beside the real
// AWS SDK's EC2 client reading the same state: the SDK's deserializer is
// generated from AWS's EC2 model, so agreeing with it pins our XML readers to
// that model; (2) a stub server on loopback for what the simulator cannot
// show: the request as sent, retries, and the clock-skew rule.
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { canonicalCidr } from '../../src/net/address.js';
import { Ec2Error } from '../../src/ec2/errors.js';
import { SdkEc2 } from '../../src/ec2/sdk-adapter.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { WORLDS, sim } from '../sim/helpers.js';

const CREDS = { accessKeyId: 'AKIDADAPTER', secretAccessKey: 'not-a-secret' };

describe('the adapter reads what the AWS SDK reads, from the same simulator', () => {
  let s: Simulator;
  let sdk: EC2Client;
  let ours: SdkEc2;
  before(async () => {
    s = await sim(`${WORLDS}handoff.yaml`);
    sdk = new EC2Client({ region: s.region, endpoint: s.ec2Endpoint, credentials: CREDS, maxAttempts: 1 });
    ours = new SdkEc2({ region: s.region, endpoint: s.ec2Endpoint, credentials: CREDS, maxAttempts: 1 });
  });
  after(async () => {
    sdk.destroy();
    ours.destroy();
    await s.close();
  });

  it('route tables: ids, VPC, main flag, subnets, tags and every route with its target and state', async () => {
    const theirs = (await sdk.send(new DescribeRouteTablesCommand({}))).RouteTables ?? [];
    const mine = await ours.describeRouteTables({});
    assert.ok(theirs.length >= 4);
    const targetId = (t: Awaited<ReturnType<SdkEc2['describeRouteTables']>>[number]['routes'][number]['target']): string =>
      t.kind === 'interface' ? t.networkInterfaceId : t.kind === 'instance' ? t.instanceId : t.id;
    assert.deepEqual(
      mine.map((t) => ({ id: t.id, vpc: t.vpcId, main: t.main, subnets: t.subnetIds, tags: t.tags, routes: t.routes.map((r) => [r.destination, targetId(r.target), r.state]) })),
      theirs.map((t) => {
        const assoc = (t.Associations ?? []).filter((a) => a.AssociationState?.State !== 'disassociated');
        return {
          id: t.RouteTableId,
          vpc: t.VpcId,
          main: assoc.some((a) => a.Main === true),
          subnets: assoc.flatMap((a) => (a.SubnetId !== undefined ? [a.SubnetId] : [])),
          tags: Object.fromEntries((t.Tags ?? []).map((x): [string, string] => [x.Key ?? '', x.Value ?? ''])),
          routes: (t.Routes ?? []).map((r) => [
            canonicalCidr(r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? '') ?? r.DestinationPrefixListId,
            r.NetworkInterfaceId ?? r.InstanceId ?? r.GatewayId ?? r.NatGatewayId,
            r.State === 'blackhole' ? 'blackhole' : 'active',
          ]),
        };
      }),
    );
  });

  it('instance status, interfaces, peers found by tag and NAT gateways', async () => {
    s.setInstanceStatus('i-0a0000000000000b1', { instance: 'impaired' });
    const ids = ['i-0a0000000000000a1', 'i-0a0000000000000b1', 'i-0a0000000000000c1'];
    const status = (await sdk.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }))).InstanceStatuses ?? [];
    assert.deepEqual(
      await ours.describeInstanceStatus(ids),
      Object.fromEntries(status.map((x) => [x.InstanceId, { state: x.InstanceState?.Name, instanceStatus: x.InstanceStatus?.Status, systemStatus: x.SystemStatus?.Status }])),
    );
    assert.equal((await ours.describeInstanceStatus(ids))['i-0a0000000000000b1']?.instanceStatus, 'impaired');

    const enis = (await sdk.send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces ?? [];
    assert.deepEqual(
      (await ours.describeNetworkInterfaces({})).map((n) => [n.id, n.instanceId, n.privateIp, n.privateIps, n.sourceDestCheck, n.deviceIndex, n.status]),
      enis.map((n) => [
        n.NetworkInterfaceId,
        n.Attachment?.InstanceId,
        n.PrivateIpAddress,
        (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress),
        n.SourceDestCheck !== false,
        n.Attachment?.DeviceIndex,
        n.Status,
      ]),
    );

    const vpcId = 'vpc-0a000000000000001';
    const reservations =
      (
        await sdk.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpcId] },
              { Name: 'tag:role', Values: ['nat'] },
              { Name: 'instance-state-name', Values: ['running'] },
            ],
          }),
        )
      ).Reservations ?? [];
    const peers = await ours.findInstances({ vpcId, tagKey: 'role', tagValue: 'nat' });
    assert.deepEqual(peers.map((p) => p.id).sort(), ['i-0a0000000000000a1', 'i-0a0000000000000b1']);
    assert.deepEqual(
      peers.map((p) => [p.id, p.state, p.interfaces.map((n) => [n.id, n.instanceId, n.privateIp, n.sourceDestCheck, n.deviceIndex])]),
      reservations.flatMap((r) =>
        (r.Instances ?? []).map((i) => [
          i.InstanceId,
          i.State?.Name,
          (i.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId, i.InstanceId, n.PrivateIpAddress, n.SourceDestCheck !== false, n.Attachment?.DeviceIndex]),
        ]),
      ),
    );

    const nat = 'nat-0a0000000000000a1';
    const gw = (await sdk.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'nat-gateway-id', Values: [nat] }] }))).NatGateways ?? [];
    assert.equal(gw.length, 1);
    assert.deepEqual(await ours.describeNatGateways([nat, 'nat-0ffffffffffffffff']), { [nat]: { state: gw[0]!.State, vpcId: gw[0]!.VpcId } });
  });

  it('writes: create, replace (interface and NAT gateway targets) and delete; errors keep their AWS code', async () => {
    const rtb = 'rtb-0a0000000000000b1';
    const at = async (cidr: string) => (await ours.describeRouteTables({ routeTableIds: [rtb] }))[0]!.routes.find((r) => r.destination === cidr);
    await ours.createRoute(rtb, '10.9.0.0/16', 'eni-0a0000000000000b1');
    assert.deepEqual((await at('10.9.0.0/16'))?.target, { kind: 'interface', networkInterfaceId: 'eni-0a0000000000000b1', instanceId: 'i-0a0000000000000b1' });
    await ours.replaceRoute(rtb, '10.9.0.0/16', 'nat-0a0000000000000a1');
    assert.deepEqual((await at('10.9.0.0/16'))?.target, { kind: 'other', id: 'nat-0a0000000000000a1' });
    await ours.deleteRoute(rtb, '10.9.0.0/16');
    assert.equal(await at('10.9.0.0/16'), undefined);
    await assert.rejects(ours.deleteRoute(rtb, '10.9.0.0/16'), (e: unknown) => e instanceof Ec2Error && e.awsCode === 'InvalidRoute.NotFound' && e.code === 'EC2_NOT_FOUND');
    await assert.rejects(ours.createRoute(rtb, '0.0.0.0/0', 'eni-0a0000000000000b1'), (e: unknown) => e instanceof Ec2Error && e.awsCode === 'RouteAlreadyExists');
  });
});

// ------------------------------------------------------------------ stub

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

async function stub(answer: (n: number, req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const r = { headers: req.headers, body };
      seen.push(r);
      answer(seen.length, r, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

const EMPTY_TABLES = '<DescribeRouteTablesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><routeTableSet/></DescribeRouteTablesResponse>';
const errorXml = (code: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>m</Message></Error></Errors><RequestID>r</RequestID></Response>`;

describe('requests as sent, retries and clock skew (a stub EC2 on loopback)', () => {
  it('a signed form POST; 503s are retried and the call succeeds', async () => {
    const srv = await stub((n, _req, res) => {
      if (n <= 2) res.writeHead(503).end(errorXml('Unavailable'));
      else res.writeHead(200, { 'content-type': 'text/xml' }).end(EMPTY_TABLES);
    });
    const c = new SdkEc2({ region: 'eu-west-1', endpoint: srv.url, credentials: CREDS, userAgent: 'awsnycast/9.9.9' });
    try {
      assert.deepEqual(await c.describeRouteTables({ vpcId: 'vpc-1' }), []);
      assert.equal(srv.seen.length, 3);
      const first = srv.seen[0]!;
      assert.equal(first.body, 'Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&MaxResults=100');
      assert.match(String(first.headers['content-type']), /^application\/x-www-form-urlencoded/);
      assert.equal(first.headers['user-agent'], 'awsnycast/9.9.9');
      // SigV4 for ec2 in the client's region: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
      assert.match(String(first.headers['authorization']), /^AWS4-HMAC-SHA256 Credential=AKIDADAPTER\/\d{8}\/eu-west-1\/ec2\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
    } finally {
      c.destroy();
      await srv.close();
    }
  });

  it('a client error is not retried; throttling is retried until the attempts run out, then reported as throttling', async () => {
    const bad = await stub((_n, _req, res) => res.writeHead(400).end(errorXml('InvalidParameterValue')));
    const c = new SdkEc2({ region: 'eu-west-1', endpoint: bad.url, credentials: CREDS });
    try {
      await assert.rejects(c.deleteRoute('rtb-1', '10.0.0.0/8'), (e: unknown) => e instanceof Ec2Error && e.code === 'EC2_INVALID' && e.awsCode === 'InvalidParameterValue');
      assert.equal(bad.seen.length, 1);
    } finally {
      c.destroy();
      await bad.close();
    }
    const busy = await stub((_n, _req, res) => res.writeHead(503).end(errorXml('RequestLimitExceeded')));
    const t = new SdkEc2({ region: 'eu-west-1', endpoint: busy.url, credentials: CREDS, maxAttempts: 2 });
    try {
      await assert.rejects(t.describeRouteTables({}), (e: unknown) => e instanceof Ec2Error && e.code === 'EC2_THROTTLED');
      assert.equal(busy.seen.length, 2);
    } finally {
      t.destroy();
      await busy.close();
    }
  });

  it("a clock-skew answer corrects the signing clock from the server's Date and is retried", async () => {
    // The SDK's rule (RequestTimeTooSkewed and kin are retried once the clock offset is learnt).
    const serverNow = new Date(Date.now() + 3 * 3600_000);
    const srv = await stub((n, _req, res) => {
      if (n === 1) res.writeHead(403, { date: serverNow.toUTCString() }).end(errorXml('RequestTimeTooSkewed'));
      else res.writeHead(200).end(EMPTY_TABLES);
    });
    const c = new SdkEc2({ region: 'eu-west-1', endpoint: srv.url, credentials: CREDS });
    try {
      assert.deepEqual(await c.describeRouteTables({}), []);
      assert.equal(srv.seen.length, 2);
      const stamp = String(srv.seen[1]!.headers['x-amz-date']);
      const signed = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15));
      assert.ok(Math.abs(signed - serverNow.getTime()) < 60_000, `the retry is signed at the server's time (${stamp})`);
    } finally {
      c.destroy();
      await srv.close();
    }
  });
});
