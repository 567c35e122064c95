// 2. failover-terminated: B backs up A's default route with no remote check
// (if_unhealthy only); each trial resets the world, terminates A at a random
// phase of B's poll, and times the termination to B's route change.
import { NAT_PAIR, sleep, waitFor } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { resetSim, startDaemon, startSim, waitForPasses } from '../harness.js';
import type { Figure, Scenario } from '../scenario.js';
import { fig, rand } from '../scenario.js';

const { A, B, RTB_A } = NAT_PAIR;

export const failoverTerminated: Scenario = {
  name: 'failover-terminated',
  async run(ctx) {
    const polls = ctx.quick ? [1, 2] : [5, 10];
    const out: Figure[] = [];
    for (const poll of polls) {
      const sim = await startSim(ctx, NAT_PAIR.world, `failover-terminated-${poll}`);
      const daemons: DaemonProcess[] = [];
      try {
        const eniB = sim.eni(B);
        const db = startDaemon(
          ctx,
          sim,
          B,
          `failover-terminated-${poll}.yaml`,
          `poll_time: ${poll}
routetables:
  a:
    find: {type: by_tag, config: {key: az, value: us-east-1a}}
    manage_routes:
      - {cidr: 0.0.0.0/0, if_unhealthy: true}
`,
        );
        daemons.push(db);
        await waitForPasses(sim, [db], null, 1, 60_000);
        const times: number[] = [];
        for (let t = 0; t < ctx.trials; t++) {
          await resetSim(ctx, sim);
          // A uniformly random phase against B's poll.
          await sleep(rand(poll * 1000));
          const seq = await sim.client.lastSeq();
          const local = Date.now();
          await sim.admin('POST', `instances/${A}/terminate`);
          const term = (await sim.client.mutations('instance', seq)).entries.find((m) => m.action.toLowerCase().includes('terminat'));
          const fault = term?.wallMs ?? local;
          let took: number | undefined;
          await waitFor(
            async () => {
              const m = (await sim.client.mutations('route', seq)).entries.find((x) => x.routeTableId === RTB_A && x.cidr === '0.0.0.0/0');
              if (m !== undefined) took = m.wallMs;
              return m !== undefined;
            },
            poll * 3000 + 10_000,
            'the backup to take the route',
          );
          times.push(took! - fault);
          ctx.log(`  poll ${poll} s, trial ${t + 1}: ${Math.round(took! - fault)} ms`);
          const owner = await sim.routeTarget(RTB_A, '0.0.0.0/0');
          if (owner.eni !== eniB) ctx.log(`  note: route points at ${owner.eni}, not B`);
        }
        const limit = poll * 1000 + 1000;
        out.push(
          fig('failover-terminated', `terminate → route at backup, poll_time ${poll} s`, 'ms', times, { text: `p95 ≤ ${limit} (poll_time + 1 s)`, ok: (s) => s.p95 <= limit }, 'no remote check: noticed at the next poll (±10 % jitter); fault at a random phase'),
        );
      } finally {
        await Promise.all(daemons.map((d) => d.stop()));
        await sim.stop();
      }
    }
    return out;
  },
};
