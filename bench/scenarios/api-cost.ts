// 4. api-cost: three NAT daemons of a 3-AZ VPC with 20 other tables, each
// primary for its AZ's table and backup (remote tcp check) for the next;
// their EC2 calls counted over a window, per minute and per pass.
import { callsBy, routeWrites, sleep } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { DESCRIBE, startDaemon, startSim, waitForPasses } from '../harness.js';
import type { Figure, Scenario } from '../scenario.js';
import { fig } from '../scenario.js';
import { Service } from '../tcp-service.js';

function azWorld(): string {
  const azs = ['a', 'b', 'c'];
  const lines = [
    'region: us-east-1',
    'vpcs:',
    '  - { id: vpc-0c000000000000001, cidr: 10.40.0.0/16 }',
    'subnets:',
    ...azs.map((z, i) => `  - { id: subnet-0c00000000000000${z}, vpc: vpc-0c000000000000001, az: us-east-1${z}, cidr: 10.40.${i + 1}.0/24 }`),
    'route_tables:',
    ...azs.flatMap((z) => [
      `  - id: rtb-0c00000000000000${z}`,
      '    vpc: vpc-0c000000000000001',
      `    tags: { Name: private-${z}, az: us-east-1${z} }`,
      '    routes:',
      `      - { cidr: 0.0.0.0/0, instance: i-0c00000000000000${z} }`,
    ]),
    'instances:',
    ...azs.map((z, i) => `  - { id: i-0c00000000000000${z}, subnet: subnet-0c00000000000000${z}, network_interfaces: [{ id: eni-0c00000000000000${z}, private_ip: 127.0.6.${i + 1}, source_dest_check: false }] }`),
    'generate:',
    '  route_tables:',
    '    - vpc: vpc-0c000000000000001',
    '      count: 20',
    '      routes_per_table: 5',
    '      id_prefix: other',
    '      tags: { Name: "other-{n}" }',
    '      first_destination: 100.64.0.1',
    '      targets: [i-0c00000000000000a, i-0c00000000000000b, i-0c00000000000000c]',
  ];
  return `${lines.join('\n')}\n`;
}

export const apiCost: Scenario = {
  name: 'api-cost',
  async run(ctx) {
    const sim = await startSim(ctx, ctx.scratch.file('az3-world.yaml', azWorld()), 'api-cost');
    const azs = ['a', 'b', 'c'];
    const services = azs.map((_, i) => new Service(`127.0.6.${i + 1}`));
    const daemons: DaemonProcess[] = [];
    const POLL = ctx.quick ? 3 : 10;
    const WINDOW = ctx.quick ? 9 : 60;
    try {
      await services[0]!.open();
      for (const s of services.slice(1)) await s.open(services[0]!.port);
      const port = services[0]!.port;
      azs.forEach((z, i) => {
        const next = azs[(i + 1) % 3]!;
        daemons.push(
          startDaemon(
            ctx,
            sim,
            `i-0c00000000000000${z}`,
            `api-cost-${z}.yaml`,
            `poll_time: ${POLL}
remote_healthchecks:
  nat: {type: tcp, every: 1, rise: 2, fall: 3, config: {port: ${port}}}
routetables:
  own:
    find: {type: by_tag, config: {key: az, value: us-east-1${z}}}
    manage_routes:
      - {cidr: 0.0.0.0/0}
  neighbour:
    find: {type: by_tag, config: {key: az, value: us-east-1${next}}}
    manage_routes:
      - {cidr: 0.0.0.0/0, if_unhealthy: true, remote_healthcheck: nat}
`,
          ),
        );
      });
      await waitForPasses(sim, daemons, null, 1, 60_000);
      await sleep(ctx.quick ? 3000 : 5000); // remote checks decide; their first transition triggers a pass
      await sim.admin('DELETE', 'counters');
      const t0 = Date.now();
      await sleep(WINDOW * 1000);
      const c = await sim.client.counters();
      const minutes = (Date.now() - t0) / 60_000;
      const passes = (WINDOW / POLL);
      const per = (action: string): number[] => daemons.map((d) => callsBy(c, d.caller, action) / minutes);
      const perPass = (action: string): number[] => daemons.map((d) => callsBy(c, d.caller, action) / passes);
      const actions = Object.keys(c.byAction).sort();
      ctx.log(`  calls in ${WINDOW} s: ${JSON.stringify(c.byCaller)}`);
      const out: Figure[] = [];
      for (const a of ['DescribeRouteTables', 'DescribeInstanceStatus', 'DescribeNetworkInterfaces', ...actions.filter((x) => !['DescribeRouteTables', 'DescribeInstanceStatus', 'DescribeNetworkInterfaces'].includes(x))]) {
        out.push(fig('api-cost', `${a} per minute per daemon (poll_time ${POLL} s)`, 'calls/min', per(a)));
      }
      out.push(fig('api-cost', 'DescribeRouteTables per pass', 'calls', perPass('DescribeRouteTables'), { text: '≤ 1', ok: (s) => s.max <= 1.15 }, `passes counted as window / poll_time = ${passes}; ±10 % jitter`));
      out.push(fig('api-cost', 'DescribeInstanceStatus per pass', 'calls', perPass('DescribeInstanceStatus'), { text: '≤ 1', ok: (s) => s.max <= 1.15 }));
      out.push(fig('api-cost', 'DescribeNetworkInterfaces per pass', 'calls', perPass('DescribeNetworkInterfaces'), { text: '≤ 1', ok: (s) => s.max <= 1.15 }));
      out.push(fig('api-cost', 'mutating calls in the window (all daemons)', 'calls', [routeWrites(c)], { text: '0', ok: (s) => s.max === 0 }));
      out.push(fig('api-cost', 'describe calls per minute per daemon at default poll_time 300 s (projected)', 'calls/min', daemons.map((d) => DESCRIBE.reduce((n, a) => n + callsBy(c, d.caller, a), 0) / passes / 5), undefined, 'per-pass cost × 0.2 passes/min'));
      return out;
    } finally {
      await Promise.all(daemons.map((d) => d.stop()));
      for (const s of services) await s.close();
      await sim.stop();
    }
  },
};
