// One soak run: the simulator and the fleet's daemons as separate processes,
// the schedule played against them, a 100 ms watch of every table, then the
// convergence check (a fresh `plan` per daemon) and the raw material for the
// checker (report.ts turns it into the report).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { BIN, Scratch, SimProcess, callerOf, sleep, stopProcess } from '../../test/helpers/harness.js';
import type { CountersSnapshot, Mutation } from '../../test/helpers/harness.js';
import type { RouteTableSnapshot } from '../../src/sim/client.js';
import { Service } from '../tcp-service.js';
import type { Sample } from './checker.js';
import { Driver, statusRequest } from './driver.js';
import type { Node } from './driver.js';
import { OTHER_VPC, buildFleet } from './fleet.js';
import type { Fleet, FleetShape } from './fleet.js';
import { generateSchedule } from './schedule.js';
import type { ScheduleOptions, SoakEvent } from './schedule.js';

/** No fault before this: the daemons start up. */
const START_MS = 8000;

export interface SoakOptions {
  seed: number;
  events: number;
  durationMs: number;
  shape: FleetShape;
  permanent: number;
  /** Keep the scratch folder (configs, world, daemon logs). */
  keep: boolean;
  log: (msg: string) => void;
}

export interface PlanCheck {
  instance: string;
  ok: boolean;
  /** Actions other than `none`, with the running daemon's reason for the same route. */
  pending: { route: string; action: string; reason: string; daemonReason: string | null }[];
  error?: string;
}

export interface RawRun {
  options: Omit<SoakOptions, 'log'>;
  fleet: Fleet;
  schedule: SoakEvent[];
  driver: Driver;
  samples: Map<string, Sample[]>;
  unmanagedChanges: { t: number; detail: string }[];
  unmanagedEqualAtEnd: boolean;
  mutations: Mutation[];
  wall0: number;
  lastFaultEnd: number;
  endMs: number;
  plans: PlanCheck[];
  counters: CountersSnapshot;
  /** The simulator's request log (the last 10,000–20,000 EC2 requests): when, who, what. */
  requests: { tMs: number; caller: string; action: string }[];
  scratchDir: string;
}

/** Everything a daemon must never change: other VPCs' tables, and our tables without the managed routes. */
export function untouchable(tables: readonly RouteTableSnapshot[], fleet: Fleet): string {
  const managed = (rtb: string, cidr: string): boolean => fleet.routes.some((r) => r.rtb === rtb && r.cidr === cidr);
  // Only what was written is compared: a route's state and instance follow its interface (the simulator
  // computes them: a route at a stopped instance is a blackhole, one at a detached interface names no instance).
  const written = (routes: RouteTableSnapshot['routes']): unknown[] => routes.map(({ state: _s, instanceId: _i, ...r }) => r);
  return JSON.stringify(tables.map((t) => ({ ...t, routes: written(t.vpcId === OTHER_VPC ? t.routes : t.routes.filter((r) => !managed(t.routeTableId, r.cidr))) })));
}

const targetOf = (r: { instanceId?: string; networkInterfaceId?: string; natGatewayId?: string; gatewayId?: string }, fleet: Fleet): string | null =>
  r.natGatewayId !== undefined ? `nat:${r.natGatewayId}` : r.gatewayId !== undefined ? `igw:${r.gatewayId}`
  : r.networkInterfaceId !== undefined ? (fleet.members.find((m) => m.eni === r.networkInterfaceId)?.id ?? r.networkInterfaceId) : (r.instanceId ?? null);

export async function runSoak(o: SoakOptions): Promise<RawRun> {
  const fleet = buildFleet(o.shape);
  const schedule = generateSchedule(o.seed, scheduleOptions(fleet, o));
  const scratch = new Scratch('awsn-soak-');
  const sim = await SimProcess.start(scratch.file('world.yaml', fleet.world), { logFile: join(scratch.dir, 'sim.log') });
  const t0 = performance.now();
  const wall0 = Date.now();
  const now = (): number => performance.now() - t0;
  const probe = new Service(fleet.members[0]!.ip);
  await probe.open(0);
  const port = probe.port;
  await probe.close();
  const driver = new Driver(sim, fleet, port, now, (name, text) => scratch.file(name, text));
  for (const m of fleet.members) {
    const n = driver.add(m, { socket: join(scratch.dir, `${m.id}.sock`), stateFile: join(scratch.dir, `${m.id}.drained`), maintenanceFile: join(scratch.dir, `${m.id}.maintenance`) });
    await driver.boot(n);
  }
  o.log(`soak: seed ${o.seed}, ${o.events} events over ${o.durationMs / 1000} s, ${fleet.members.length} daemons, scratch ${scratch.dir}`);

  // The watch: every table every 100 ms.
  const baseline = untouchable(await sim.tables(), fleet);
  const samples = new Map<string, Sample[]>(fleet.routes.map((r) => [`${r.rtb} ${r.cidr}`, []]));
  const unmanagedChanges: { t: number; detail: string }[] = [];
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const t = now();
      const tables = await sim.tables();
      for (const r of fleet.routes) {
        const route = tables.find((x) => x.routeTableId === r.rtb)?.routes.find((x) => x.cidr === r.cidr);
        samples.get(`${r.rtb} ${r.cidr}`)!.push(route === undefined ? { t, target: null, state: 'missing' } : { t, target: targetOf(route, fleet), state: route.state === 'active' ? 'active' : 'blackhole' });
      }
      const u = untouchable(tables, fleet);
      if (u !== baseline && unmanagedChanges.length < 20) unmanagedChanges.push({ t, detail: changedTables(baseline, u) });
      await sleep(Math.max(0, 100 - (now() - t)));
    }
  })();

  // The schedule: every start and end at its time; instance faults queue per instance.
  const edges = schedule.flatMap((e) => (e.durMs === 0 ? [{ t: e.atMs, e, on: true }] : [{ t: e.atMs, e, on: true }, { t: e.atMs + e.durMs, e, on: false }]));
  edges.sort((a, b) => a.t - b.t || Number(a.on) - Number(b.on));
  const pending: Promise<void>[] = [];
  let done = 0;
  for (const edge of edges) {
    const wait = edge.t - now();
    if (wait > 0) await sleep(wait);
    pending.push(driver.edge(edge.e, edge.on));
    if (++done % 100 === 0) o.log(`soak: ${done}/${edges.length} fault edges at ${Math.round(now() / 1000)} s`);
  }
  await Promise.all(pending);
  await Promise.all([...driver.nodes.values()].map((n) => n.queue));
  const lastFaultEnd = now();
  o.log(`soak: last fault ended at ${Math.round(lastFaultEnd / 1000)} s; convergence check in 10 s`);
  await sleep(Math.max(0, lastFaultEnd + 10_000 - now()));
  const plans = await Promise.all([...driver.nodes.values()].filter((n) => n.daemon !== null && !n.detached).map((n) => planCheck(sim, n)));
  watching = false;
  await watch;
  const endMs = now();
  const unmanagedEqualAtEnd = untouchable(await sim.tables(), fleet) === baseline;
  const mutations = (await sim.client.mutations('all', 0)).entries;
  const counters = await sim.client.counters();
  const requests = (await sim.client.requests(0)).entries.map((e) => ({ tMs: e.tMs, caller: e.caller, action: e.action }));
  await Promise.all([...driver.nodes.values()].map(async (n) => {
    if (n.daemon !== null && !n.daemon.exited) {
      n.ours.add(n.daemon);
      await stopProcess(n.daemon.child, 8000);
    }
    await n.service.close();
  }));
  await sim.stop();
  if (o.keep) for (const n of driver.nodes.values()) n.runs.forEach((d, i) => scratch.file(`${n.m.id}-run${i + 1}.log`, d.logs));
  else scratch.remove();
  const { log: _log, ...options } = o;
  return { options, fleet, schedule, driver, samples, unmanagedChanges, unmanagedEqualAtEnd, mutations, wall0, lastFaultEnd, endMs, plans, counters, requests, scratchDir: scratch.dir };
}

/** The schedule's options for a fleet (run.ts --schedule-only uses the same). */
export function scheduleOptions(fleet: Fleet, o: Pick<SoakOptions, 'events' | 'durationMs' | 'permanent'>): ScheduleOptions {
  const groups = [fleet.members.filter((m) => m.group === 'nat').map((m) => m.id), fleet.members.filter((m) => m.group === 'anycast').map((m) => m.id)].filter((g) => g.length > 0);
  const detachable = fleet.members.filter((m) => m.primaryEni !== null).map((m) => m.id);
  return { events: o.events, durationMs: o.durationMs, groups, permanent: o.permanent, startMs: START_MS, detachable };
}

/** A fresh `awsnycast plan --json` as the member (its own caller), compared with the running daemon's status. */
async function planCheck(sim: SimProcess, n: Node): Promise<PlanCheck> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: `${callerOf(n.m.id)}PLAN`,
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_ENDPOINT_URL_EC2: sim.info.ec2Endpoint,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: sim.client.instance(n.m.id).imdsEndpoint,
    AWS_REGION: '',
  };
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((ok) => {
    execFile(process.execPath, [BIN, 'plan', '-f', n.config, '--json', '-log-format=json'], { env, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      ok({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }));
  });
  if (out.code !== 0) return { instance: n.m.id, ok: false, pending: [], error: `plan exited ${out.code}: ${out.stderr.slice(-500)}` };
  let status: { routes: { routeTable: string; cidr: string; reason: string }[] } = { routes: [] };
  try {
    status = JSON.parse(await statusRequest(n.paths.socket, 'GET', '/status')) as typeof status;
  } catch {
    // the daemon's own reasons are then unknown
  }
  const json = out.stdout.slice(out.stdout.indexOf('{\n'));
  const plan = JSON.parse(json) as { actions: { routeTableId: string; cidr: string; action: string; reason: string }[] };
  const pending = plan.actions.filter((a) => a.action !== 'none').map((a) => ({
    route: `${a.routeTableId} ${a.cidr}`,
    action: a.action,
    reason: a.reason,
    daemonReason: status.routes.find((r) => r.routeTable === a.routeTableId && r.cidr === a.cidr)?.reason ?? null,
  }));
  return { instance: n.m.id, ok: pending.every((p) => p.daemonReason === 'HOLD_DOWN'), pending };
}

/** Which tables differ between two `untouchable` snapshots, and how (their written routes now). */
function changedTables(before: string, after: string): string {
  const a = JSON.parse(before) as { routeTableId: string; routes: unknown[] }[];
  const b = JSON.parse(after) as { routeTableId: string; routes: unknown[] }[];
  return b.filter((t) => JSON.stringify(t) !== JSON.stringify(a.find((x) => x.routeTableId === t.routeTableId))).map((t) => `${t.routeTableId}: ${JSON.stringify(t.routes)}`).join('; ');
}
