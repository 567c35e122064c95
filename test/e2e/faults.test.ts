// EC2 and metadata faults while the daemons run: a throttling storm, an EC2
// outage that hangs every request, and a metadata outage. No crash, the route
// ends on the right owner soon after each fault, and calls back off.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { Daemon, Scratch, Sim, WORLDS, natPairConfig, sleep, waitFor } from './harness.js';

const A = 'i-0a0000000000000a1';
const B = 'i-0a0000000000000b1';
const RTB_A = 'rtb-0a0000000000000a1';
const ENI_A = 'eni-0a0000000000000a1';
const ENI_B = 'eni-0a0000000000000b1';
const CONFIG = natPairConfig();

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

function daemon(sim: Sim, id: string, config: string): Daemon {
  const d = Daemon.start(sim, id, ['run', '-f', config, '-log-format=json']);
  running.push(d);
  return d;
}

const owner = async (sim: Sim): Promise<string | undefined> => (await sim.route(RTB_A, '0.0.0.0/0'))?.networkInterfaceId;
const callsBy = async (sim: Sim, who: string): Promise<number> =>
  (await sim.admin<{ byCaller: Record<string, { calls: number }> }>('GET', 'counters')).byCaller[`AKID${who.slice(-6).toUpperCase()}`]?.calls ?? 0;

describe('EC2 faults', () => {
  test('a 20 s throttling storm, then a 30 s hanging outage: no crash, the backup owns the route within 10 s of each fault ending, and backoff instead of a burst', async (t) => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const config = scratch.file('faults.yaml', CONFIG);
    const da = daemon(sim, A, config);
    const db = daemon(sim, B, config);
    await da.waitForLog(/health check is now healthy/);
    await db.waitForLog(/health check is now healthy/);
    await sleep(1500);

    // Storm: every call throttled. A goes away meanwhile; B must take over once the storm ends.
    await sim.admin('POST', 'faults', { throttle: { forced: true } });
    await da.stop();
    await sim.admin('POST', `instances/${A}/stop`);
    const before = await callsBy(sim, B);
    await sleep(20_000);
    const during = (await callsBy(sim, B)) - before;
    assert.equal(db.child.exitCode, null, 'B is still running');
    assert.ok(during <= 40, `B made ${during} calls in 20 s of throttling (a burst would be hundreds)`);
    assert.equal(await owner(sim), ENI_A, 'nothing could change during the storm');
    await sim.admin('POST', 'faults', { throttle: { forced: false } });
    const stormEnd = Date.now();
    await waitFor(async () => (await owner(sim)) === ENI_B, 10_000, 'B to take over within 10 s of the storm ending');
    const tookOver = Date.now() - stormEnd;

    // A comes back (no fault) and reclaims its table.
    await sim.admin('POST', `instances/${A}/start`);
    const da2 = daemon(sim, A, config);
    await waitFor(async () => (await owner(sim)) === ENI_A, 30_000, 'A to reclaim its table');

    // Outage: EC2 accepts and never answers for 30 s. A goes away during it; B must take over after.
    await sim.admin('POST', 'faults', { outage: { mode: 'hang' } });
    await da2.stop();
    await sim.admin('POST', `instances/${A}/stop`);
    await sleep(30_000);
    assert.equal(db.child.exitCode, null, 'B is still running');
    await sim.admin('POST', 'faults', { outage: { mode: 'none' } });
    const outageEnd = Date.now();
    await waitFor(async () => (await owner(sim)) === ENI_B, 10_000, 'B to take over within 10 s of the outage ending');
    t.diagnostic(`takeover ${tookOver} ms after the storm ended; ${Date.now() - outageEnd} ms after the outage ended`);
  });

  test('a metadata outage after start-up changes nothing: the daemon keeps working with the identity it has', async () => {
    const sim = await Sim.start(`${WORLDS}/nat-pair.yaml`);
    running.push(sim);
    const config = scratch.file('imds.yaml', CONFIG);
    const db = daemon(sim, B, config);
    await db.waitForLog(/health check is now healthy/);
    await sim.admin('POST', 'faults', { imds: { mode: 'refuse', instances: [] } });
    await sim.admin('POST', `instances/${A}/stop`);
    await waitFor(async () => (await owner(sim)) === ENI_B, 10_000, 'B to take over during the metadata outage');
    assert.equal(db.child.exitCode, null);
  });
});
