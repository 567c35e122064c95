// 7. fleet: 30 daemons (quick: 6) against one simulator at the default
// poll_time, each primary for its own table and backup for its neighbour's;
// describe calls counted per second through start-up and a steady window.
import { routeWrites, sleep } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { describesIn, startDaemon, startSim, waitForPasses } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { fig } from '../scenario.js';

function fleetWorld(n: number): string {
  const azs = ['a', 'b', 'c'];
  const id = (i: number): string => `0f${String(i).padStart(15, '0')}`;
  const lines = [
    'region: us-east-1',
    'vpcs:',
    '  - { id: vpc-0f000000000000001, cidr: 10.60.0.0/16 }',
    'subnets:',
    ...azs.map((z, i) => `  - { id: subnet-0f00000000000000${z}, vpc: vpc-0f000000000000001, az: us-east-1${z}, cidr: 10.60.${i + 1}.0/24 }`),
    'route_tables:',
    ...Array.from({ length: n }, (_, i) => [
      `  - id: rtb-${id(i)}`,
      '    vpc: vpc-0f000000000000001',
      `    tags: { Name: fleet-${i} }`,
      '    routes:',
      `      - { cidr: 0.0.0.0/0, instance: i-${id(i)} }`,
    ]).flat(),
    'instances:',
    ...Array.from({ length: n }, (_, i) => `  - { id: i-${id(i)}, subnet: subnet-0f00000000000000${azs[i % 3]!}, network_interfaces: [{ id: eni-${id(i)}, private_ip: 127.0.7.${i + 1}, source_dest_check: false }] }`),
  ];
  return `${lines.join('\n')}\n`;
}

export const fleet: Scenario = {
  name: 'fleet',
  async run(ctx) {
    const N = ctx.quick ? 6 : 30;
    const WINDOW = ctx.quick ? 10 : 60;
    const BUDGET = 20;
    const sim = await startSim(ctx, ctx.scratch.file('fleet-world.yaml', fleetWorld(N)), 'fleet');
    const daemons: DaemonProcess[] = [];
    try {
      await sim.admin('DELETE', 'counters');
      const t0 = Date.now();
      for (let i = 0; i < N; i++) {
        const id = `0f${String(i).padStart(15, '0')}`;
        const next = (i + 1) % N;
        daemons.push(
          startDaemon(
            ctx,
            sim,
            `i-${id}`,
            `fleet-${i}.yaml`,
            `# default poll_time
routetables:
  own:
    find: {type: by_tag, config: {key: Name, value: fleet-${i}}}
    manage_routes:
      - {cidr: 0.0.0.0/0}
  neighbour:
    find: {type: by_tag, config: {key: Name, value: fleet-${next}}}
    manage_routes:
      - {cidr: 0.0.0.0/0, if_unhealthy: true}
`,
          ),
        );
      }
      // Start-up: until every daemon has made a pass, counting describe calls per second meanwhile.
      const upPerSecond: number[] = [];
      let sampling = true;
      const sampler = (async () => {
        let prev = 0;
        for (let s = 1; sampling; s++) {
          await sleep(Math.max(0, t0 + s * 1000 - Date.now()));
          const d = describesIn(await sim.client.counters());
          upPerSecond.push(d - prev);
          prev = d;
        }
      })();
      try {
        await waitForPasses(sim, daemons, null, 1, 180_000);
      } finally {
        sampling = false;
        await sampler;
      }
      const upSec = (Date.now() - t0) / 1000;
      const upCounters = await sim.client.counters();
      const atUp = describesIn(upCounters);
      const pollCalls = (upCounters.byAction.DescribeRouteTables?.calls ?? 0) + (upCounters.byAction.DescribeInstanceStatus?.calls ?? 0);
      await sleep(5000);
      const t1 = Date.now();
      const start = describesIn(await sim.client.counters());
      const perSecond: number[] = [];
      let prev = start;
      for (let s = 1; s <= WINDOW; s++) {
        await sleep(t1 + s * 1000 - Date.now());
        const d = describesIn(await sim.client.counters());
        perSecond.push(d - prev);
        prev = d;
      }
      const c = await sim.client.counters();
      const elapsed = (Date.now() - t1) / 1000;
      const steady = (describesIn(c) - start) / elapsed;
      ctx.log(`  ${N} daemons up after ${upSec.toFixed(1)} s (${atUp} describe calls); ${describesIn(c) - start} describe calls in the ${elapsed.toFixed(1)} s window; by action ${JSON.stringify(Object.fromEntries(Object.entries(c.byAction).map(([k, v]) => [k, v.calls])))}`);
      return [
        fig('fleet', `describe calls per second, ${N} daemons, steady state (${WINDOW} s after start-up, default poll_time)`, 'calls/s', [steady], { text: `≤ ${BUDGET * 0.05} (5 % of 20/s)`, ok: (s) => s.max <= BUDGET * 0.05 }),
        fig('fleet', 'same, as a share of the account describe budget (20/s)', '%', [(steady / BUDGET) * 100], { text: '≤ 5', ok: (s) => s.max <= 5 }),
        fig('fleet', `projected: ${N} daemons at one pass per default poll_time (300 s), share of the budget`, '%', [(pollCalls / 300 / BUDGET) * 100], { text: '≤ 5', ok: (s) => s.max <= 5 }, 'per-pass cost = DescribeRouteTables + DescribeInstanceStatus of each daemon’s first pass (interfaces are looked up once)'),
        fig('fleet', 'describe calls in one second of the steady window (burst is 100)', 'calls', perSecond, { text: 'max ≤ 100', ok: (s) => s.max <= 100 }),
        fig('fleet', `start-up: launch → every daemon has made a pass (with start-up)`, 's', [upSec], undefined, `${N} processes started at once on this machine`),
        fig('fleet', 'start-up: describe calls until then', 'calls', [atUp], undefined, 'the budget refills at 20 calls/s, so a total spread over the start-up is not what throttles'),
        fig('fleet', 'start-up: describe calls in the busiest second', 'calls', [Math.max(0, ...upPerSecond)], { text: '≤ 100 (the burst)', ok: (s) => s.max <= 100 }, `${N} daemons launched in the same second`),
        fig('fleet', 'mutating calls', 'calls', [routeWrites(c)], { text: '0', ok: (s) => s.max === 0 }),
      ];
    } finally {
      await Promise.all(daemons.map((d) => d.stop()));
      await sim.stop();
    }
  },
};
