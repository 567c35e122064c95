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
