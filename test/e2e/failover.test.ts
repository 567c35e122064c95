// Calm failover, end to end: racing backups end with one owner, two primaries
// stop fighting, and a recovered primary waits out its hold-down.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { createServer } from 'node:net';
import { CreateRouteCommand, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { OWN_WRITE_WINDOW_MS } from '../../src/core/own-writes.js';
import { Daemon, RACE, RACE_CONFIG, Scratch, Sim, WORLDS, raceForBlackholedRoute, sleep, waitFor } from './harness.js';

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function startSim(world: string): Promise<Sim> {
  const s = await Sim.start(world);
  running.push(s);
  return s;
}

function daemon(sim: Sim, id: string, config: string): Daemon {
  const d = Daemon.start(sim, id, ['run', '-f', config, '-debug', '-log-format=json']);
  running.push(d);
  return d;
}

const routeOwner = async (sim: Sim, rtb: string, cidr: string): Promise<string | undefined> => (await sim.route(rtb, cidr))?.networkInterfaceId;

describe('three backups race for a blackholed route', () => {
  test('exactly one owner at the end, at most three writes, and no change in the next 30 s', async () => {
    const sim = await startSim(RACE.world);
    const config = scratch.file('race.yaml', RACE_CONFIG);
    const r = await raceForBlackholedRoute(sim, (id) => daemon(sim, id, config), 2000, 30_000);
    assert.ok(r.writes.length >= 1 && r.writes.length <= 3, `${r.writes.length} writes: ${JSON.stringify(r.writes.map((m) => [m.caller, m.action]))}`);
    assert.equal(r.ownerLater, r.owner, 'the owner did not change');
    assert.equal(r.writesLater.length, 0, 'no write in the next 30 s');
    const stoodDown = r.daemons.filter((d) => /no longer needed|"reason":"OWNER_ALIVE"/.test(d.logs)).length;
    assert.ok(stoodDown >= 2, 'the other backups stood down');
  });
});

const NAT = `${WORLDS}/nat-pair.yaml`;
const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const RTB_A = 'rtb-0a0000000000000a1';

describe('two instances both configured as primary for one route', () => {
  test('flapping stops within the bound and an error names both instances', async () => {
    const sim = await startSim(NAT);
    const config = scratch.file(
      'flap.yaml',
      `poll_time: 0.5
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: up, hold_down: 0}
`,
    );
    const da = daemon(sim, A, config);
    const db = daemon(sim, B, config);
    await waitFor(() => /is flapping between/.test(da.logs + db.logs), 40_000, 'a flapping error');
    const line = (da.logs + db.logs).split('\n').find((l) => l.includes('is flapping between')) ?? '';
    assert.match(line, new RegExp(`${A}.*${B}|${B}.*${A}`));
    assert.match(line, /"level":50/);
    // The other daemon may still take the route back once or twice until it detects the flap too
    // (each waits for its own last write to show, up to 3 s: docs/daemon.md, eventual consistency).
    let n = (await sim.mutations()).length;
    await waitFor(async () => {
      await sleep(5000);
      const now = (await sim.mutations()).length;
      const quiet = now === n;
      n = now;
      return quiet;
    }, 30_000, 'the take-backs to stop');
    assert.ok(n <= 8, `${n} writes before the fighting stopped`);
  });
});

describe('hold-down', () => {
  test('a recovered primary does not take its route back before hold_down, and does after', async () => {
    const sim = await startSim(NAT);
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    // B holds A's table, as after a failover.
    await ec2.send(new ReplaceRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: 'eni-0a0000000000000b1' }));
    ec2.destroy();
    const config = scratch.file(
      'hold.yaml',
      `poll_time: 300
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: up, hold_down: 4}
`,
    );
    const da = daemon(sim, A, config);
    await da.waitForLog(/"reason":"HOLD_DOWN"/);
    const healthyAt = Number(/"time":(\d+)[^\n]*health check is now healthy/.exec(da.logs)?.[1]);
    assert.ok(healthyAt > 0);
    await waitFor(async () => (await routeOwner(sim, RTB_A, '0.0.0.0/0')) === 'eni-0a0000000000000a1', 20_000, 'A to take its table back');
    const back = (await sim.mutations()).find((m) => m.routeTableId === RTB_A && m.caller !== 'AKIDTEST');
    assert.ok(back !== undefined);
    assert.ok(back.wallMs - healthyAt >= 3900, `took it back ${Math.round(back.wallMs - healthyAt)} ms after becoming healthy`);
  });
});

describe('failover time', () => {
  test('with a remote check at every 0.5 s, fall 3, and 80 ms EC2 latency (reported, not asserted)', async (t) => {
    const sim = await startSim(NAT);
    await sim.admin('POST', 'faults', { latencyMs: { '*': 80 } });
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    after(() => ec2.destroy());
    const CIDR = '10.0.0.53/32';
    await ec2.send(new CreateRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: CIDR, NetworkInterfaceId: 'eni-0a0000000000000a1' }));
    let server = createServer((s) => s.on('error', () => undefined).end());
    await new Promise<void>((ok) => server.listen(0, '127.0.1.10', ok));
    const port = (server.address() as { port: number }).port;
    // Closed by afterEach whatever the outcome, so a failed assertion cannot leave the process hanging.
    running.push({ stop: () => new Promise<void>((ok) => (server.listening ? server.close(() => ok()) : ok())) });
    const config = scratch.file(
      'failover-time.yaml',
      `poll_time: 30
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.5, rise: 2, fall: 3}
remote_healthchecks:
  svc: {type: tcp, every: 0.5, rise: 2, fall: 3, timeout: 0.4, config: {port: ${port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: ${CIDR}, healthcheck: up, remote_healthcheck: svc, if_unhealthy: true}
`,
    );
    const db = daemon(sim, B, config);
    const times: number[] = [];
    for (let trial = 0; trial < 3; trial++) {
      await waitFor(() => (db.logs.match(/"destination":"127\.0\.1\.10"[^\n]*now healthy/g) ?? []).length > trial, 20_000, 'the remote check to pass');
      await sleep(1000);
      const seq = Math.max(0, ...(await sim.mutations()).map((m) => m.seq));
      const fault = Date.now();
      await new Promise<void>((ok) => server.close(() => ok()));
      await waitFor(async () => (await sim.mutations()).some((m) => m.seq > seq && m.cidr === CIDR), 20_000, 'the takeover');
      const m = (await sim.mutations()).find((x) => x.seq > seq && x.cidr === CIDR)!;
      times.push(m.wallMs - fault);
      // Back to A for the next trial.
      await ec2.send(new ReplaceRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: CIDR, NetworkInterfaceId: 'eni-0a0000000000000a1' }));
      server = createServer((s) => s.on('error', () => undefined).end());
      await new Promise<void>((ok) => server.listen(port, '127.0.1.10', ok));
    }
    times.sort((a, b) => a - b);
    t.diagnostic(`failover times (fault -> route changed): ${times.map((x) => Math.round(x)).join(', ')} ms; median ${Math.round(times[1]!)} ms`);
    assert.equal(times.length, 3);
  });
});

describe('a route handed back soon after a takeover', () => {
  // The backup's check of the old owner is still unhealthy when the route is handed back: its
  // verdict was formed before the owner took the route again, so it must not count (docs/daemon.md,
  // OWNER_REMOTE_STALE). The hand-back comes at once: the backup first holds the route while its
  // own write is not visible (OWN_WRITE_WINDOW_MS, still watching the owner), then sees the
  // stale verdict, and its check can only pass again well after that.
  test('is not taken again on the old owner\'s stale remote verdict', async () => {
    const sim = await startSim(NAT);
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    after(() => ec2.destroy());
    const CIDR = '10.0.0.54/32';
    const ENI_A = 'eni-0a0000000000000a1';
    await ec2.send(new CreateRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: CIDR, NetworkInterfaceId: ENI_A }));
    let server = createServer((s) => s.on('error', () => undefined).end());
    await new Promise<void>((ok) => server.listen(0, '127.0.1.10', ok));
    const port = (server.address() as { port: number }).port;
    // Closed by afterEach whatever the outcome, so a failed assertion cannot leave the process hanging.
    running.push({ stop: () => new Promise<void>((ok) => (server.listening ? server.close(() => ok()) : ok())) });
    // rise 12 at every 0.5: a check of A needs 6 s of passes to turn healthy again, so when the
    // own-write hold ends (3 s after the takeover) its verdict is still the stale unhealthy one,
    // for more than two 1 s polls.
    const config = scratch.file(
      'handback.yaml',
      `poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.5, rise: 2, fall: 3}
remote_healthchecks:
  svc: {type: tcp, every: 0.5, rise: 12, fall: 3, timeout: 0.4, config: {port: ${port}}}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: ${CIDR}, healthcheck: up, remote_healthcheck: svc, if_unhealthy: true}
`,
    );
    const db = daemon(sim, B, config);
    for (let trial = 0; trial < 2; trial++) {
      await waitFor(() => (db.logs.match(/"destination":"127\.0\.1\.10"[^\n]*now healthy/g) ?? []).length > trial, 20_000, 'the remote check to pass');
      const seq = Math.max(0, ...(await sim.mutations()).map((m) => m.seq));
      await new Promise<void>((ok) => server.close(() => ok()));
      await waitFor(async () => (await sim.mutations()).some((m) => m.seq > seq && m.cidr === CIDR), 20_000, 'the takeover');
      // A's service is back and the route is handed back to A at once.
      server = createServer((s) => s.on('error', () => undefined).end());
      await new Promise<void>((ok) => server.listen(port, '127.0.1.10', ok));
      await ec2.send(new ReplaceRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: CIDR, NetworkInterfaceId: ENI_A }));
      const back = Math.max(...(await sim.mutations()).map((m) => m.seq));
      await sleep(OWN_WRITE_WINDOW_MS + 2000);
      const retakes = (await sim.mutations()).filter((m) => m.seq > back && m.cidr === CIDR);
      assert.deepEqual(retakes.map((m) => [m.caller, m.action]), [], `trial ${trial}: B took the route again`);
      assert.equal(await routeOwner(sim, RTB_A, CIDR), ENI_A);
    }
  });
});
