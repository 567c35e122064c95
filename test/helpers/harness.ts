// The process harness shared by the end-to-end tests (test/e2e/harness.ts
// builds on it) and the benchmarks (bench/harness.ts): `awsnycast sim` and
// the daemons under test run as separate processes, configured only through
// the standard AWS settings, exactly as a user would run them. Every process
// started here is registered, so `killAll()` can stop whatever is left.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROUTE_WRITES, SimClient, readStartLine } from '../../src/sim/client.js';
import type { CountersSnapshot, InstanceMutation, Mutation, RouteMutation, RouteSnapshot, RouteTableSnapshot, SimInfo, SimInstance } from '../../src/sim/client.js';

// This process's own SDK clients need no Node 22 notice either (see src/cli/entry.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/awsnycast');
export const WORLDS = join(ROOT, 'examples/worlds');

export type { CountersSnapshot, Mutation, SimInfo, SimInstance } from '../../src/sim/client.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `stepMs` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** A scratch folder for configs, worlds and logs; files are written mode 0600, as `run` requires of a config. */
export class Scratch {
  readonly dir: string;

  constructor(prefix = 'awsn-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

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

// ---------------------------------------------------------------- processes

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Both output streams go to this file (otherwise they stay piped for the caller). */
  logFile?: string;
  /**
   * Its own process group (the benchmarks: stopped and sampled as a group).
   * Otherwise it stays in ours, so a Ctrl-C of the test runner reaches it too.
   */
  ownGroup?: boolean;
}

const live = new Set<ChildProcess>();
const grouped = new WeakSet<ChildProcess>();

/** Starts `argv` (no shell) from the project folder, stdout and stderr piped. */
export function startProcess(argv: readonly string[], opts: ProcessOptions = {}): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env: opts.env ?? process.env, detached: opts.ownGroup === true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  if (opts.ownGroup === true) grouped.add(child);
  child.once('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  if (opts.logFile !== undefined) {
    const out = createWriteStream(opts.logFile);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
  }
  return child;
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (!grouped.has(child)) {
    child.kill(sig);
    return;
  }
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

const hasExited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM (to its group if it has one), SIGKILL after `graceMs`; resolves with the exit code. */
export async function stopProcess(child: ChildProcess, graceMs = 8000): Promise<number | null> {
  if (hasExited(child)) {
    if (grouped.has(child)) signal(child, 'SIGKILL'); // leftovers in its group
    return child.exitCode;
  }
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  signal(child, 'SIGTERM');
  const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  if (grouped.has(child)) signal(child, 'SIGKILL');
  return code;
}

/** Stops every process started here that is still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c)));
}

/** Synchronous last resort (process exit): SIGKILL every process (group) still registered. */
export function killAllNow(): void {
  for (const c of live) signal(c, 'SIGKILL');
}

// ---------------------------------------------------------------- simulator

/** EC2 calls of `action` made by `caller`, from a counters snapshot. */
export const callsBy = (c: CountersSnapshot, caller: string, action: string): number => c.byCaller[caller]?.byAction[action] ?? 0;

/** Mutating route calls (Create/Replace/DeleteRoute), successful or not, in a counters snapshot. */
export const routeWrites = (c: CountersSnapshot): number => ROUTE_WRITES.reduce((n, a) => n + (c.byAction[a]?.calls ?? 0), 0);

/** The access key id of the calls a test or benchmark makes itself (not a daemon's). */
export const TEST_CALLER = 'AKIDTEST';

/** A running `awsnycast sim`; `client` is its admin API. */
export class SimProcess {
  private constructor(
    readonly client: SimClient,
    readonly child: ChildProcess,
    /** Prefix for the commands it and its daemons run (e.g. `ip netns exec NS`). */
    readonly wrap: readonly string[],
  ) {}

  /** Starts it on a world file; with `logFile`, its output after the start line goes there. */
  static async start(world: string, opts: { wrap?: readonly string[]; logFile?: string; ownGroup?: boolean } = {}): Promise<SimProcess> {
    const wrap = opts.wrap ?? [];
    const child = startProcess([...wrap, process.execPath, BIN, 'sim', '--world', world], { ownGroup: opts.ownGroup });
    const rest = opts.logFile !== undefined ? createWriteStream(opts.logFile) : undefined;
    return new SimProcess(new SimClient(await readStartLine(child, { rest })), child, wrap);
  }

  get info(): SimInfo {
    return this.client.info;
  }

  /** An instance of the world that has a private address. */
  instance(id: string): SimInstance & { readonly privateIp: string } {
    const i = this.client.instance(id);
    if (i.privateIp === null) throw new Error(`instance ${id} has no private address`);
    return { ...i, privateIp: i.privateIp };
  }

  /** The primary network interface of an instance. */
  eni(id: string): string {
    return this.client.instance(id).networkInterfaces[0]!.networkInterfaceId;
  }

  admin<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.client.admin<T>(method, path, body);
  }

  tables(vpcId?: string): Promise<RouteTableSnapshot[]> {
    return this.client.tables(vpcId);
  }

  route(routeTableId: string, cidr: string): Promise<RouteSnapshot | undefined> {
    return this.client.route(routeTableId, cidr);
  }

  /** Where a route points now: its interface and state (both undefined when there is no such route). */
  async routeTarget(routeTableId: string, cidr: string): Promise<{ eni?: string; state?: string }> {
    const route = await this.route(routeTableId, cidr);
    return { eni: route?.networkInterfaceId, state: route?.state };
  }

  /** The whole mutation log: route changes (default), instance changes, or all. */
  mutations(kind?: 'route'): Promise<RouteMutation[]>;
  mutations(kind: 'instance'): Promise<InstanceMutation[]>;
  mutations(kind: 'all'): Promise<Mutation[]>;
  async mutations(kind: 'route' | 'instance' | 'all' = 'route'): Promise<Mutation[]> {
    return (await this.client.mutations(kind)).entries;
  }

  /** Mutating route calls counted since the start or the last counter reset, successful or not. */
  async mutatingCalls(): Promise<number> {
    return routeWrites(await this.client.counters());
  }

  stop(): Promise<number | null> {
    return stopProcess(this.child);
  }
}

/** Samples the routes every 50 ms until stopped; collects every sample where one is missing or a blackhole. */
export function watchRoutes(sim: SimProcess, routes: readonly (readonly [string, string])[]): { stop(): Promise<{ samples: number; gaps: string[] }> } {
  let on = true;
  const gaps: string[] = [];
  let samples = 0;
  const loop = (async () => {
    while (on) {
      const tables = await sim.tables();
      for (const [rtb, cidr] of routes) {
        const r = tables.find((t) => t.routeTableId === rtb)?.routes.find((x) => x.cidr === cidr);
        if (r === undefined || r.state !== 'active') gaps.push(`${new Date().toISOString()} ${rtb} ${cidr}: ${r === undefined ? 'missing' : r.state}`);
      }
      samples++;
      await sleep(50);
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return { samples, gaps };
    },
  };
}

// ---------------------------------------------------------------- daemons

/** The access key id a daemon playing `instanceId` gets, so the simulator's counters split calls by daemon. */
export const callerOf = (instanceId: string): string => `AKID${instanceId.slice(-6).toUpperCase()}`;

/** A daemon process playing one instance of a simulator. */
export class DaemonProcess {
  /** Its output, when it was started without a log file. */
  logs = '';
  private readonly exitCode: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
    readonly caller: string,
    readonly logFile?: string,
  ) {
    if (logFile === undefined) {
      child.stdout!.on('data', (d: Buffer) => (this.logs += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (this.logs += d.toString()));
    }
    this.exitCode = new Promise((ok) => child.once('exit', (code) => ok(code)));
  }

  /**
   * Runs `argv` (no shell, from the project folder, behind the simulator's
   * `wrap`) as instance `instanceId` of `sim`, with only the standard AWS
   * settings pointing it there; `opts.env` adds to or overrides them.
   */
  static spawn<T extends DaemonProcess>(
    this: new (child: ChildProcess, name: string, caller: string, logFile?: string) => T,
    sim: SimProcess,
    instanceId: string,
    argv: readonly string[],
    opts: ProcessOptions & { caller?: string } = {},
  ): T {
    if (argv.length === 0) throw new Error('empty daemon command');
    const caller = opts.caller ?? callerOf(instanceId);
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: caller,
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL_EC2: sim.info.ec2Endpoint,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: sim.client.instance(instanceId).imdsEndpoint,
      AWS_REGION: '',
      ...opts.env,
    };
    const child = startProcess([...sim.wrap, ...argv], { env, logFile: opts.logFile, ownGroup: opts.ownGroup });
    return new this(child, instanceId, caller, opts.logFile);
  }

  get exited(): boolean {
    return hasExited(this.child);
  }

  /** Resolves with the exit status. */
  exit(): Promise<number | null> {
    return this.exitCode;
  }

  /** The end of its output (from its log file if it has one). */
  logTail(n = 2000): string {
    if (this.logFile === undefined) return this.logs.slice(-n);
    try {
      return readFileSync(this.logFile, 'utf8').slice(-n);
    } catch {
      return '';
    }
  }

  /** Waits until its captured output matches `pattern`. */
  async waitForLog(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    await waitFor(() => pattern.test(this.logs), timeoutMs, `${this.name} to log ${pattern}\n--- logs:\n${this.logs}`);
  }

  stop(): Promise<number | null> {
    return stopProcess(this.child);
  }
}

// ---------------------------------------------------------------- worlds

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

/** test/e2e/worlds/race.yaml: one owner and three backups of one /32 in the main table. */
export const RACE = {
  world: join(ROOT, 'test/e2e/worlds/race.yaml'),
  rtb: 'rtb-0e000000000000000',
  cidr: '10.30.0.53/32',
  owner: 'i-0e0000000000000f0',
  backups: ['i-0e000000000000001', 'i-0e000000000000002', 'i-0e000000000000003'],
} as const;
