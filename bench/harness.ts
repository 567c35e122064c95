// Benchmark harness: the simulator and the daemons under test run as separate
// processes, each in its own process group, and are configured only through
// the standard AWS settings (AWS_ENDPOINT_URL_EC2, AWS_EC2_METADATA_SERVICE_ENDPOINT,
// AWS_ACCESS_KEY_ID), so any implementation honouring them can be measured.
// Every process started here is registered and killed by `killAll()` (also on
// error and on SIGINT/SIGTERM, see run.ts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROUTE_WRITES, SimClient, readStartLine } from '../src/sim/client.js';
import type { CountersSnapshot, SimInfo } from '../src/sim/client.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/awsnycast');
export const DEFAULT_DAEMON_CMD = './bin/awsnycast run -f {config} -log-format=json';

export type { Mutation, SimInfo, SimInstance } from '../src/sim/client.js';
export type Counters = CountersSnapshot;

export const MUTATING = ROUTE_WRITES;
export const DESCRIBE = ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeInstanceStatus', 'DescribeInstances', 'DescribeInstanceAttribute', 'DescribeVpcs', 'DescribeSubnets'];

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every `stepMs` until it holds; throws after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, stepMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

// ---------------------------------------------------------------- processes

const live = new Set<ChildProcess>();

function spawnGroup(argv: readonly string[], env: NodeJS.ProcessEnv, logFile?: string): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.on('error', () => live.delete(child));
  if (logFile !== undefined) {
    const out = createWriteStream(logFile);
    child.stdout.pipe(out);
    child.stderr.pipe(out);
  }
  return child;
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM to the process group, SIGKILL after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, 'SIGKILL'); // leftovers in its group
    return;
  }
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  signalGroup(child, 'SIGKILL');
}

/** Stops every process the harness started. */
export async function killAll(): Promise<void> {
  await Promise.all([...live].map((c) => stopProcess(c)));
}

/** Synchronous last resort (process exit): SIGKILL every group still registered. */
export function killAllNow(): void {
  for (const c of live) signalGroup(c, 'SIGKILL');
}

// ---------------------------------------------------------------- scratch

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'awsn-bench-'));

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

// ---------------------------------------------------------------- simulator

export class Sim extends SimClient {
  private constructor(
    info: SimInfo,
    readonly child: ChildProcess,
  ) {
    super(info);
  }

  static async start(world: string, logFile?: string): Promise<Sim> {
    const child = spawnGroup([process.execPath, BIN, 'sim', '--world', world], process.env);
    const rest = logFile !== undefined ? createWriteStream(logFile) : undefined;
    return new Sim(await readStartLine(child, { timeoutMs: 20_000, rest }), child);
  }

  eni(id: string): string {
    return this.instance(id).networkInterfaces[0]!.networkInterfaceId;
  }

  async routeTarget(routeTableId: string, cidr: string): Promise<{ eni?: string; state?: string }> {
    const route = await this.route(routeTableId, cidr);
    return { eni: route?.networkInterfaceId, state: route?.state };
  }

  /** Back to the world file, then the API latency again (reset clears faults). */
  async reset(latencyMs: number): Promise<void> {
    await this.admin('POST', 'reset');
    await this.admin('POST', 'faults', { latencyMs: { '*': latencyMs } });
  }

  /** One EC2 Query API call as caller AKIDBENCH (the simulator does not check signatures). */
  async ec2(action: string, params: Record<string, string>): Promise<string> {
    const res = await fetch(this.info.ec2Endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${action}: ${res.status} ${text.slice(0, 300)}`);
    return text;
  }

  stop(): Promise<void> {
    return stopProcess(this.child);
  }
}

// ---------------------------------------------------------------- daemons

/** Splits a command template into argv (whitespace, single and double quotes). */
export function splitCommand(template: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (const ch of template) {
    if (quote !== null) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur !== '' || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (quote !== null) throw new Error(`unbalanced quote in command template: ${template}`);
  if (cur !== '' || any) out.push(cur);
  return out;
}

export class Daemon {
  constructor(
    readonly child: ChildProcess,
    readonly name: string,
    readonly caller: string,
    readonly logFile: string,
  ) {}

  /**
   * Starts the daemon under test as instance `instanceId` of `sim`: the
   * template with `{config}` replaced, run without a shell from the project
   * folder, in its own process group.
   */
  static start(sim: Sim, instanceId: string, template: string, config: string, logFile: string, caller?: string): Daemon {
    const i = sim.instance(instanceId);
    const argv = splitCommand(template).map((a) => a.replaceAll('{config}', config));
    if (argv.length === 0) throw new Error('empty daemon command template');
    const akid = caller ?? `AKID${instanceId.slice(-8).toUpperCase()}`;
    const child = spawnGroup(
      argv,
      {
        ...process.env,
        AWS_ACCESS_KEY_ID: akid,
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL_EC2: sim.info.ec2Endpoint,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: i.imdsEndpoint,
        AWS_REGION: '',
      },
      logFile,
    );
    return new Daemon(child, instanceId, akid, logFile);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  logTail(n = 2000): string {
    try {
      const t = readFileSync(this.logFile, 'utf8');
      return t.slice(-n);
    } catch {
      return '';
    }
  }

  stop(): Promise<void> {
    return stopProcess(this.child);
  }
}

/** Calls of `action` made by `caller`, from a counters snapshot. */
export const callsBy = (c: Counters, caller: string, action: string): number => c.byCaller[caller]?.byAction[action] ?? 0;

/** Waits until every daemon has made at least `n` more DescribeRouteTables calls than in `base` (a pass each). */
export async function waitForPasses(sim: Sim, daemons: readonly Daemon[], base: Counters | null, n: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const c = await sim.counters();
      for (const d of daemons) {
        if (d.exited) throw new Error(`${d.name} exited (code ${d.child.exitCode}); log tail:\n${d.logTail()}`);
        const before = base === null ? 0 : callsBy(base, d.caller, 'DescribeRouteTables');
        if (callsBy(c, d.caller, 'DescribeRouteTables') - before < n) return false;
      }
      return true;
    },
    timeoutMs,
    `${n} pass(es) of ${daemons.map((d) => d.name).join(', ')}`,
    100,
  );
}

// ---------------------------------------------------------------- /proc

const CLK_TCK = 100;

export interface GroupSample {
  /** CPU seconds (user + system) of the live processes in the group. */
  cpuSec: number;
  rssBytes: number;
  processes: number;
}

/** CPU and RSS summed over every process whose process group is `pgid` (Linux /proc). */
export function sampleGroup(pgid: number): GroupSample {
  let cpu = 0;
  let rss = 0;
  let n = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] = state (field 3), so field k is f[k - 3]
      if (Number(f[2]) !== pgid) continue;
      cpu += (Number(f[11]) + Number(f[12])) / CLK_TCK;
      rss += Number(f[21]) * 4096;
      n++;
    } catch {
      // exited meanwhile
    }
  }
  return { cpuSec: cpu, rssBytes: rss, processes: n };
}

// ---------------------------------------------------------------- statistics

export interface Stat {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function stats(values: readonly number[]): Stat {
  if (values.length === 0) return { n: 0, median: NaN, p95: NaN, min: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number): number => {
    // linear interpolation between closest ranks
    const pos = (s.length - 1) * p;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  };
  return { n: s.length, median: q(0.5), p95: q(0.95), min: s[0]!, max: s[s.length - 1]! };
}
