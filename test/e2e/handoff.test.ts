// Planned events without an outage (issue #14), each daemon a separate
// process on the simulator at the default poll_time (300 s): a drained,
// interrupted or stopping owner hands each route straight to a healthy peer
// with one ReplaceRoute, and a 50 ms watch of the tables never sees a route
// missing or a blackhole; with every instance unhealthy the route goes to
// its fallback NAT gateway and comes back.
//
// What the daemon relies on from AWS here (the simulator follows the same
// pages; and it refuses any parameter or filter that AWS's EC2 model does not
// document for the action: its contract is generated from that model,
// src/sim/contract/):
// * ReplaceRoute takes exactly one target, NetworkInterfaceId or
//   NatGatewayId ("[IPv4 traffic only] The ID of a NAT gateway"):
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html
// * DescribeInstances filters vpc-id, tag:<key>, instance-state-name:
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstances.html
// * NAT gateway states (pending, failed, available, deleting, deleted) and a
//   deleted gateway's routes left blackhole:
//   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html,
//   https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
// * spot/instance-action and autoscaling/target-lifecycle-state in metadata
//   (404 when absent): see src/sim/signals.ts for AWS's words and pages.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { DeleteNatGatewayCommand, EC2Client } from '@aws-sdk/client-ec2';
import { runCli } from '../helpers/cli.js';
import { Daemon, Scratch, Sim, WORLDS, sleep, waitFor } from './harness.js';
import { watchRoutes } from '../helpers/harness.js';

const WORLD = join(WORLDS, 'handoff.yaml');
const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const C = 'i-0a0000000000000c1';
const ENI = { [A]: 'eni-0a0000000000000a1', [B]: 'eni-0a0000000000000b1', [C]: 'eni-0a0000000000000c1' } as Record<string, string>;
const RTB_A = 'rtb-0a0000000000000a1';
const MAIN = 'rtb-0a000000000000000';
const ANYCAST = '10.0.100.1/32';
const NAT = 'nat-0a0000000000000a1';

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

interface Opts {
  /** Top-level keys. */
  head?: string;
  /** The local check (default: ping 127.0.0.1). */
  check?: string;
  /** Extra keys of the AZ's own default route. */
  mine?: string;
  /** Extra keys of the other AZ's default route. */
  theirs?: string;
  /** Manage the NAT tables (A and B) or only the anycast /32 (C). */
  nat?: boolean;
  /** Primary (A) or backup for the /32. */
  anycastPrimary?: boolean;
  /** hold_down of the AZ's own default route (default 0). */
  holdDown?: number;
}

function config(name: string, o: Opts = {}): { file: string; socket: string } {
  const socket = join(scratch.dir, `${name}.sock`);
  const nat = o.nat ?? true;
  const tables = nat
    ? `  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: ${o.holdDown ?? 0}, remote_healthcheck: peer, peers: {tag: role, value: nat}${o.mine ?? ''}}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true, remote_healthcheck: peer, peers: {tag: role, value: nat}${o.theirs ?? ''}}]
`
    : '';
  const anycast = o.anycastPrimary === true ? 'hold_down: 0' : 'if_unhealthy: true';
  const file = scratch.file(
    `${name}.yaml`,
    `poll_time: 300
${o.head ?? ''}status: {socket: ${socket}}
drain: {state_file: ${join(scratch.dir, `${name}.drained`)}, maintenance_file: ${join(scratch.dir, `${name}.maintenance`)}}
healthchecks:
  internet: ${o.check ?? '{type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}'}
remote_healthchecks:
  peer: {type: ping, every: 0.2, rise: 2, fall: 3}
routetables:
${tables}  anycast:
    find: {type: main}
    manage_routes: [{cidr: ${ANYCAST}, healthcheck: internet, remote_healthcheck: peer, peers: {tag: anycast, value: web}, ${anycast}}]
`,
  );
  return { file, socket };
}

async function start(sim: Sim, id: string, file: string): Promise<Daemon> {
  const d = Daemon.start(sim, id, ['run', '-f', file, '-log-format=json']);
  running.push(d);
  await d.waitForLog(/status socket ready/);
  return d;
}

interface StatusJson {
  routes: { routeTable: string; cidr: string; ours: boolean; reason: string; detail: string; handoff?: { to: string | null; why: string } }[];
  remoteChecks: { destination: string; template: string }[];
  drained: { source: string; why: string } | null;
  lifecycle: { kind: string; detail: string }[];
}

async function status(socket: string): Promise<StatusJson> {
  const r = await runCli(['status', '--socket', socket, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

const routeOf = (s: StatusJson, rtb: string, cidr: string) => s.routes.find((r) => r.routeTable === rtb && r.cidr === cidr);

const target = async (sim: Sim, rtb: string, cidr: string): Promise<string | undefined> => {
  const r = await sim.route(rtb, cidr);
  return r?.networkInterfaceId ?? r?.natGatewayId;
};

/** Both of A's routes handed to peers: waits, and returns how long it took and where each went. */
async function waitHandedOff(sim: Sim, since: number, limitMs: number): Promise<{ ms: number; nat: string; anycast: string }> {
  let nat = '';
  let anycast = '';
  await waitFor(
    async () => {
      nat = (await target(sim, RTB_A, '0.0.0.0/0')) ?? '';
      anycast = (await target(sim, MAIN, ANYCAST)) ?? '';
      return nat !== ENI[A] && anycast !== ENI[A];
    },
    limitMs,
    'both of A\'s routes to be handed off',
    20,
  );
  return { ms: Date.now() - since, nat, anycast };
}

/** Starts A (owner of private-a and the /32), B (NAT peer) and C (anycast peer); waits until A would hand both routes to someone. */
async function trio(sim: Sim, aOpts: Opts = {}): Promise<{ a: Daemon; sa: string; sb: string; sc: string; fileA: string }> {
  const ca = config(`a-${Date.now()}`, { anycastPrimary: true, ...aOpts });
  const cb = config(`b-${Date.now()}`);
  const cc = config(`c-${Date.now()}`, { nat: false });
  const a = await start(sim, A, ca.file);
  await start(sim, B, cb.file);
  await start(sim, C, cc.file);
  await waitFor(
    async () => {
      const s = await status(ca.socket);
      return [routeOf(s, RTB_A, '0.0.0.0/0'), routeOf(s, MAIN, ANYCAST)].every((r) => r?.ours === true && r.handoff?.to !== undefined && r.handoff.to !== null);
    },
    20_000,
    'A to own both routes and see a healthy peer for each',
  );
  return { a, sa: ca.socket, sb: cb.socket, sc: cc.socket, fileA: ca.file };
}

/** Every route write to the two routes since `seq`: only ReplaceRoute, never a delete. */
async function writesSince(sim: Sim, seq: number): Promise<string[]> {
  return (await sim.mutations())
    .filter((m) => m.seq > seq && ((m.routeTableId === RTB_A && m.cidr === '0.0.0.0/0') || (m.routeTableId === MAIN && m.cidr === ANYCAST)))
    .map((m) => m.action);
}

const lastSeq = async (sim: Sim): Promise<number> => Math.max(0, ...(await sim.mutations('all')).map((m) => m.seq));

describe('make-before-break hand-off (poll_time 300)', () => {
  test('draining the owner puts its /32 and its never_delete default route at a healthy peer within 2 s, with no gap; the peers then own and watch them', async () => {
    const sim = await Sim.start(WORLD);
    running.push(sim);
    const { sa, sb, sc } = await trio(sim);
    const seq = await lastSeq(sim);
    const watch = watchRoutes(sim, [[RTB_A, '0.0.0.0/0'], [MAIN, ANYCAST]]);
    const t0 = Date.now();
    const r = await runCli(['drain', '--socket', sa]);
    assert.equal(r.code, 0, r.stderr);
    const done = await waitHandedOff(sim, t0, 10_000);
    await sleep(500);
    const { samples, gaps } = await watch.stop();
    assert.ok(done.ms <= 2000, `hand-off took ${done.ms} ms`);
    assert.equal(done.nat, ENI[B], 'the NAT route goes to the only NAT peer');
    assert.ok([ENI[B], ENI[C]].includes(done.anycast), done.anycast);
    assert.deepEqual(gaps, [], `${samples} samples`);
    assert.ok(samples >= 10);
    assert.deepEqual(await writesSince(sim, seq), ['ReplaceRoute', 'ReplaceRoute'], 'one ReplaceRoute per route, no delete');
    const sa1 = await status(sa);
    assert.ok(['HANDOFF', 'DRAINED'].includes(routeOf(sa1, RTB_A, '0.0.0.0/0')?.reason ?? ''), 'the last decision: the hand-off, or (after a watch pass) drained');

    // The new owners see the routes as theirs without waiting for poll_time (watch_time, default 10 s),
    // and the other peer's remote check follows the /32 to its new owner.
    const anycastOwner = done.anycast === ENI[B] ? sb : sc;
    const otherPeer = done.anycast === ENI[B] ? sc : sb;
    const newIp = done.anycast === ENI[B] ? '127.0.2.10' : '127.0.3.10';
    await waitFor(async () => routeOf(await status(sb), RTB_A, '0.0.0.0/0')?.ours === true, 20_000, 'B to report the NAT route as its own');
    await waitFor(async () => routeOf(await status(anycastOwner), MAIN, ANYCAST)?.ours === true, 20_000, 'the new /32 owner to report it as its own');
    await waitFor(async () => (await status(otherPeer)).remoteChecks.some((c) => c.template === 'peer' && c.destination === newIp), 20_000, 'the other peer to watch the new owner');
  });

  test('a spot interruption notice hands off within the metadata poll + 2 s; so does a target lifecycle state of Terminated; no gap', async () => {
    const sim = await Sim.start(WORLD);
    running.push(sim);
    const { sa } = await trio(sim, { head: 'lifecycle: {poll: 1}\n' });
    const watch = watchRoutes(sim, [[RTB_A, '0.0.0.0/0'], [MAIN, ANYCAST]]);
    let t0 = Date.now();
    await sim.admin('POST', `instances/${A}/spot-interruption`, { action: 'terminate', inMs: 120_000 });
    let done = await waitHandedOff(sim, t0, 15_000);
    assert.ok(done.ms <= 3000, `spot hand-off took ${done.ms} ms`);
    const s = await status(sa);
    assert.deepEqual(s.lifecycle.map((l) => l.kind), ['spot-interruption']);
    assert.equal(s.drained?.source, 'lifecycle');

    // The notice withdrawn: A is back in service and, as primary (hold_down 0), takes both routes back.
    await sim.admin('DELETE', `instances/${A}/spot-interruption`);
    await waitFor(async () => (await target(sim, RTB_A, '0.0.0.0/0')) === ENI[A] && (await target(sim, MAIN, ANYCAST)) === ENI[A], 20_000, 'A to take its routes back');
    t0 = Date.now();
    await sim.admin('POST', `instances/${A}/target-lifecycle-state`, { state: 'Terminated' });
    done = await waitHandedOff(sim, t0, 15_000);
    assert.ok(done.ms <= 3000, `lifecycle hand-off took ${done.ms} ms`);
    const { gaps } = await watch.stop();
    assert.deepEqual(gaps, []);
  });

  test('a reload that switches the spot notice off ends its drain: the owner takes its routes back', async () => {
    const sim = await Sim.start(WORLD);
    running.push(sim);
    const { a, fileA } = await trio(sim, { head: 'lifecycle: {poll: 1}\n' });
    await sim.admin('POST', `instances/${A}/spot-interruption`, { action: 'terminate', inMs: 120_000 });
    await waitHandedOff(sim, Date.now(), 15_000);
    writeFileSync(fileA, readFileSync(fileA, 'utf8').replace('lifecycle: {poll: 1}', 'lifecycle: {poll: 1, spot_interruption: false}'));
    a.child.kill('SIGHUP');
    await a.waitForLog(/SIGHUP: config reloaded/);
    await waitFor(async () => (await target(sim, RTB_A, '0.0.0.0/0')) === ENI[A] && (await target(sim, MAIN, ANYCAST)) === ENI[A], 20_000, 'A to take its routes back');
  });

  test('SIGTERM with handoff_on_stop hands both routes off before the daemon exits', async () => {
    const sim = await Sim.start(WORLD);
    running.push(sim);
    const { a } = await trio(sim, { head: 'handoff_on_stop: true\n' });
    const seq = await lastSeq(sim);
    const watch = watchRoutes(sim, [[RTB_A, '0.0.0.0/0'], [MAIN, ANYCAST]]);
    a.child.kill('SIGTERM');
    assert.equal(await a.exit(), 0);
    // Handed off before the process ended, not after.
    assert.notEqual(await target(sim, RTB_A, '0.0.0.0/0'), ENI[A]);
    assert.notEqual(await target(sim, MAIN, ANYCAST), ENI[A]);
    await sleep(300);
    const { gaps } = await watch.stop();
    assert.deepEqual(gaps, []);
    assert.deepEqual(await writesSince(sim, seq), ['ReplaceRoute', 'ReplaceRoute']);
    assert.match(a.logs, /hand-off done; stopping/);
  });
});

function tcpServer(): Promise<{ port: number; close(): Promise<void>; reopen(): Promise<void> }> {
  let server: Server = createServer((s) => s.end());
  let port = 0;
  const open = (): Promise<void> => new Promise((ok) => server.listen(port, '127.0.0.1', () => ok()));
  return open().then(() => {
    port = (server.address() as { port: number }).port;
    return {
      port,
      close: () => new Promise<void>((ok) => server.close(() => ok())),
      reopen: () => {
        server = createServer((s) => s.end());
        return open();
      },
    };
  });
}

describe('fallback NAT gateway', () => {
  test('every instance unhealthy: the route goes to the fallback, comes back after hold-down, and a deleted fallback is not used', async () => {
    const sim = await Sim.start(WORLD);
    running.push(sim);
    const svcA = await tcpServer();
    const svcB = await tcpServer();
    const check = (port: number): string => `{type: tcp, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3, config: {port: ${port}}}`;
    const ca = config('fa', { check: check(svcA.port), mine: `, fallback: ${NAT}`, holdDown: 3, anycastPrimary: true });
    const cb = config('fb', { check: check(svcB.port), theirs: `, fallback: ${NAT}` });
    await start(sim, A, ca.file);
    await start(sim, B, cb.file);
    await waitFor(async () => routeOf(await status(ca.socket), RTB_A, '0.0.0.0/0')?.ours === true, 20_000, 'A to own private-a');
    const watch = watchRoutes(sim, [[RTB_A, '0.0.0.0/0']]);

    await svcB.close();
    const t0 = Date.now();
    await svcA.close();
    await waitFor(async () => (await target(sim, RTB_A, '0.0.0.0/0')) === NAT, 10_000, 'the route at the fallback');
    // Detection: fall (3) x every (0.2 s) after the service went away, then at most 2 s.
    assert.ok(Date.now() - t0 <= 600 + 200 + 2000, `fallback took ${Date.now() - t0} ms`);
    assert.equal(routeOf(await status(ca.socket), RTB_A, '0.0.0.0/0')?.reason, 'CHECK_UNHEALTHY_FALLBACK');

    // A healthy again: the route comes back to A once its hold-down (3 s) has passed.
    const t1 = Date.now();
    await svcA.reopen();
    await waitFor(async () => (await target(sim, RTB_A, '0.0.0.0/0')) === ENI[A], 20_000, 'A to take the route back');
    assert.ok(Date.now() - t1 >= 3000, `taken back after ${Date.now() - t1} ms, before hold_down`);
    const { gaps } = await watch.stop();
    assert.deepEqual(gaps, []);

    // The fallback deleted: A's status says why it would not be used, and a failing check keeps the route (never_delete).
    const ec2 = new EC2Client({ region: sim.info.region, endpoint: sim.info.ec2Endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: NAT }));
    ec2.destroy();
    await svcA.close();
    await waitFor(
      async () => {
        const r = routeOf(await status(ca.socket), RTB_A, '0.0.0.0/0');
        return r?.reason === 'NEVER_DELETE' && /fallback nat-0a0000000000000a1 is (deleting|deleted)/.test(r.handoff?.why ?? '');
      },
      20_000,
      'A to keep its route and say the fallback is gone',
    );
    assert.equal(await target(sim, RTB_A, '0.0.0.0/0'), ENI[A]);
  });
});
