// IMDSv2 through the SDK's own metadata client (@aws-sdk/ec2-metadata-service):
// token rules, expiry on an injected clock, the metadata paths a route daemon
// reads, one listener per instance, and the IMDS outage switch.
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/sim/clock.js';
import type { InstanceInfo, Simulator } from '../../src/sim/simulator.js';
import { ANYCAST_WORLD, ANY, NAT, NAT_WORLD, sim, tryConnect } from './helpers.js';

const md = (endpoint: string, opts: { disableFetchToken?: boolean; tokenTtl?: number } = {}): MetadataService =>
  new MetadataService({ endpoint, retries: 0, ...opts });

async function status(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  }
}

describe('IMDSv2', () => {
  const clock = new ManualClock();
  let s: Simulator;
  let byId: Map<string, InstanceInfo>;
  const endpoint = (id: string): string => byId.get(id)!.imdsEndpoint;
  before(async () => {
    s = await sim(ANYCAST_WORLD, { clock });
    byId = new Map((await s.instances()).map((i) => [i.instanceId, i]));
  });
  beforeEach(() => s.clearFaults());
  after(() => s.close());

  it('each instance has its own loopback metadata endpoint', () => {
    const eps = [...byId.values()].map((i) => i.imdsEndpoint);
    assert.equal(new Set(eps).size, 3);
    for (const e of eps) assert.match(e, /^http:\/\/127\.\d+\.\d+\.\d+:\d+$/);
  });

  it('with a token the SDK client reads identity, placement, address and interface data', async () => {
    const m = md(endpoint(ANY.c));
    const mac = await m.request('/latest/meta-data/mac', {});
    const values = {
      id: await m.request('/latest/meta-data/instance-id', {}),
      az: await m.request('/latest/meta-data/placement/availability-zone', {}),
      region: await m.request('/latest/meta-data/placement/region', {}),
      ip: await m.request('/latest/meta-data/local-ipv4', {}),
      device: await m.request(`/latest/meta-data/network/interfaces/macs/${mac}/device-number`, {}),
      eni: await m.request(`/latest/meta-data/network/interfaces/macs/${mac}/interface-id`, {}),
      subnet: await m.request(`/latest/meta-data/network/interfaces/macs/${mac}/subnet-id`, {}),
      vpc: await m.request(`/latest/meta-data/network/interfaces/macs/${mac}/vpc-id`, {}),
      ips: await m.request(`/latest/meta-data/network/interfaces/macs/${mac}/local-ipv4s`, {}),
    };
    assert.deepEqual(values, {
      id: ANY.c,
      az: 'eu-west-1c',
      region: 'eu-west-1',
      ip: '127.0.3.13',
      device: '0',
      eni: ANY.eniC0,
      subnet: 'subnet-0c00000000000000c',
      vpc: ANY.vpc,
      ips: '127.0.3.13',
    });
  });

  it('the macs listing names every attached interface, with its device number', async () => {
    const m = md(endpoint(ANY.c));
    const macs = (await m.request('/latest/meta-data/network/interfaces/macs/', {})).split('\n').map((x) => x.replace(/\/$/, ''));
    assert.equal(macs.length, 2);
    const devices = await Promise.all(macs.map((mac) => m.request(`/latest/meta-data/network/interfaces/macs/${mac}/device-number`, {})));
    assert.deepEqual(devices.sort(), ['0', '1']);
  });

  it('the identity document is JSON with account, region, zone and instance', async () => {
    const doc = JSON.parse(await md(endpoint(ANY.a)).request('/latest/dynamic/instance-identity/document', {})) as Record<string, unknown>;
    assert.equal(doc.accountId, '210987654321');
    assert.equal(doc.region, 'eu-west-1');
    assert.equal(doc.availabilityZone, 'eu-west-1a');
    assert.equal(doc.instanceId, ANY.a);
    assert.equal(doc.privateIp, '127.0.3.11');
  });

  it('a GET without a token is 401 when the instance requires IMDSv2', async () => {
    assert.equal(await status(md(endpoint(ANY.a), { disableFetchToken: true }).request('/latest/meta-data/instance-id', {})), 401);
  });

  it('a GET without a token works when IMDSv2 is optional', async () => {
    assert.equal(await md(endpoint(ANY.b), { disableFetchToken: true }).request('/latest/meta-data/instance-id', {}), ANY.b);
  });

  it('a token request outside 1-21600 seconds is 400, and one without the header too', async () => {
    for (const ttl of ['0', '21601', 'abc']) {
      const res = await fetch(`${endpoint(ANY.a)}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl } });
      assert.equal(res.status, 400, `ttl ${ttl}`);
    }
    const none = await fetch(`${endpoint(ANY.a)}/latest/api/token`, { method: 'PUT' });
    assert.equal(none.status, 400);
    const max = await fetch(`${endpoint(ANY.a)}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } });
    assert.equal(max.status, 200);
    assert.equal(max.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), '21600');
  });

  it('an expired token is refused with 401', async () => {
    const token = await md(endpoint(ANY.a), { tokenTtl: 2 }).fetchMetadataToken();
    const get = (): Promise<Response> => fetch(`${endpoint(ANY.a)}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } });
    assert.equal((await get()).status, 200);
    clock.advance(1999);
    assert.equal((await get()).status, 200);
    clock.advance(1);
    assert.equal((await get()).status, 401);
  });

  it('a token from another instance’s endpoint, or a made-up one, is refused with 401', async () => {
    const token = await md(endpoint(ANY.b)).fetchMetadataToken();
    const res = await fetch(`${endpoint(ANY.a)}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } });
    assert.equal(res.status, 401);
    const forged = await fetch(`${endpoint(ANY.b)}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': 'forged' } });
    assert.equal(forged.status, 401);
  });

  it('a token request carrying X-Forwarded-For is refused with 403', async () => {
    const res = await fetch(`${endpoint(ANY.a)}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '10.0.0.1' },
    });
    assert.equal(res.status, 403);
  });

  it('an unknown path is 404', async () => {
    assert.equal(await status(md(endpoint(ANY.a)).request('/latest/meta-data/no-such-thing', {})), 404);
  });

  it('an IMDS outage for one instance refuses its connections and leaves the others up', async () => {
    await s.setFaults({ imds: { mode: 'refuse', instances: [ANY.a] } });
    assert.equal(await tryConnect(endpoint(ANY.a)), 'ECONNREFUSED');
    assert.equal(await status(md(endpoint(ANY.a)).request('/latest/meta-data/instance-id', {})), undefined, 'no HTTP answer at all');
    assert.equal(await md(endpoint(ANY.b)).request('/latest/meta-data/instance-id', {}), ANY.b);
    await s.clearFaults();
    assert.equal(await md(endpoint(ANY.a)).request('/latest/meta-data/instance-id', {}), ANY.a);
  });

  it('an IMDS error outage answers 500, and a hang outage never answers', async () => {
    await s.setFaults({ imds: { mode: 'error', instances: [] } });
    assert.equal(await status(md(endpoint(ANY.b), { disableFetchToken: true }).request('/latest/meta-data/instance-id', {})), 500);
    await s.setFaults({ imds: { mode: 'hang' } });
    const r = await fetch(`${endpoint(ANY.b)}/latest/meta-data/instance-id`, { signal: AbortSignal.timeout(150) }).then(
      () => 'answered',
      (err: Error) => err.name,
    );
    assert.match(r, /Abort|Timeout/);
  });
});

describe('IMDS credentials', () => {
  it('an instance with an IAM role serves its name and dummy credentials', async () => {
    const s = await sim(NAT_WORLD);
    try {
      const ep = (await s.instances()).find((i) => i.instanceId === NAT.natA)!.imdsEndpoint;
      const m = md(ep);
      assert.equal(await m.request('/latest/meta-data/iam/security-credentials/', {}), 'nat-instance');
      const creds = JSON.parse(await m.request('/latest/meta-data/iam/security-credentials/nat-instance', {})) as Record<string, string>;
      assert.equal(creds.Code, 'Success');
      assert.ok(creds.AccessKeyId !== undefined && creds.SecretAccessKey !== undefined && creds.Token !== undefined);
      assert.ok(Date.parse(creds.Expiration!) > Date.now());
    } finally {
      await s.close();
    }
  });
});
