// `awsnycast sim` as a separate process, the way end-to-end tests and
// benchmarks use it: the JSON start-up line, clients configured only by
// standard environment settings, the admin API over HTTP, clean exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { NAT, ROOT, WORLDS } from './helpers.js';

interface StartLine {
  ec2Endpoint: string;
  adminEndpoint: string;
  region: string;
  instances: { instanceId: string; privateIp: string; imdsEndpoint: string }[];
}

function startSim(args: string[]): { child: ChildProcess; line: Promise<StartLine>; stderr: () => string } {
  const child = spawn(process.execPath, [`${ROOT}bin/awsnycast`, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const rl = createInterface({ input: child.stdout });
  const line = new Promise<StartLine>((resolve, reject) => {
    rl.once('line', (l) => resolve(JSON.parse(l) as StartLine));
    child.once('exit', (code) => reject(new Error(`sim exited with ${code}: ${err}`)));
  });
  return { child, line, stderr: () => err };
}

/** Whether ::1 can be bound here (some containers have no IPv6). */
function ipv6Loopback(): boolean {
  return spawnSync(process.execPath, ['-e', "require('net').createServer().listen(0, '::1', function () { this.close(); }).on('error', () => process.exit(1))"]).status === 0;
}

const json = async (url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const post = (url: string, body?: unknown): RequestInit => ({ method: 'POST', body: body === undefined ? '' : JSON.stringify(body) });

describe('awsnycast sim', () => {
  let child: ChildProcess;
  let start: StartLine;
  before(async () => {
    const s = startSim(['--world', `${WORLDS}nat-pair.yaml`, '--listen', '127.0.0.1:0']);
    child = s.child;
    start = await s.line;
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('prints one JSON line with the EC2 endpoint and each instance’s metadata endpoint', () => {
    assert.match(start.ec2Endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(start.region, 'us-east-1');
    assert.deepEqual(start.instances.map((i) => [i.instanceId, i.privateIp]), [
      [NAT.natA, '127.0.1.10'],
      [NAT.natB, '127.0.2.10'],
    ]);
    for (const i of start.instances) assert.match(i.imdsEndpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the same at GET /_sim/instances on the EC2 port and on the admin port', async () => {
    const a = await json(`${start.ec2Endpoint}/_sim/instances`);
    const b = await json(`${start.adminEndpoint}/_sim/instances`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.body.instances, start.instances);
    assert.deepEqual(b.body, a.body);
  });

  it('SDK clients configured only through AWS_ENDPOINT_URL_EC2 and AWS_EC2_METADATA_SERVICE_ENDPOINT reach it', async () => {
    const script = `
      const { EC2Client, DescribeRouteTablesCommand } = require('@aws-sdk/client-ec2');
      const { MetadataService } = require('@aws-sdk/ec2-metadata-service');
      (async () => {
        const id = await new MetadataService().request('/latest/meta-data/instance-id', {});
        const az = await new MetadataService().request('/latest/meta-data/placement/availability-zone', {});
        const c = new EC2Client({ region: az.slice(0, -1) });
        const r = await c.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.instance-id', Values: [id] }] }));
        process.stdout.write(JSON.stringify({ id, tables: r.RouteTables.map((t) => t.RouteTableId) }));
        c.destroy();
      })().catch((e) => { process.stderr.write(String(e)); process.exit(1); });`;
    const c = spawn(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        AWS_ENDPOINT_URL_EC2: start.ec2Endpoint,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: start.instances[1]!.imdsEndpoint,
        AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
        AWS_SECRET_ACCESS_KEY: 'dummy',
        AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(c, 'exit')) as [number];
    assert.equal(code, 0, err);
    assert.deepEqual(JSON.parse(out), { id: NAT.natB, tables: [NAT.privB] });
    const counters = await json(`${start.adminEndpoint}/_sim/counters`);
    const byCaller = counters.body.byCaller as Record<string, { calls: number }>;
    assert.equal(byCaller.AKIDFROMENV?.calls, 1);
  });

  it('the admin API stops an instance, shows the blackhole, and logs the change', async () => {
    const stop = await json(`${start.adminEndpoint}/_sim/instances/${NAT.natA}/stop`, post('', undefined));
    assert.deepEqual(stop.body, { instanceId: NAT.natA, before: 'running', after: 'stopped' });
    const tables = await json(`${start.adminEndpoint}/_sim/route-tables?id=${NAT.privA}`);
    const [t] = tables.body.routeTables as { routes: { cidr: string; state: string; instanceId?: string }[] }[];
    assert.deepEqual(t?.routes.find((r) => r.cidr === '0.0.0.0/0'), {
      cidr: '0.0.0.0/0',
      state: 'blackhole',
      origin: 'CreateRoute',
      instanceId: NAT.natA,
      networkInterfaceId: NAT.eniA,
    });
    const log = await json(`${start.adminEndpoint}/_sim/mutations?kind=instance&instanceId=${NAT.natA}`);
    const entries = log.body.entries as { action: string; after: { state: string } }[];
    assert.deepEqual(entries.map((e) => [e.action, e.after.state]), [
      ['admin:stop', 'stopping'],
      ['admin:stop', 'stopped'],
    ]);
    const start2 = await json(`${start.adminEndpoint}/_sim/instances/${NAT.natA}/start`, post(''));
    assert.equal(start2.body.after, 'running');
  });

  it('the admin API sets and clears faults and statuses, and resets the world', async () => {
    const f = await json(`${start.adminEndpoint}/_sim/faults`, post('', { throttle: { forced: true }, latencyMs: { '*': 5 } }));
    assert.equal((f.body.throttle as { forced: boolean }).forced, true);
    const res = await fetch(start.ec2Endpoint, { method: 'POST', body: 'Action=DescribeRouteTables&Version=2016-11-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 503);
    assert.match(await res.text(), /<Code>RequestLimitExceeded<\/Code>/);
    const cleared = await json(`${start.adminEndpoint}/_sim/faults`, { method: 'DELETE' });
    assert.equal((cleared.body.throttle as { forced: boolean }).forced, false);
    const impair = await json(`${start.adminEndpoint}/_sim/instances/${NAT.natB}/impair`, post('', { system: true }));
    assert.deepEqual(impair.body, { instanceId: NAT.natB, instance: 'impaired', system: 'impaired' });
    await json(`${start.adminEndpoint}/_sim/instances/${NAT.natB}/terminate`, post(''));
    const reset = await json(`${start.adminEndpoint}/_sim/reset`, post(''));
    assert.deepEqual(reset.body, { ok: true });
    const after = await json(`${start.adminEndpoint}/_sim/instances`);
    assert.deepEqual((after.body.instances as { state: string }[]).map((i) => i.state), ['running', 'running']);
    const log = await json(`${start.adminEndpoint}/_sim/mutations`);
    assert.deepEqual(log.body, { lastSeq: 0, entries: [] });
  });

  it('the admin API answers bad requests with stable error codes', async () => {
    assert.deepEqual((await json(`${start.adminEndpoint}/_sim/nope`)).status, 404);
    assert.equal(((await json(`${start.adminEndpoint}/_sim/nope`)).body.error as { code: string }).code, 'SIM_NOT_FOUND');
    const bad = await json(`${start.adminEndpoint}/_sim/faults`, post('', { errors: { rate: 7 } }));
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, 'SIM_BAD_REQUEST');
    const unknown = await json(`${start.adminEndpoint}/_sim/instances/i-0000000000000dead/stop`, post(''));
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, 'InvalidInstanceID.NotFound');
  });

  it('exits 0 on SIGTERM', async () => {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});

describe('awsnycast sim start-up errors', () => {
  it('a world file with problems exits 1 and names file, line and key path', async () => {
    const s = startSim(['--world', `${ROOT}examples/worlds/invalid/bad-world.yaml`]);
    const [code] = (await once(s.child, 'exit')) as [number];
    await s.line.catch(() => undefined);
    assert.equal(code, 1);
    assert.match(s.stderr(), /bad-world\.yaml:\d+:\d+: instances\[0\]\.network_interfaces\[0\]\.private_ip: /);
    assert.match(s.stderr(), /bad-world\.yaml:\d+:\d+: route_tables\[0\]\.routes\[0\]\.instance: /);
  });

  it('a non-loopback listen address exits 1', async () => {
    const s = startSim(['--world', `${WORLDS}nat-pair.yaml`, '--listen', '0.0.0.0:0']);
    const [code] = (await once(s.child, 'exit')) as [number];
    await s.line.catch(() => undefined);
    assert.equal(code, 1);
    assert.match(s.stderr(), /0\.0\.0\.0:0/, 'names the refused address');
  });

  it('listens on the IPv6 loopback and prints its endpoints in brackets', { skip: ipv6Loopback() ? false : 'this machine has no IPv6 loopback' }, async () => {
    for (const listen of ['[::1]:0', '::1']) {
      const s = startSim(['--world', `${WORLDS}nat-pair.yaml`, '--listen', listen]);
      try {
        const line = await s.line;
        assert.match(line.ec2Endpoint, /^http:\/\/\[::1\]:\d+$/, listen);
        for (const i of line.instances) assert.match(i.imdsEndpoint, /^http:\/\/\[::1\]:\d+$/, listen);
        const r = await fetch(`${line.ec2Endpoint}/`, { method: 'POST', body: 'Action=DescribeVpcs&Version=2016-11-15' });
        assert.ok(r.status > 0, 'the printed endpoint is a URL that answers');
      } finally {
        s.child.kill('SIGTERM');
        await once(s.child, 'exit');
      }
    }
  });

  it('a missing --world is a usage error, exit 2', async () => {
    const s = startSim([]);
    const [code] = (await once(s.child, 'exit')) as [number];
    await s.line.catch(() => undefined);
    assert.equal(code, 2);
  });
});
