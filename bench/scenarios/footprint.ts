// 6. footprint: one daemon with 20 tcp checks every second against a local
// service, sampled from /proc every second: RSS and CPU share of one core,
// summed over its process group; and the time from spawn to its first pass.
// Measured for each form users run, one after the other in the same run:
// `--daemon-cmd` (default ./bin/awsnycast on this machine's Node) and the
// shipped single executable build/awsnycast (Node 24) when `npm run package`
// has built it (full runs only).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NAT_PAIR, ROOT, sleep } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { DEFAULT_DAEMON_CMD, startDaemon, startSim, waitForPasses } from '../harness.js';
import { sampleGroup } from '../measure.js';
import type { Ctx, Figure, Scenario } from '../scenario.js';
import { fig } from '../scenario.js';
import { Service } from '../tcp-service.js';

const { A } = NAT_PAIR;
const CHECKS = 20;
const EXECUTABLE = join(ROOT, 'build/awsnycast');

function config(port: number): string {
  const names = Array.from({ length: CHECKS }, (_, i) => `c${i}`);
  return `healthchecks:
${names.map((n) => `  ${n}: {type: tcp, destination: 127.0.0.1, every: 1, rise: 2, fall: 3, config: {port: ${port}}}`).join('\n')}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: [${names.join(', ')}]}
`;
}

/** The forms to measure: the given daemon command, and the executable when it is built. */
function forms(ctx: Ctx): { label: string; cmd: string }[] {
  const out = [{ label: ctx.daemonCmd === DEFAULT_DAEMON_CMD ? `bin/awsnycast (Node ${process.versions.node})` : ctx.daemonCmd, cmd: ctx.daemonCmd }];
  // Not in a quick run: the test suite runs one, and its package test may be rebuilding build/ meanwhile.
  if (ctx.quick) return out;
  if (existsSync(EXECUTABLE)) out.push({ label: 'build/awsnycast (executable, Node 24)', cmd: `${EXECUTABLE} run -f {config} -log-format=json` });
  else ctx.log('  build/awsnycast is not built (npm run package): the executable is not measured');
  return out;
}

async function measure(ctx: Ctx, label: string, cmd: string, svcPort: number): Promise<Figure[]> {
  // Scratch file names per form: footprint-bin_awsnycast, footprint-build_awsnycast.
  const name = `footprint-${label.split(' ')[0]!.replace(/\W/g, '_')}`;
  const sim = await startSim(ctx, NAT_PAIR.world, name);
  const WARM = ctx.quick ? 3 : 10;
  const WINDOW = ctx.quick ? 8 : 60;
  let d: DaemonProcess | undefined;
  try {
    const t0 = performance.now();
    d = startDaemon({ ...ctx, daemonCmd: cmd }, sim, A, `${name}.yaml`, config(svcPort));
    await waitForPasses(sim, [d], null, 1, 60_000);
    const firstPass = performance.now() - t0;
    await sleep(WARM * 1000);
    const pgid = d.child.pid!;
    const rss: number[] = [];
    const anon: number[] = [];
    const cpu: number[] = [];
    let prev = sampleGroup(pgid);
    let prevT = performance.now();
    const first = prev;
    const w0 = prevT;
    for (let i = 0; i < WINDOW; i++) {
      await sleep(1000);
      if (d.exited) throw new Error(`daemon exited; log tail:\n${d.logTail()}`);
      const s = sampleGroup(pgid);
      const now = performance.now();
      cpu.push(((s.cpuSec - prev.cpuSec) / ((now - prevT) / 1000)) * 100);
      rss.push(s.rssBytes / 1048576);
      anon.push(s.anonBytes / 1048576);
      prev = s;
      prevT = now;
    }
    const avg = ((prev.cpuSec - first.cpuSec) / ((prevT - w0) / 1000)) * 100;
    ctx.log(`  ${label}: ${prev.processes} process(es) in the group; CPU over the window ${avg.toFixed(2)} %; first pass after ${firstPass.toFixed(0)} ms`);
    const exe = label.startsWith('build/');
    return [
      fig('footprint', `${label}: RSS, ${CHECKS} tcp checks every 1 s`, 'MB', rss, exe ? { text: 'median ≤ 50, peak ≤ 70', ok: (s) => s.median <= 50 && s.max <= 70 } : undefined, 'summed over the daemon’s process group, sampled every second; p95 column: the peak is in the JSON (max)'),
      fig('footprint', `${label}: of which anonymous (RssAnon)`, 'MB', anon, undefined, 'heap and stacks; the rest of the RSS is pages of the executable and libraries, shared with the page cache'),
      fig('footprint', `${label}: CPU share of one core, window average`, '%', [avg], { text: '≤ 0.5', ok: (s) => s.max <= 0.5 }, 'CPU seconds of the group over the window (clock ticks of 10 ms)'),
      fig('footprint', `${label}: spawn to the first pass's read`, 'ms', [firstPass], { text: '≤ 1500', ok: (s) => s.max <= 1500 }, 'until the simulator has counted the first DescribeRouteTables (polled every 100 ms)'),
    ];
  } finally {
    await d?.stop();
    await sim.stop();
  }
}

export const footprint: Scenario = {
  name: 'footprint',
  async run(ctx) {
    const svc = new Service('127.0.0.1');
    await svc.open();
    try {
      const out: Figure[] = [];
      for (const f of forms(ctx)) out.push(...(await measure(ctx, f.label, f.cmd, svc.port)));
      return out;
    } finally {
      await svc.close();
    }
  },
};
