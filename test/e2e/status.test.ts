// Operations against a running daemon on the simulator: the status socket
// and endpoint, Prometheus metrics, `awsnycast status`, drain and undrain.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { runCli } from '../helpers/cli.js';
import { Daemon, Scratch, Sim, WORLDS, sleep, waitFor } from './harness.js';

const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const RTB_A = 'rtb-0a0000000000000a1';
const ENI_A = 'eni-0a0000000000000a1';
const ENI_B = 'eni-0a0000000000000b1';

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

function config(name: string, extra = '', mine = 'never_delete: true, hold_down: 0'): { file: string; socket: string; state: string } {
  const socket = join(scratch.dir, `${name}.sock`);
  const state = join(scratch.dir, `${name}.drained`);
  const file = scratch.file(
    `${name}.yaml`,
    `poll_time: 1
status: {socket: ${socket}${extra}}
drain: {state_file: ${state}, maintenance_file: ${join(scratch.dir, `${name}.maintenance`)}}
healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, ${mine}}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true}]
`,
  );
  return { file, socket, state };
}

async function start(sim: Sim, id: string, file: string): Promise<Daemon> {
  const d = Daemon.start(sim, id, ['run', '-f', file, '-log-format=json']);
  running.push(d);
  await d.waitForLog(/status socket ready/);
  return d;
}

interface StatusJson {
  identity: { instanceId: string };
  routes: { routeTable: string; cidr: string; ours: boolean; action: string; reason: string }[];
  checks: { name: string; state: string; decided: boolean }[];
  drained: { force: boolean } | null;
}

describe('status', () => {
  test('the socket is mode 0600 and serves the status document, which `awsnycast status` shows', async () => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const port = await freePort();
    const c = config('status', `, listen: "127.0.0.1:${port}"`);
    await start(sim, A, c.file);
    assert.equal(statSync(c.socket).mode & 0o777, 0o600);
    let s: StatusJson | undefined;
    await waitFor(async () => {
      const r = await runCli(['status', '--socket', c.socket, '--json']);
      s = r.code === 0 ? (JSON.parse(r.stdout) as StatusJson) : undefined;
      return s?.checks[0]?.decided === true && s.routes.length === 2;
    }, 15_000, 'a status with decided checks and both routes');
    assert.equal(s!.identity.instanceId, A);
    assert.deepEqual(
      s!.routes.map((r) => [r.routeTable, r.cidr, r.ours, r.action, r.reason]).sort(),
      [[RTB_A, '0.0.0.0/0', true, 'none', 'OWNED'], ['rtb-0a0000000000000b1', '0.0.0.0/0', false, 'none', 'OWNER_ALIVE']].sort(),
    );
    assert.deepEqual(s!.checks.map((x) => [x.name, x.state]), [['internet', 'healthy']]);

    const text = await runCli(['status', '--socket', c.socket]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /ROUTE TABLE\s+CIDR\s+OWNER\s+US\s+DECISION\s+REASON/);
    assert.match(text.stdout, /rtb-0a0000000000000a1\s+0\.0\.0\.0\/0\s+eni-0a0000000000000a1\s+yes\s+none\s+OWNED/);
    assert.match(text.stdout, /internet\s+local\s+127\.0\.0\.1\s+healthy\s+yes/);

    // The TCP endpoint serves the GETs, parsed as Prometheus text, and refuses drain.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const families = parsePrometheusTextFormat(metrics) as { name: string; metrics: { labels?: Record<string, string>; value?: string }[] }[];
    const owned = families.find((f) => f.name === 'awsnycast_route_owned');
    assert.equal(owned?.metrics.find((m) => m.labels?.route_table === RTB_A)?.value, '1');
    assert.ok(families.some((f) => f.name === 'awsnycast_ec2_calls_total' && f.metrics.some((m) => m.labels?.action === 'DescribeRouteTables')));
    assert.ok(families.some((f) => f.name === 'awsnycast_check_healthy'));
    assert.ok(families.some((f) => f.name === 'awsnycast_process_resident_memory_bytes'));
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/drain`, { method: 'POST' })).status, 403);
  });

  test('a second daemon with the same status socket refuses to start, naming it; the first keeps serving', async () => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const c = config('twice');
    await start(sim, A, c.file);
    const ino = statSync(c.socket).ino;
    const second = Daemon.start(sim, A, ['run', '-f', c.file, '-log-format=json']);
    running.push(second);
    // Bounded: a second daemon that took the socket over would run on.
    assert.equal(await Promise.race([second.exit(), sleep(30_000).then(() => 'still running after 30 s')]), 1, second.logs);
    assert.ok(second.logs.includes(`awsnycast: the status socket ${c.socket} is in use by another running awsnycast`), second.logs);
    assert.equal(statSync(c.socket).ino, ino, 'the first daemon keeps its socket');
    const r = await runCli(['status', '--socket', c.socket, '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('status exits 1 with the reason when no daemon is reachable', async () => {
    const r = await runCli(['status', '--socket', join(scratch.dir, 'nobody.sock')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach the daemon at .*nobody\.sock: no socket there/);
  });
});

describe('drain and undrain', () => {
  test('drain moves the route to the backup, survives a restart, and undrain brings it back', async () => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const a = config('drain-a', '', 'hold_down: 0');
    const b = config('drain-b');
    const da = await start(sim, A, a.file);
    await start(sim, B, b.file);
    const owner = async (): Promise<string | undefined> => (await sim.route(RTB_A, '0.0.0.0/0'))?.networkInterfaceId;
    await waitFor(async () => (await owner()) === ENI_A, 10_000, 'A to own its table');

    const r = await runCli(['drain', '--socket', a.socket]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^drained/);
    assert.ok(existsSync(a.state));
    await waitFor(async () => (await owner()) === ENI_B, 15_000, 'the backup to take the route');

    // Still drained after a restart: the state file is read at every pass.
    await da.stop();
    const da2 = await start(sim, A, a.file);
    const st = JSON.parse((await runCli(['status', '--socket', a.socket, '--json'])).stdout) as StatusJson;
    assert.notEqual(st.drained, null);
    await da2.waitForLog(/"reason":"DRAINED"|status socket ready/);
    assert.equal(await owner(), ENI_B);

    const u = await runCli(['undrain', '--socket', a.socket]);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(existsSync(a.state), false);
    await waitFor(async () => (await owner()) === ENI_A, 15_000, 'A to take its table back');
  });

  test('drain keeps a never_delete route unless --force', async () => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const a = config('nd-a');
    await start(sim, A, a.file);
    await runCli(['drain', '--socket', a.socket]);
    await waitFor(async () => {
      const s = JSON.parse((await runCli(['status', '--socket', a.socket, '--json'])).stdout) as StatusJson;
      return s.routes.some((x) => x.routeTable === RTB_A && x.reason === 'DRAINED');
    }, 10_000, 'a DRAINED decision');
    assert.equal((await sim.route(RTB_A, '0.0.0.0/0'))?.networkInterfaceId, ENI_A);
    await runCli(['drain', '--socket', a.socket, '--force']);
    await waitFor(async () => (await sim.route(RTB_A, '0.0.0.0/0')) === undefined, 10_000, 'the forced drain to withdraw the route');
  });
});
