// The benchmarks' layer over the shared process harness (test/helpers/harness.ts):
// the daemon under test is a command template, so any implementation that
// honours the standard AWS settings (AWS_ENDPOINT_URL_EC2,
// AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_ACCESS_KEY_ID) can be measured. Every
// process runs in its own process group (stopped and sampled as a group) and
// is registered, so run.ts stops them all on an error and on SIGINT/SIGTERM.
import { join } from 'node:path';
import { DaemonProcess, SimProcess, TEST_CALLER, callsBy, waitFor } from '../test/helpers/harness.js';
import type { CountersSnapshot } from '../test/helpers/harness.js';
import type { Ctx } from './scenario.js';

export const DEFAULT_DAEMON_CMD = './bin/awsnycast run -f {config} -log-format=json';

export const DESCRIBE = ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeInstanceStatus', 'DescribeInstances', 'DescribeInstanceAttribute', 'DescribeVpcs', 'DescribeSubnets'];

/** Describe calls in a counters snapshot. */
export const describesIn = (c: CountersSnapshot): number => DESCRIBE.reduce((n, a) => n + (c.byAction[a]?.calls ?? 0), 0);

/** Starts the simulator on `world` (its log in the scratch folder as NAME-sim.log) with the run's API latency. */
export async function startSim(ctx: Ctx, world: string, name: string): Promise<SimProcess> {
  const sim = await SimProcess.start(world, { logFile: join(ctx.scratch.dir, `${name}-sim.log`), ownGroup: true });
  await sim.admin('POST', 'faults', { latencyMs: { '*': ctx.latencyMs } });
  return sim;
}

/** Back to the world file, then the API latency again (a reset clears faults). */
export async function resetSim(ctx: Ctx, sim: SimProcess): Promise<void> {
  await sim.admin('POST', 'reset');
  await sim.admin('POST', 'faults', { latencyMs: { '*': ctx.latencyMs } });
}

/** One EC2 Query API call as caller TEST_CALLER, signed with nothing (the simulator does not check signatures); throws on an error status. */
export async function ec2Call(sim: SimProcess, action: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(sim.info.ec2Endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CALLER}/20260101/${sim.info.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${action}: ${res.status} ${text.slice(0, 300)}`);
  return text;
}

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

/**
 * Writes `yaml` to the scratch folder as `configName` and starts the daemon
 * under test (the run's template with `{config}` replaced) as instance `id`
 * of `sim`, its output in a log file next to the config.
 */
export function startDaemon(ctx: Ctx, sim: SimProcess, id: string, configName: string, yaml: string): DaemonProcess {
  const config = ctx.scratch.file(configName, yaml);
  const argv = splitCommand(ctx.daemonCmd).map((a) => a.replaceAll('{config}', config));
  return DaemonProcess.spawn(sim, id, argv, { logFile: join(ctx.scratch.dir, configName.replace(/\.yaml$/, '.log')), ownGroup: true });
}

/** Waits until every daemon has made at least `n` more DescribeRouteTables calls than in `base` (a pass each). */
export async function waitForPasses(sim: SimProcess, daemons: readonly DaemonProcess[], base: CountersSnapshot | null, n: number, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const c = await sim.client.counters();
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
