// 5. plan-scale: the planner alone, in process, on 200 tables × 500 routes
// matched by one finder with 10 managed CIDRs; time and heap per pass.
import { performance } from 'node:perf_hooks';
import { loadConfigText } from '../../src/config/index.js';
import { plan } from '../../src/core/plan.js';
import type { PlanInput, RouteTableView } from '../../src/core/types.js';
import type { Scenario } from '../scenario.js';
import { fig } from '../scenario.js';

export const planScale: Scenario = {
  name: 'plan-scale',
  run(ctx) {
    const TABLES = 200;
    const ROUTES = 500;
    const CIDRS = 10;
    const VPC = 'vpc-0f000000000000001';
    const managed = Array.from({ length: CIDRS }, (_, i) => `10.99.0.${i + 1}/32`);
    const yaml = `poll_time: 60
healthchecks:
  up: {type: ping, destination: 127.0.0.1, every: 1}
remote_healthchecks:
  svc: {type: tcp, every: 1, config: {port: 80}}
routetables:
  all:
    find: {type: by_tag, config: {key: role, value: app}}
    manage_routes:
${managed.map((c, i) => `      - {cidr: ${c}, healthcheck: up, if_unhealthy: true${i % 2 === 0 ? ', remote_healthcheck: svc' : ''}}`).join('\n')}
`;
    const loaded = loadConfigText(yaml, 'plan-scale.yaml');
    if (!loaded.ok) throw new Error(`plan-scale config: ${JSON.stringify(loaded.problems)}`);
    const heap0 = process.memoryUsage().heapUsed;
    const owners: PlanInput['owners'] = {};
    const interfaceIps: Record<string, string> = {};
    const interfaceOwners: Record<string, string> = {};
    const ownerFacts: Record<string, { state: string; instanceStatus: string; systemStatus: string }> = {};
    for (let o = 0; o < 8; o++) {
      const inst = `i-0f00000000000${String(o).padStart(4, '0')}`;
      const eni = `eni-0f00000000000${String(o).padStart(4, '0')}`;
      interfaceIps[eni] = `10.0.0.${o + 10}`;
      interfaceOwners[eni] = inst;
      ownerFacts[inst] = { state: 'running', instanceStatus: 'ok', systemStatus: 'ok' };
    }
    Object.assign(owners, ownerFacts);
    const tables: RouteTableView[] = Array.from({ length: TABLES }, (_, t) => {
      const routes = Array.from({ length: ROUTES - CIDRS }, (_, r): RouteTableView['routes'][number] => {
        const n = t * ROUTES + r;
        return {
          destination: `100.${64 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}/32`,
          target: { kind: 'interface', networkInterfaceId: `eni-0f00000000000${String(n % 8).padStart(4, '0')}` },
          state: 'active',
        };
      });
      for (let i = 0; i < CIDRS; i++) {
        const o = (t + i) % 8;
        routes.push({
          destination: managed[i]!,
          target: { kind: 'interface', networkInterfaceId: `eni-0f00000000000${String(o).padStart(4, '0')}` },
          state: o === 7 ? 'blackhole' : 'active',
        });
      }
      return { id: `rtb-0f${String(t).padStart(15, '0')}`, vpcId: VPC, main: t === 0, subnetIds: [], tags: { Name: `t${t}`, role: 'app' }, routes };
    });
    const input: PlanInput = {
      identity: { instanceId: 'i-0f000000000009999', az: 'us-east-1a', region: 'us-east-1', vpcId: VPC, subnetId: 'subnet-0f0000000000001', networkInterfaceId: 'eni-0f000000000009999', ownIps: ['10.0.0.5'] },
      tables,
      checks: { up: { healthy: true, decided: true } },
      remoteChecks: { svc: Object.fromEntries(Object.values(interfaceIps).map((ip, i) => [ip, { healthy: i !== 3, decided: true }])) },
      owners,
      interfaceIps,
      interfaceOwners,
      now: 1_000_000,
      startedAt: 0,
      lastChange: {},
      healthySince: { up: 0 },
    };
    const heapInput = process.memoryUsage().heapUsed - heap0;
    const N = ctx.quick ? 10 : 100;
    for (let i = 0; i < 5; i++) plan(loaded.config, input); // warm-up (JIT)
    const times: number[] = [];
    const heaps: number[] = [];
    let actions = 0;
    let changes = 0;
    for (let i = 0; i < N; i++) {
      const h = process.memoryUsage().heapUsed;
      const t = performance.now();
      const p = plan(loaded.config, input);
      times.push(performance.now() - t);
      heaps.push((process.memoryUsage().heapUsed - h) / 1048576);
      actions = p.actions.length;
      changes = p.actions.filter((a) => a.action !== 'none').length;
    }
    ctx.log(`  ${actions} actions per pass (${changes} changes), input ${Math.round(heapInput / 1048576)} MB of heap`);
    return Promise.resolve([
      fig('plan-scale', `time per pass (${TABLES} tables × ${ROUTES} routes, ${CIDRS} managed CIDRs)`, 'ms', times, { text: '≤ 50', ok: (s) => s.median <= 50 }, `${actions} (table, CIDR) decisions per pass`),
      fig('plan-scale', 'heap allocated per pass (heapUsed growth, GC may hide part)', 'MB', heaps),
      fig('plan-scale', 'heap held by the input (100,000 routes as plain values)', 'MB', [heapInput / 1048576]),
    ]);
  },
};
