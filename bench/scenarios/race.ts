// 3. race: one route, its owner and three backups (test/e2e/worlds/race.yaml);
// each trial resets the world, terminates the owner and waits until the
// routes are quiet: time to the last change, mutating calls, one owner.
import { RACE, routeWrites, sleep, waitFor } from '../../test/helpers/harness.js';
import type { DaemonProcess } from '../../test/helpers/harness.js';
import { resetSim, startDaemon, startSim, waitForPasses } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { fig, rand } from '../scenario.js';

export const race: Scenario = {
  name: 'race',
  async run(ctx) {
    const sim = await startSim(ctx, RACE.world, 'race');
    const daemons: DaemonProcess[] = [];
    const RTB = RACE.rtb;
    const CIDR = RACE.cidr;
    const POLL = 2;
    try {
      const ids = RACE.backups;
      const enis = ids.map((id) => sim.eni(id));
      const yaml = `poll_time: ${POLL}
routetables:
  main:
    find: {type: main}
    manage_routes:
      - {cidr: ${CIDR}, if_unhealthy: true}
`;
      for (const id of ids) daemons.push(startDaemon(ctx, sim, id, `race-${id}.yaml`, yaml));
      await waitForPasses(sim, daemons, null, 1, 60_000);
      const times: number[] = [];
      const writes: number[] = [];
      const single: number[] = [];
      const STABLE_MS = ctx.quick ? 1500 : 4000;
      for (let t = 0; t < ctx.trials; t++) {
        await resetSim(ctx, sim);
        await sleep(500 + rand(POLL * 1000));
        const seq = await sim.client.lastSeq();
        const m0 = routeWrites(await sim.client.counters());
        await sim.admin('POST', `instances/${RACE.owner}/terminate`);
        const term = (await sim.client.mutations('instance', seq)).entries[0];
        const fault = term?.wallMs ?? Date.now();
        await waitFor(async () => enis.includes((await sim.routeTarget(RTB, CIDR)).eni ?? ''), 30_000, 'a backup to take the route');
        // Stable: no route change for STABLE_MS.
        let last = await sim.client.lastSeq();
        let lastAt = Date.now();
        while (Date.now() - lastAt < STABLE_MS) {
          await sleep(100);
          const s = await sim.client.lastSeq();
          if (s !== last) {
            last = s;
            lastAt = Date.now();
          }
        }
        const ms = (await sim.client.mutations('route', seq)).entries.filter((x) => x.cidr === CIDR);
        const end = Math.max(...ms.map((x) => x.wallMs));
        const w = routeWrites(await sim.client.counters()) - m0;
        const owner = await sim.routeTarget(RTB, CIDR);
        const one = owner.state === 'active' && enis.includes(owner.eni ?? '') ? 1 : 0;
        times.push(end - fault);
        writes.push(w);
        single.push(one);
        ctx.log(`  trial ${t + 1}: stable after ${Math.round(end - fault)} ms, ${w} mutating call(s), ${ms.length} route change(s), one owner: ${one === 1}`);
      }
      return [
        fig('race', 'terminate → last route change', 'ms', times, undefined, `3 backups, poll_time ${POLL} s, stable = no change for ${STABLE_MS / 1000} s`),
        fig('race', 'mutating calls per failover', 'calls', writes, { text: '≤ 3', ok: (s) => s.max <= 3 }),
        fig('race', 'trials ending with one active owner', 'fraction', single, { text: '1 (every trial)', ok: (s) => s.min === 1 }),
      ];
    } finally {
      await Promise.all(daemons.map((d) => d.stop()));
      await sim.stop();
    }
  },
};
