// End-to-end harness: the simulator and every daemon run as separate
// processes of ./bin/awsnycast, configured only through the standard AWS
// settings, exactly as a user would run them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROUTE_WRITES, SimClient, readStartLine } from '../../src/sim/client.js';
import type { InstanceMutation, Mutation, RouteMutation, RouteSnapshot, RouteTableSnapshot, SimInfo, SimInstance } from '../../src/sim/client.js';

// The test process's own SDK clients need no Node 22 notice either (see src/cli/entry.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/awsnycast');
export const WORLDS = join(ROOT, 'examples/worlds');

export type { Mutation, SimInfo, SimInstance } from '../../src/sim/client.js';
export type SimRoute = RouteSnapshot;
export type SimTable = RouteTableSnapshot;

export class Sim {
  private constructor(
    readonly client: SimClient,
    private readonly child: ChildProcess,
    /** Prefix for commands (e.g. `ip netns exec NS`). */
    readonly wrap: readonly string[],
  ) {}

  get info(): SimInfo {
    return this.client.info;
  }

  static async start(world: string, wrap: readonly string[] = []): Promise<Sim> {
    const argv = [...wrap, BIN, 'sim', '--world', world];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Sim(new SimClient(await readStartLine(child)), child, wrap);
  }

  /** An instance of the world; every one in the e2e worlds has a private address. */
  instance(id: string): SimInstance & { readonly privateIp: string } {
    const i = this.client.instance(id);
    if (i.privateIp === null) throw new Error(`instance ${id} has no private address`);
    return { ...i, privateIp: i.privateIp };
  }

  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.client.admin<T>(method, path, body);
  }

  tables(vpcId?: string): Promise<SimTable[]> {
    return this.client.tables(vpcId);
  }

  route(routeTableId: string, cidr: string): Promise<SimRoute | undefined> {
    return this.client.route(routeTableId, cidr);
  }

  /** The simulator's mutation log: route changes (default), instance changes, or all. */
  mutations(kind?: 'route'): Promise<RouteMutation[]>;
  mutations(kind: 'instance'): Promise<InstanceMutation[]>;
  mutations(kind: 'all'): Promise<Mutation[]>;
  async mutations(kind: 'route' | 'instance' | 'all' = 'route'): Promise<Mutation[]> {
    return (await this.client.mutations(kind)).entries;
  }

  /** Mutating route calls (Create/Replace/DeleteRoute) counted since the last reset, successful or not. */
  async mutatingCalls(): Promise<number> {
    const c = await this.client.counters();
    return ROUTE_WRITES.reduce((n, a) => n + (c.byAction[a]?.calls ?? 0), 0);
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}

async function stopChild(child: ChildProcess, timeoutMs = 8000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export class Daemon {
  logs = '';
  private readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.stdout!.on('data', (d: Buffer) => (this.logs += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.logs += d.toString()));
    this.exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  }

  /** Starts `./bin/awsnycast ARGS` as instance `instanceId` of `sim`. */
  static start(sim: Sim, instanceId: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Daemon {
    const i = sim.instance(instanceId);
    const argv = [...sim.wrap, BIN, ...args];
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: `AKID${instanceId.slice(-6).toUpperCase()}`,
        AWS_SECRET_ACCESS_KEY: 'dummy',
        AWS_ENDPOINT_URL_EC2: sim.info.ec2Endpoint,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: i.imdsEndpoint,
        AWS_REGION: '',
        ...env,
      },
    });
    return new Daemon(child, instanceId);
  }

  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => pattern.test(this.logs), timeoutMs, `${this.name} to log ${pattern}\n--- logs:\n${this.logs}`);
  }

  /** Resolves with the exit status. */
  exit(): Promise<number | null> {
    return this.exited;
  }

  stop(): Promise<number | null> {
    return stopChild(this.child);
  }
}

/** Polls `cond` every 50 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A scratch folder for config files (mode 0600, as `run` requires). */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'awsn-e2e-'));

  file(name: string, text: string): string {
    const p = join(this.dir, name);
    writeFileSync(p, text);
    chmodSync(p, 0o600);
    return p;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
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

/** The ids of examples/worlds/nat-pair.yaml: a NAT instance in each of two AZs, each AZ's private table pointing at it. */
export const NAT_PAIR = {
  world: join(WORLDS, 'nat-pair.yaml'),
  vpc: 'vpc-0a000000000000001',
  A: 'i-0a0000000000000a1',
  B: 'i-0a0000000000000b1',
  ENI_A: 'eni-0a0000000000000a1',
  ENI_B: 'eni-0a0000000000000b1',
  RTB_A: 'rtb-0a0000000000000a1',
  RTB_B: 'rtb-0a0000000000000b1',
} as const;

/**
 * The config both NAT instances run: their own AZ's private table as primary
 * (never_delete, hold_down 0), the other AZ's as backup; `head` goes first
 * (e.g. `status:` and `drain:` keys).
 */
export function natPairConfig(head = '', pollTime = 1): string {
  return `poll_time: ${pollTime}
${head}healthchecks:
  internet: {type: ping, destination: 127.0.0.1, every: 0.2, rise: 2, fall: 3}
routetables:
  mine:
    find: {type: and, config: {filters: [{type: by_tag, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, never_delete: true, hold_down: 0}]
  theirs:
    find: {type: and, no_results_ok: true, config: {filters: [{type: by_tag, not: true, config: {key: az, value: "\${az}"}}, {type: by_tag, config: {key: type, value: private}}]}}
    manage_routes: [{cidr: 0.0.0.0/0, healthcheck: internet, if_unhealthy: true}]
`;
}

/** test/e2e/worlds/race.yaml: one owner and three backups of one /32 in the main table. */
export const RACE = {
  world: join(ROOT, 'test/e2e/worlds/race.yaml'),
  rtb: 'rtb-0e000000000000000',
  cidr: '10.30.0.53/32',
  owner: 'i-0e0000000000000f0',
  backups: ['i-0e000000000000001', 'i-0e000000000000002', 'i-0e000000000000003'],
} as const;

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
  const enis = RACE.backups.map((id) => sim.instance(id).networkInterfaces[0]!.networkInterfaceId);
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
