// 6. footprint: one daemon with 20 tcp checks every second against a local
// service, sampled from /proc every second: RSS and CPU share of one core,
// summed over its process group.
import { performance } from 'node:perf_hooks';
import { NAT_PAIR, sleep } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { startDaemon, startSim, waitForPasses } from '../harness.js';
import { sampleGroup } from '../measure.js';
import type { Scenario } from '../scenario.js';
import { fig } from '../scenario.js';
import { Service } from '../tcp-service.js';

const { A } = NAT_PAIR;

export const footprint: Scenario = {
  name: 'footprint',
  async run(ctx) {
    const sim = await startSim(ctx, NAT_PAIR.world, 'footprint');
    const svc = new Service('127.0.0.1');
    const daemons: DaemonProcess[] = [];
    const CHECKS = 20;
    const WARM = ctx.quick ? 3 : 10;
    const WINDOW = ctx.quick ? 8 : 60;
    try {
      await svc.open();
      const names = Array.from({ length: CHECKS }, (_, i) => `c${i}`);
      const d = startDaemon(
        ctx,
        sim,
        A,
        'footprint.yaml',
        `healthchecks:
${names.map((n) => `  ${n}: {type: tcp, destination: 127.0.0.1, every: 1, rise: 2, fall: 3, config: {port: ${svc.port}}}`).join('\n')}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 0.0.0.0/0, healthcheck: [${names.join(', ')}]}
`,
      );
      daemons.push(d);
      await waitForPasses(sim, [d], null, 1, 60_000);
      await sleep(WARM * 1000);
      const pgid = d.child.pid!;
      const rss: number[] = [];
      const cpu: number[] = [];
      let prev = sampleGroup(pgid);
      let prevT = performance.now();
      const first = prev;
      const t0 = prevT;
      for (let i = 0; i < WINDOW; i++) {
        await sleep(1000);
        if (d.exited) throw new Error(`daemon exited; log tail:\n${d.logTail()}`);
        const s = sampleGroup(pgid);
        const now = performance.now();
        cpu.push(((s.cpuSec - prev.cpuSec) / ((now - prevT) / 1000)) * 100);
        rss.push(s.rssBytes / 1048576);
        prev = s;
        prevT = now;
      }
      const avg = ((prev.cpuSec - first.cpuSec) / ((prevT - t0) / 1000)) * 100;
      ctx.log(`  ${prev.processes} process(es) in the daemon's group; CPU over the window ${avg.toFixed(2)} %`);
      return [
        fig('footprint', `RSS, idle, ${CHECKS} tcp checks every 1 s`, 'MB', rss, { text: '≤ 80', ok: (s) => s.max <= 80 }, 'summed over the daemon’s process group, sampled every second'),
        fig('footprint', 'CPU share of one core, per second', '%', cpu, { text: '≤ 1 (window average)', ok: () => avg <= 1 }, `window average ${avg.toFixed(2)} % (clock ticks of 10 ms: one-second samples are coarse)`),
        fig('footprint', 'CPU share of one core, window average', '%', [avg], { text: '≤ 1', ok: (s) => s.max <= 1 }),
      ];
    } finally {
      await Promise.all(daemons.map((x) => x.stop()));
      await svc.close();
      await sim.stop();
    }
  },
};
