// Failover and racing backups while EC2's reads lag its writes by 1 s. AWS
// documents that the EC2 API is eventually consistent: a change may not be
// visible to the describe calls that follow it
// (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html).
// The simulator's `readLagMs` answers every describe call from the state as
// it was that long ago. Each scenario must end with one owner per route, no
// takeover from a live owner, and no write repeated because a read had not
// caught up with it.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, describe, test } from 'node:test';
import { CreateRouteCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Daemon, NAT_PAIR, RACE, RACE_CONFIG, Scratch, Sim, natPairConfig, raceForBlackholedRoute, sleep, waitFor } from './harness.js';

const LAG_MS = 1000;
const { A, B, RTB_A, RTB_B, ENI_A, ENI_B } = NAT_PAIR;

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function laggingSim(world: string): Promise<Sim> {
  const s = await Sim.start(world);
  running.push(s);
  await s.admin('POST', 'timing', { readLagMs: LAG_MS });
  return s;
}

function daemon(sim: Sim, id: string, config: string): Daemon {
  const d = Daemon.start(sim, id, ['run', '-f', config, '-debug', '-log-format=json']);
  running.push(d);
  return d;
}

const owner = async (sim: Sim, rtb: string, cidr: string): Promise<string | undefined> => (await sim.route(rtb, cidr))?.networkInterfaceId;

describe(`with reads lagging writes by ${LAG_MS} ms`, () => {
  test('three backups racing for a blackholed route end with one owner, at most three writes, then quiet', async () => {
    const sim = await laggingSim(RACE.world);
    const config = scratch.file('race-lag.yaml', RACE_CONFIG);
    const r = await raceForBlackholedRoute(sim, (id) => daemon(sim, id, config), LAG_MS + 3000, 10_000);
    assert.ok(r.writes.length >= 1 && r.writes.length <= 3, `${r.writes.length} writes: ${JSON.stringify(r.writes.map((m) => [m.caller, m.action]))}`);
    // A daemon never writes the same route twice (a second write would mean it acted on a read that had not caught up).
    const callers = r.writes.map((m) => m.caller);
    assert.equal(new Set(callers).size, callers.length, `a daemon wrote twice: ${JSON.stringify(callers)}`);
    assert.equal(r.ownerLater, r.owner, 'the owner did not change');
    assert.equal(r.writesLater.length, 0, 'no write once settled');
  });

  test('a backup takes a route when its remote check of the owner fails: one write, then quiet', async () => {
    const sim = await laggingSim(NAT_PAIR.world);
    const CIDR = '10.0.0.53/32';
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    after(() => ec2.destroy());
    await ec2.send(new CreateRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: CIDR, NetworkInterfaceId: ENI_A }));
    const server = createServer((s) => s.on('error', () => undefined).end());
    await new Promise<void>((ok) => server.listen(0, sim.instance(A).privateIp, ok));
    const port = (server.address() as { port: number }).port;
    running.push({ stop: () => new Promise<void>((ok) => (server.listening ? server.close(() => ok()) : ok())) });
    const config = scratch.file(
      'remote-lag.yaml',
      `poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
remote_healthchecks:
  svc: {type: tcp, every: 0.2, rise: 2, fall: 2, config: {port: ${port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: ${CIDR}, healthcheck: up, remote_healthcheck: svc, if_unhealthy: true}
`,
    );
    const db = daemon(sim, B, config);
    await db.waitForLog(/"destination":"127\.0\.1\.10"[^\n]*now healthy/);
    await sleep(2000);
    assert.equal(await owner(sim, RTB_A, CIDR), ENI_A, 'no takeover from a live owner');
    await new Promise<void>((ok) => server.close(() => ok()));
    await waitFor(async () => (await owner(sim, RTB_A, CIDR)) === ENI_B, 15_000, 'B to take the route');
    await sleep(LAG_MS + 5000);
    const writes = (await sim.mutations()).filter((m) => m.cidr === CIDR && m.caller !== 'AKIDTEST');
    assert.deepEqual(writes.map((m) => m.action), ['ReplaceRoute'], 'exactly one write, not repeated while reads lagged');
    assert.equal(await owner(sim, RTB_A, CIDR), ENI_B);
  });

  test('a NAT pair: B takes A\'s table when A stops, A takes it back when it runs again; one write each', async () => {
    const sim = await laggingSim(NAT_PAIR.world);
    const config = scratch.file('nat-lag.yaml', natPairConfig());
    const da = daemon(sim, A, config);
    const db = daemon(sim, B, config);
    await da.waitForLog(/health check is now healthy/);
    await db.waitForLog(/health check is now healthy/);
    await sleep(2000);
    await da.stop();
    await sim.admin('POST', `instances/${A}/stop`);
    await waitFor(async () => (await owner(sim, RTB_A, '0.0.0.0/0')) === ENI_B, 15_000, 'B to take A\'s table');
    await sleep(LAG_MS + 3000);
    await sim.admin('POST', `instances/${A}/start`);
    daemon(sim, A, config);
    await waitFor(async () => (await owner(sim, RTB_A, '0.0.0.0/0')) === ENI_A, 20_000, 'A to take its table back');
    await sleep(LAG_MS + 5000);
    const writes = (await sim.mutations()).filter((m) => m.cidr === '0.0.0.0/0');
    assert.deepEqual(
      writes.map((m) => [m.routeTableId, m.caller, (m.after as { networkInterfaceId?: string } | null)?.networkInterfaceId]),
      [
        [RTB_A, 'AKID0000B1', ENI_B],
        [RTB_A, 'AKID0000A1', ENI_A],
      ],
      'one takeover and one take-back, nothing repeated, B\'s own table never written',
    );
    assert.equal(await owner(sim, RTB_B, '0.0.0.0/0'), ENI_B);
  });
});
