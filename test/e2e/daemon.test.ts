// The daemon end to end: `awsnycast sim` and one `awsnycast run` per
// simulated instance, all separate processes, asserting on the simulator's
// route tables, mutation log and call counters.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, afterEach, describe, test } from 'node:test';
import { CreateRouteCommand, DeleteRouteCommand, EC2Client, ModifyNetworkInterfaceAttributeCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { Daemon, Scratch, Sim, WORLDS, sleep, untouchable, waitFor } from './harness.js';

const NAT_WORLD = `${WORLDS}/nat-pair.yaml`;
const VPC = 'vpc-0a000000000000001';
const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const ENI_A = 'eni-0a0000000000000a1';
const ENI_B = 'eni-0a0000000000000b1';
const RTB_A = 'rtb-0a0000000000000a1';
const RTB_B = 'rtb-0a0000000000000b1';
const POLL = 1;

/** The same NAT config on both instances: own AZ's table as primary, the other AZ's as backup. */
const NAT_CONFIG = `poll_time: ${POLL}
healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find:
      type: and
      config:
        filters:
          - {type: by_tag, config: {key: az, value: "\${az}"}}
          - {type: by_tag, config: {key: type, value: private}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: 0}
  theirs:
    find:
      type: and
      no_results_ok: true
      config:
        filters:
          - {type: by_tag, not: true, config: {key: az, value: "\${az}"}}
          - {type: by_tag, config: {key: type, value: private}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true}
`;

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function startSim(world = NAT_WORLD): Promise<Sim> {
  const s = await Sim.start(world);
  running.push(s);
  return s;
}

function daemon(sim: Sim, id: string, config: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Daemon {
  const d = Daemon.start(sim, id, ['run', '-f', config, '-debug', '-log-format=json', ...extra], env);
  running.push(d);
  return d;
}

function sdk(sim: Sim): EC2Client {
  const c = new EC2Client({
    region: sim.info.region,
    endpoint: sim.info.ec2Endpoint,
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
  });
  after(() => c.destroy());
  return c;
}

const target = async (sim: Sim, rtb: string, cidr = '0.0.0.0/0'): Promise<string | undefined> => {
  const r = await sim.route(rtb, cidr);
  return r === undefined ? undefined : (r.networkInterfaceId ?? r.gatewayId ?? r.instanceId);
};

async function listen(host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((sock) => {
    sock.on('error', () => undefined); // probes may reset the connection
    sock.end('ok\n');
  });
  await new Promise<void>((ok) => server.listen(0, host, ok));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  running.push({ stop: () => new Promise<void>((ok) => server.close(() => ok())) });
  return { server, port: addr.port };
}

describe('a 2-AZ NAT pair', () => {
  test('both tables converge to their own AZ instance, then stay quiet', async () => {
    const sim = await startSim();
    const ec2 = sdk(sim);
    // Start from a broken state: A's table has no default route, B's points at A.
    await ec2.send(new DeleteRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '0.0.0.0/0' }));
    await ec2.send(new ReplaceRouteCommand({ RouteTableId: RTB_B, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: ENI_A }));
    const before = await untouchable(sim, VPC, ['0.0.0.0/0']);
    const config = scratch.file('nat.yaml', NAT_CONFIG);
    daemon(sim, A, config);
    daemon(sim, B, config);
    await waitFor(async () => (await target(sim, RTB_A)) === ENI_A && (await target(sim, RTB_B)) === ENI_B, 20_000, 'both tables to point at their own AZ');
    // B may fill A's missing route first (a backup takes a missing route) before A takes it back;
    // either way the daemons make at most three writes, and B's own table is replaced once, by B.
    const writes = (await sim.mutations()).filter((m) => m.caller !== 'AKIDTEST');
    assert.ok(writes.length >= 2 && writes.length <= 3, JSON.stringify(writes.map((m) => [m.caller, m.action, m.routeTableId])));
    assert.deepEqual(writes.filter((m) => m.routeTableId === RTB_B).map((m) => m.action), ['ReplaceRoute']);
    await sim.admin('DELETE', 'counters');
    await sleep(POLL * 3000 + 500);
    assert.equal(await sim.mutatingCalls(), 0, 'no mutating call at steady state');
    assert.equal(await untouchable(sim, VPC, ['0.0.0.0/0']), before, 'other VPCs and unmanaged routes are unchanged');
  });

  test('when A stops, B takes A\'s table within poll_time + 2 s; when A runs again it reclaims it', async () => {
    const sim = await startSim();
    const before = await untouchable(sim, VPC, ['0.0.0.0/0']);
    const config = scratch.file('nat-stop.yaml', NAT_CONFIG);
    const da = daemon(sim, A, config);
    const db = daemon(sim, B, config);
    await da.waitForLog(/health check is now healthy/);
    await db.waitForLog(/health check is now healthy/);
    await sleep(POLL * 1000);
    // A stopped instance runs no daemon.
    await da.stop();
    await sim.admin('POST', `instances/${A}/stop`);
    await waitFor(async () => (await target(sim, RTB_A)) === ENI_B, 15_000, 'B to take A\'s table');
    const log = await sim.mutations('all');
    const stopped = log.find((m) => m.kind === 'instance' && m.instanceId === A && (m.after as { state?: string } | null)?.state === 'stopping');
    const takeover = log.find((m) => m.kind === 'route' && m.routeTableId === RTB_A && (m.after as { networkInterfaceId?: string } | null)?.networkInterfaceId === ENI_B);
    assert.ok(stopped !== undefined && takeover !== undefined);
    assert.equal(takeover.action, 'ReplaceRoute');
    assert.ok(takeover.wallMs - stopped.wallMs <= (POLL + 2) * 1000, `takeover took ${Math.round(takeover.wallMs - stopped.wallMs)} ms`);

    await sim.admin('POST', `instances/${A}/start`);
    await waitFor(async () => (await sim.admin<{ instances: { instanceId: string; state: string }[] }>('GET', 'instances')).instances.find((i) => i.instanceId === A)?.state === 'running', 15_000, 'A to run');
    const da2 = daemon(sim, A, config);
    await waitFor(async () => (await target(sim, RTB_A)) === ENI_A, 15_000, 'A to reclaim its table');
    await da2.waitForLog(/"reason":"PREEMPT"/);
    assert.equal(await target(sim, RTB_B), ENI_B);
    assert.equal(await untouchable(sim, VPC, ['0.0.0.0/0']), before);
  });

  test('when A is terminated, B takes the blackholed route', async () => {
    const sim = await startSim();
    const config = scratch.file('nat-term.yaml', NAT_CONFIG);
    const da = daemon(sim, A, config);
    const db = daemon(sim, B, config);
    await db.waitForLog(/health check is now healthy/);
    await da.stop();
    await sim.admin('POST', `instances/${A}/terminate`);
    await waitFor(async () => (await target(sim, RTB_A)) === ENI_B, 15_000, 'B to take the blackholed route');
    await db.waitForLog(/"reason":"OWNER_BLACKHOLE"/);
  });

  // AWS keeps a terminated instance visible for about an hour, then describe
  // calls no longer return it (TerminateInstances,
  // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TerminateInstances.html);
  // listing its id answers InvalidInstanceID.NotFound
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html).
  test('when A was terminated so long ago that EC2 no longer knows it, B still reads and takes its route', async () => {
    const sim = await startSim();
    await sim.admin('POST', 'timing', { terminatedVisibleMs: 0 });
    await sim.admin('POST', `instances/${A}/terminate`);
    await sim.admin('DELETE', 'counters');
    const db = daemon(sim, B, scratch.file('nat-gone.yaml', NAT_CONFIG));
    await waitFor(async () => (await target(sim, RTB_A)) === ENI_B, 15_000, 'B to take the route of an instance EC2 no longer knows');
    const status = (await sim.client.counters()).byAction.DescribeInstanceStatus;
    assert.ok((status?.errors['InvalidInstanceID.NotFound'] ?? 0) >= 1, `B asked about A and EC2 said it does not exist: ${JSON.stringify(status)}`);
    assert.doesNotMatch(db.logs, /reading EC2 failed|internal error/);
  });
});

describe('a backup with a remote check', () => {
  test('B leaves A\'s route while A\'s service answers, and takes it when the service stops', async () => {
    const sim = await startSim();
    const ec2 = sdk(sim);
    const svc = await listen(sim.instance(A).privateIp);
    await ec2.send(new CreateRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '10.0.0.53/32', NetworkInterfaceId: ENI_A }));
    const config = scratch.file(
      'remote.yaml',
      `poll_time: ${POLL}
healthchecks:
  self: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 3}
remote_healthchecks:
  dns: {type: tcp, every: 0.2, rise: 2, fall: 2, config: {port: ${svc.port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 10.0.0.53/32, healthcheck: self, remote_healthcheck: dns, if_unhealthy: true}
`,
    );
    const db = daemon(sim, B, config);
    const ipA = sim.instance(A).privateIp.replace(/\./g, '\\.');
    await db.waitForLog(new RegExp(`"destination":"${ipA}".*now healthy|now healthy.*"destination":"${ipA}"`));
    await sleep(POLL * 2000);
    assert.equal(await target(sim, RTB_A, '10.0.0.53/32'), ENI_A, 'the route stays while the service is up');
    assert.equal((await sim.mutations()).filter((m) => m.caller !== 'AKIDTEST').length, 0);
    await new Promise<void>((ok) => svc.server.close(() => ok()));
    await waitFor(async () => (await target(sim, RTB_A, '10.0.0.53/32')) === ENI_B, 15_000, 'B to take the route');
    await db.waitForLog(/"reason":"OWNER_REMOTE_UNHEALTHY"/);
  });
});

describe('-noop with a remote check', () => {
  test('a pass triggered by the remote check only logs what it would do', async () => {
    const sim = await startSim();
    const ec2 = sdk(sim);
    const svc = await listen(sim.instance(A).privateIp);
    await ec2.send(new CreateRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '10.0.0.53/32', NetworkInterfaceId: ENI_A }));
    await sim.admin('DELETE', 'counters');
    const config = scratch.file(
      'remote-noop.yaml',
      `poll_time: 300
healthchecks:
  self: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 3}
remote_healthchecks:
  dns: {type: tcp, every: 0.2, rise: 2, fall: 2, config: {port: ${svc.port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 10.0.0.53/32, healthcheck: self, remote_healthcheck: dns, if_unhealthy: true}
`,
    );
    const db = daemon(sim, B, config, ['-noop']);
    const ipA = sim.instance(A).privateIp.replace(/\./g, '\\.');
    await db.waitForLog(new RegExp(`"destination":"${ipA}".*now healthy|now healthy.*"destination":"${ipA}"`));
    await new Promise<void>((ok) => svc.server.close(() => ok()));
    await db.waitForLog(/would replace route: remote check dns of owner 127\.0\.1\.10 is unhealthy/);
    assert.equal(await sim.mutatingCalls(), 0);
    assert.equal(await target(sim, RTB_A, '10.0.0.53/32'), ENI_A);
  });
});

describe('an anycast /32 gated by a local check', () => {
  const config = (port: number, extra = ''): string => `poll_time: ${POLL}
healthchecks:
  svc: {type: tcp, destination: 127.0.1.10, every: 0.2, rise: 2, fall: 2, config: {port: ${port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: 10.0.0.53/32, healthcheck: svc${extra}}
`;

  test('the route is created while the check passes and deleted when it fails', async () => {
    const sim = await startSim();
    const before = await untouchable(sim, VPC, ['10.0.0.53/32']);
    const svc = await listen('127.0.1.10');
    daemon(sim, A, scratch.file('anycast.yaml', config(svc.port)));
    await waitFor(async () => (await target(sim, RTB_A, '10.0.0.53/32')) === ENI_A, 15_000, 'the route to be created');
    await new Promise<void>((ok) => svc.server.close(() => ok()));
    await waitFor(async () => (await sim.route(RTB_A, '10.0.0.53/32')) === undefined, 15_000, 'the route to be deleted');
    assert.equal(await untouchable(sim, VPC, ['10.0.0.53/32']), before);
  });

  test('with never_delete the route stays when the check fails', async () => {
    const sim = await startSim();
    const svc = await listen('127.0.1.10');
    const d = daemon(sim, A, scratch.file('anycast-nd.yaml', config(svc.port, ', never_delete: true')));
    await waitFor(async () => (await target(sim, RTB_A, '10.0.0.53/32')) === ENI_A, 15_000, 'the route to be created');
    await new Promise<void>((ok) => svc.server.close(() => ok()));
    await d.waitForLog(/"reason":"NEVER_DELETE"/);
    assert.equal(await target(sim, RTB_A, '10.0.0.53/32'), ENI_A);
  });
});

describe('-noop', () => {
  test('the simulator counts zero mutating calls while the log names the planned actions', async () => {
    const sim = await startSim();
    const ec2 = sdk(sim);
    await ec2.send(new DeleteRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '0.0.0.0/0' }));
    await sim.admin('DELETE', 'counters');
    const d = daemon(sim, A, scratch.file('noop.yaml', NAT_CONFIG), ['-noop']);
    await d.waitForLog(/would create route.*"routeTable":"rtb-0a0000000000000a1"|"routeTable":"rtb-0a0000000000000a1".*would create route/);
    await sleep(POLL * 2000);
    assert.equal(await sim.mutatingCalls(), 0);
    assert.equal(await sim.route(RTB_A, '0.0.0.0/0'), undefined);
  });
});

describe('signals during start-up', () => {
  test('SIGTERM while metadata is still unreachable stops the daemon at once (exit 0), not after -startup-timeout', async () => {
    const sim = await startSim();
    const d = daemon(sim, A, scratch.file('term-startup.yaml', NAT_CONFIG), ['-startup-timeout=120'], { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' });
    await d.waitForLog(/instance metadata not reachable yet/);
    const sent = Date.now();
    d.child.kill('SIGTERM');
    assert.equal(await d.exit(), 0, d.logs);
    assert.ok(Date.now() - sent < 20_000, `took ${Date.now() - sent} ms to stop`);
    assert.match(d.logs, /stopped during start-up/);
  });

  test('SIGTERM while EC2 is still unreachable stops the daemon at once (exit 0)', async () => {
    const sim = await startSim();
    const d = daemon(sim, A, scratch.file('term-startup-ec2.yaml', NAT_CONFIG), ['-startup-timeout=120'], { AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9' });
    await d.waitForLog(/EC2 not reachable yet/);
    d.child.kill('SIGTERM');
    assert.equal(await d.exit(), 0, d.logs);
    assert.match(d.logs, /stopped during start-up/);
  });

  test('SIGHUP during start-up does not end the daemon; the config is reloaded once it runs', async () => {
    const sim = await startSim();
    await sim.admin('POST', 'faults', { imds: { mode: 'refuse' } });
    const d = daemon(sim, A, scratch.file('hup-startup.yaml', NAT_CONFIG));
    await d.waitForLog(/instance metadata not reachable yet/);
    d.child.kill('SIGHUP');
    await d.waitForLog(/SIGHUP during start-up/);
    await sim.admin('DELETE', 'faults');
    await d.waitForLog(/SIGHUP: config reloaded/, 30_000);
    assert.equal(d.child.exitCode, null, 'still running');
  });
});

describe('start-up failures are clear', () => {
  const noStack = (s: string): void => assert.doesNotMatch(s, /\n\s+at .*:\d+:\d+\)?\n/);

  test('EC2 unreachable: exit 1 naming the endpoint setting', async () => {
    const sim = await startSim();
    const d = daemon(sim, A, scratch.file('ec2-down.yaml', NAT_CONFIG), ['-startup-timeout=1'], { AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:9' });
    assert.equal(await d.exit(), 1);
    assert.match(d.logs, /cannot reach EC2 at http:\/\/127\.0\.0\.1:9 \(from AWS_ENDPOINT_URL_EC2\)/);
    noStack(d.logs);
  });

  test('metadata unreachable: exit 1 naming the metadata setting', async () => {
    const sim = await startSim();
    const d = daemon(sim, A, scratch.file('imds-down.yaml', NAT_CONFIG), ['-startup-timeout=1'], { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(await d.exit(), 1);
    assert.match(d.logs, /instance metadata is unreachable at http:\/\/127\.0\.0\.1:9 \(from AWS_EC2_METADATA_SERVICE_ENDPOINT\)/);
    noStack(d.logs);
  });

  test('source/dest check enabled: exit 1 naming the instance and its interface', async () => {
    const sim = await startSim();
    await sdk(sim).send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: ENI_A, SourceDestCheck: { Value: true } }));
    const d = daemon(sim, A, scratch.file('sdc.yaml', NAT_CONFIG));
    assert.equal(await d.exit(), 1);
    assert.match(d.logs, new RegExp(`no network interface of ${A} has source/destination check disabled \\(${ENI_A}: source/dest check enabled\\)`));
    noStack(d.logs);
  });
});
