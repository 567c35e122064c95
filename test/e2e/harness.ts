// End-to-end harness: the simulator and every daemon run as separate
// processes of ./bin/awsnycast, configured only through the standard AWS
// settings, exactly as a user would run them. Processes, scratch folders,
// waiting and the worlds' ids come from the harness shared with the
// benchmarks (test/helpers/harness.ts); this file adds what only the e2e
// tests use.
import { BIN, DaemonProcess, RACE, sleep, waitFor } from '../helpers/harness.js';
import type { SimProcess as Sim } from '../helpers/harness.js';
import type { Mutation, RouteMutation, RouteSnapshot, RouteTableSnapshot } from '../../src/sim/client.js';

export { BIN, NAT_PAIR, RACE, ROOT, Scratch, SimProcess as Sim, WORLDS, sleep, waitFor } from '../helpers/harness.js';
export type { Mutation, SimInfo, SimInstance } from '../helpers/harness.js';
export type SimRoute = RouteSnapshot;
export type SimTable = RouteTableSnapshot;

/** `./bin/awsnycast ARGS` as one simulated instance; its output is kept in `logs`. */
export class Daemon extends DaemonProcess {
  static start(sim: Sim, instanceId: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Daemon {
    return Daemon.spawn(sim, instanceId, [BIN, ...args], { env });
  }
}

/**
 * Everything a daemon must never touch: every table of other VPCs, and in
 * our VPC every route whose CIDR is not managed. Compared byte for byte.
 */
export async function untouchable(sim: Sim, ourVpc: string, managed: readonly string[]): Promise<string> {
  const tables = await sim.tables();
  return JSON.stringify(
    tables.map((t) => (t.vpcId === ourVpc ? { ...t, routes: t.routes.filter((r) => !managed.includes(r.cidr)) } : t)),
  );
}

/**
 * The config both NAT instances run: their own AZ's private table as primary
 * (never_delete, hold_down 0), the other AZ's as backup; `head` goes first
 * (e.g. `status:` and `drain:` keys); `checkExtra` adds keys to the check (`, run_on_healthy: [...]`).
 */
export function natPairConfig(head = '', pollTime = 1, checkExtra = ''): string {
  return `poll_time: ${pollTime}
${head}healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3${checkExtra}}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: 0}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true}]
`;
}

/**
 * Three backups race for the route once its owner is terminated: starts a
 * daemon (through `start`) per backup, terminates the owner, waits for a
 * backup to own the route and then `settleMs`, and watches `quietMs` more.
 */
export async function raceForBlackholedRoute(
  sim: Sim,
  start: (instanceId: string) => Daemon,
  settleMs: number,
  quietMs: number,
): Promise<{ daemons: Daemon[]; writes: RouteMutation[]; owner: string | undefined; ownerLater: string | undefined; writesLater: Mutation[] }> {
  const daemons = RACE.backups.map((id) => start(id));
  for (const d of daemons) await d.waitForLog(/health check is now healthy/);
  await sleep(1500);
  await sim.admin('POST', `instances/${RACE.owner}/terminate`);
  const enis = RACE.backups.map((id) => sim.eni(id));
  const owner = async (): Promise<string | undefined> => (await sim.route(RACE.rtb, RACE.cidr))?.networkInterfaceId;
  await waitFor(async () => enis.includes((await owner()) ?? ''), 15_000, 'a backup to take the route');
  await sleep(settleMs);
  const settled = await owner();
  const writes = (await sim.mutations()).filter((m) => m.cidr === RACE.cidr);
  const seq = Math.max(0, ...writes.map((m) => m.seq));
  await sleep(quietMs);
  return { daemons, writes, owner: settled, ownerLater: await owner(), writesLater: (await sim.mutations('all')).filter((m) => m.seq > seq) };
}

/** A racing daemon's config: one /32, a backup rule, a local ping check. */
export const RACE_CONFIG = `poll_time: 1
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  main:
    find: {type: main}
    manage_routes:
      - {cidr: ${RACE.cidr}, healthcheck: up, if_unhealthy: true}
`;
