// The loop without processes: checks are plain verdicts (a fake HealthSource),
// time is a fake clock, EC2 is the in-memory fake. Each test drives one rule
// of the loop deterministically: the fast path, confirm, hold-down wake-ups,
// remote re-targeting, the stale-verdict rule and the scheduler's timing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { loadConfigText } from '../config/index.js';
import type { CheckView, RouteTableView, RouteView } from '../core/types.js';
import { FakeEc2 } from '../ec2/fake.js';
import { createLogger } from '../log/logger.js';
import type { Clock } from './clock.js';
import { Daemon } from './daemon.js';
import type { HealthSource, HealthViews } from './health-supervisor.js';
import type { PassResult } from './reconciler.js';
import { Scheduler, nextDelayMs, type LoopBeat } from './scheduler.js';

const ME = { instanceId: 'i-0000000a', az: 'az-a', region: 'r', vpcId: 'vpc-1', subnetId: 'subnet-a', networkInterfaceId: 'eni-a', ownIps: ['127.0.1.10'] };
const dir = mkdtempSync(join(tmpdir(), 'awsn-loop2-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Time moves only when the test (or a sleep) moves it; every sleep is recorded. */
class FakeClock implements Clock {
  t = 1_000_000;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

class FakeHealth implements HealthSource {
  checks: Record<string, CheckView> = { up: { healthy: true, decided: true } };
  remote: Record<string, Record<string, CheckView>> = {};
  healthySince: Record<string, number> = {};
  readonly targets: Record<string, readonly string[]>[] = [];
  views(): HealthViews {
    return { checks: this.checks, remote: this.remote, healthySince: this.healthySince };
  }
  setRemoteTargets(t: Readonly<Record<string, readonly string[]>>): void {
    this.targets.push({ ...t });
  }
  all(): [] {
    return [];
  }
}

const to = (eni: string, instanceId: string, state: RouteView['state'] = 'active'): RouteView => ({ destination: '0.0.0.0/0', target: { kind: 'interface', networkInterfaceId: eni, instanceId }, state });
const table = (routes: RouteView[]): RouteTableView => ({ id: 'rtb-1', vpcId: 'vpc-1', main: true, subnetIds: [], tags: {}, routes });
const IFACES = [
  { id: 'eni-b', privateIp: '127.0.1.11', privateIps: ['127.0.1.11'], instanceId: 'i-0000000b', sourceDestCheck: false },
  { id: 'eni-c', privateIp: '127.0.1.12', privateIps: ['127.0.1.12'], instanceId: 'i-0000000c', sourceDestCheck: false },
];
const RUNNING = { state: 'running', instanceStatus: 'ok', systemStatus: 'ok' };

function setup(routeExtra: string, routes: RouteView[], hold = 0) {
  const yaml = `healthchecks:\n  up: {type: ping, destination: 127.0.0.1, every: 1}\nremote_healthchecks:\n  peer: {type: ping, every: 1, fall: 3}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes:\n      - {cidr: 0.0.0.0/0, healthcheck: up, hold_down: ${hold}${routeExtra}}\n`;
  const r = loadConfigText(yaml, join(dir, 'c.yaml'));
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  const ec2 = new FakeEc2([table(routes)], IFACES, { 'i-0000000b': RUNNING, 'i-0000000c': RUNNING });
  const clock = new FakeClock();
  const health = new FakeHealth();
  const out = new PassThrough();
  let logs = '';
  out.on('data', (d: Buffer) => (logs += d.toString()));
  const daemon = new Daemon({ config: r.config, identity: ME, ec2, log: createLogger({ format: 'json', stream: out, debug: true }).log, noop: false, clock, health, pollJitter: 0 });
  const routeNow = (): string | undefined => {
    const t = ec2.tables[0]!.routes.find((x) => x.destination === '0.0.0.0/0')?.target;
    return t?.kind === 'interface' ? t.networkInterfaceId : undefined;
  };
  const reads = (): number => ec2.calls.filter((c) => c === 'DescribeRouteTables').length;
  return { ec2, clock, health, daemon, routeNow, reads, logs: () => logs };
}

const failing = (times: number[]): CheckView => ({ healthy: false, decided: true, failingRun: times, fall: 3, everyMs: 1000 });
const BACKUP = ', if_unhealthy: true, remote_healthcheck: peer';

describe('the loop with fake checks and a fake clock', () => {
  test('fast path: a check change plans on the world view and confirms on a re-read of just that table', async () => {
    const { health, daemon, routeNow, reads } = setup(BACKUP, [to('eni-b', 'i-0000000b')]);
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true } } };
    assert.equal((await daemon.pass()).plan?.actions[0]?.reason, 'OWNER_ALIVE');
    assert.equal(reads(), 1);
    health.remote = { peer: { '127.0.1.11': failing([daemon_t(daemon) + 1, daemon_t(daemon) + 2, daemon_t(daemon) + 3]) } };
    const r = await daemon.pass(true, 'kick');
    assert.deepEqual(r.outcomes.map((o) => [o.action.action, o.action.reason, o.ok]), [['replace', 'OWNER_REMOTE_UNHEALTHY', true]]);
    assert.equal(reads(), 2, 'one re-read to confirm, no full read first');
    assert.equal(routeNow(), 'eni-a');
  });

  test('confirm: a backup that finds the route taken by another live instance on the re-read stands down', async () => {
    const { ec2, clock, health, daemon, routeNow, logs } = setup(BACKUP, [to('eni-b', 'i-0000000b')]);
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true } } };
    await daemon.pass();
    clock.t += 5000;
    health.remote = { peer: { '127.0.1.11': failing([clock.t - 300, clock.t - 200, clock.t - 100]) } };
    // Counted from now: the full read is 1, the re-read before the write 2.
    ec2.onDescribe = (n) => {
      if (n === 2) ec2.tables = [table([to('eni-c', 'i-0000000c')])];
    };
    const r = await daemon.pass();
    assert.deepEqual(r.outcomes, [], 'no write');
    assert.equal(r.plan?.actions[0]?.reason, 'OWNER_REMOTE_UNDECIDED', 'the new owner is not judged on the old one\'s verdict');
    assert.equal(routeNow(), 'eni-c');
    assert.match(logs(), /re-read before replace: no longer needed/);
    assert.ok(clock.sleeps.length === 1 && clock.sleeps[0]! >= 0 && clock.sleeps[0]! < 400, `the rank delay was waited on the clock: ${clock.sleeps.join()}`);
  });

  test('remote checks are re-targeted at whoever owns the route now', async () => {
    const { ec2, health, daemon } = setup(BACKUP, [to('eni-b', 'i-0000000b')]);
    await daemon.pass();
    ec2.tables = [table([to('eni-c', 'i-0000000c')])];
    await daemon.pass();
    ec2.tables = [table([to('eni-a', 'i-0000000a')])];
    await daemon.pass();
    assert.deepEqual(health.targets, [{ peer: ['127.0.1.11'] }, { peer: ['127.0.1.12'] }, {}], 'B, then C, then nobody (the route is ours)');
  });

  test('stale verdict: failures from before the owner took the route back do not count; fresh ones do', async () => {
    const { ec2, clock, health, daemon, routeNow } = setup(BACKUP, [to('eni-b', 'i-0000000b')]);
    // Failures from before this daemon first saw B own the route count as stale too, so B is seen first.
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true } } };
    await daemon.pass();
    clock.t += 5000;
    health.remote = { peer: { '127.0.1.11': failing([clock.t - 300, clock.t - 200, clock.t - 100]) } };
    await daemon.pass();
    assert.equal(routeNow(), 'eni-a', 'taken over on a fresh verdict');
    // B's service comes back and B takes the route back; our check of B still holds its old failing streak.
    clock.t += 5000;
    ec2.tables = [table([to('eni-b', 'i-0000000b')])];
    let r = await daemon.pass();
    assert.equal(r.plan?.actions[0]?.reason, 'OWNER_REMOTE_STALE');
    assert.deepEqual(r.outcomes, []);
    assert.equal(routeNow(), 'eni-b');
    assert.ok((r.plan?.actions[0]?.retryAfterMs ?? 0) > 0, 'the planner asks to look again when a fresh verdict could be ready');
    // B fails again: three failures after it took the route back are a fresh verdict.
    clock.t += 5000;
    health.remote = { peer: { '127.0.1.11': failing([clock.t - 300, clock.t - 200, clock.t - 100]) } };
    r = await daemon.pass();
    assert.deepEqual(r.outcomes.map((o) => o.action.reason), ['OWNER_REMOTE_UNHEALTHY']);
    assert.equal(routeNow(), 'eni-a');
  });

  test('stopping during the rank delay: no re-read and no write (a backup must not cut its delay short and write first)', async () => {
    const { ec2, clock, health, daemon, routeNow, reads } = setup(BACKUP, [to('eni-b', 'i-0000000b')]);
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true } } };
    await daemon.pass();
    clock.t += 5000;
    health.remote = { peer: { '127.0.1.11': failing([clock.t - 300, clock.t - 200, clock.t - 100]) } };
    const stop = new AbortController();
    daemon.startChecks(stop.signal);
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms: number) => {
      stop.abort(); // SIGTERM arrives while the backup waits its rank delay
      return sleep(ms);
    };
    const before = reads();
    const r = await daemon.pass();
    assert.deepEqual(r.outcomes, []);
    assert.equal(reads() - before, 1, 'the full read only, no re-read');
    assert.deepEqual(ec2.calls.filter((c) => c === 'ReplaceRoute'), []);
    assert.equal(routeNow(), 'eni-b');
  });

  test('no change planned on a read that may not show our write yet: looked at again when the window ends', async () => {
    const { ec2, health, daemon, routeNow } = setup('', []);
    assert.deepEqual((await daemon.pass()).outcomes.map((o) => o.action.action), ['create']);
    health.checks = { up: { healthy: false, decided: true } };
    assert.deepEqual((await daemon.pass()).outcomes.map((o) => o.action.action), ['delete']);
    // The check recovers at once, but reads still show our route (the delete not visible yet).
    health.checks = { up: { healthy: true, decided: true } };
    ec2.staleReads = 5;
    const r = await daemon.pass();
    assert.equal(r.plan?.actions[0]?.reason, 'OWNED', 'the stale read shows the route as ours');
    assert.ok((r.plan?.actions[0]?.retryAfterMs ?? 0) > 0, 'but the planner asks to look again when the own-write window ends');
    assert.equal(routeNow(), undefined);
  });

  test('hold-down: the scheduler wakes when it ends, not at the next poll, and the primary then takes the route', async () => {
    const { clock, health, daemon, routeNow } = setup('', [to('eni-b', 'i-0000000b')], 30);
    health.healthySince = { up: clock.t };
    const ac = new AbortController();
    const reasons: string[] = [];
    const orig = daemon.pass.bind(daemon);
    daemon.pass = async (...a) => {
      const r = await orig(...a);
      reasons.push(...(r.plan?.actions.map((x) => x.reason) ?? []));
      if (reasons.length >= 2) ac.abort();
      return r;
    };
    await daemon.run(ac.signal);
    assert.equal(reasons[0], 'HOLD_DOWN');
    assert.ok(clock.sleeps[0]! >= 30_000 && clock.sleeps[0]! <= 30_100, `woke after ${clock.sleeps[0]} ms (poll_time is 300 s)`);
    assert.equal(reasons[1], 'PREEMPT');
    assert.equal(routeNow(), 'eni-a');
    await daemon.stop();
  });
});

/** The fake clock's time as the daemon sees it (its clock is the FakeClock passed in). */
function daemon_t(d: Daemon): number {
  return (d as unknown as { clock: FakeClock }).clock.t;
}

describe('the scheduler', () => {
  const result = (over: Partial<PassResult> = {}): PassResult => ({ ok: true, outcomes: [], startedAt: '', durationMs: 0, ...over });

  test('the poll counts from the last full read, with jitter', () => {
    assert.equal(nextDelayMs(result(), { failures: 0, pollMs: 300_000, lastFullRead: 1000, now: 61_000, jitter: 0 }), 240_000);
    const d = nextDelayMs(result(), { failures: 0, pollMs: 300_000, lastFullRead: 0, now: 0, jitter: 0.1, random: () => 1 });
    assert.equal(Math.round(d), 330_000);
  });

  test('a failed pass is retried sooner, backing off', () => {
    const d1 = nextDelayMs(result(), { failures: 1, pollMs: 300_000, lastFullRead: 0, now: 0, jitter: 0, random: () => 1 });
    const d4 = nextDelayMs(result(), { failures: 4, pollMs: 300_000, lastFullRead: 0, now: 0, jitter: 0, random: () => 1 });
    assert.deepEqual([d1, d4], [1000, 8000]);
  });

  test('a kick during a pass runs the next pass at once, on the fast path', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    const ac = new AbortController();
    let s: Scheduler | undefined = undefined;
    s = new Scheduler({
      clock,
      pollMs: () => 300_000,
      lastFullRead: () => clock.t,
      jitter: 0,
      pass: (kind) => {
        seen.push(kind);
        if (seen.length === 1) s!.kick();
        if (seen.length === 3) ac.abort();
        return Promise.resolve(result());
      },
    });
    await s.run(ac.signal);
    assert.deepEqual(seen, ['poll', 'kick', 'poll'], 'the kicked pass is on the fast path; the next is the poll');
    assert.deepEqual(clock.sleeps, [300_000], 'no sleep before the kicked pass');
  });

  test('the loop reports its beats: pass, a step per EC2 call that comes back, passed, idle (the systemd watchdog listens)', async () => {
    const yaml = `healthchecks:\n  up: {type: ping, destination: 127.0.0.1, every: 1}\nroutetables:\n  t:\n    find: {type: main}\n    manage_routes:\n      - {cidr: 0.0.0.0/0, healthcheck: up, hold_down: 0}\n`;
    const r = loadConfigText(yaml, join(dir, 'beats.yaml'));
    if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
    // The route points at B: the pass reads the tables and B's status, then replaces the route (ours is healthy).
    const ec2 = new FakeEc2([table([to('eni-b', 'i-0000000b')])], IFACES, { 'i-0000000b': RUNNING });
    const clock = new FakeClock();
    const beats: string[] = [];
    const ac = new AbortController();
    const daemon = new Daemon({
      config: r.config,
      identity: ME,
      ec2,
      log: createLogger({ format: 'json', stream: new PassThrough() }).log,
      noop: false,
      clock,
      health: new FakeHealth(),
      pollJitter: 0,
      onBeat: (b: LoopBeat) => {
        beats.push(b.kind === 'idle' ? `idle ${b.ms}` : b.kind === 'passed' ? `passed ${b.result.outcomes.length}` : b.kind);
        if (beats.filter((x) => x.startsWith('idle')).length === 2) ac.abort();
      },
    });
    await daemon.run(ac.signal);
    const calls = ec2.calls.length;
    assert.ok(calls >= 3, ec2.calls.join());
    const first = beats.slice(0, beats.indexOf('passed 1') + 1);
    assert.equal(first[0], 'pass');
    assert.equal(first.filter((x) => x === 'step').length, ec2.calls.length - beats.slice(first.length).filter((x) => x === 'step').length, 'one step per EC2 call');
    assert.ok(first.includes('step'), beats.join());
    assert.match(beats[first.length] ?? '', /^idle \d+$/, beats.join());
    assert.deepEqual(
      beats.slice(first.length + 1).map((x) => x.replace(/^idle \d+$/, 'idle')).filter((x) => x !== 'step'),
      ['pass', 'passed 0', 'idle'],
      beats.join(),
    );
  });
});

describe('hand-off in the loop', () => {
  const PEERS = ', remote_healthcheck: peer, peers: {tag: role, value: nat}';
  const peer = (id: string, eni: string) => ({ id, state: 'running', vpcId: 'vpc-1', tags: { role: 'nat' }, interfaces: IFACES.filter((n) => n.id === eni) });

  test('a hand-off is re-planned on a fresh list of peers: one gone since the last full read is not chosen', async () => {
    const { ec2, daemon, health, routeNow } = setup(PEERS, [to('eni-a', 'i-0000000a')]);
    ec2.instances = [peer('i-0000000b', 'eni-b'), peer('i-0000000c', 'eni-c')];
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true }, '127.0.1.12': { healthy: true, decided: true } } };
    const first = (await daemon.pass()).plan!.actions[0]!;
    assert.equal(first.reason, 'OWNED');
    const chosen = first.handoff?.to;
    assert.ok(chosen === 'i-0000000b' || chosen === 'i-0000000c', JSON.stringify(first.handoff));
    // The chosen peer is stopped; the daemon's list (from its last full read) still names it.
    ec2.instances = ec2.instances.filter((i) => i.id !== chosen);
    daemon.setLifecycle([{ kind: 'spot-interruption', detail: 'spot interruption notice: terminate' }]);
    const r = await daemon.pass(true, 'kick');
    assert.deepEqual(r.outcomes.map((o) => [o.action.action, o.action.reason]), [['replace', 'HANDOFF']]);
    assert.equal(routeNow(), chosen === 'i-0000000b' ? 'eni-c' : 'eni-b');
    assert.equal(ec2.calls.filter((c) => c === 'DescribeInstances').length, 2, 'the full read and the re-read before the hand-off');
  });

  test('a watch pass re-reads only the tables whose routes point elsewhere, and sees a route handed to us', async () => {
    const { ec2, daemon, reads } = setup(', if_unhealthy: true' + PEERS, [to('eni-b', 'i-0000000b')]);
    ec2.instances = [peer('i-0000000b', 'eni-b')];
    assert.equal((await daemon.pass()).plan!.actions[0]!.reason, 'OWNER_REMOTE_UNDECIDED');
    // B hands the route to us.
    ec2.tables = ec2.tables.map((t) => ({ ...t, routes: [to('eni-a', 'i-0000000a')] }));
    const before = reads();
    const describes = ec2.calls.filter((c) => c === 'DescribeInstances').length;
    const r = await daemon.pass(true, 'watch');
    assert.equal(r.plan!.actions[0]!.reason, 'OWNED');
    assert.equal(reads(), before + 1);
    assert.equal(ec2.calls.filter((c) => c === 'DescribeInstances').length, describes, 'a watch pass does not look for peers');
    assert.equal(daemon.routeStates()[0]?.ours, true);
  });
});

describe('what a watch pass reads', () => {
  test('a backup that holds a route watches its table: the primary taking it back is seen by the next watch pass', async () => {
    const backup = setup(', if_unhealthy: true', [to('eni-a', 'i-0000000a')]);
    await backup.daemon.pass();
    const before = backup.reads();
    // The primary took the route back after its hold-down: the watch pass sees it, and the backup watches it again.
    backup.ec2.tables = backup.ec2.tables.map((t) => ({ ...t, routes: [to('eni-b', 'i-0000000b')] }));
    const r = await backup.daemon.pass(true, 'watch');
    assert.equal(backup.reads(), before + 1);
    assert.equal(r.plan!.actions[0]!.reason, 'OWNER_ALIVE');
    assert.equal(backup.daemon.routeStates()[0]?.ours, false);
  });
});

describe('hand-off right after a take-back', () => {
  test('a route we took back ourselves moments ago is handed to the peer we took it from (only a route handed to us is not handed straight back)', async () => {
    const { ec2, daemon, health, routeNow } = setup(', remote_healthcheck: peer, peers: {tag: role, value: nat}', [to('eni-b', 'i-0000000b')], 30);
    ec2.instances = [{ id: 'i-0000000b', state: 'running', vpcId: 'vpc-1', tags: { role: 'nat' }, interfaces: IFACES.filter((n) => n.id === 'eni-b') }];
    health.remote = { peer: { '127.0.1.11': { healthy: true, decided: true } } };
    const took = await daemon.pass();
    assert.deepEqual(took.outcomes.map((o) => o.action.reason), ['PREEMPT']);
    assert.equal(routeNow(), 'eni-a');
    daemon.setLifecycle([{ kind: 'target-lifecycle', detail: 'Auto Scaling target lifecycle state Terminated' }]);
    const r = await daemon.pass(true, 'kick');
    assert.deepEqual(r.outcomes.map((o) => o.action.reason), ['HANDOFF'], JSON.stringify(r.plan?.actions.map((a) => a.detail)));
    assert.equal(routeNow(), 'eni-b');
  });
});
