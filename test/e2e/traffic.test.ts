// What the daemon really sends to EC2, checked against AWS's published model.
// The simulator records every request (parameter names and filter names);
// after the daemon's scenarios — a primary, a backup with a live owner, a
// backup after its owner died, `plan`, `run -noop -oneshot`, drain — every
// request of every daemon process must use only parameters and filters that
// the model (src/sim/contract/gen/, generated from botocore's
// service-2.json) documents for its action.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { undocumented } from '../../src/sim/contract/conformance.js';
import { runCli } from '../helpers/cli.js';
import { Daemon, NAT_PAIR, Scratch, Sim, natPairConfig, waitFor } from './harness.js';

const { A, B, RTB_A, RTB_B, ENI_A, ENI_B } = NAT_PAIR;
/** The callers the harness gives daemons of A and B (AKID + the id's last six characters). */
const CALLERS = new Set([A, B].map((id) => `AKID${id.slice(-6).toUpperCase()}`));

const scratch = new Scratch();
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

function config(name: string, ops: boolean): { file: string; socket: string } {
  const socket = join(scratch.dir, `${name}.sock`);
  const opsText = ops
    ? `status: {socket: ${socket}}
drain: {state_file: ${join(scratch.dir, `${name}.drained`)}, maintenance_file: ${join(scratch.dir, `${name}.maintenance`)}}
`
    : '';
  const file = scratch.file(`${name}.yaml`, natPairConfig(opsText));
  return { file, socket };
}

async function requestsOf(sim: Sim): Promise<{ action: string; params: readonly string[]; filters: readonly string[]; caller: string }[]> {
  return (await sim.client.requests(0)).entries.filter((e) => CALLERS.has(e.caller));
}

test('every request the daemon sends in its scenarios is one AWS documents for its action', async () => {
  const sim = await Sim.start(NAT_PAIR.world);
  running.push(sim);
  const a = config('a', true);
  const b = config('b', true);
  const da = Daemon.start(sim, A, ['run', '-f', a.file, '-log-format=json']);
  const db = Daemon.start(sim, B, ['run', '-f', b.file, '-log-format=json']);
  running.push(da, db);
  await da.waitForLog(/status socket ready/);
  await db.waitForLog(/status socket ready/);

  // Primary of its own table, backup of the other with a live owner: A reads B's status.
  await waitFor(async () => (await requestsOf(sim)).some((r) => r.action === 'DescribeInstanceStatus'), 20_000, 'a backup to read its owner status');

  // plan and run -noop -oneshot, read-only, as A.
  const plain = config('plain', false);
  const plan = Daemon.start(sim, A, ['plan', '-f', plain.file, '-log-format=json']);
  running.push(plan);
  assert.equal(await plan.exit(), 0, plan.logs);
  const noop = Daemon.start(sim, A, ['run', '-f', plain.file, '-noop', '-oneshot', '-log-format=json']);
  running.push(noop);
  assert.equal(await noop.exit(), 0, noop.logs);

  // Drain --force: A withdraws its own route (DeleteRoute); B creates it (CreateRoute).
  const drained = await runCli(['drain', '--force', '--socket', a.socket]);
  assert.equal(drained.code, 0, drained.stderr);
  await waitFor(async () => (await sim.route(RTB_A, '0.0.0.0/0'))?.networkInterfaceId === ENI_B, 20_000, `B to carry A's table while A is drained\n${db.logs.slice(-3000)}\n--- A\n${da.logs.slice(-3000)}`);
  const undrained = await runCli(['undrain', '--socket', a.socket]);
  assert.equal(undrained.code, 0, undrained.stderr);
  await waitFor(async () => (await sim.route(RTB_A, '0.0.0.0/0'))?.networkInterfaceId === ENI_A, 20_000, 'A to take its table back (ReplaceRoute)');

  // The owner dies: B's instance stops, its route goes blackhole, A takes it over.
  await sim.admin('POST', `instances/${B}/stop`);
  await waitFor(async () => (await sim.route(RTB_B, '0.0.0.0/0'))?.networkInterfaceId === ENI_A, 20_000, 'A to take over B\'s table after B stopped');

  const sent = await requestsOf(sim);
  const actions = new Set(sent.map((r) => r.action));
  for (const expected of ['DescribeRouteTables', 'DescribeNetworkInterfaces', 'DescribeInstanceStatus', 'CreateRoute', 'ReplaceRoute', 'DeleteRoute'])
    assert.ok(actions.has(expected), `the scenarios made no ${expected} call (saw ${[...actions].join(', ')})`);
  const problems = sent.flatMap((r) => undocumented(r.action, r.params, r.filters).map((p) => `${r.action} (${r.caller}): ${p}`));
  assert.deepEqual([...new Set(problems)], [], 'the daemon sent what AWS does not document');
});
