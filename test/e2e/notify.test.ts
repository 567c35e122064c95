// systemd's notify protocol end to end, against a fake notify socket: a unix
// datagram socket that test/helpers/notify-listener.py (Python's standard
// library; Node has no unix datagram sockets) binds and reports on. The real
// daemon runs against the simulator with NOTIFY_SOCKET and WATCHDOG_USEC set
// and sends through the real systemd-notify. Asserted: the datagrams and
// their order (STATUS=starting, READY=1 after the first pass, STATUS= after
// passes, WATCHDOG=1 while the loop makes progress, RELOADING=1 +
// MONOTONIC_USEC= then READY=1 on SIGHUP, STOPPING=1 last), no WATCHDOG=1
// while a pass is stuck on an EC2 call the simulator holds (latency fault),
// pings that go on through a pass longer than the watchdog interval whose
// calls keep coming back, and hooks that never see NOTIFY_SOCKET.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, afterEach, describe, test } from 'node:test';
import { startProcess, stopProcess } from '../helpers/harness.js';
import { Daemon, NAT_PAIR, ROOT, Scratch, Sim, natPairConfig, sleep, waitFor } from './harness.js';

const LISTENER = join(ROOT, 'test/helpers/notify-listener.py');
const HAVE = existsSync('/usr/bin/systemd-notify') || existsSync('/bin/systemd-notify');

const scratch = new Scratch('awsn-notify-');
after(() => scratch.remove());
const running: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

interface Datagram {
  /** Wall-clock ms when it arrived. */
  readonly ms: number;
  /** CLOCK_MONOTONIC µs when it arrived. */
  readonly monoUs: number;
  /** The sender's pid (SCM_CREDENTIALS). */
  readonly pid: number | null;
  readonly fields: readonly string[];
}

/** The fake notify socket: every datagram received, in order. */
class Listener {
  readonly got: Datagram[] = [];

  private constructor(private readonly child: ChildProcess) {}

  static async start(path: string): Promise<Listener> {
    const child = startProcess(['python3', LISTENER, path]);
    const l = new Listener(child);
    running.push(l);
    let listening = false;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const j = JSON.parse(line) as Datagram | { listening: string };
      if ('listening' in j) listening = true;
      else l.got.push(j);
    });
    await waitFor(() => listening || child.exitCode !== null, 10_000, 'the notify listener to bind');
    assert.ok(listening, `the listener did not start: ${err}`);
    return l;
  }

  /** The messages, without systemd-notify's BARRIER=1 datagrams. */
  get messages(): Datagram[] {
    return this.got.filter((d) => !d.fields.includes('BARRIER=1'));
  }

  /** Waits for a message (received after `from`, an index into `messages`) that has `field` (or a field matching it). */
  async next(field: string | RegExp, from = 0, timeoutMs = 30_000): Promise<number> {
    const has = (d: Datagram): boolean => d.fields.some((f) => (typeof field === 'string' ? f === field : field.test(f)));
    let at = -1;
    await waitFor(
      () => (at = this.messages.findIndex((d, i) => i >= from && has(d))) >= 0,
      timeoutMs,
      `a notification with ${String(field)}; got:\n${this.dump(from)}`,
    );
    return at;
  }

  dump(from = 0): string {
    return this.messages
      .slice(from)
      .map((d) => `${Math.round(d.ms)} ${d.fields.join(' | ')}`)
      .join('\n');
  }

  stop(): Promise<unknown> {
    return stopProcess(this.child);
  }
}

const has = (d: Datagram, field: string): boolean => d.fields.includes(field);
const statusOf = (d: Datagram): string | undefined => d.fields.find((f) => f.startsWith('STATUS='))?.slice('STATUS='.length);

/** The longest time between two WATCHDOG=1 messages among `ds` (and from the first to `untilMs`). */
function longestGap(ds: readonly Datagram[], untilMs: number): number {
  const t = ds.filter((d) => has(d, 'WATCHDOG=1')).map((d) => d.ms);
  let gap = 0;
  for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
  if (t.length > 0) gap = Math.max(gap, untilMs - t.at(-1)!);
  return gap;
}

/** The duration (ms) of the pass a `STATUS=ok: …` / `failing: …` text reports. */
const passMs = (status: string | undefined): number | undefined => {
  const m = status === undefined ? null : /last pass \d\d:\d\d:\d\dZ, (\d+) ms/.exec(status);
  return m === null ? undefined : Number(m[1]);
};

/** A's config (the NAT pair's); the check's hook writes its environment to `envFile`. */
const config = (envFile: string, head = ''): string =>
  natPairConfig(head, 1, `, run_on_healthy: [/bin/sh, -c, 'env > ${envFile}.tmp; mv ${envFile}.tmp ${envFile}']`);

describe('systemd notifications (Type=notify) through a fake NOTIFY_SOCKET', { skip: HAVE ? false : 'systemd-notify is not installed (the systemd package)' }, () => {
  test('READY=1 after the first pass, STATUS= per pass, WATCHDOG=1 only while the loop makes progress, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 last', async (t) => {
    const W = 3000; // WATCHDOG_USEC, in ms
    const sim = await Sim.start(NAT_PAIR.world);
    running.push(sim);
    const socket = join(scratch.dir, 'notify.sock');
    const listener = await Listener.start(socket);
    const envFile = join(scratch.dir, 'hook-env');
    const file = scratch.file('notify.yaml', config(envFile));
    const d = Daemon.start(sim, NAT_PAIR.A, ['run', '-f', file, '-log-format=json'], { NOTIFY_SOCKET: socket, WATCHDOG_USEC: String(W * 1000) });
    running.push(d);

    // Start-up: STATUS=starting…, then READY=1 once the first pass has ended, with its outcome.
    const ready = await listener.next('READY=1');
    const start = listener.messages.slice(0, ready + 1);
    assert.match(statusOf(start[0]!) ?? '', /^starting: /, listener.dump());
    assert.ok(start.slice(0, ready).every((m) => m.fields.every((f) => f.startsWith('STATUS='))), `only STATUS= before READY=1:\n${listener.dump()}`);
    assert.match(statusOf(start[ready]!) ?? '', /^ok: 2 routes, 1 ours; last pass \d\d:\d\d:\d\dZ, \d+ ms$/, listener.dump());
    assert.match(d.logs, /systemd notifications on, watchdog every 3 s/);
    // Sent by systemd-notify, a child of the daemon. As root it may claim the daemon's pid (SCM_CREDENTIALS);
    // as any other user (the packaged unit) it sends with its own: why the unit says NotifyAccess=all.
    const root = process.getuid?.() === 0;
    assert.ok(start.every((m) => m.pid !== null && (root || m.pid !== d.child.pid)), `senders ${start.map((m) => m.pid).join()} (daemon ${d.child.pid})`);

    // Waiting between passes (poll_time 1 s): pings at least every W/4 or so, never a gap near W.
    const idleFrom = listener.messages.length;
    const idleAt = Date.now();
    await sleep(4000);
    const idle = listener.messages.slice(idleFrom);
    assert.ok(idle.filter((m) => has(m, 'WATCHDOG=1')).length >= 4, `pings while idle:\n${listener.dump(idleFrom)}`);
    assert.ok(longestGap(idle, Date.now()) < W / 2, `gap ${longestGap(idle, Date.now())} ms while idle:\n${listener.dump(idleFrom)}`);
    assert.ok(idle.some((m) => /^ok: /.test(statusOf(m) ?? '')), 'STATUS= after passes');
    t.diagnostic(`${idle.filter((m) => has(m, 'WATCHDOG=1')).length} pings in ${Date.now() - idleAt} ms while idle`);

    // Hooks never see the notify variables (taken out of the daemon's environment).
    await waitFor(() => existsSync(envFile), 20_000, 'the check hook to run');
    assert.deepEqual(readFileSync(envFile, 'utf8').split('\n').filter((l) => /^(NOTIFY_SOCKET|WATCHDOG_)/.test(l)), []);

    // Slow EC2 (every call 2 s): passes take longer than W, but each call that comes back is progress.
    const slowFrom = listener.messages.length;
    await sim.admin('POST', 'faults', { latencyMs: { '*': 2000 } });
    const slowAt = Date.now();
    await waitFor(() => listener.messages.slice(slowFrom).some((m) => (passMs(statusOf(m)) ?? 0) > W), 30_000, `a pass longer than ${W} ms:\n${listener.dump(slowFrom)}`);
    const slow = listener.messages.slice(slowFrom);
    assert.ok(longestGap(slow, Date.now()) < W, `gap ${longestGap(slow, Date.now())} ms during slow passes:\n${listener.dump(slowFrom)}`);
    t.diagnostic(`slow passes: ${slow.map((m) => passMs(statusOf(m))).filter((x) => x !== undefined).join(', ')} ms; longest gap between pings ${Math.round(longestGap(slow, Date.now()))} ms (${Date.now() - slowAt} ms)`);

    // Stuck: DescribeRouteTables held 4.8 s (under the SDK's 5 s request timeout), the other calls at once.
    // A pass that starts now waits on it with nothing coming back: no ping from its start until the call returns.
    await sim.admin('POST', 'faults', { latencyMs: { '*': 0, DescribeRouteTables: 4800 } });
    const stuckAt = Date.now();
    const stuckFrom = listener.messages.length;
    let held = -1;
    await waitFor(
      () => (held = listener.messages.findIndex((m, i) => i >= stuckFrom && (passMs(statusOf(m)) ?? 0) >= 4800 && m.ms - passMs(statusOf(m))! > stuckAt)) >= 0,
      30_000,
      `a pass held on DescribeRouteTables:\n${listener.dump(stuckFrom)}`,
    );
    await sim.admin('DELETE', 'faults');
    // The pass pinged when it started and when the held call came back, and not in between: the longest
    // gap between pings is the time the call was held (less the gap pings keep, 375 ms), and more than W.
    const ms = passMs(statusOf(listener.messages[held]!))!;
    const gap = longestGap(listener.messages.slice(stuckFrom, held + 1), 0);
    assert.ok(gap > W && gap >= 4800 - 500, `longest gap between pings ${Math.round(gap)} ms around the ${ms} ms pass:\n${listener.dump(stuckFrom)}`);
    t.diagnostic(`a pass held ${ms} ms on DescribeRouteTables: no ping for ${Math.round(gap)} ms`);
    // Unstuck: pings again.
    await listener.next('WATCHDOG=1', held + 1, 5000);

    // SIGHUP with a good config: RELOADING=1 and MONOTONIC_USEC= (this host's CLOCK_MONOTONIC), then READY=1 after a pass.
    writeFileSync(file, config(envFile, '# reloaded\n'));
    const hupFrom = listener.messages.length;
    d.child.kill('SIGHUP');
    const reloading = await listener.next('RELOADING=1', hupFrom);
    const r = listener.messages[reloading]!;
    const mono = Number(r.fields.find((f) => f.startsWith('MONOTONIC_USEC='))?.slice('MONOTONIC_USEC='.length));
    assert.ok(mono <= r.monoUs && r.monoUs - mono < 2_000_000, `MONOTONIC_USEC=${mono}, received at ${r.monoUs}`);
    const reReady = await listener.next('READY=1', reloading + 1);
    assert.match(statusOf(listener.messages[reReady]!) ?? '', /^ok: /);

    // SIGHUP with an invalid config: RELOADING=1, then READY=1 at once with the reason; the old config runs on.
    writeFileSync(file, config(envFile, 'bogus_key: 1\n'));
    const badFrom = listener.messages.length;
    d.child.kill('SIGHUP');
    const badReloading = await listener.next('RELOADING=1', badFrom);
    const refused = await listener.next('READY=1', badReloading + 1);
    assert.match(statusOf(listener.messages[refused]!) ?? '', /^reload refused, running on the previous config: .*bogus_key/);
    await listener.next(/^STATUS=ok: .*; last reload refused: /, refused + 1);

    // SIGTERM: STOPPING=1, the last message; exit 0.
    const code = await d.stop();
    assert.equal(code, 0, d.logs.slice(-2000));
    await sleep(300);
    const all = listener.messages;
    const stopping = all.findIndex((m) => has(m, 'STOPPING=1'));
    assert.ok(stopping >= 0, listener.dump(all.length - 5));
    assert.equal(stopping, all.length - 1, `STOPPING=1 is the last message:\n${listener.dump(all.length - 5)}`);
    // In order throughout: nothing before the first READY=1 but STATUS=, and each RELOADING=1 followed by a READY=1.
    const order = all.flatMap((m) => m.fields.filter((f) => /^(READY|RELOADING|STOPPING)=1$/.test(f)));
    assert.deepEqual(order, ['READY=1', 'RELOADING=1', 'READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1']);
  });

  test('an abstract NOTIFY_SOCKET ("@name") works; WATCHDOG_PID of another process means no pings', async () => {
    const sim = await Sim.start(NAT_PAIR.world);
    running.push(sim);
    const socket = `@awsnycast-test-${process.pid}-${Date.now()}`;
    const listener = await Listener.start(socket);
    const file = scratch.file('abstract.yaml', config(join(scratch.dir, 'abstract-env')));
    const d = Daemon.start(sim, NAT_PAIR.A, ['run', '-f', file, '-log-format=json'], { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    running.push(d);
    const ready = await listener.next('READY=1');
    await sleep(2500);
    assert.deepEqual(listener.messages.filter((m) => has(m, 'WATCHDOG=1')), [], listener.dump());
    assert.match(d.logs, /systemd watchdog off: WATCHDOG_PID=1 is not this process/);
    assert.ok(listener.messages.slice(ready + 1).some((m) => /^ok: /.test(statusOf(m) ?? '')), 'STATUS= after passes');
    assert.equal(await d.stop(), 0);
    await sleep(300);
    assert.ok(has(listener.messages.at(-1)!, 'STOPPING=1'), listener.dump());
  });
});
