// handoff: two NAT daemons at the default poll_time (300 s); A owns its AZ's
// default route (never_delete) and the anycast /32, B is their peer. Each
// trial drains A through its status socket and times the drain to both
// routes at B (from the simulator's mutation log), the routing gap (from the
// same log: a route deleted and created again is missing in between), what
// a 50 ms watch of the tables saw, and how long B takes to report the routes
// as its own (its watch pass, watch_time 10 s by default). Then A is
// undrained and takes both back (hold_down 0) for the next trial.
import { join } from 'node:path';
import { runCli } from '../../test/helpers/cli.js';
import { WORLDS, sleep, waitFor, watchRoutes } from '../../test/helpers/harness.js';
import type { DaemonProcess, SimProcess } from '../../test/helpers/harness.js';
import { startDaemon, startSim } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { fig, rand } from '../scenario.js';

const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const RTB_A = 'rtb-0a0000000000000a1';
const MAIN = 'rtb-0a000000000000000';
const ANYCAST = '10.0.100.1/32';
const ROUTES: readonly (readonly [string, string])[] = [
  [RTB_A, '0.0.0.0/0'],
  [MAIN, ANYCAST],
];

/** `quick` (the test suite's smoke run): watch passes every second instead of the default 10 s. */
function config(dir: string, name: string, primary: boolean, quick: boolean): string {
  return `poll_time: 300
${quick ? 'watch_time: 1\n' : ''}status: {socket: ${join(dir, `${name}.sock`)}}
drain: {state_file: ${join(dir, `${name}.drained`)}, maintenance_file: ${join(dir, `${name}.maintenance`)}}
lifecycle: {poll: 0}
healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
remote_healthchecks:
  peer: {type: ping, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: 0, remote_healthcheck: peer, peers: {tag: role, value: nat}}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true, remote_healthcheck: peer, peers: {tag: role, value: nat}}]
  anycast:
    find: {type: main}
    manage_routes: [{cidr: ${ANYCAST}, healthcheck: internet, remote_healthcheck: peer, peers: {tag: role, value: nat}, ${primary ? 'hold_down: 0' : 'if_unhealthy: true'}}]
`;
}

interface RouteStatus {
  routeTable: string;
  cidr: string;
  ours: boolean;
  handoff?: { to: string | null };
}

async function routes(socket: string): Promise<RouteStatus[]> {
  const r = await runCli(['status', '--socket', socket, '--json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { routes: RouteStatus[] }).routes : [];
}

const mine = (rs: RouteStatus[], pred: (r: RouteStatus) => boolean): boolean => ROUTES.every(([rtb, cidr]) => rs.some((r) => r.routeTable === rtb && r.cidr === cidr && pred(r)));

/** ms each route was missing between `seq` and now, from the mutation log (a delete until the next write). */
async function gapMs(sim: SimProcess, seq: number, until: number): Promise<number> {
  const log = (await sim.client.mutations('route', seq)).entries;
  let total = 0;
  for (const [rtb, cidr] of ROUTES) {
    let deletedAt: number | undefined;
    for (const m of log.filter((x) => x.routeTableId === rtb && x.cidr === cidr)) {
      if (m.action === 'DeleteRoute') deletedAt = m.wallMs;
      else if (deletedAt !== undefined) {
        total += m.wallMs - deletedAt;
        deletedAt = undefined;
      }
    }
    if (deletedAt !== undefined) total += until - deletedAt;
  }
  return total;
}

export const handoff: Scenario = {
  name: 'handoff',
  async run(ctx) {
    const sim = await startSim(ctx, join(WORLDS, 'handoff.yaml'), 'handoff');
    const daemons: DaemonProcess[] = [];
    try {
      const dir = ctx.scratch.dir;
      const sockA = join(dir, 'handoff-a.sock');
      const sockB = join(dir, 'handoff-b.sock');
      daemons.push(startDaemon(ctx, sim, A, 'handoff-a.yaml', config(dir, 'handoff-a', true, ctx.quick)));
      daemons.push(startDaemon(ctx, sim, B, 'handoff-b.yaml', config(dir, 'handoff-b', false, ctx.quick)));
      const eniA = sim.eni(A);
      const eniB = sim.eni(B);
      const at = async (eni: string): Promise<boolean> => (await Promise.all(ROUTES.map(([rtb, cidr]) => sim.routeTarget(rtb, cidr)))).every((r) => r.eni === eni);
      const times: number[] = [];
      const gaps: number[] = [];
      const badSamples: number[] = [];
      const writes: number[] = [];
      const peerOwns: number[] = [];
      for (let t = 0; t < ctx.trials; t++) {
        // A owns both routes and would hand each to B (its remote check of B has risen).
        await waitFor(async () => (await at(eniA)) && mine(await routes(sockA), (r) => r.ours && r.handoff?.to === B), 60_000, 'A to own both routes, with B ready', 100);
        // B's status must have seen A take the routes back (its next watch pass), or "B owns" below would be its stale view of the last trial.
        await waitFor(async () => mine(await routes(sockB), (r) => !r.ours), 60_000, 'B to see A own both routes', 100);
        // At a random moment of B's watch cycle (watch_time 10 s): the time until B owns the routes is then a fair sample.
        await sleep(ctx.quick ? 200 : 500 + rand(10_000));
        const seq = await sim.client.lastSeq();
        const watch = watchRoutes(sim, ROUTES);
        const t0 = Date.now();
        await runCli(['drain', '--socket', sockA]);
        await waitFor(() => at(eniB), 30_000, 'both routes at B', 20);
        const log = (await sim.client.mutations('route', seq)).entries.filter((m) => ROUTES.some(([rtb, cidr]) => m.routeTableId === rtb && m.cidr === cidr));
        const done = Math.max(...log.map((m) => m.wallMs));
        times.push(done - t0);
        writes.push(log.length);
        await waitFor(async () => mine(await routes(sockB), (r) => r.ours), 60_000, 'B to report both routes as its own', 100);
        peerOwns.push(Date.now() - t0);
        badSamples.push((await watch.stop()).gaps.length);
        gaps.push(await gapMs(sim, seq, Date.now()));
        ctx.log(`  trial ${t + 1}: at B after ${Math.round(done - t0)} ms, B owns after ${peerOwns.at(-1)} ms, ${log.length} writes, gap ${gaps.at(-1)} ms`);
        await runCli(['undrain', '--socket', sockA]);
        await waitFor(() => at(eniA), 30_000, 'A to take both routes back', 50);
      }
      return [
        fig('handoff', 'drain → both routes at the peer', 'ms', times, { text: 'median ≤ 2000', ok: (s) => s.median <= 2000 }, 'poll_time 300; one ReplaceRoute per route'),
        fig('handoff', 'routing gap during the hand-off (mutation log)', 'ms', gaps, { text: '0', ok: (s) => s.max === 0 }),
        fig('handoff', 'samples with a route missing or blackhole (50 ms watch)', 'samples', badSamples, { text: '0', ok: (s) => s.max === 0 }),
        fig('handoff', 'route writes per hand-off (2 routes)', 'writes', writes, { text: '2', ok: (s) => s.max === 2 }),
        fig('handoff', 'drain → the peer reports both routes as its own', 'ms', peerOwns, undefined, ctx.quick ? 'quick run: watch_time 1 s' : 'its watch pass (watch_time 10 s, the default with peers); poll_time would be 300 s'),
      ];
    } finally {
      await Promise.all(daemons.map((d) => d.stop()));
      await sim.stop();
    }
  },
};
