import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './scheduler.js';

test('failed passes are retried after a growing delay, capped by poll_time and 30 s', () => {
  for (const [failures, poll, lo, hi] of [[1, 300_000, 500, 1000], [3, 300_000, 2000, 4000], [10, 300_000, 15_000, 30_000], [10, 5000, 2500, 5000]] as const) {
    const d = retryDelayMs(failures, poll);
    assert.ok(d >= lo && d <= hi, `${failures} failures at poll ${poll}: ${d}`);
  }
});

// ---- the loop on the in-memory EC2 fake (no checks, so no processes)

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe } from 'node:test';
import { loadConfigText } from '../config/index.js';
import { Ec2Outcome } from '../ec2/errors.js';
import { FakeEc2 } from '../ec2/fake.js';
import { createLogger } from '../log/logger.js';
import { Daemon } from './daemon.js';

const ME = { instanceId: 'i-0000000a', az: 'az-a', region: 'r', vpcId: 'vpc-1', subnetId: 'subnet-a', networkInterfaceId: 'eni-a', ownIps: ['127.0.1.10'] };
const MUTATING = ['CreateRoute', 'ReplaceRoute', 'DeleteRoute'];
const dir = mkdtempSync(join(tmpdir(), 'awsn-loop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function setup(yamlRoutes: string, noop = false) {
  const r = loadConfigText(`routetables:\n  t:\n    find: {type: main}\n    manage_routes:\n${yamlRoutes}`, join(dir, 'c.yaml'));
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  const ec2 = new FakeEc2([
    { id: 'rtb-1', vpcId: 'vpc-1', main: true, subnetIds: [], tags: {}, routes: [{ destination: '10.0.0.9/32', target: { kind: 'interface', networkInterfaceId: 'eni-z' }, state: 'blackhole' }] },
    { id: 'rtb-other', vpcId: 'vpc-2', main: true, subnetIds: [], tags: {}, routes: [] },
  ]);
  const out = new PassThrough();
  let logs = '';
  out.on('data', (d: Buffer) => (logs += d.toString()));
  const logging = createLogger({ format: 'json', stream: out, debug: true });
  const daemon = new Daemon({ config: r.config, identity: ME, ec2, log: logging.log, noop });
  return { ec2, daemon, logs: () => logs };
}

describe('the loop on a fake EC2', () => {
  test('a pass creates a missing route with our interface, in our VPC only, and leaves unmanaged routes alone', async () => {
    const { ec2, daemon } = setup('      - {cidr: 10.0.0.1/32}\n');
    const r = await daemon.pass();
    assert.equal(r.ok, true);
    assert.deepEqual(ec2.tables.find((t) => t.id === 'rtb-1')!.routes.map((x) => [x.destination, x.target]), [
      ['10.0.0.9/32', { kind: 'interface', networkInterfaceId: 'eni-z' }],
      ['10.0.0.1/32', { kind: 'interface', networkInterfaceId: 'eni-a' }],
    ]);
    assert.deepEqual(ec2.tables.find((t) => t.id === 'rtb-other')!.routes, []);
    const again = await daemon.pass();
    assert.deepEqual(again.outcomes, [], 'applying the same state twice changes nothing');
  });

  test('-noop plans the same actions and calls no mutating API', async () => {
    const { ec2, daemon, logs } = setup('      - {cidr: 10.0.0.1/32}\n', true);
    const r = await daemon.pass();
    assert.deepEqual(r.plan?.actions.map((a) => a.action), ['create']);
    assert.deepEqual(ec2.calls.filter((c) => MUTATING.includes(c)), []);
    assert.match(logs(), /would create route/);
  });

  test('route hooks run around the change with the documented environment', async () => {
    const out = join(dir, 'hook.txt');
    const { daemon } = setup(`      - {cidr: 10.0.0.1/32, run_after_add_route: [/bin/sh, -c, 'echo "$AWSNYCAST_EVENT $AWSNYCAST_CIDR $AWSNYCAST_ROUTE_TABLE_ID $AWSNYCAST_NEW_TARGET $AWSNYCAST_REASON \${instance_id}" > ${out}']}\n`);
    await daemon.pass();
    await daemon.hooksSettled();
    assert.equal(readFileSync(out, 'utf8').trim(), 'after_create_route 10.0.0.1/32 rtb-1 eni-a MISSING_CREATE i-0000000a');
  });

  test('a read failure fails the pass, is logged once, and clears when EC2 answers again', async () => {
    const { ec2, daemon, logs } = setup('      - {cidr: 10.0.0.1/32}\n');
    ec2.failNext('DescribeRouteTables', Ec2Outcome.Throttled, 'RequestLimitExceeded');
    ec2.failNext('DescribeRouteTables', Ec2Outcome.Throttled, 'RequestLimitExceeded');
    assert.equal((await daemon.pass()).ok, false);
    assert.equal((await daemon.pass()).ok, false);
    assert.equal((logs().match(/reading EC2 failed \(DescribeRouteTables\)/g) ?? []).length, 1);
    assert.equal((await daemon.pass()).ok, true);
    assert.match(logs(), /recovered: read:EC2_THROTTLED:RequestLimitExceeded/);
  });

  test('a failed write fails the pass and the next pass retries it', async () => {
    const { ec2, daemon } = setup('      - {cidr: 10.0.0.1/32}\n');
    ec2.failNext('CreateRoute');
    const r = await daemon.pass();
    assert.equal(r.ok, false);
    assert.equal(r.outcomes[0]?.error?.code, Ec2Outcome.Transient);
    assert.equal((await daemon.pass()).ok, true, 'the next pass retries and succeeds');
  });

  test('deleting a route that is already gone counts as done', async () => {
    const { ec2, daemon } = setup('      - {cidr: 10.0.0.1/32}\n');
    const p = (await daemon.pass(false)).plan!;
    const del = { ...p.actions[0]!, action: 'delete' as const, cidr: '10.0.0.7/32' };
    const { applyPlan } = await import('./apply.js');
    const [o] = await applyPlan([del], ec2, daemon.values, createLogger({ format: 'json', stream: new PassThrough() }).log);
    assert.deepEqual([o?.ok, o?.error], [true, undefined]);
  });
});

describe('the loop on a fake EC2: eventual consistency, confirm, drain state, internal errors', () => {
  test('a read that does not show our write yet holds the route (OWN_WRITE_UNSEEN) instead of writing it again', async () => {
    const { ec2, daemon } = setup('      - {cidr: 10.0.0.1/32}\n');
    assert.deepEqual((await daemon.pass()).outcomes.map((o) => o.action.action), ['create']);
    ec2.staleReads = 2; // the next reads still show the table without our route
    const r = await daemon.pass();
    assert.deepEqual(r.outcomes, []);
    assert.equal(r.plan?.actions[0]?.reason, 'OWN_WRITE_UNSEEN');
    assert.equal(ec2.calls.filter((c) => c === 'CreateRoute').length, 1);
  });

  test('when the re-read before a change agrees, the re-planned action is applied (its current owner, not the first read\'s)', async () => {
    const { ec2, daemon, logs } = setup('      - {cidr: 10.0.0.9/32, if_unhealthy: true}\n');
    // The first read sees eni-z (blackhole); before the re-read, the route moves to eni-y, also a blackhole.
    ec2.onDescribe = (n) => {
      if (n === 2) ec2.tables = ec2.tables.map((t) => (t.id === 'rtb-1' ? { ...t, routes: [{ destination: '10.0.0.9/32', target: { kind: 'interface', networkInterfaceId: 'eni-y' }, state: 'blackhole' }] } : t));
    };
    const r = await daemon.pass();
    assert.deepEqual(r.outcomes.map((o) => [o.action.action, o.action.current?.target]), [['replace', 'eni-y']]);
    assert.deepEqual(daemon.recentChanges.map((c) => c.from), ['eni-y']);
    assert.match(logs(), /"from":"eni-y"/);
  });

  test('a drain state file that exists but cannot be read keeps the instance drained, with an error', () => {
    const stateDir = mkdtempSync(join(dir, 'drain-'));
    const r = loadConfigText(`drain: {state_file: ${stateDir}, maintenance_file: ${join(stateDir, 'm')}}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes:\n      - {cidr: 10.0.0.1/32}\n`, join(dir, 'd.yaml'));
    if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
    const out = new PassThrough();
    let logs = '';
    out.on('data', (d: Buffer) => (logs += d.toString()));
    // The state file is a directory: reading it fails with EISDIR, as an unreadable file would.
    const daemon = new Daemon({ config: r.config, identity: ME, ec2: new FakeEc2([]), log: createLogger({ format: 'json', stream: out }).log, noop: true });
    assert.deepEqual(daemon.drainState(), { force: false, source: stateDir, why: 'the drain state file cannot be read (staying drained)' });
    assert.match(logs, /cannot read the drain state file; staying drained/);
  });

  test('an internal error in a pass is reported as one (with its stack), counted, and not as an EC2 read failure', async () => {
    const { ec2, daemon, logs } = setup('      - {cidr: 10.0.0.1/32}\n');
    ec2.onDescribe = () => {
      throw new TypeError('boom');
    };
    const r = await daemon.pass();
    assert.equal(r.ok, false);
    assert.equal(daemon.internalErrors, 1);
    assert.match(logs(), /internal error in a pass \(please report it\): boom/);
    assert.match(logs(), /"stack":"TypeError: boom/);
    assert.doesNotMatch(logs(), /reading EC2 failed/);
    ec2.onDescribe = undefined;
    assert.equal((await daemon.pass()).ok, true);
    assert.deepEqual(daemon.currentErrors(), [], 'the error clears once a pass gets through');
  });
});

describe('metrics of the loop', () => {
  test('route series of routes no longer managed are removed, and route hooks are counted', async () => {
    const { Metrics } = await import('../status/metrics.js');
    const metrics = new Metrics();
    const cfg = (routes: string) => {
      const r = loadConfigText(`routetables:\n  t:\n    find: {type: main}\n    manage_routes:\n${routes}`, join(dir, 'm.yaml'));
      if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
      return r.config;
    };
    const ec2 = new FakeEc2([{ id: 'rtb-1', vpcId: 'vpc-1', main: true, subnetIds: [], tags: {}, routes: [] }]);
    const daemon = new Daemon({
      config: cfg(`      - {cidr: 10.0.0.1/32, run_after_add_route: [/bin/true]}\n      - {cidr: 10.0.0.2/32}\n`),
      identity: ME,
      ec2,
      log: createLogger({ format: 'json', stream: new PassThrough() }).log,
      noop: false,
      metrics,
    });
    await daemon.pass();
    await daemon.hooksSettled();
    const cidrs = async (): Promise<string[]> => (await metrics.routeOwned.get()).values.map((v) => String(v.labels.cidr)).sort();
    assert.deepEqual(await cidrs(), ['10.0.0.1/32', '10.0.0.2/32']);
    assert.deepEqual((await metrics.hookRuns.get()).values.map((v) => [v.labels.hook, v.labels.outcome, v.value]), [['run_after_add_route', 'ok', 1]]);
    daemon.reload(cfg(`      - {cidr: 10.0.0.2/32}\n`));
    await daemon.stop();
    await daemon.pass();
    assert.deepEqual(await cidrs(), ['10.0.0.2/32'], 'the series of the route no longer managed is gone');
  });
});

describe('the status document after a pass', () => {
  test('shows the route as our write left it, with the action and its outcome (not the read before it)', async () => {
    const { statusDocument } = await import('../status/snapshot.js');
    const { daemon } = setup('      - {cidr: 10.0.0.1/32}\n');
    await daemon.pass();
    const doc = statusDocument(daemon, { version: 'test', noop: false, startedAt: new Date() });
    const r = doc.routes.find((x) => x.cidr === '10.0.0.1/32')!;
    assert.deepEqual([r.target, r.state, r.ours, r.action, r.outcome], ['eni-a', 'active', true, 'create', 'ok']);
    const other = setup('      - {cidr: 10.0.0.1/32}\n');
    other.ec2.failNext('CreateRoute');
    await other.daemon.pass();
    const failed = statusDocument(other.daemon, { version: 'test', noop: false, startedAt: new Date() }).routes.find((x) => x.cidr === '10.0.0.1/32')!;
    assert.deepEqual([failed.target, failed.state, failed.ours, failed.outcome], [null, 'missing', false, 'EC2_TRANSIENT']);
  });
});

describe('hooks never hold route changes for long', () => {
  test('"before" hooks of several routes run together and the changes wait for them at most BEFORE_HOOK_BUDGET_MS', async () => {
    const { BEFORE_HOOK_BUDGET_MS } = await import('./apply.js');
    const { ec2, daemon } = setup(
      `      - {cidr: 10.0.0.1/32, run_before_add_route: [sleep, '4']}\n      - {cidr: 10.0.0.2/32, run_before_add_route: [sleep, '4']}\n`,
    );
    const t0 = performance.now();
    const r = await daemon.pass();
    const ms = performance.now() - t0;
    assert.deepEqual(r.outcomes.map((o) => [o.action.cidr, o.ok]), [['10.0.0.1/32', true], ['10.0.0.2/32', true]]);
    assert.equal(ec2.calls.filter((c) => c === 'CreateRoute').length, 2);
    // One budget for both (not 4 s per route, 8 s in all, as when each hook was awaited in turn).
    assert.ok(ms < BEFORE_HOOK_BUDGET_MS + 1500, `the changes waited ${Math.round(ms)} ms`);
    await daemon.stop();
  });

  test('"after" hooks do not hold the next route change', async () => {
    const { ec2, daemon } = setup(`      - {cidr: 10.0.0.1/32, run_after_add_route: [sleep, '4']}\n      - {cidr: 10.0.0.2/32}\n`);
    const t0 = performance.now();
    await daemon.pass();
    const ms = performance.now() - t0;
    assert.equal(ec2.calls.filter((c) => c === 'CreateRoute').length, 2);
    assert.ok(ms < 2000, `the pass waited ${Math.round(ms)} ms for an after hook`);
    await daemon.stop();
  });
});
