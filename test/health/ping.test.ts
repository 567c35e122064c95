// ping probes through the system ping: loopback passes; a network namespace
// with its loopback down really fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createProbe } from '../../src/health/probes/index.js';
import { parseRtt, pingArgv, pingProbe } from '../../src/health/probes/ping.js';
import { pingSessionArgv, pingSessionProbe } from '../../src/health/probes/ping-session.js';
import type { SpawnFn } from '../../src/health/probes/ping-session.js';
import { HealthCheck } from '../../src/health/runner.js';
import { HealthCode } from '../../src/health/result.js';
import { never, spec } from './helpers.js';

function hasIpv6Loopback(): boolean {
  try {
    execFileSync('ping', ['-6', '-n', '-c', '1', '-W', '1', '::1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ping probe', () => {
  test('the argv is one echo with a whole-second wait, -6 for IPv6', () => {
    assert.deepEqual(pingArgv('10.0.0.1', 400), ['ping', '-n', '-c', '1', '-W', '1', '10.0.0.1']);
    assert.deepEqual(pingArgv('2001:db8::1', 2500), ['ping', '-6', '-n', '-c', '1', '-W', '3', '2001:db8::1']);
    assert.deepEqual(pingArgv('10.0.0.1', 400, ['ip', 'netns', 'exec', 'x', 'ping']).slice(0, 5), ['ip', 'netns', 'exec', 'x', 'ping']);
  });

  test('the round trip time is read from ping output', () => {
    assert.equal(parseRtt('64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.036 ms'), 0.036);
    assert.equal(parseRtt('no reply'), undefined);
  });

  test('ping 127.0.0.1 passes', async () => {
    const r = await createProbe(spec({ kind: 'ping' }, { every: 5 }), '127.0.0.1')(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
    assert.ok(r.latencyMs < 1000);
  });

  test('ping ::1 passes', { skip: hasIpv6Loopback() ? false : 'this machine has no IPv6 loopback' }, async () => {
    const r = await createProbe(spec({ kind: 'ping' }, { every: 5 }), '::1')(never);
    assert.equal(r.code, HealthCode.ok, r.detail);
    const s = createProbe(spec({ kind: 'ping' }, { every: 0.5 }), '::1');
    try {
      const rs = await s(never);
      assert.equal(rs.code, HealthCode.ok, rs.detail);
    } finally {
      s.close?.();
    }
  });

  test('a missing ping binary is a spawn error', async () => {
    const r = await pingProbe('127.0.0.1', 500, ['/nonexistent/ping'])(never);
    assert.equal(r.code, HealthCode.spawn);
    const s = pingSessionProbe('127.0.0.1', 200, 200, ['/nonexistent/ping']);
    const rs = await s(never);
    s.close();
    assert.equal(rs.code, HealthCode.spawn);
  });
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Running ping processes that this test process started. */
function processes(): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const m = /^\d+ \((.*)\) (\S) (\d+)/.exec(stat);
      if (m?.[1] === 'ping' && m[2] !== 'Z' && Number(m[3]) === process.pid) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

describe('ping session (one long-lived ping per check)', () => {
  test('the argv asks ping for one echo per interval', () => {
    assert.deepEqual(pingSessionArgv('10.0.0.1', 500), ['ping', '-n', '-i', '0.5', '10.0.0.1']);
    assert.deepEqual(pingSessionArgv('::1', 250), ['ping', '-6', '-n', '-i', '0.25', '::1']);
  });

  test('each probe takes the next reply from one process, and close() ends it', async () => {
    const before = processes();
    const probe = pingSessionProbe('127.0.0.1', 200, 200);
    try {
      for (let i = 0; i < 3; i++) {
        const r = await probe(never);
        assert.equal(r.code, HealthCode.ok, r.detail);
        assert.equal(processes(), before + 1, 'one process for all runs');
        await sleep(150);
      }
    } finally {
      probe.close();
    }
    await sleep(50);
    assert.equal(processes(), before);
  });

  // A stand-in for ping: `sh -c SCRIPT sh -n -i 0.2 DEST` runs SCRIPT with ping's arguments.
  const fake = (script: string): string[] => ['sh', '-c', script, 'fake-ping'];

  test('a reply slower than the timeout fails with its round trip time; duplicates are ignored', async () => {
    // The second reply arrives 0.2 s after start with a 310 ms round trip: sent inside the second run's window, but late.
    const probe = pingSessionProbe(
      '192.0.2.1',
      400,
      300,
      fake('echo "64 bytes from $4: icmp_seq=1 ttl=64 time=0.1 ms"; echo "64 bytes from $4: icmp_seq=1 ttl=64 time=0.2 ms (DUP!)"; sleep 0.2; echo "64 bytes from $4: icmp_seq=2 ttl=64 time=310 ms"; sleep 30'),
    );
    try {
      const first = await probe(never);
      assert.equal(first.code, HealthCode.ok, first.detail);
      assert.equal(first.latencyMs, 0.1);
      const second = await probe(never);
      assert.equal(second.code, HealthCode.timeout);
      assert.equal(second.detail, 'reply after 310 ms (timeout 300 ms)');
    } finally {
      probe.close();
    }
  });

  /** Runs `probe` at start + k × everyMs, as the check runner does, and returns each run's code. */
  async function onGrid(probe: (s: AbortSignal) => Promise<{ code: HealthCode; detail: string }>, everyMs: number, runs: number): Promise<string[]> {
    const start = performance.now();
    const codes: string[] = [];
    for (let k = 0; k < runs; k++) {
      await sleep(Math.max(0, start + k * everyMs - performance.now()));
      const r = await probe(never);
      codes.push(r.code === HealthCode.ok ? 'ok' : `${r.code}: ${r.detail}`);
    }
    return codes;
  }

  test('a late reply to one run never counts for the next run', async () => {
    // Runs at 0, 0.4, 0.8 s (timeout 0.2 s). The second echo is answered at 0.7 s (300 ms round trip):
    // the second run fails, and the third run is judged by an echo of its own turn, not by that late reply.
    const probe = pingSessionProbe(
      '192.0.2.1',
      400,
      200,
      fake('echo "64 bytes from $4: icmp_seq=1 ttl=64 time=0.1 ms"; sleep 0.7; echo "64 bytes from $4: icmp_seq=2 ttl=64 time=300 ms"; sleep 0.1; echo "64 bytes from $4: icmp_seq=3 ttl=64 time=0.1 ms"; sleep 30'),
    );
    try {
      assert.deepEqual(await onGrid(probe, 400, 3), ['ok', 'HC_TIMEOUT: no reply within 200 ms', 'ok']);
    } finally {
      probe.close();
    }
  });

  test('a ping whose clock drifts from the runs is restarted in step, and no run fails', async () => {
    // A stand-in that answers every 0.26 s while the runs come every 0.2 s: without a restart, its
    // replies would fall further behind each run until runs time out. Each start is counted.
    const starts = join(mkdtempSync(join(tmpdir(), 'awsn-ping-')), 'starts');
    const probe = pingSessionProbe(
      '192.0.2.1',
      200,
      200,
      fake(`echo >> ${starts}; i=1; while true; do echo "64 bytes from $4: icmp_seq=$i ttl=64 time=0.1 ms"; i=$((i+1)); sleep 0.26; done`),
    );
    try {
      const codes = await onGrid(probe, 200, 12);
      assert.deepEqual(codes, Array(12).fill('ok'));
      const n = readFileSync(starts, 'utf8').length;
      assert.ok(n >= 2 && n <= 8, `${n} starts for 12 runs`);
    } finally {
      probe.close();
      rmSync(dirname(starts), { recursive: true, force: true });
    }
  });

  test('a real ping session at every 0.2 s, timeout 0.2 s, for 40 s: every run passes, with far fewer processes than runs', async (t) => {
    // The measurement behind the session design: a real iputils ping drifts by a few ms per echo against
    // the check's grid. Allowed: one failed run in 200 on a loaded CI machine (a scheduling stall), never two in a row.
    let spawned = 0;
    const counting: SpawnFn = (file, args, options) => {
      spawned++;
      return spawn(file, args, options);
    };
    const check = new HealthCheck(spec({ kind: 'ping' }, { every: 0.2, timeout: 0.2, rise: 1, fall: 1 }), {
      hooks: false,
      maxJitterMs: 0,
      history: 1000,
      probe: pingSessionProbe('127.0.0.1', 200, 200, ['ping'], counting),
    });
    const results: string[] = [];
    check.on('result', (e) => results.push(e.result.ok ? 'ok' : `${e.result.code} ${e.result.detail}`));
    const ac = new AbortController();
    check.start(ac.signal);
    await sleep(40_000);
    ac.abort();
    await check.settled();
    const failed = results.filter((r) => r !== 'ok');
    t.diagnostic(`${results.length} runs, ${failed.length} failed, ${spawned} ping processes`);
    assert.ok(results.length >= 180, `${results.length} runs`);
    assert.ok(failed.length <= 1, `${failed.length} of ${results.length} runs failed: ${failed.join('; ')}`);
    assert.ok(spawned < results.length / 3, `${spawned} ping processes for ${results.length} runs`);
  });

  test('a ping that refuses the interval makes the check fall back to one process per run', async () => {
    const probe = pingSessionProbe('192.0.2.1', 100, 2000, fake('echo "ping: cannot flood; minimal interval allowed for user is 200ms" >&2; exit 2'));
    try {
      const first = await probe(never);
      assert.equal(first.code, HealthCode.exit);
      assert.match(first.detail, /minimal interval/);
      // Now per run: the same stand-in is called as `ping -n -c 1 -W 1 DEST`, and its exit is reported the per-run way.
      const second = await probe(never);
      assert.match(second.detail, /^ping exit status 2: /);
    } finally {
      probe.close();
    }
  });

  test('a ping that cannot even be spawned fails the run instead of throwing, and is tried again next run', async () => {
    // A NUL byte makes spawn throw synchronously (ERR_INVALID_ARG_VALUE), as E2BIG does.
    const probe = pingSessionProbe('192.0.2.1', 200, 200, ['ping\u0000']);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await probe(never);
        assert.equal(r.code, HealthCode.spawn, r.detail);
        assert.match(r.detail, /^cannot run ping: ERR_INVALID_ARG_VALUE/);
      }
    } finally {
      probe.close();
    }
  });

  test('a process returned without pipes (EMFILE) fails the run; its late error event is handled', async () => {
    let spawned = 0;
    // What node's spawn returns under EMFILE: a child without stdio streams, and an 'error' event a tick later.
    const emfile: SpawnFn = () => {
      spawned++;
      const c = Object.assign(new EventEmitter(), { pid: undefined, stdout: null, stderr: null });
      process.nextTick(() => c.emit('error', Object.assign(new Error('spawn ping EMFILE'), { code: 'EMFILE' })));
      return c as unknown as ReturnType<SpawnFn>;
    };
    const probe = pingSessionProbe('192.0.2.1', 200, 200, ['ping'], emfile);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await probe(never);
        assert.equal(r.code, HealthCode.spawn, r.detail);
        assert.match(r.detail, /no pipes/);
        await new Promise((res) => setImmediate(res));
      }
      assert.equal(spawned, 2);
    } finally {
      probe.close();
    }
  });

  test('a ping check at a sub-second interval becomes healthy and stopping it ends its process', async () => {
    const before = processes();
    const check = new HealthCheck(spec({ kind: 'ping' }, { every: 0.2, timeout: 0.2 }), { hooks: false, maxJitterMs: 0 });
    const ac = new AbortController();
    check.start(ac.signal);
    await new Promise<void>((resolve) => check.once('transition', () => resolve()));
    assert.equal(check.healthy, true);
    ac.abort();
    await check.settled();
    await sleep(50);
    assert.equal(processes(), before);
  });
});

const isRoot = process.getuid?.() === 0;
const ns = `awsn-test-${process.pid}`;

describe('ping in a network namespace with its loopback down', { skip: isRoot ? false : 'needs root to create a network namespace (CI runs as root)' }, () => {
  const inNs = ['ip', 'netns', 'exec', ns, 'ping'];
  before(() => {
    execFileSync('ip', ['netns', 'add', ns]);
  });
  after(() => {
    execFileSync('ip', ['netns', 'del', ns]);
  });

  test('ping 127.0.0.1 fails when the namespace loopback is down', async () => {
    const r = await pingProbe('127.0.0.1', 1000, inNs)(never);
    assert.equal(r.ok, false);
    assert.equal(r.code, HealthCode.connect, r.detail);
    assert.match(r.detail, /unreachable/i);
  });

  test('a session ping fails at once when the namespace loopback is down', async () => {
    // (Before any test brings the loopback up: after up and down again, ping sends and waits instead.)
    const probe = pingSessionProbe('127.0.0.1', 1000, 1000, inNs);
    try {
      const r = await probe(never);
      assert.equal(r.code, HealthCode.connect, r.detail);
      assert.match(r.detail, /unreachable/i);
    } finally {
      probe.close();
    }
  });

  test('ping 127.0.0.1 passes there once the loopback is up', async () => {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    try {
      const r = await pingProbe('127.0.0.1', 1000, inNs)(never);
      assert.equal(r.code, HealthCode.ok, r.detail);
    } finally {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'down']);
    }
  });

  test('an echo that is sent but never answered fails at the timeout', async (t) => {
    // A veth pair inside the namespace: 10.99.0.2 is on-link but nobody owns it, so the echo goes out and nothing comes back.
    try {
      execFileSync('ip', ['-n', ns, 'link', 'add', 'awsn0', 'type', 'veth', 'peer', 'name', 'awsn1'], { stdio: 'ignore' });
    } catch {
      t.skip('this kernel cannot make veth pairs');
      return;
    }
    execFileSync('ip', ['-n', ns, 'addr', 'add', '10.99.0.1/24', 'dev', 'awsn0']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'awsn0', 'up']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'awsn1', 'up']);
    const r = await pingProbe('10.99.0.2', 600, inNs)(never);
    assert.equal(r.code, HealthCode.timeout, r.detail);
    assert.equal(r.detail, 'no reply within 600 ms');
    // The same with one long-lived process: every run times out.
    const session = pingSessionProbe('10.99.0.2', 300, 300, inNs);
    try {
      for (let i = 0; i < 2; i++) {
        const s = await session(never);
        assert.equal(s.code, HealthCode.timeout, s.detail);
        assert.equal(s.detail, 'no reply within 300 ms');
      }
    } finally {
      session.close();
    }
  });
});
