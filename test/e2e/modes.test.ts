// -oneshot, `plan`, SIGHUP reload, SIGTERM, and EC2 failures during passes,
// each as separate processes against `awsnycast sim`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, afterEach, describe, test } from 'node:test';
import { DeleteRouteCommand, EC2Client } from '@aws-sdk/client-ec2';
import { Daemon, Scratch, Sim, WORLDS, sleep, waitFor } from './harness.js';

const A = 'i-0a0000000000000a1';
const ENI_A = 'eni-0a0000000000000a1';
const RTB_A = 'rtb-0a0000000000000a1';

const CONFIG = (poll = 1): string => `poll_time: ${poll}
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: up}
      - {cidr: 10.0.0.53/32, healthcheck: up}
`;

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function startSim(): Promise<Sim> {
  const s = await Sim.start(`${WORLDS}/nat-pair.yaml`);
  running.push(s);
  return s;
}

function start(sim: Sim, args: string[]): Daemon {
  const d = Daemon.start(sim, A, args);
  running.push(d);
  return d;
}

async function deleteDefault(sim: Sim): Promise<void> {
  const c = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  await c.send(new DeleteRouteCommand({ RouteTableId: RTB_A, DestinationCidrBlock: '0.0.0.0/0' }));
  c.destroy();
}

const has = async (sim: Sim, cidr: string): Promise<boolean> => (await sim.route(RTB_A, cidr))?.networkInterfaceId === ENI_A;

describe('modes', () => {
  test('-oneshot waits for the checks, makes the changes, and exits 0', async () => {
    const sim = await startSim();
    await deleteDefault(sim);
    const d = start(sim, ['-f', scratch.file('oneshot.yaml', CONFIG(300)), '-oneshot', '-log-format=json']);
    assert.equal(await d.exit(), 0, d.logs);
    assert.ok(await has(sim, '0.0.0.0/0'));
    assert.ok(await has(sim, '10.0.0.53/32'));
  });

  test('-oneshot exits 1 when an action fails', async () => {
    const sim = await startSim();
    await deleteDefault(sim);
    await sim.admin('POST', 'faults', { errors: { rate: 1, status: 500, actions: ['CreateRoute'] } });
    const d = start(sim, ['-f', scratch.file('oneshot-fail.yaml', CONFIG(300)), '-oneshot', '-log-format=json']);
    assert.equal(await d.exit(), 1, d.logs);
    assert.match(d.logs, /create route failed; the next pass retries/);
  });

  test('plan prints every managed route with its decision and changes nothing', async () => {
    const sim = await startSim();
    await deleteDefault(sim);
    await sim.admin('DELETE', 'counters');
    const d = start(sim, ['plan', '-f', scratch.file('plan.yaml', CONFIG()), '-log-format=json']);
    assert.equal(await d.exit(), 0, d.logs);
    assert.match(d.logs, /ROUTE TABLE\s+NAME\s+CIDR\s+CURRENT\s+STATE\s+ACTION\s+REASON/);
    assert.match(d.logs, /rtb-0a0000000000000a1\s+mine\s+0\.0\.0\.0\/0\s+-\s+missing\s+create\s+MISSING_CREATE/);
    assert.match(d.logs, /rtb-0a0000000000000a1\s+mine\s+10\.0\.0\.53\/32\s+-\s+missing\s+create\s+MISSING_CREATE/);
    assert.equal(await sim.mutatingCalls(), 0);
  });

  test('plan --json prints the actions as JSON', async () => {
    const sim = await startSim();
    const d = start(sim, ['plan', '--json', '-f', scratch.file('plan-json.yaml', CONFIG()), '-log-format=json']);
    assert.equal(await d.exit(), 0, d.logs);
    const json = d.logs.slice(d.logs.indexOf('{\n'));
    const plan = JSON.parse(json.slice(0, json.lastIndexOf('}') + 1)) as { actions: { routeTableId: string; cidr: string; action: string; reason: string }[] };
    assert.deepEqual(
      plan.actions.map((a) => [a.routeTableId, a.cidr, a.action, a.reason]),
      [[RTB_A, '0.0.0.0/0', 'none', 'OWNED'], [RTB_A, '10.0.0.53/32', 'create', 'MISSING_CREATE']],
    );
  });
});

describe('signals', () => {
  test('SIGHUP with an invalid config keeps the old one; with a valid one it applies the new one', async () => {
    const sim = await startSim();
    const file = scratch.file('hup.yaml', CONFIG());
    const d = start(sim, ['-f', file, '-log-format=json']);
    await waitFor(() => has(sim, '10.0.0.53/32'), 15_000, 'the /32 to be created');
    writeFileSync(file, 'routetables: [nope]\n');
    d.child.kill('SIGHUP');
    await d.waitForLog(/SIGHUP: the new config is invalid; keeping the old one/);
    assert.equal(d.child.exitCode, null, 'still running');
    writeFileSync(file, CONFIG().replace('10.0.0.53/32', '10.0.0.54/32'));
    d.child.kill('SIGHUP');
    await d.waitForLog(/SIGHUP: config reloaded/);
    await waitFor(() => has(sim, '10.0.0.54/32'), 15_000, 'the new /32 to be created');
    assert.ok(await has(sim, '10.0.0.53/32'), 'a route dropped from the config is left alone, not deleted');
  });

  test('SIGTERM stops the daemon promptly with exit 0 and leaves the routes', async () => {
    const sim = await startSim();
    const d = start(sim, ['-f', scratch.file('term.yaml', CONFIG()), '-log-format=json']);
    await waitFor(() => has(sim, '10.0.0.53/32'), 15_000, 'the /32 to be created');
    const t0 = Date.now();
    assert.equal(await d.stop(), 0);
    assert.ok(Date.now() - t0 < 5000, 'stopped within 5 s');
    assert.ok(await has(sim, '10.0.0.53/32'));
  });
});

describe('EC2 failures during passes', () => {
  test('the daemon keeps running through 500s and converges when they stop', async () => {
    const sim = await startSim();
    await sim.admin('POST', 'faults', { errors: { rate: 1, status: 500, actions: ['DescribeRouteTables'] } });
    // poll_time 300: convergence after the fault comes from the retry backoff, not from the poll.
    const d = start(sim, ['-f', scratch.file('faults.yaml', CONFIG(300)), '-log-format=json']);
    await d.waitForLog(/reading EC2 failed \(DescribeRouteTables\); will retry next pass/);
    await sleep(2500);
    assert.equal(d.child.exitCode, null, 'still running');
    assert.equal((d.logs.match(/reading EC2 failed/g) ?? []).length, 1, 'logged once per distinct cause');
    await sim.admin('DELETE', 'faults');
    await waitFor(() => has(sim, '10.0.0.53/32'), 15_000, 'the /32 to be created after the fault');
    await d.waitForLog(/recovered: read:/);
  });
});

describe('plan and -noop change nothing', () => {
  test('no health-check hook runs under plan or run -noop (a normal run does run it)', async () => {
    const sim = await startSim();
    const { existsSync } = await import('node:fs');
    const marker = (name: string): string => `${scratch.dir}/${name}.ran`;
    const config = (name: string): string =>
      scratch.file(
        `${name}.yaml`,
        `poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 1, fall: 3, run_on_healthy: [/bin/sh, -c, 'touch ${marker(name)}']}
routetables:
  mine:
    find: {type: by_tag, config: {key: az, value: "\${az}"}}
    manage_routes:
      - {cidr: 10.0.0.53/32, healthcheck: up}
`,
      );
    const plan = start(sim, ['plan', '-f', config('plan-hook'), '-log-format=json']);
    assert.equal(await plan.exit(), 0, plan.logs);
    const noop = start(sim, ['-f', config('noop-hook'), '-noop', '-log-format=json']);
    await noop.waitForLog(/health check is now healthy/);
    await sleep(1000);
    await noop.stop();
    assert.equal(existsSync(marker('plan-hook')), false, 'plan ran a hook');
    assert.equal(existsSync(marker('noop-hook')), false, 'run -noop ran a hook');
    const real = start(sim, ['-f', config('real-hook'), '-log-format=json']);
    await waitFor(() => existsSync(marker('real-hook')), 15_000, 'a normal run to run the hook');
    await real.stop();
  });
});
